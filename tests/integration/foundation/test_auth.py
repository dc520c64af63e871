"""Signing in and out, session expiry and lockout, on every database backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from


def _sign_in_form(client: FlaskClient) -> str:
    return csrf_token_from(client.get("/sign-in").get_data(as_text=True))


def test_sign_in_success_lands_on_home(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    user = make_user("manager")
    response = sign_in(user)
    assert response.status_code == 302
    assert response.location.endswith("/home")
    home = client.get("/home")
    assert home.status_code == 200
    assert "You are signed in as a manager" in home.get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_clear_message(
    client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    user = make_user("manager")
    wrong = sign_in(user, password="not-the-password")
    unknown = sign_in({"email": "nobody@nowhere.nhs.uk"})
    for response in (wrong, unknown):
        html = response.get_data(as_text=True)
        assert response.status_code == 401
        assert "There is a problem" in html
        assert "Enter a correct email address and password" in html
        assert 'href="#email"' in html  # error summary links to the field
    assert client.get("/home").status_code == 302  # still not signed in


def test_missing_fields_are_each_named(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"csrf_token": _sign_in_form(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert "<title>Error: Sign in" in html


def test_sign_out_ends_the_session(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    sign_in(make_user("reviewer"))
    token = csrf_token_from(client.get("/home").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.location.endswith("/sign-in")
    assert client.get("/home").status_code == 302


def test_idle_session_expires_with_a_message(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("manager"))
    with client.session_transaction() as session:
        session["last_seen"] = datetime.now(UTC).timestamp() - 31 * 60
    response = client.get("/home")
    assert response.status_code == 302
    assert "/sign-in" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "You were signed out because you had not done anything for 30 minutes" in page
    assert client.get("/home").status_code == 302


def test_typing_keeps_the_session_alive(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    """The pages call /session/alive while someone types a long answer, which sends nothing until saved."""
    sign_in(make_user("manager"))
    nearly = datetime.now(UTC).timestamp() - 29 * 60
    with client.session_transaction() as session:
        session["last_seen"] = nearly
    alive = client.get("/session/alive")
    assert alive.status_code == 204 and alive.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        assert session["last_seen"] > nearly + 28 * 60
    assert app.test_client().get("/session/alive").status_code == 302  # signed out: to sign in


def test_the_time_out_warning_signs_out_as_for_inactivity(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    """When the page's time-out warning runs out, it sends its form here."""
    sign_in(make_user("manager"))
    token = csrf_token_from(client.get("/home").get_data(as_text=True))
    page = "http://hia.test/assessments/7/monitoring"
    ended = client.post("/session/timed-out", data={"csrf_token": token}, headers={"Referer": page})
    assert ended.status_code == 302 and "next=/assessments/7/monitoring" in ended.location
    signed_in_page = client.get(ended.location).get_data(as_text=True)
    assert "You were signed out because you had not done anything for 30 minutes" in signed_in_page
    assert client.get("/home").status_code == 302
    # Already signed out (in another tab): the sign-in page, with no message that would not be true.
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    again = client.post("/session/timed-out", data={"csrf_token": token}, headers={"Referer": page})
    assert again.status_code == 302 and "next=/assessments/7/monitoring" in again.location
    assert "You were signed out" not in client.get(again.location).get_data(as_text=True)


def test_signed_in_pages_carry_the_time_out_warning_with_the_configured_timings(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    assert 'id="hia-timeout"' not in client.get("/sign-in").get_data(as_text=True)
    sign_in(make_user("manager"))
    home = client.get("/home").get_data(as_text=True)
    assert 'data-idle-seconds="1800" data-warning-seconds="120"' in home
    assert "we will sign you out in\n    <span data-hia-countdown>2 minutes</span>" in home


def test_a_form_sent_after_the_time_out_returns_to_its_page_after_signing_in(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("manager"))
    token = csrf_token_from(client.get("/assessments/new").get_data(as_text=True))
    with client.session_transaction() as session:
        session["last_seen"] = datetime.now(UTC).timestamp() - 31 * 60
    page = "http://hia.test/assessments/7/monitoring"
    sent = client.post("/assessments/7/monitoring", data={"csrf_token": token}, headers={"Referer": page})
    assert sent.status_code == 302 and "next=/assessments/7/monitoring" in sent.location
    sign_in(make_user("manager"))
    token = csrf_token_from(client.get("/assessments/new").get_data(as_text=True))
    with client.session_transaction() as session:
        session["last_seen"] = datetime.now(UTC).timestamp() - 31 * 60
    elsewhere = client.post(
        "/sign-out", data={"csrf_token": token}, headers={"Referer": "https://evil.example/x"}
    )
    assert elsewhere.status_code == 302 and "next=" not in elsewhere.location


def test_five_failures_make_the_client_wait(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    user = make_user("manager")
    for _ in range(5):
        sign_in(user, password="wrong-password-here")
    response = sign_in(user)  # now even the right password is refused for a while, from this client
    assert response.status_code == 429
    assert "You have entered a wrong password too many times" in response.get_data(as_text=True)


def test_next_parameter_cannot_send_people_off_site(client: FlaskClient, make_user: Any) -> None:
    user = make_user("manager")
    token = _sign_in_form(client)
    response = client.post(
        "/sign-in?next=https://evil.example/",
        data={"email": user["email"], "password": "correct-horse-battery-staple", "csrf_token": token},
    )
    assert response.location.endswith("/home")


def test_a_password_hashed_at_another_cost_is_re_hashed_at_sign_in(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    """After HIA_PASSWORD_HASH_* change, each person's hash moves to the new cost as they sign in."""
    from argon2 import PasswordHasher

    from hia_service.data.accounts import get_user
    from hia_service.data.transaction import commit
    from tests.conftest import TEST_PASSWORD

    user = make_user("manager")
    old = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=2).hash(TEST_PASSWORD)
    with app.app_context():
        get_user(user["id"]).password_hash = old  # type: ignore[union-attr]
        commit()
    assert sign_in(user).status_code == 302
    with app.app_context():
        stored = get_user(user["id"]).password_hash  # type: ignore[union-attr]
    time_cost, memory_kib, lanes = app.config["HIA_PASSWORD_HASH_COST"]
    assert stored != old and f"m={memory_kib},t={time_cost},p={lanes}" in stored
    client.get("/sign-out")
    assert sign_in(user).status_code == 302  # the new hash verifies
