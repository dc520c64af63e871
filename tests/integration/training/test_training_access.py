"""Who may use which training page, and proof that training and governance never meet: every new route x
every persona (trainer, training-only trainee, staff trainee, manager, reviewer, admin, another
organisation's trainer and trainee, signed out), plus live-record and governance URLs for trainees, and
training URLs for governance roles. 404 hides a record's existence; 403 is a role the page is not for."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.review.conftest import add_people, create_assessment
from tests.integration.training.conftest import (
    FLEETWOOD,
    answer_and_submit,
    client_for,
    make_session,
    start_practice,
)

PERSONAS = (
    "trainer",
    "trainee",
    "staff_trainee",
    "manager",
    "reviewer",
    "admin",
    "other_trainer",
    "other_trainee",
    "signed_out",
)
MEMBERS = ("trainee", "staff_trainee")
SIGN_IN = 302  # signed out: sent to the sign-in page


def expected(route: str, persona: str) -> int:
    """The status each persona should get; see the module docstring."""
    if persona == "signed_out":
        return 400 if route.startswith("POST") else SIGN_IN  # a POST without a session has no valid token
    kind = route.split()[0] if route.split()[0] in ("POST", "GET") else "GET"
    name = route.split()[-1]
    table: dict[str, Any] = {
        "index": 200,
        "join": 200,
        "new_session": 200 if persona.endswith("trainer") else 403,
        "session": {"trainer": 200, "other_trainer": 404}.get(persona, 403),
        "results_csv": {"trainer": 200, "other_trainer": 404}.get(persona, 403),
        "add_trainee": {"trainer": 400, "other_trainer": 404}.get(persona, 403),  # an empty email is refused
        "replace_code": {"trainer": 302, "other_trainer": 404}.get(persona, 403),
        "confirm_new_code": {"trainer": 200, "other_trainer": 404}.get(persona, 403),
        "practise": 200 if persona in MEMBERS else 404,
        "brief": 200 if persona in MEMBERS else 404,
        "start": 302 if persona in MEMBERS else 404,
        "feedback": 200 if persona in ("trainee", "trainer") else 404,
        "pdf": 200 if persona == "trainee" else 404,
        "practice_tasks": 200 if persona in ("trainee", "trainer") else 404,
        # Submitted, so read only: its author and trainers are sent to the task list.
        "practice_step": 302 if persona in ("trainee", "trainer") else 404,
        "review_practice": 404,
        "document_practice": 200 if persona == "trainee" else 404,
    }
    del kind
    return table[name]


ROUTES = (
    "GET /training/ index",
    "GET /training/join join",
    "GET /training/sessions/new new_session",
    "GET /training/sessions/{session} session",
    "GET /training/sessions/{session}/results.csv results_csv",
    "POST /training/sessions/{session}/trainees add_trainee",
    "GET /training/sessions/{session}/code confirm_new_code",
    "POST /training/sessions/{session}/code replace_code",
    "GET /training/sessions/{session}/practise practise",
    f"GET /training/sessions/{{session}}/scenarios/{FLEETWOOD} brief",
    f"POST /training/sessions/{{session}}/scenarios/{FLEETWOOD}/start start",
    "GET /training/practice/{practice}/feedback feedback",
    "GET /training/practice/{practice}/practice.pdf pdf",
    "GET /assessments/{practice} practice_tasks",
    "GET /assessments/{practice}/proposal practice_step",
    "GET /review/{practice} review_practice",
    "GET /documents/{practice}/v1.pdf document_practice",
)


@pytest.fixture
def world(training_app: Flask) -> dict[str, Any]:
    people = add_people(
        training_app,
        {
            "trainer": ("trainer", "RXA"),
            "trainee": ("trainee", "RXA"),
            "staff_trainee": ("manager", "RXA"),
            "manager": ("manager", "RXA"),
            "reviewer": ("reviewer", "RXA"),
            "admin": ("admin", "RXA"),
            "other_trainer": ("trainer", "RYB"),
            "other_trainee": ("trainee", "RYB"),
        },
    )
    from hia_service.services.training import cohorts as training
    from tests.integration.review.conftest import act_as

    session = make_session(training_app, people["trainer"])
    for member in MEMBERS:
        act_as(training_app, people[member], training.join_session, session["code"])
    practice = start_practice(training_app, people["trainee"], session["id"])
    answer_and_submit(training_app, people["trainee"], practice, {"pc.age.impact": "negative"})
    live = create_assessment(training_app, people["manager"], "A live proposal")
    return {"people": people, "session": session["id"], "practice": practice, "live": live}


def _client(app: Flask, world: dict[str, Any], persona: str) -> FlaskClient:
    if persona == "signed_out":
        return app.test_client()
    return client_for(app, world["people"][persona])


def _call(client: FlaskClient, route: str, world: dict[str, Any], token: str | None) -> int:
    method, path, _name = route.split()
    url = path.format(session=world["session"], practice=world["practice"], live=world["live"])
    if method == "GET":
        return client.get(url).status_code
    return client.post(url, data={"csrf_token": token or "", "email": ""}).status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_training_routes_by_role(training_app: Flask, world: dict[str, Any], persona: str) -> None:
    client = _client(training_app, world, persona)
    token = (
        None
        if persona == "signed_out"
        else csrf_token_from(client.get("/training/join").get_data(as_text=True))
    )
    wrong = {}
    for route in ROUTES:
        got, want = _call(client, route, world, token), expected(route, persona)
        if got != want:
            wrong[route] = (got, want)
    assert wrong == {}, f"{persona}: (got, expected) {wrong}"


LIVE_AND_GOVERNANCE = (
    "/assessments/{live}",
    "/assessments/{live}/proposal",
    "/assessments/{live}/check-answers",
    "/review/{live}",
    "/documents/{live}/v1.pdf",
    "/review/",
    "/dashboard/",
    "/dashboard/register.csv",
)


@pytest.mark.parametrize("persona", ["trainee", "staff_trainee", "trainer", "other_trainee"])
def test_trainees_and_trainers_cannot_reach_live_records(
    training_app: Flask, world: dict[str, Any], persona: str
) -> None:
    """The live assessment belongs to the manager: nobody in training reaches it, or any governance view."""
    client = _client(training_app, world, persona)
    for path in LIVE_AND_GOVERNANCE:
        status = client.get(path.format(live=world["live"])).status_code
        assert status in (403, 404), f"{persona} got {status} for {path}"


def test_the_training_only_account_sees_no_live_work_on_its_pages(
    training_app: Flask, world: dict[str, Any]
) -> None:
    client = _client(training_app, world, "trainee")
    home = client.get("/home").get_data(as_text=True)
    assert "A live proposal" not in home and "Start a new assessment" not in home
    assert "A live proposal" not in client.get("/assessments/").get_data(as_text=True)
    assert 'href="/training/"' in home
