"""Making an API token needs the person to prove it is them again (a stolen session is not enough), and no
token lasts longer than 90 days or the shorter limit the organisation sets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.security.test_asvs import _post_sign_in

TOKEN = re.compile(r"(hia_[A-Za-z0-9_-]{20,})")


def _create(client: FlaskClient, **fields: str) -> Any:
    csrf = csrf_token_from(client.get("/account/api-tokens").get_data(as_text=True))
    return client.post(
        "/account/api-tokens", data={"name": "Board papers", "days": "30", "csrf_token": csrf, **fields}
    )


def _token_count(app: Flask) -> int:
    from hia_service.data.models import ApiToken
    from hia_service.extensions import db

    with app.app_context():
        return len(db.session.scalars(db.select(ApiToken.id)).all())


def test_creating_a_token_asks_for_the_password_again(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    user = make_user("manager")
    _post_sign_in(client, user["email"], TEST_PASSWORD)
    assert 'name="password" type="password"' in client.get("/account/api-tokens").get_data(as_text=True)
    for password, message in (
        ("", "Enter your password"),
        ("wrong-password-123", "Enter your password correctly"),
    ):
        refused = _create(client, password=password)
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)
    assert _token_count(app) == 0
    made = _create(client, password=TEST_PASSWORD)
    assert made.status_code == 200 and TOKEN.search(made.get_data(as_text=True))


def test_someone_without_a_password_must_have_signed_in_recently(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    """People who sign in only through their organisation's account have no password to enter again."""
    from hia_service.data.accounts import get_user
    from hia_service.data.transaction import commit

    user = make_user("manager")
    _post_sign_in(client, user["email"], TEST_PASSWORD)
    with app.app_context():
        get_user(user["id"]).password_hash = None
        commit()
    with client.session_transaction() as session:
        session["signed_in_at"] = (datetime.now(UTC) - timedelta(minutes=11)).timestamp()
    refused = _create(client)
    assert refused.status_code == 400 and "Sign out and sign in again to create a token" in refused.get_data(
        as_text=True
    )
    with client.session_transaction() as session:
        session["signed_in_at"] = (datetime.now(UTC) - timedelta(minutes=2)).timestamp()
    assert _create(client).status_code == 200


def test_tokens_last_at_most_90_days(app: Flask, client: FlaskClient, make_user: Any) -> None:
    from hia_service.data.accounts import get_user
    from hia_service.services.accounts.tokens import create_token
    from hia_service.services.errors import ServiceError

    user = make_user("manager")
    _post_sign_in(client, user["email"], TEST_PASSWORD)
    refused = _create(client, password=TEST_PASSWORD, days="365")
    assert refused.status_code == 400 and "within 1 to 90 days" in refused.get_data(as_text=True)
    with app.app_context():
        try:
            create_token(get_user(user["id"]), "From the command line", 91)
        except ServiceError as error:
            assert "within 1 to 90 days" in error.message
        else:
            raise AssertionError("a 91-day token was made")


def test_the_organisation_sets_a_shorter_limit_that_old_tokens_obey_too(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    from hia_service.data.accounts import get_user
    from hia_service.data.models import ApiToken
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from hia_service.services.accounts.tokens import create_token

    admin, manager = make_user("admin"), make_user("manager")
    with app.app_context():
        _, older = create_token(get_user(manager["id"]), "Made 40 days ago", 60)
        token = db.session.scalar(db.select(ApiToken))
        token.created_at = datetime.now(UTC) - timedelta(days=40)
        commit()
    bearer = {"Authorization": f"Bearer {older}"}
    assert client.get("/api/v1/rules", headers=bearer).status_code == 200
    sign_in(admin)
    page = client.get("/settings/api-tokens")
    assert page.status_code == 200 and "How long may API tokens last?" in page.get_data(as_text=True)
    csrf = csrf_token_from(page.get_data(as_text=True))
    assert client.post("/settings/api-tokens", data={"days": "400", "csrf_token": csrf}).status_code == 400
    assert client.post("/settings/api-tokens", data={"days": "30", "csrf_token": csrf}).status_code == 302
    assert "30 days" in client.get("/settings/").get_data(as_text=True)
    # The 40-day-old token is past the new limit; new tokens are offered up to 30 days only.
    assert client.get("/api/v1/rules", headers=bearer).status_code == 401
    client.post("/sign-out", data={"csrf_token": csrf})
    sign_in(manager)
    assert '<option value="60"' not in client.get("/account/api-tokens").get_data(as_text=True)
    refused = _create(client, password=TEST_PASSWORD, days="60")
    assert refused.status_code == 400 and "within 1 to 30 days" in refused.get_data(as_text=True)
    assert _create(client, password=TEST_PASSWORD, days="30").status_code == 200
