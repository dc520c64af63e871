"""Every download that draws or signs goes through the RQ queue on the real Redis (HIA_QUEUE=rq): the web
Word copy, the API's PDF and Word copy, and the practice PDF answer "being prepared" (202) until a worker has
made the file, report a job that failed after every retry, and queue it again with ?again=1. A download is
audited only when a file is given out. With HIA_QUEUE=sync they are made in the request, as before."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.documents import verify_pdf
from tests.integration.api.conftest import issue_token
from tests.integration.documents_wiring.test_downloads_and_verify import audit_events
from tests.integration.ops.conftest import job_status, run_worker, version_of
from tests.integration.training.conftest import (  # noqa: F401
    answer_and_submit,
    client_for,
    cohort,
    people,
    start_practice,
    training_app,
)
from tests.integration.training.test_results import _model_answers

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIMETYPES = {"pdf": "application/pdf", "docx": WORD}


def word_text(data: bytes) -> str:
    """The text of a valid Word document (python-docx refuses anything else)."""
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def reference_of(app: Flask, assessment_id: int) -> tuple[str, str]:
    from hia_service.data.assessments import get_assessment

    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        return assessment.organisation.code, assessment.reference


def drawn_copy(app: Flask, assessment_id: int, kind: str) -> Path:
    """Where the version as it stands now is kept once drawn (the data folder is shared by the tests)."""
    from hia_service.data.assessments import get_version
    from hia_service.services.documents import jobs as document_jobs
    from hia_service.services.documents import storage

    with app.app_context():
        version = get_version(assessment_id, 1)
        assert version is not None
        key = document_jobs.render_key(version, kind)
        assert re.fullmatch(rf"drawn/RXA/{version.assessment.reference}-v1-[0-9a-f]{{24}}\.{kind}", key), key
        return storage.document_storage().path(key)


def break_word_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    from hia_service.services.documents import records as documents

    def broken(version: Any) -> bytes:
        raise RuntimeError("the Word writer is broken")

    monkeypatch.setattr(documents, "version_docx", broken)


# --- the web Word copy --------------------------------------------------------------------------------


def test_the_word_copy_is_drawn_in_the_background_then_served(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, login: Any
) -> None:
    from hia_service.services.documents import queue as jobs

    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    waiting = client.get(f"/documents/{assessment_id}/v1.docx")
    assert waiting.status_code == 202
    assert waiting.headers["Retry-After"] == "5" and waiting.headers["Cache-Control"] == "no-store"
    page = waiting.get_data(as_text=True)
    assert "Your Word document is being prepared" in page and "Check if the Word document is ready" in page
    assert f'href="/documents/{assessment_id}/v1.docx"' in page and "PDF" not in page
    assert client.get(f"/documents/{assessment_id}/v1.docx").status_code == 202  # asked twice, queued once
    with app.app_context():
        assert jobs.queue().count == 1
    assert audit_events(app, "document_downloaded") == []  # nothing given out yet

    run_worker(app)
    stored = drawn_copy(app, assessment_id, "docx")
    ready = client.get(f"/documents/{assessment_id}/v1.docx")
    assert ready.status_code == 200 and ready.mimetype == WORD
    assert ready.headers["Content-Disposition"].endswith('-v1.docx"')
    _, reference = reference_of(app, assessment_id)
    assert reference in word_text(ready.data)
    assert ready.data == stored.read_bytes()
    assert [d["format"] for d in audit_events(app, "document_downloaded")] == ["docx"]


def test_a_changed_version_gets_a_new_word_copy(
    app: Flask,
    client: FlaskClient,
    rq_mode: Any,
    world: Any,
    make_assessment: Any,
    act: Any,
    login: Any,
) -> None:
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    client.get(f"/documents/{assessment_id}/v1.docx")
    run_worker(app)
    submitted = client.get(f"/documents/{assessment_id}/v1.docx")
    first = drawn_copy(app, assessment_id, "docx")

    act(world["reviewer"], review.start_review, assessment_id, None)  # the copy now says "in review"
    assert client.get(f"/documents/{assessment_id}/v1.docx").status_code == 202
    run_worker(app)
    in_review = client.get(f"/documents/{assessment_id}/v1.docx")
    second = drawn_copy(app, assessment_id, "docx")
    assert first != second and first.exists() and second.exists()
    assert (submitted.data, in_review.data) == (first.read_bytes(), second.read_bytes())
    assert submitted.data != in_review.data


def test_a_word_copy_that_keeps_failing_is_reported_and_can_be_asked_for_again(
    app: Flask,
    client: FlaskClient,
    rq_mode: Any,
    world: Any,
    make_assessment: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    break_word_copies(monkeypatch)
    client.get(f"/documents/{assessment_id}/v1.docx")
    run_worker(app)

    failed = client.get(f"/documents/{assessment_id}/v1.docx")
    page = failed.get_data(as_text=True)
    assert failed.status_code == 202 and "The Word document could not be prepared" in page
    assert "We tried 3 times" in page and "The Word document of version 1 could not be made" in page
    assert f'href="/documents/{assessment_id}/v1.docx?again=1">Try again' in page
    assert "render-" in page and "-docx" in page  # the job reference for the administrator

    monkeypatch.undo()  # mended
    assert client.get(f"/documents/{assessment_id}/v1.docx").status_code == 202  # still failed: not re-queued
    again = client.get(f"/documents/{assessment_id}/v1.docx?again=1")
    assert again.status_code == 202 and "Your Word document is being prepared" in again.get_data(as_text=True)
    run_worker(app)
    ready = client.get(f"/documents/{assessment_id}/v1.docx")
    assert ready.status_code == 200 and word_text(ready.data)
    assert [d["format"] for d in audit_events(app, "document_downloaded")] == ["docx"]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_without_the_queue_a_copy_is_made_in_the_request_and_kept_for_the_next(
    app: Flask,
    client: FlaskClient,
    world: Any,
    make_assessment: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    from hia_service.services.documents import records

    assert app.config.get("HIA_QUEUE", "sync") == "sync"
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    response = client.get(f"/documents/{assessment_id}/v1.{kind}")
    assert response.status_code == 200 and response.mimetype == MIMETYPES[kind]
    kept = drawn_copy(app, assessment_id, kind)
    assert kept.read_bytes() == response.data

    def draw_again(*args: Any) -> bytes:
        raise AssertionError("drawn a second time")

    monkeypatch.setattr(records, "drawn", draw_again)
    again = client.get(f"/documents/{assessment_id}/v1.{kind}")
    assert again.status_code == 200 and again.data == response.data


def test_without_the_queue_a_copy_that_cannot_be_kept_is_still_given_out(
    app: Flask,
    client: FlaskClient,
    world: Any,
    make_assessment: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hia_service.services.documents import storage

    def full(*args: Any) -> None:
        raise storage.StorageFullError("The document store is full")

    monkeypatch.setattr(storage.LocalFolder, "write", full)
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    response = client.get(f"/documents/{assessment_id}/v1.docx")
    assert response.status_code == 200 and word_text(response.data)
    assert not drawn_copy(app, assessment_id, "docx").exists()


# --- the API ------------------------------------------------------------------------------------------


def here(app: Flask, path: str) -> str:
    """The address the test client asked for, in full (Location repeats it)."""
    return f"http://{app.config.get('SERVER_NAME') or 'localhost'}/api/v1{path}"


def api_get(client: FlaskClient, token: str, path: str) -> Any:
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_the_api_answers_202_until_the_worker_has_made_the_file(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, kind: str
) -> None:
    assessment_id = make_assessment(world["manager"])
    token = issue_token(app, world["manager"])
    path = f"/assessments/{assessment_id}/versions/1/{kind}"

    waiting = api_get(client, token, path)
    assert waiting.status_code == 202 and waiting.mimetype == "application/json"
    assert waiting.headers["Retry-After"] == "5"
    assert waiting.headers["Location"] == here(app, path)
    body = waiting.get_json()
    noun = "PDF" if kind == "pdf" else "Word document"
    assert body["status"] == "preparing" and body["attempts"] == 0
    assert body["detail"].startswith(f"The {noun} of version 1 is being prepared")
    assert audit_events(app, "document_downloaded") == []

    run_worker(app)
    ready = api_get(client, token, path)
    assert ready.status_code == 200
    if kind == "pdf":
        assert ready.mimetype == "application/pdf" and ready.data.startswith(b"%PDF")
    else:
        assert ready.mimetype == WORD and word_text(ready.data)
    assert [d["format"] for d in audit_events(app, "document_downloaded")] == [kind]


def test_the_api_waits_for_the_signed_record_of_an_approved_version(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.services.documents import records as documents
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    token = issue_token(app, world["manager"])
    path = f"/assessments/{assessment_id}/versions/1/pdf"

    assert api_get(client, token, path).status_code == 202  # the API no longer signs in the request
    assert version_of(app, assessment_id)["pdf_sha256"] is None
    run_worker(app)
    ready = api_get(client, token, path)
    assert ready.status_code == 200
    assert ready.data == version_of(app, assessment_id)["pdf"]
    with app.app_context():
        assert verify_pdf(ready.data, documents.trust_roots()).genuine


def test_the_api_reports_a_job_that_failed_and_queues_it_again_when_asked(
    app: Flask,
    client: FlaskClient,
    rq_mode: Any,
    world: Any,
    make_assessment: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessment_id = make_assessment(world["manager"])
    token = issue_token(app, world["manager"])
    path = f"/assessments/{assessment_id}/versions/1/docx"
    break_word_copies(monkeypatch)
    api_get(client, token, path)
    run_worker(app)

    failed = api_get(client, token, path)
    assert failed.status_code == 503 and failed.mimetype == "application/problem+json"
    assert failed.headers["Location"] == here(app, path)
    problem = failed.get_json()
    assert problem["title"] == "The Word document could not be prepared"
    assert problem["attempts"] == 3 and problem["again"] == here(app, path) + "?again=1"
    assert "after 3 tries" in problem["detail"] and "?again=1" in problem["detail"]
    assert job_status(app, problem["job"].removeprefix(rq_mode["name"] + "-")) == "failed"

    monkeypatch.undo()
    assert api_get(client, token, f"{path}?again=1").status_code == 202
    run_worker(app)
    assert api_get(client, token, path).status_code == 200
    assert [d["format"] for d in audit_events(app, "document_downloaded")] == ["docx"]


def test_the_api_says_so_when_the_queue_is_unreachable(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any
) -> None:
    app.config["HIA_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.extensions.pop("hia_redis", None)
    assessment_id = make_assessment(world["manager"])
    response = api_get(
        client, issue_token(app, world["manager"]), f"/assessments/{assessment_id}/versions/1/pdf"
    )
    assert response.status_code == 503
    assert response.get_json()["detail"].startswith("Documents cannot be prepared just now")


def test_the_api_word_copy_without_the_queue_and_a_bad_again(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    token = issue_token(app, world["manager"])
    path = f"/assessments/{assessment_id}/versions/1/docx"
    response = api_get(client, token, path)
    assert response.status_code == 200 and response.mimetype == WORD and word_text(response.data)
    assert api_get(client, token, f"{path}?again=perhaps").status_code == 422
    assert api_get(client, issue_token(app, world["other_reviewer"]), path).status_code == 404
    assert [d["format"] for d in audit_events(app, "document_downloaded")] == ["docx"]


# --- the practice PDF ---------------------------------------------------------------------------------


def test_the_practice_pdf_is_drawn_in_the_background(
    training_app: Flask,  # noqa: F811
    rq_mode: Any,
    people: dict,  # noqa: F811
    cohort: dict,  # noqa: F811
) -> None:
    assessment_id = start_practice(training_app, people["trainee"], cohort["id"])
    answer_and_submit(training_app, people["trainee"], assessment_id, _model_answers(training_app))
    trainee = client_for(training_app, people["trainee"])
    url = f"/training/practice/{assessment_id}/practice.pdf"

    waiting = trainee.get(url)
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 202 and "Your PDF is being prepared" in page
    assert f'href="{url}"' in page and f'href="/training/practice/{assessment_id}/feedback"' in page
    run_worker(training_app)
    ready = trainee.get(url)
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF") and b"/ByteRange" not in ready.data
    assert ready.headers["Content-Disposition"].startswith('attachment; filename="practice-TRN-')
