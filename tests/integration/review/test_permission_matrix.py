"""Who may use which review, dashboard and follow-up page: every route x every role x own or other
organisation (and signed out), with the status each should get. POSTs carry data that is refused (an empty
comment, a stale lock), so a person who gets past the guards still writes nothing; the test checks that too.

The records all belong to organisation RXA; "own" people are in RXA (the manager is the author), "other"
people are in RYB. The world is built once per database for the whole module."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hia_service.services.assessments import authoring as assessments
from hia_service.services.review import decisions as review
from tests.conftest import csrf_token_from, session_key_of
from tests.integration.review.conftest import act_as, add_people, create_assessment

ROLES = ("manager", "reviewer", "trainer", "admin")
PERSONAS = [f"{org}_{role}" for org in ("own", "other") for role in ROLES] + ["signed_out"]


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """Overrides the per-test clean-up: this module shares one world, cleaned once at the end."""
    yield


@dataclass(frozen=True)
class Matrix:
    people: dict[str, dict[str, Any]]
    revised: int  # submitted as version 2 after being returned: record, versions, compare, review actions
    approved: int  # approved: decision form, follow-up items
    item: int  # the approved assessment's first action (owned by its author)


@pytest.fixture(scope="module")
def matrix(app: Flask) -> Iterator[Matrix]:
    from hia_service.data.models import ActionItem
    from hia_service.extensions import db

    people = add_people(
        app,
        {
            f"{org}_{role}": (role, "RXA" if org == "own" else "RYB")
            for org in ("own", "other")
            for role in ROLES
        },
    )
    people["helper_reviewer"] = add_people(app, {"helper_reviewer": ("reviewer", "RXA")})["helper_reviewer"]
    author, helper = people["own_manager"], people["helper_reviewer"]
    revised = create_assessment(app, author, "Returned and resubmitted")
    act_as(app, helper, review.return_to_author, revised, "Please revise", None)
    act_as(app, author, assessments.save_page, revised, ["proposal.kind"], {"proposal.kind": "policy"}, None)
    act_as(app, author, assessments.submit_for_review, revised)
    approved = create_assessment(app, author, "Approved")
    act_as(app, helper, review.approve, approved, None)
    with app.app_context():
        item = db.session.scalar(
            select(ActionItem.id).where(ActionItem.assessment_id == approved, ActionItem.position == 1)
        )
    yield Matrix(people, revised, approved, item)
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def role_of(persona: str) -> str:
    return persona.split("_", 1)[1] if persona != "signed_out" else ""


def own(persona: str) -> bool:
    return persona.startswith("own_")


def reviewer_action(persona: str, refused: int) -> int:
    """Reviewer-only POST: the home reviewer gets past every guard and is refused by the service."""
    if role_of(persona) != "reviewer":
        return 403
    return refused if own(persona) else 404


def visible_record(persona: str) -> int:
    """Reviewers see their organisation's records, managers their own, trainers and admins none."""
    return 200 if own(persona) and role_of(persona) in ("reviewer", "manager") else 404


def reviewers_only(persona: str) -> int:
    return 200 if role_of(persona) == "reviewer" else 403


def managers_and_reviewers(ok: int) -> Callable[[str], int]:
    def expected(persona: str) -> int:
        if role_of(persona) not in ("reviewer", "manager"):
            return 403
        return ok if own(persona) else 404

    return expected


def follow_up_done(persona: str) -> int:
    if role_of(persona) not in ("reviewer", "manager"):
        return 403
    if not own(persona):
        return 404
    return (
        400 if role_of(persona) == "manager" else 403
    )  # the author may; a reviewer may see but not complete


