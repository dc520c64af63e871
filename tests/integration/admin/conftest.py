"""Fixtures for managing accounts: two organisations with people in them, a signed-in client for anyone,
their API tokens, and the audit entries written about an account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.api.conftest import issue_token
from tests.integration.review.conftest import World, add_people

PEOPLE = {
    "admin": ("admin", "RXA"),
    "admin2": ("admin", "RXA"),
    "manager": ("manager", "RXA"),
    "reviewer": ("reviewer", "RXA"),
    "other_admin": ("admin", "RYB"),
    "other_manager": ("manager", "RYB"),
}


@pytest.fixture
def world(app: Flask) -> World:
    return World(add_people(app, PEOPLE))


def sign_in_client(app: Flask, email: str, password: str = TEST_PASSWORD) -> tuple[FlaskClient, Any]:
    """A client of its own (its own session cookie) after trying to sign in; and the answer to that."""
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    answer = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
    return client, answer


@pytest.fixture
def signed_in(app: Flask) -> Callable[[dict[str, Any]], FlaskClient]:
    """A client signed in as the person (the sign-in must work)."""

    def do(person: dict[str, Any]) -> FlaskClient:
        client, answer = sign_in_client(app, person["email"])
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return client

    return do


def post_form(
    client: FlaskClient, url: str, data: dict[str, str] | None = None, page: str | None = None
) -> Any:
    """Post to `url` as its form would, with the CSRF token of the page the form is on (default `url`)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token_from(html)})


def api_status(client: FlaskClient, token: str) -> int:
    response = client.get("/api/v1/assessments", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


@pytest.fixture
def token_for(app: Flask) -> Callable[[dict[str, Any]], str]:
    return lambda person: issue_token(app, person)


def audit_entries(app: Flask, user_id: int, event_type: str | None = None) -> list[Any]:
    """The audit entries about this account (as (event, actor, organisation, details) rows), oldest first."""
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    query = select(AuditEvent).where(AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user_id))
    if event_type:
        query = query.where(AuditEvent.event_type == event_type)
    with app.app_context():
        return [
            (row.event_type, row.actor_id, row.organisation_id, dict(row.details or {}))
            for row in db.session.scalars(query.order_by(AuditEvent.id))
        ]


def stored_user(app: Flask, user_id: int) -> dict[str, Any]:
    from hia_service.data.accounts import get_user

    with app.app_context():
        user = get_user(user_id)
        assert user is not None
        return {
            "email": user.email,
            "role": user.role,
            "is_active": user.is_active,
            "password_hash": user.password_hash,
            "session_key": user.session_key,
            "organisation": user.organisation.code,
            "organisation_id": user.organisation_id,
        }


def organisation_id(app: Flask, code: str) -> int:
    from hia_service.data.accounts import get_organisation_by_code

    with app.app_context():
        found = get_organisation_by_code(code)
        assert found is not None
        return found.id
