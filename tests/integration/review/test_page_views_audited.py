"""Web pages that show a live assessment's content (the review record, a version, a comparison, checking the
answers, a question page) are audited as the API audits a read: an "assessment_viewed" entry per page shown,
with who, when and which page, written with the next batch rather than by the page's own request. Practice
assessments and pages that were refused are not; the record's history lists what was done, not who read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hia_service.data.models import AuditEvent
from hia_service.extensions import db
from hia_service.services.accounts.api_calls import waiting_writes, write_waiting
from hia_service.services.assessments import authoring as assessments
from hia_service.services.review import decisions as review

# Approvals and returns here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


def views(app: Flask) -> list[AuditEvent]:
    """The page-view entries in the database (only those already written)."""
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.event_type == "assessment_viewed").order_by(AuditEvent.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def written_views(app: Flask) -> list[AuditEvent]:
    """Write what is waiting, as the server's batch writer does within a second, then read the entries."""
    with app.app_context():
        write_waiting()
    return views(app)


def organisation_of(app: Flask, assessment_id: int) -> int:
    from hia_service.data.models import Assessment

    with app.app_context():
        return db.session.get(Assessment, assessment_id).organisation_id  # type: ignore[union-attr]


def waiting(app: Flask) -> int:
    return len(waiting_writes(app))


@pytest.fixture(autouse=True)
def nothing_waiting(app: Flask) -> None:
    """Start with no reads waiting (a module before may keep one world, and its reads, for all its tests)."""
    with app.app_context():
        waiting_writes().take()


@pytest.fixture
def batched(app: Flask) -> Iterator[None]:
    """Batches far apart: nothing waiting is written unless a test writes it."""
    before = app.config["HIA_API_AUDIT_BATCH_SECONDS"]
    app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 60
    yield
    app.config["HIA_API_AUDIT_BATCH_SECONDS"] = before


def two_versions(world: Any, make_assessment: Any, act: Any, lock_of: Any) -> int:
    assessment_id = make_assessment(world["manager"])
    act(
        world["reviewer2"],
        review.return_to_author,
        assessment_id,
        "Add the evidence.",
        lock_of(assessment_id),
    )
    act(world["manager"], assessments.submit_for_review, assessment_id)
    return assessment_id


@pytest.mark.usefixtures("batched")
def test_review_pages_are_audited_in_the_next_batch_not_by_the_request(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = two_versions(world, make_assessment, act, lock_of)
    login(world["reviewer"])
    pages = [
        f"/review/{assessment_id}",
        f"/review/{assessment_id}/versions/1",
        f"/review/{assessment_id}/compare?from=1&to=2",
    ]
    for page in pages:
        assert client.get(page).status_code == 200
    # Each page's request committed nothing of its own for the view: the entries wait for the batch.
    assert views(app) == [] and waiting(app) == 3

    rows = written_views(app)
    assert [row.details["path"] for row in rows] == [p.split("?")[0] for p in pages]
    assert [row.details["page"] for row in rows] == ["record", "version", "comparison of versions 1 and 2"]
    assert [row.details.get("version") for row in rows] == [2, 1, None]
    reviewer = world["reviewer"]
    for row in rows:
        assert (row.actor_id, row.subject_type, row.subject_id) == (
            reviewer["id"],
            "assessment",
            str(assessment_id),
        )
        assert row.organisation_id == organisation_of(app, assessment_id)
        assert row.details["reference"].startswith("HIA-")
    # The record's own history shows what was done to it, not who read it.
    html = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "Assessment viewed" not in html[html.index('<h2 id="history">History</h2>') :]


@pytest.mark.usefixtures("batched")
def test_the_authors_pages_of_answers_are_audited_and_practice_is_not(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    draft = make_assessment(world["manager"], "A draft", submit=False)
    practice = make_assessment(world["manager"], "Practice", submit=False, training=True)
    login(world["manager"])
    for assessment_id in (draft, practice):
        assert client.get(f"/assessments/{assessment_id}/check-answers").status_code == 200
        assert client.get(f"/assessments/{assessment_id}/proposal").status_code == 200
        assert client.get(f"/assessments/{assessment_id}").status_code == 200  # the task list: no answers

    rows = written_views(app)
    assert [(row.subject_id, row.details["page"]) for row in rows] == [
        (str(draft), "check answers"),
        (str(draft), "question page proposal"),
    ]
    assert {row.actor_id for row in rows} == {world["manager"]["id"]}


@pytest.mark.usefixtures("batched")
def test_a_page_refused_or_not_found_is_not_audited_as_viewed(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    theirs = make_assessment(world["other_manager"], "Another trust's change")
    login(world["reviewer"])
    assert client.get(f"/review/{theirs}").status_code == 404
    assert client.get(f"/review/{theirs}/versions/1").status_code == 404
    assert client.get(f"/assessments/{theirs}/check-answers").status_code == 404
    assert waiting(app) == 0 and written_views(app) == []


def test_with_batches_switched_off_a_view_is_written_at_once(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    before = app.config["HIA_API_AUDIT_BATCH_SECONDS"]
    app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 0
    try:
        assert client.get(f"/review/{assessment_id}").status_code == 200
    finally:
        app.config["HIA_API_AUDIT_BATCH_SECONDS"] = before
    (row,) = views(app)
    assert row.actor_id == world["reviewer"]["id"] and row.details["page"] == "record"
