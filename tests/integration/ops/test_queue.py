"""PDF drawing and signing on the RQ queue in the real Redis (HIA_QUEUE=rq): approval commits at once, the
download page says "being prepared" until a worker has made the file, failures are retried and then
reported, and nothing is lost when Redis is unreachable."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.documents import verify_pdf
from tests.integration.ops.conftest import job_status, run_worker, version_of


def approve(act: Any, world: Any, make_assessment: Any) -> int:
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    return assessment_id


def trust(app: Flask) -> list[bytes]:
    from hia_service.services.documents import records as documents

    with app.app_context():
        return documents.trust_roots()


def test_approval_queues_signing_and_the_worker_signs_the_record(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, act: Any, login: Any
) -> None:
    assessment_id = approve(act, world, make_assessment)
    version = version_of(app, assessment_id)
    assert (version["status"], version["pdf_sha256"]) == ("approved", None)  # committed, not yet signed
    assert job_status(app, f"sign-{assessment_id}-1") == "queued"

    login(world["manager"])
    waiting = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert waiting.status_code == 202
    page = waiting.get_data(as_text=True)
    assert "Your PDF is being prepared" in page and "Check if the PDF is ready" in page
    assert "http-equiv" not in page  # no automatic refresh

    run_worker(app)
    assert job_status(app, f"sign-{assessment_id}-1") == "finished"
    signed = version_of(app, assessment_id)
    stored = signed["pdf"]
    assert signed["pdf_sha256"] == hashlib.sha256(stored).hexdigest()
    ready = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert ready.status_code == 200 and ready.data == stored
    result = verify_pdf(ready.data, trust(app))
    assert result.genuine, result.reason


def test_a_submitted_version_is_drawn_in_the_background_then_served(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 202
    assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 202  # asked twice, queued once
    from hia_service.services.documents import queue as jobs

    with app.app_context():
        assert jobs.queue().count == 1
    run_worker(app)
    ready = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert b"/ByteRange" not in ready.data  # drawn, not signed


def test_a_failing_job_is_retried_and_succeeds(
    app: Flask, rq_mode: Any, world: Any, make_assessment: Any, act: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.documents import records as documents

    real_sign, tries = documents.sign_approved, []

    def flaky(version: Any) -> bytes:
        tries.append(1)
        if len(tries) == 1:
            raise OSError(5, "Input/output error")
        return real_sign(version)

    assessment_id = approve(act, world, make_assessment)
    monkeypatch.setattr(documents, "sign_approved", flaky)
    run_worker(app)
    assert len(tries) == 2
    assert version_of(app, assessment_id)["pdf_sha256"] is not None


def test_a_job_that_keeps_failing_is_reported_and_can_be_tried_again(
    app: Flask,
    client: FlaskClient,
    rq_mode: Any,
    world: Any,
    make_assessment: Any,
    act: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hia_service.cli.worker import worker_cmd
    from hia_service.services.documents import records as documents

    def broken(version: Any) -> bytes:
        raise RuntimeError("the signing service is broken")

    assessment_id = approve(act, world, make_assessment)
    monkeypatch.setattr(documents, "sign_approved", broken)
    run_worker(app)
    assert job_status(app, f"sign-{assessment_id}-1") == "failed"

    login(world["manager"])
    page = client.get(f"/documents/{assessment_id}/v1.pdf").get_data(as_text=True)
    assert "The PDF could not be prepared" in page and "We tried 3 times" in page  # first try + 2 retries
    listing = app.test_cli_runner().invoke(worker_cmd, ["--failed"])
    assert "1 failed job(s)" in listing.output
    assert (
        f"sign-{assessment_id}-1: tried 3 times; last error: RuntimeError: the signing service is broken"
        in (listing.output)
    )

    monkeypatch.undo()  # mended
    assert client.get(f"/documents/{assessment_id}/v1.pdf?again=1").status_code == 202
    assert job_status(app, f"sign-{assessment_id}-1") == "queued"
    burst = app.test_cli_runner().invoke(worker_cmd, ["--burst"])
    assert burst.exit_code == 0, burst.output
    assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 200


def test_signing_runs_once_however_often_the_job_runs(
    app: Flask, rq_mode: Any, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.services.documents import jobs as document_jobs

    assessment_id = approve(act, world, make_assessment)
    run_worker(app)
    first = version_of(app, assessment_id)["pdf_sha256"]
    with app.app_context():
        assert document_jobs.sign_job(assessment_id, 1) == "already signed"
    assert version_of(app, assessment_id)["pdf_sha256"] == first


def test_with_redis_unreachable_approval_stands_and_the_page_says_try_again(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, act: Any, login: Any
) -> None:
    from tests.conftest import REDIS_URL

    app.config["HIA_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.extensions.pop("hia_redis", None)
    assessment_id = approve(act, world, make_assessment)
    assert version_of(app, assessment_id)["status"] == "approved"  # the decision is not lost

    login(world["manager"])
    down = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert down.status_code == 503
    assert "Documents cannot be prepared just now" in down.get_data(as_text=True)

    app.config["HIA_REDIS_URL"] = REDIS_URL  # Redis is back: the page queues the missed job itself
    app.extensions.pop("hia_redis", None)
    assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 202
    run_worker(app)
    assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 200


def test_an_approval_that_rolls_back_queues_nothing(
    app: Flask, rq_mode: Any, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.services.documents.records import SigningNotSetUpError
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    app.config["HIA_ENV"] = "production"  # no certificate configured: approval is refused
    try:
        with pytest.raises(SigningNotSetUpError):
            act(world["reviewer"], review.approve, assessment_id, None)
    finally:
        app.config["HIA_ENV"] = "testing"
    assert version_of(app, assessment_id)["status"] == "submitted"
    assert job_status(app, f"sign-{assessment_id}-1") is None


def test_a_signing_download_and_the_queued_job_sign_once(
    app: Flask, client: FlaskClient, rq_mode: Any, world: Any, make_assessment: Any, act: Any, login: Any
) -> None:
    """`hia pdf export` signs inline if the worker has not yet (pages and the API wait instead); the
    worker then finds it done, and the stored file still matches the recorded fingerprint."""
    from hia_service.data.assessments import get_version
    from hia_service.data.transaction import commit
    from hia_service.services.documents import jobs as document_jobs
    from hia_service.services.documents import records as documents

    assessment_id = approve(act, world, make_assessment)
    with app.app_context():
        signed = documents.version_pdf(get_version(assessment_id, 1))
        commit()
    with app.app_context():
        assert document_jobs.sign_job(assessment_id, 1) == "already signed"
    run_worker(app)
    assert version_of(app, assessment_id)["pdf_sha256"] == hashlib.sha256(signed).hexdigest()
    login(world["manager"])
    assert client.get(f"/documents/{assessment_id}/v1.pdf").data == signed


def test_without_redis_the_whole_pdf_path_works_in_process(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The embedded default (`make run` when Redis does not answer): approval signs in the web process."""
    from hia_service.cli.worker import worker_cmd

    monkeypatch.setitem(app.config, "HIA_QUEUE", "sync")
    monkeypatch.setitem(app.config, "HIA_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    assessment_id = approve(act, world, make_assessment)
    login(world["manager"])
    pdf = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    result = verify_pdf(pdf.data, trust(app))
    assert result.genuine, result.reason
    health = client.get("/healthz").get_json()["queue"]
    assert (health["kind"], health["status"]) == ("in-process", "ok")

    idle = app.test_cli_runner().invoke(worker_cmd, [])
    assert idle.exit_code == 1 and "nothing for a worker to do" in idle.output
    monkeypatch.setitem(app.config, "HIA_QUEUE", "rq")
    unreachable = app.test_cli_runner().invoke(worker_cmd, ["--burst"])
    assert unreachable.exit_code == 1
    assert "Cannot reach Redis at redis://127.0.0.1:1/0" in unreachable.output
    assert "Traceback" not in unreachable.output


def test_one_organisations_burst_of_pdfs_does_not_hold_up_anothers(
    app: Flask,
    client: FlaskClient,
    rq_mode: Any,
    world: Any,
    make_assessment: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hia_service.services.documents import jobs as document_jobs
    from hia_service.services.documents import queue as jobs

    burst = [make_assessment(world["manager"]) for _ in range(5)]
    other = make_assessment(world["other_manager"])
    login(world["manager"])
    for assessment_id in burst:
        assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 202
    login(world["other_manager"])
    assert client.get(f"/documents/{other}/v1.pdf").status_code == 202  # asked for last

    with app.app_context():
        assert jobs.queue().count == 3  # two of RXA's (HIA_QUEUE_JOBS_PER_ORGANISATION), then RYB's
    real_render, order = document_jobs.render_job, []

    def noting(assessment_id: int, number: int, kind: str = "pdf") -> str:
        order.append(assessment_id)
        return real_render(assessment_id, number, kind)

    monkeypatch.setattr(document_jobs, "render_job", noting)
    run_worker(app)
    assert order.index(other) == 2  # third, not sixth: behind two of RXA's, ahead of RXA's other three
    assert sorted(order) == sorted([*burst, other])  # the rest of the burst still ran
    login(world["manager"])
    for assessment_id in burst:
        assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 200


def test_a_job_that_runs_past_its_time_limit_is_stopped_and_reported(
    app: Flask,
    client: FlaskClient,
    rq_mode: Any,
    world: Any,
    make_assessment: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from hia_service.services.documents import jobs as document_jobs

    stopped: list[str] = []

    def endless(assessment_id: int, number: int, kind: str = "pdf") -> str:
        try:
            while True:  # work that never ends by itself
                time.sleep(0.05)
        except BaseException as error:
            stopped.append(type(error).__name__)
            raise

    monkeypatch.setitem(app.config, "HIA_QUEUE_JOB_TIMEOUT_SECONDS", 1)
    monkeypatch.setattr(document_jobs, "render_job", endless)
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    assert client.get(f"/documents/{assessment_id}/v1.pdf").status_code == 202
    run_worker(app)  # returns: every try was stopped
    assert stopped == ["JobTimeoutException"] * 3  # the first try and both retries
    page = client.get(f"/documents/{assessment_id}/v1.pdf").get_data(as_text=True)
    assert "The PDF could not be prepared" in page


def test_the_worker_starts_typst_before_it_takes_a_job(
    app: Flask, rq_mode: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="hia_service.services.documents.queue"):
        run_worker(app)
    started = [r for r in caplog.records if r.getMessage() == "Worker started"]
    assert len(started) == 1
    assert started[0].fields["pdf_warm_up_ms"] > 0  # type: ignore[attr-defined]


def test_the_worker_is_counted_again_after_redis_loses_its_entry(app: Flask, rq_mode: dict) -> None:
    """Redis keeps nothing on disk: after a restart the running worker reconnects, and its next heartbeat
    puts back what /healthz counts, instead of "no worker" until someone restarts it."""
    from rq import Queue, SimpleWorker

    from hia_service.services.documents import queue as jobs

    with app.app_context():
        redis = jobs.connection()
        work = Queue(rq_mode["name"], connection=redis)
        worker = jobs.worker_class()([work], connection=redis)
        worker.register_birth()
        try:
            assert SimpleWorker.count(queue=work) == 1
            redis.delete(worker.key, worker.redis_workers_keys, f"rq:workers:{rq_mode['name']}")
            assert SimpleWorker.count(queue=work) == 0  # as after a restart
            worker.heartbeat()
            assert SimpleWorker.count(queue=work) == 1
            assert redis.hexists(worker.key, "birth")
            assert app.test_client().get("/healthz").get_json()["queue"]["status"] == "ok"
        finally:
            worker.register_death()
