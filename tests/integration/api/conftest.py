"""Fixtures for the JSON API: people in two organisations, personal tokens, and a bearer-token client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st

from tests.integration.review.conftest import World, acting_as, add_people, create_assessment

PEOPLE = {
    "manager": ("manager", "RXA"),
    "manager2": ("manager", "RXA"),
    "reviewer": ("reviewer", "RXA"),
    "trainer": ("trainer", "RXA"),
    "admin": ("admin", "RXA"),
    "other_manager": ("manager", "RYB"),
    "other_reviewer": ("reviewer", "RYB"),
}


@pytest.fixture
def world(app: Flask) -> World:
    return World(add_people(app, PEOPLE))


def issue_token(app: Flask, person: dict[str, Any], *, days: int = 30) -> str:
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.tokens import create_token

    with acting_as(app, person) as user:
        _, plaintext = create_token(user, "Tests", days)
        commit()
    return plaintext


@pytest.fixture
def token_of(app: Flask, world: World) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def get(key: str) -> str:
        if key not in cache:
            cache[key] = issue_token(app, world[key])
        return cache[key]

    return get


class Api:
    """A test client that sends the bearer token of the person named by `as_`."""

    def __init__(self, client: FlaskClient, token_of: Callable[[str], str]) -> None:
        self.client, self.token_of = client, token_of

    def call(self, method: str, path: str, as_: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if as_:
            headers["Authorization"] = f"Bearer {self.token_of(as_)}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path: str, as_: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, as_, **kw)

    def post(self, path: str, as_: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, as_, **kw)

    def put(self, path: str, as_: str | None = None, **kw: Any) -> Any:
        return self.call("PUT", path, as_, **kw)


@pytest.fixture
def api(client: FlaskClient, token_of: Callable[[str], str]) -> Api:
    return Api(client, token_of)


@pytest.fixture
def submitted(app: Flask, world: World) -> int:
    """An assessment by the manager, submitted for review."""
    return create_assessment(app, world["manager"])


@pytest.fixture
def draft(app: Flask, world: World) -> int:
    return create_assessment(app, world["manager"], "Open a Saturday clinic", submit=False)


def expire_tokens(app: Flask) -> None:
    """Make every token expired yesterday, as if time had passed (longer than a checked token is
    remembered, too: services/accounts/tokens.py)."""
    from hia_service.data.models import ApiToken
    from hia_service.extensions import db
    from hia_service.services.accounts.tokens import recent_tokens

    with app.app_context():
        for token in db.session.scalars(db.select(ApiToken)):
            token.expires_at = datetime.now(UTC) - timedelta(days=1)
        db.session.commit()
        recent_tokens().forget()


def write_waiting_audit(app: Flask) -> None:
    """Write the API reads waiting for their audit batch now, as the server's batch writer would have
    within a second (services/accounts/api_calls.py)."""
    from hia_service.services.accounts.api_calls import write_waiting

    with app.app_context():
        write_waiting()


def count_rows(app: Flask, model_name: str) -> int:
    from hia_service.data import models
    from hia_service.extensions import db

    write_waiting_audit(app)
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(getattr(models, model_name)))


def audit_calls(app: Flask) -> list[dict[str, Any]]:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    write_waiting_audit(app)
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.event_type == "api_call").order_by(AuditEvent.id)
        )
        return [{"actor_id": r.actor_id, **r.details} for r in rows]


@pytest.fixture
def no_rate_limit(app: Flask) -> Iterator[None]:
    before = app.config["HIA_API_RATE_LIMIT"]
    app.config["HIA_API_RATE_LIMIT"] = "100000/minute"
    yield
    app.config["HIA_API_RATE_LIMIT"] = before


def json_values(words: list[str], keys: list[str] | None = None) -> st.SearchStrategy[Any]:
    """Any JSON value a caller could send (nothing, true/false, huge or fractional numbers, text, lists and
    objects nested a little), with `words` the service knows among the text and `keys` among objects' keys."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(10**20), 10**20)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=30)
        | st.sampled_from(words)
    )
    names = st.text(max_size=8) | st.sampled_from(keys) if keys else st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
        max_leaves=10,
    )
