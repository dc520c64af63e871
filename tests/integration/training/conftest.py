"""Fixtures for training mode: the real reference snapshot (practice areas are profiled for real), people in
every role in two organisations, and sessions made through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.review.conftest import act_as, add_people

FLEETWOOD = "minor-injuries-fleetwood"
HULL = "video-outpatients-hull"
PEOPLE = {
    "trainer": ("trainer", "RXA"),
    "trainee": ("trainee", "RXA"),  # a training-only account
    "manager": ("manager", "RXA"),  # an ordinary member of staff, joining as a trainee
    "reviewer": ("reviewer", "RXA"),
    "admin": ("admin", "RXA"),
    "other_trainer": ("trainer", "RYB"),
    "other_trainee": ("trainee", "RYB"),
}


@pytest.fixture
def training_app(area_app: Flask) -> Flask:
    """The app reading the real reference snapshot: practice areas are profiled for real."""
    return area_app


@pytest.fixture
def people(training_app: Flask) -> dict[str, dict[str, Any]]:
    return add_people(training_app, PEOPLE)


def make_session(
    app: Flask, trainer: dict[str, Any], scenarios: tuple[str, ...] = (FLEETWOOD,), name: str = "Cohort 1"
) -> dict[str, Any]:
    from hia_service.services.training import cohorts as training

    held = date.today() + timedelta(days=7)
    parts = {"day": str(held.day), "month": str(held.month), "year": str(held.year)}

    def create(user: Any) -> dict[str, Any]:
        row = training.create_session(user, name, parts, list(scenarios))
        return {"id": row.id, "code": row.join_code, "expires": row.code_expires_at}

    return act_as(app, trainer, create)


@pytest.fixture
def cohort(training_app: Flask, people: dict[str, Any]) -> dict[str, Any]:
    """A session with Fleetwood and Hull, joined by the training-only account and the manager."""
    from hia_service.services.training import cohorts as training

    session = make_session(training_app, people["trainer"], (FLEETWOOD, HULL))
    for who in ("trainee", "manager"):
        act_as(training_app, people[who], training.join_session, session["code"])
    return session


def start_practice(app: Flask, person: dict[str, Any], session_id: int, scenario_id: str = FLEETWOOD) -> int:
    from hia_service.services.training import cohorts as training

    return act_as(app, person, lambda user: training.start_practice(user, session_id, scenario_id).id)


def answer_and_submit(
    app: Flask, person: dict[str, Any], assessment_id: int, answers: dict[str, Any]
) -> None:
    """Save answers through the same service the wizard uses, then hand the practice in for feedback."""
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.training import cohorts as training
    from tests.integration.review.conftest import BACKDATED, IN_THREE_YEARS

    # The live tests' review date has passed (for follow-up); a practice answers with one after its decision.
    answers = {**answers, **{q: IN_THREE_YEARS for q in BACKDATED if q in answers}}
    result = act_as(app, person, assessments.save_page, assessment_id, list(answers), answers, None)
    assert result.saved, result.errors
    act_as(app, person, training.submit_practice, assessment_id)


def client_for(app: Flask, person: dict[str, Any], password: str = TEST_PASSWORD) -> FlaskClient:
    """A fresh browser-like client signed in as `person`."""
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"email": person["email"], "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
