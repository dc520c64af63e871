"""Cohorts: a trainer creates a session and its join code, adds trainees (the organisation's staff and its
training-only accounts, which administrators make); trainees join with the code. Bad input gets a clear
message and gives nothing away: whether an address has an account in another organisation above all."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from hia_service.services.errors import NotFoundError, ServiceError
from hia_service.services.training import cohorts as training
from tests.conftest import csrf_token_from
from tests.integration.review.conftest import act_as
from tests.integration.training.conftest import FLEETWOOD, HULL, client_for, make_session


def _user_ids(app: Flask, email: str) -> list[int]:
    from sqlalchemy import func, select

    from hia_service.data.models import User
    from hia_service.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(User.id).where(func.lower(User.email) == email.lower())))


def _members(app: Flask, session_id: int) -> list[str]:
    from hia_service.data.training import get_session
    from hia_service.extensions import db

    with app.app_context():
        emails = sorted(m.user.email for m in get_session(session_id).members)
        db.session.remove()
    return emails


def test_a_trainer_creates_a_session_through_the_page(training_app: Flask, people: dict) -> None:
    client = client_for(training_app, people["trainer"])
    form = client.get("/training/sessions/new").get_data(as_text=True)
    held = date.today() + timedelta(days=10)
    response = client.post(
        "/training/sessions/new",
        data={
            "csrf_token": csrf_token_from(form),
            "name": "Urgent care team",
            "held_on-day": str(held.day),
            "held_on-month": str(held.month),
            "held_on-year": str(held.year),
            "scenarios": [FLEETWOOD, HULL],
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'id="join-code">([A-Z2-9]{4}-[A-Z2-9]{4})<', page).group(1)
    assert "Urgent care team" in page and "Closing the minor injuries unit in Fleetwood" in page
    with training_app.app_context():
        from hia_service.data.training import session_by_code

        stored = session_by_code(code.replace("-", ""))
        assert stored.scenario_ids == [FLEETWOOD, HULL] and stored.held_on == held
        expiry = stored.code_expires_at.replace(tzinfo=UTC)
        assert expiry.date() == held + timedelta(days=14)


def test_the_new_session_form_lists_every_problem_and_keeps_what_was_typed(
    training_app: Flask, people: dict
) -> None:
    client = client_for(training_app, people["trainer"])
    token = csrf_token_from(client.get("/training/sessions/new").get_data(as_text=True))
    response = client.post(
        "/training/sessions/new",
        data={"csrf_token": token, "name": "Keep me", "held_on-day": "31", "held_on-month": "2",
              "held_on-year": "2030"},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and 'href="#held_on-day"' in html
    assert "Date of the training session must be a real date" in html
    assert "Select at least one scenario for trainees to practise" in html
    assert 'value="Keep me"' in html


@pytest.mark.parametrize(
    ("name", "parts", "scenarios", "field", "message"),
    [
        ("", None, [FLEETWOOD], "name", "Enter a name"),
        ("x" * 201, None, [FLEETWOOD], "name", "200 characters or fewer"),
        ("Ok", {}, [FLEETWOOD], "held_on", "Enter the date"),
        ("Ok", {"day": "1", "month": "", "year": "2030"}, [FLEETWOOD], "held_on", "must include a month"),
        ("Ok", "yesterday", [FLEETWOOD], "held_on", "today or in the future"),
        ("Ok", "in three years", [FLEETWOOD], "held_on", "within the next 2 years"),
        ("Ok", None, ["no-such-scenario"], "scenarios", "Select scenarios from the list"),
    ],
)
def test_session_bad_input(
    training_app: Flask, people: dict, name: str, parts: Any, scenarios: list, field: str, message: str
) -> None:
    days = {None: 7, "yesterday": -1, "in three years": 3 * 366}
    if parts is None or isinstance(parts, str):
        held = date.today() + timedelta(days=days[parts])
        parts = {"day": str(held.day), "month": str(held.month), "year": str(held.year)}
    with pytest.raises(training.FormErrors) as raised:
        act_as(training_app, people["trainer"], training.create_session, name, parts, scenarios)
    assert message in raised.value.errors[field]


def test_only_trainers_create_sessions(training_app: Flask, people: dict) -> None:
    from hia_service.services.errors import PermissionDeniedError

    held = {"day": "1", "month": "1", "year": str(date.today().year + 1)}
    for who in ("manager", "trainee", "admin"):
        with pytest.raises(PermissionDeniedError):
            act_as(training_app, people[who], training.create_session, "Mine", held, [FLEETWOOD])


def test_join_codes_are_readable_and_random(training_app: Flask) -> None:
    codes = {training.new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and not set(c) & set("01OIL") for c in codes)
    assert training.show_code("ABCD2345") == "ABCD-2345"


def test_a_trainee_joins_with_the_code_typed_loosely(training_app: Flask, people: dict) -> None:
    session = make_session(training_app, people["trainer"])
    loose = f"  {session['code'][:4].lower()} - {session['code'][4:].lower()} "
    client = client_for(training_app, people["trainee"])
    token = csrf_token_from(client.get("/training/join").get_data(as_text=True))
    response = client.post("/training/join", data={"csrf_token": token, "code": loose})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/training/sessions/{session['id']}/practise")
    again = client.post("/training/join", data={"csrf_token": token, "code": session["code"]})
    assert again.status_code == 302  # joining twice is harmless
    assert _members(training_app, session["id"]) == [people["trainee"]["email"]]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the join code your trainer gave you"),
        ("   ", "Enter the join code your trainer gave you"),
        ("ABC", "8 letters and numbers, like ABCD-2345"),
        ("ABCD-23456", "8 letters and numbers"),
        ("<script>x", "8 letters and numbers"),
        ("ABCD-0000", "8 letters and numbers"),  # 0 is never used in a code
        ("ABCD-2345", training.WRONG_CODE),
    ],
)
def test_join_code_bad_input(training_app: Flask, people: dict, code: str, message: str) -> None:
    make_session(training_app, people["trainer"], name="Secret session name")
    client = client_for(training_app, people["trainee"])
    token = csrf_token_from(client.get("/training/join").get_data(as_text=True))
    response = client.post("/training/join", data={"csrf_token": token, "code": code})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.replace("'", "&#39;") in html and 'href="#code"' in html
    assert "Secret session name" not in html


def test_another_organisations_code_reads_as_wrong(training_app: Flask, people: dict) -> None:
    theirs = make_session(training_app, people["other_trainer"], name="RYB cohort")
    with pytest.raises(ServiceError) as raised:
        act_as(training_app, people["trainee"], training.join_session, theirs["code"])
    assert raised.value.message == training.WRONG_CODE
    assert _members(training_app, theirs["id"]) == []


def test_an_expired_code_is_refused_and_a_new_code_replaces_the_old(
    training_app: Flask, people: dict
) -> None:
    session = make_session(training_app, people["trainer"])
    later = session["expires"].replace(tzinfo=UTC) + timedelta(seconds=1)
    with pytest.raises(ServiceError) as raised:
        act_as(training_app, people["trainee"], training.join_session, session["code"], now=later)
    assert raised.value.message == training.EXPIRED_CODE
    fresh = act_as(
        training_app, people["trainer"], lambda user: training.new_code(user, session["id"]).join_code
    )
    assert fresh != session["code"]
    with pytest.raises(ServiceError, match="not right"):
        act_as(training_app, people["trainee"], training.join_session, session["code"])
    act_as(training_app, people["trainee"], training.join_session, fresh)
    assert _members(training_app, session["id"]) == [people["trainee"]["email"]]


def test_the_trainer_adds_existing_staff_by_email(training_app: Flask, people: dict) -> None:
    session = make_session(training_app, people["trainer"])
    client = client_for(training_app, people["trainer"])
    url = f"/training/sessions/{session['id']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/trainees", data={"csrf_token": token, "email": people["manager"]["email"].upper()}
    )
    assert response.status_code == 302
    assert _members(training_app, session["id"]) == [people["manager"]["email"]]
    twice = client.post(f"{url}/trainees", data={"csrf_token": token, "email": people["manager"]["email"]})
    assert twice.status_code == 400 and "already in this session" in twice.get_data(as_text=True)


def test_an_administrator_makes_a_training_only_account_and_the_trainer_adds_it(
    training_app: Flask, people: dict
) -> None:
    from hia_service.services.accounts import administration

    session = make_session(training_app, people["trainer"])
    client = client_for(training_app, people["trainer"])
    url = f"/training/sessions/{session['id']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    email = "new.starter@partner.example"
    before = client.post(f"{url}/trainees", data={"csrf_token": token, "email": email, "name": "Nia Starter"})
    assert before.status_code == 400 and "ask your organisation" in before.get_data(as_text=True)
    assert _user_ids(training_app, email) == []  # a trainer makes no account
    added = act_as(training_app, people["admin"], administration.add_account, email, "Nia Starter", "trainee")
    password = added.password
    made = client.post(f"{url}/trainees", data={"csrf_token": token, "email": email})
    assert made.status_code == 302
    assert _members(training_app, session["id"]) == [email]
    # The new person signs in with it, as a trainee who can reach training and nothing else.
    newcomer = client_for(training_app, {"email": email, "password": password}, password=password)
    # The trainer has seen the password, so the trainee chooses their own first.
    assert newcomer.get("/home").headers["Location"].endswith("/account/password")
    chosen = "a password only the trainee knows"
    form = {"current_password": password, "new_password": chosen, "confirm_password": chosen}
    page = newcomer.get("/account/password").get_data(as_text=True)
    assert (
        newcomer.post("/account/password", data={**form, "csrf_token": csrf_token_from(page)}).status_code
        == 302
    )
    assert "Your account is for training only" in newcomer.get("/home").get_data(as_text=True)
    tokens = newcomer.get("/account/api-tokens").get_data(as_text=True)
    refused = newcomer.post(
        "/account/api-tokens", data={"csrf_token": csrf_token_from(tokens), "name": "Mine"}
    )
    assert refused.status_code == 400 and "Training-only accounts cannot have API tokens" in refused.get_data(
        as_text=True
    )
    assert newcomer.get(f"/training/sessions/{session['id']}/practise").status_code == 200
    assert newcomer.get("/review/").status_code == 403


def test_adding_a_trainee_with_a_malformed_address(training_app: Flask, people: dict) -> None:
    session = make_session(training_app, people["trainer"])
    with pytest.raises(ServiceError, match="correct format"):
        act_as(training_app, people["trainer"], training.add_trainee, session["id"], "not-an-email")
    assert _members(training_app, session["id"]) == []


def test_a_trainer_cannot_tell_whether_an_address_has_an_account_in_another_organisation(
    training_app: Flask, people: dict
) -> None:
    """An address with an account in another organisation gets the very same page as one new to the
    service, through the web form with or without a name (as sent before trainers stopped making accounts),
    and nothing is made or changed for either."""
    session = make_session(training_app, people["trainer"])
    client = client_for(training_app, people["trainer"])
    url = f"/training/sessions/{session['id']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    elsewhere, new = people["other_trainee"]["email"], "nobody.here@partner.example"
    for name in ("", "Sam Someone"):
        pages = []
        for email in (elsewhere, new):
            answer = client.post(f"{url}/trainees", data={"csrf_token": token, "email": email, "name": name})
            body = answer.get_data(as_text=True).replace(email, "EMAIL")
            # Only what differs on every page anyway: the form's CSRF token and the scripts' nonce.
            pages.append((answer.status_code, re.sub(r'value="[^"]{40,}"|nonce="[^"]+"', "", body)))
        assert pages[0] == pages[1] and pages[0][0] == 400
        assert training.NOT_IN_ORGANISATION.split(".")[0] in pages[0][1].replace("&#39;", "'")
    assert _members(training_app, session["id"]) == []
    assert _user_ids(training_app, new) == []
    with pytest.raises(ServiceError) as raised:
        act_as(training_app, people["trainer"], training.add_trainee, session["id"], elsewhere)
    assert (raised.value.message, raised.value.field) == (training.NOT_IN_ORGANISATION, "email")


def test_another_organisations_trainer_cannot_see_or_change_the_session(
    training_app: Flask, people: dict
) -> None:
    session = make_session(training_app, people["trainer"])
    for attempt in (
        lambda user: training.session_for_trainer(user, session["id"]),
        lambda user: training.add_trainee(user, session["id"], "x@y.nhs.uk"),
        lambda user: training.new_code(user, session["id"]),
    ):
        with pytest.raises(NotFoundError):
            act_as(training_app, people["other_trainer"], attempt)


def test_code_expiry_is_the_end_of_the_fourteenth_day_after_the_session() -> None:
    expiry = training.code_expiry(date(2027, 3, 1))
    assert expiry.date() == date(2027, 3, 15) and expiry.tzinfo is UTC
    assert expiry > datetime(2027, 3, 15, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "email",
    ["new.starter@partner.example\nBcc: everyone@partner.example", "new starter@partner.example",
     "new@starter@partner.example", "new.starter@partner", "new.starter@,partner.example"],
)  # fmt: skip
def test_a_trainee_with_a_malformed_email_address_is_refused(
    training_app: Flask, people: dict, email: str
) -> None:
    """An address that is not one plain mailbox would break every reminder email later."""
    session = make_session(training_app, people["trainer"])
    with pytest.raises(ServiceError, match="correct format"):
        act_as(training_app, people["trainer"], training.add_trainee, session["id"], email)
    assert _members(training_app, session["id"]) == []


@pytest.mark.parametrize("email", ["a b@rxa.nhs.uk", "a@b@rxa.nhs.uk", "name@rxa"])
def test_accounts_with_a_malformed_email_address_are_refused(training_app: Flask, email: str) -> None:
    from hia_service.services.accounts.people import create_organisation, create_user

    with training_app.app_context():
        create_organisation("RMF", "Malformed addresses trust")
        with pytest.raises(ServiceError, match="correct format"):
            create_user(email, "Someone", "manager", "RMF", None)


def test_an_address_already_used_in_another_organisation_is_refused_plainly(training_app: Flask) -> None:
    """One account per email address in the whole service, said in words that tell the admin what to do."""
    from hia_service.services.accounts.people import create_organisation, create_user

    with training_app.app_context():
        create_organisation("RDA", "Dale trust")
        create_organisation("RDB", "Brook trust")
        create_user("sam.jones@nhs.net", "Sam Jones", "manager", "RDA", None)
        with pytest.raises(ServiceError) as refused:
            create_user("Sam.Jones@NHS.net", "Sam Jones", "manager", "RDB", None)
    assert refused.value.message.startswith(
        "There is already an account for sam.jones@nhs.net, in Dale trust."
    )
    assert "Each person has one account in the service" in refused.value.message
