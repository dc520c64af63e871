"""Signing out ends the session on the server: a copy of the session cookie taken before is refused after."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.security.test_asvs import _post_sign_in


def _copy_session(source: FlaskClient, app: Flask) -> FlaskClient:
    cookie = source.get_cookie("session", domain="hia.test")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("session", cookie.value, domain=cookie.domain)
    return copy


def _sign_out(client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/home").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302


def test_a_session_cookie_copied_before_sign_out_is_refused_after(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    user = make_user("manager")
    assert _post_sign_in(client, user["email"], TEST_PASSWORD).status_code == 302
    copy = _copy_session(client, app)
    assert copy.get("/home").status_code == 200  # the copy works while the session is live
    _sign_out(client)
    refused = copy.get("/home")
    assert refused.status_code == 302 and "/sign-in" in refused.location
    # Signing in again starts a session that works, and the old copy stays refused.
    assert _post_sign_in(client, user["email"], TEST_PASSWORD).status_code == 302
    assert client.get("/home").status_code == 200
    assert copy.get("/home").status_code == 302


def test_a_session_without_the_users_key_is_refused(app: Flask, client: FlaskClient, make_user: Any) -> None:
    """A session naming a user but not carrying their current key (forged with a leaked secret key, or
    from before keys existed) is not signed in."""
    user = make_user("manager")
    with client.session_transaction() as session:
        session["_user_id"] = str(user["id"])
        session["_fresh"] = True
    assert client.get("/home").status_code == 302
