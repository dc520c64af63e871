"""The web tier keeps no state of its own: a person signed in on one app server carries on, forms and all,
on another (sessions and CSRF tokens live in the signed cookie), and in production the API's rate-limit
counters are in Redis, shared by every server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from, make_test_app


def test_a_session_started_on_one_server_works_on_another(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, database_url: str
) -> None:
    other_server = make_test_app(database_url, Path(app.config["HIA_DATA_DIR"]))
    try:
        _carry_on_elsewhere(app, client, other_server, make_user, sign_in)
    finally:
        _close(other_server)


def _carry_on_elsewhere(
    app: Flask, client: FlaskClient, other_server: Flask, make_user: Any, sign_in: Any
) -> None:
    manager = make_user("manager", "RXA")
    assert sign_in(manager).status_code == 302
    token = csrf_token_from(client.get("/assessments/new").get_data(as_text=True))  # form from server 1

    second = other_server.test_client()
    second.set_cookie("session", client.get_cookie("session", domain="hia.test").value, domain="hia.test")
    response = second.post("/assessments/new", data={"title": "Started on server 2", "csrf_token": token})

    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assessment = re.search(r"/assessments/(\d+)", response.headers["Location"])[1]
    page = client.get(f"/assessments/{assessment}")  # and back on server 1
    assert page.status_code == 200 and "Started on server 2" in page.get_data(as_text=True)


def test_in_production_api_rate_limits_are_counted_in_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    # A bare app: create_app() would re-point the one shared Flask-Limiter at Redis for every later test.
    from limits.storage import storage_from_string

    from hia_service.api import _rate_limit_storage
    from tests.conftest import REDIS_URL

    monkeypatch.delenv("HIA_RATELIMIT_STORAGE_URI", raising=False)
    server = Flask("server")
    server.config.update(HIA_ENV="production", HIA_REDIS_URL=REDIS_URL)
    assert _rate_limit_storage(server) == REDIS_URL
    assert storage_from_string(REDIS_URL).check()  # a storage Flask-Limiter can count in, and Redis answers
    server.config["HIA_ENV"] = "development"
    assert _rate_limit_storage(server) == "memory://"


def _close(server: Flask) -> None:
    from hia_service.extensions import db

    with server.app_context():
        db.session.remove()
        db.engine.dispose()
