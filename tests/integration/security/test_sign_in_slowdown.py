"""Wrong passwords slow down the client sending them, twice as much each time, for that email address; the
account is never locked, so its owner signing in from their own computer gets in at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD
from tests.integration.security.test_asvs import _events, _post_sign_in

WRONG = "wrong-password-123"


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _wait_over(app: Flask) -> None:
    """As if the client had waited as long as it was told to."""
    from sqlalchemy import update

    from hia_service.data.models import SignInThrottle
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with app.app_context():
        db.session.execute(update(SignInThrottle).values(wait_until=datetime.now(UTC) - timedelta(seconds=1)))
        commit()


def test_the_waits_double_from_the_fifth_wrong_password_up_to_15_minutes() -> None:
    from hia_service.services.accounts.people import wait_after

    waits = [wait_after(n).total_seconds() for n in range(1, 16)]
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert wait_after(10_000) == timedelta(minutes=15)


def test_a_guessing_client_waits_while_the_owner_signs_in(app: Flask, make_user: Any) -> None:
    user = make_user("manager")
    guesser, owner = _client(app, "203.0.113.66"), _client(app, "198.51.100.7")
    for _ in range(5):
        assert _post_sign_in(guesser, user["email"], WRONG).status_code == 401
    refused = _post_sign_in(guesser, user["email"], TEST_PASSWORD)  # even the right password must wait
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and refused.headers["Retry-After"] in ("1", "2")
    assert "You have entered a wrong password too many times" in page and "then try again" in page
    assert _post_sign_in(owner, user["email"], TEST_PASSWORD).status_code == 302  # never locked out
    _wait_over(app)
    assert _post_sign_in(guesser, user["email"], WRONG).status_code == 401  # the sixth: 4 seconds now
    again = _post_sign_in(guesser, user["email"], WRONG)
    assert again.status_code == 429 and again.headers["Retry-After"] in ("3", "4")
    _wait_over(app)
    assert _post_sign_in(guesser, user["email"], TEST_PASSWORD).status_code == 302
    reasons = [details.get("reason") for kind, details in _events(app) if kind == "sign_in_failed"]
    assert reasons.count("waiting after wrong passwords") == 2


def test_many_guesses_never_lock_the_account(app: Flask, make_user: Any) -> None:
    user = make_user("reviewer")
    guesser = _client(app, "203.0.113.67")
    for _ in range(12):
        _wait_over(app)
        assert _post_sign_in(guesser, user["email"], WRONG).status_code == 401
    assert _post_sign_in(_client(app, "198.51.100.8"), user["email"], TEST_PASSWORD).status_code == 302


def test_guessing_at_unknown_addresses_is_slowed_the_same_way(app: Flask) -> None:
    guesser = _client(app, "203.0.113.68")
    for _ in range(5):
        assert _post_sign_in(guesser, "nobody@rxa.nhs.uk", WRONG).status_code == 401
    assert _post_sign_in(guesser, "nobody@rxa.nhs.uk", WRONG).status_code == 429


def test_counts_not_added_to_for_a_day_are_forgotten(app: Flask, make_user: Any) -> None:
    """Guessing at many addresses cannot grow the table for ever: old counts go when new ones are made."""
    from sqlalchemy import func, select, update

    from hia_service.data.models import SignInThrottle
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    guesser = _client(app, "203.0.113.69")
    for n in range(3):
        _post_sign_in(guesser, f"nobody{n}@rxa.nhs.uk", WRONG)
    with app.app_context():
        yesterday = datetime.now(UTC) - timedelta(days=1, minutes=1)
        db.session.execute(update(SignInThrottle).values(updated_at=yesterday))
        commit()
    _post_sign_in(guesser, "somebody@rxa.nhs.uk", WRONG)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 1
