"""ASVS level 2 on signing in: cookie flags, rate limit, lockout and the audit of every sign-in event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, csrf_token_from


def _events(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(row.event_type, row.details or {}) for row in rows]


def _chain_intact(app: Flask) -> bool:
    from hia_service.data.audit import verify_audit_log

    with app.app_context():
        _, problems = verify_audit_log()
        return problems == []


def _post_sign_in(client: FlaskClient, email: str, password: str) -> Any:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def _cookie(response: Any, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert cookies, f"no {name} cookie set"
    return cookies[0]


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, make_user: Any) -> None:
    user = make_user("manager")
    response = _post_sign_in(client, user["email"], TEST_PASSWORD)
    cookie = _cookie(response, "session")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing runs on plain HTTP


def test_production_session_cookie_is_secure_and_pages_get_hsts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, another_app: Any
) -> None:
    monkeypatch.setenv("HIA_ENV", "production")
    monkeypatch.setenv("HIA_SECRET_KEY", "x" * 16 + "-a-production-secret-for-the-test")
    monkeypatch.setenv("HIA_BASE_URL", "https://hia.test")
    production = another_app(f"sqlite:///{tmp_path / 'p.sqlite3'}", tmp_path, TESTING=False)
    response = production.test_client().get("/sign-in", base_url="https://hia.test")
    cookie = _cookie(response, "session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("secret", ["short-secret", "development-only-secret-key-not-for-production"])
def test_production_refuses_a_weak_or_development_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    from pydantic import ValidationError

    from hia_service.config import Settings

    monkeypatch.setenv("HIA_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="32 characters or more"):
        Settings(env="production")


def test_sign_in_is_rate_limited_per_address(
    app: Flask, database_url: str, tmp_path: Path, make_user: Any, another_app: Any
) -> None:
    limited = another_app(database_url, tmp_path, HIA_SIGN_IN_RATE_LIMIT="3/minute")
    user = make_user("manager")
    client = limited.test_client()
    for _ in range(3):
        assert _post_sign_in(client, user["email"], "wrong-password-123").status_code == 401
    refused = _post_sign_in(client, user["email"], TEST_PASSWORD)
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Too many attempts" in html and "nhsuk-header" in html
    assert "You have tried to sign in too many times" in html and "Wait 1 minute, then try again" in html
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/home").status_code == 302  # the right password did not get through
    elsewhere = limited.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert _post_sign_in(elsewhere, user["email"], TEST_PASSWORD).status_code == 302


def test_every_sign_in_event_is_audited_and_the_chain_holds(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    user = make_user("reviewer")
    assert _post_sign_in(client, "nobody@nowhere.nhs.uk", TEST_PASSWORD).status_code == 401
    for _ in range(5):
        _post_sign_in(client, user["email"], "wrong-password-123")
    assert _post_sign_in(client, user["email"], TEST_PASSWORD).status_code == 429  # this client must wait
    kinds = [(kind, details.get("reason"), details.get("slowed")) for kind, details in _events(app)]
    assert kinds[0] == ("sign_in_failed", "unknown or inactive account", None)
    assert kinds[1:5] == [("sign_in_failed", "wrong password", False)] * 4
    assert kinds[5] == ("sign_in_failed", "wrong password", True)  # the fifth failure makes the client wait
    assert kinds[6] == ("sign_in_failed", "waiting after wrong passwords", None)
    assert "nobody@nowhere" not in str(_events(app))  # an unknown address is kept only as a hash
    _end_the_wait(app)
    assert _post_sign_in(client, user["email"], TEST_PASSWORD).status_code == 302
    token = csrf_token_from(client.get("/home").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert [kind for kind, _ in _events(app)][-2:] == ["signed_in", "signed_out"]
    assert _chain_intact(app)


def _end_the_wait(app: Flask) -> None:
    from sqlalchemy import delete

    from hia_service.data.models import SignInThrottle
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with app.app_context():
        db.session.execute(delete(SignInThrottle))
        commit()


@pytest.mark.parametrize(
    ("key", "ago", "reason", "message"),
    [
        ("last_seen", 31 * 60, "idle", "had not done anything for 30 minutes"),
        ("signed_in_at", 12 * 3600 + 60, "absolute", "signed in more than 12 hours ago"),
    ],
)
def test_session_expiry_signs_out_and_is_audited(
    app: Flask, client: FlaskClient, make_user: Any, key: str, ago: int, reason: str, message: str
) -> None:
    user = make_user("manager")
    assert _post_sign_in(client, user["email"], TEST_PASSWORD).status_code == 302
    with client.session_transaction() as session:
        session[key] = datetime.now(UTC).timestamp() - ago
    response = client.get("/home")
    assert response.status_code == 302 and "/sign-in" in response.location
    assert message in client.get(response.location).get_data(as_text=True)
    assert client.get("/home").status_code == 302
    kind, details = _events(app)[-1]
    assert (kind, details) == ("session_expired", {"reason": reason})
    assert _chain_intact(app)


def test_an_active_session_still_ends_at_the_absolute_limit(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    """Activity keeps refreshing `last_seen` (and the cookie), but not the time of signing in."""
    user = make_user("manager")
    _post_sign_in(client, user["email"], TEST_PASSWORD)
    with client.session_transaction() as session:
        session["signed_in_at"] = datetime.now(UTC).timestamp() - 12 * 3600 + 5
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        assert session["signed_in_at"] < datetime.now(UTC).timestamp() - 11 * 3600
        session["signed_in_at"] -= 10
    assert client.get("/home").status_code == 302


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short-pass1", "12 characters or more"), ("aaaaaaaaaaaaaaaa", "repeat"), ("x" * 257, "256")],
)
def test_password_policy_applies_when_accounts_are_made(app: Flask, password: str, problem: str) -> None:
    from hia_service.services.accounts.people import create_organisation, create_user
    from hia_service.services.errors import ServiceError

    with app.app_context():
        create_organisation("RPW", "Policy trust")
        with pytest.raises(ServiceError, match=problem):
            create_user("policy@rpw.nhs.uk", "", "manager", "RPW", password)