# (name, method, path template, form data, expected status for a persona)
ROUTES: list[tuple[str, str, str, dict[str, Any], Callable[[str], int]]] = [
    ("queue", "GET", "/review/", {}, reviewers_only),
    ("record", "GET", "/review/{revised}", {}, visible_record),
    ("version", "GET", "/review/{revised}/versions/1", {}, visible_record),
    ("compare", "GET", "/review/{revised}/compare", {}, visible_record),
    ("start", "POST", "/review/{revised}/start", {"lock_version": "0"}, lambda p: reviewer_action(p, 409)),
    (
        "comment",
        "POST",
        "/review/{revised}/comments",
        {"section": "pc", "version": "2", "body": ""},
        lambda p: reviewer_action(p, 400),
    ),
    (
        "return",
        "POST",
        "/review/{revised}/return",
        {"lock_version": "0", "comment": ""},
        lambda p: reviewer_action(p, 400),
    ),
    (
        "approve",
        "POST",
        "/review/{revised}/approve",
        {"lock_version": "0"},
        lambda p: reviewer_action(p, 409),
    ),
    ("decision form", "GET", "/review/{approved}/decision", {}, managers_and_reviewers(200)),
    # A lock version from before a change: refused before anything else is read.
    (
        "decision",
        "POST",
        "/review/{approved}/decision",
        {"lock_version": "0", "forum": ""},
        managers_and_reviewers(409),
    ),
    ("dashboard", "GET", "/dashboard/", {}, reviewers_only),
    ("chart", "GET", "/dashboard/charts/rating.png", {}, reviewers_only),
    ("register", "GET", "/dashboard/register.csv", {}, reviewers_only),
    ("follow-up", "GET", "/follow-up/", {}, lambda p: 200 if role_of(p) in ("reviewer", "manager") else 403),
    ("follow-up item", "GET", "/follow-up/actions/{item}", {}, managers_and_reviewers(200)),
    ("mark done", "POST", "/follow-up/actions/{item}", {"lock_version": "1", "note": ""}, follow_up_done),
]


def sign_in_quickly(client: FlaskClient, person: dict[str, Any] | None) -> str:
    """Put the person in the session as Flask-Login does (no password hashing), and return a CSRF token."""
    with client.session_transaction() as session:
        session.clear()
        if person is not None:
            session["_user_id"] = str(person["id"])
            session["_fresh"] = True
            session["last_seen"] = time.time()
            session["session_key"] = session_key_of(client.application, person["id"])
    page = client.get("/home" if person else "/sign-in")
    return csrf_token_from(page.get_data(as_text=True))


def stored(app: Flask) -> tuple[Any, ...]:
    """Everything a refused request must leave alone."""
    from hia_service.data.models import (
        ActionItem,
        Assessment,
        AssessmentEvent,
        AuditEvent,
        DecisionRecord,
        ReviewComment,
    )
    from hia_service.extensions import db

    with app.app_context():
        counts = tuple(
            db.session.scalar(select(func.count(model.id)))
            for model in (AssessmentEvent, ReviewComment, DecisionRecord, AuditEvent)
        )
        locks = tuple(
            db.session.execute(select(Assessment.id, Assessment.lock_version, Assessment.status)).all()
        )
        done = db.session.scalar(select(func.count(ActionItem.id)).where(ActionItem.status == "done"))
        return (*counts, locks, done)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("route", "method", "path", "data", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_route_by_role_by_organisation(
    app: Flask,
    client: FlaskClient,
    matrix: Matrix,
    persona: str,
    route: str,
    method: str,
    path: str,
    data: dict[str, Any],
    expected: Callable[[str], int],
) -> None:
    person = matrix.people.get(persona)
    token = sign_in_quickly(client, person)
    url = path.format(revised=matrix.revised, approved=matrix.approved, item=matrix.item)
    before = stored(app) if method == "POST" else None
    response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token, **data})
    want = 302 if persona == "signed_out" else expected(persona)
    assert response.status_code == want, f"{persona} {method} {url}: {response.status_code}, expected {want}"
    if want == 302:
        assert "/sign-in?next=" in response.location
    if method == "POST":
        assert stored(app) == before, f"{persona} {method} {url} wrote something"
