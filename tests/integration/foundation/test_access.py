"""Roles, organisations and CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select


def test_anonymous_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.location


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("manager", 403), ("reviewer", 403), ("trainer", 403)]
)
def test_user_admin_is_for_admins_only(
    client: FlaskClient, make_user: Any, sign_in: Any, role: str, status: int
) -> None:
    sign_in(make_user(role))
    response = client.get("/admin/users")
    assert response.status_code == status
    if status == 403:
        assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_admins_see_only_their_own_organisation(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    admin = make_user("admin", org="RXA")
    colleague = make_user("manager", org="RXA")
    outsider = make_user("manager", org="RYB")
    sign_in(admin)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert colleague["email"] in listing
    assert outsider["email"] not in listing
    assert client.get(f"/admin/users/{colleague['id']}").status_code == 200
    assert client.get(f"/admin/users/{outsider['id']}").status_code == 404


def _post_routes(app: Flask) -> list[str]:
    rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or set()) and not r.arguments]
    return sorted(r.rule for r in rules if not r.rule.startswith("/api/"))


def test_every_post_form_requires_a_csrf_token(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    from hia_service.data.models import User
    from hia_service.extensions import db

    user = make_user("admin")
    sign_in(user)
    routes = _post_routes(app)
    assert "/sign-in" in routes and "/sign-out" in routes
    for route in routes:
        response = client.post(route, data={"email": "x@y.nhs.uk", "password": "whatever-it-is"})
        assert response.status_code == 400, route
        assert "This page had expired, so what you sent was not saved" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 200  # sign-out without a token did not sign us out
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_health_check_reports_database_and_reference_data(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"  # reachable, but no reference data to profile areas with
    assert body["database"] == "reachable"
    assert body["reference_data"] == {"loaded": False, "releases": [], "checksum": None}
    assert body["version"]


def test_health_check_says_what_is_degraded_without_failing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["degraded"] == ["reference_data"]  # no release loaded here
    assert body["queue"] == {"status": "ok", "kind": "in-process", "depth": 0, "workers": None}
    assert body["signing"]["certificate"] == "development (not for live use)"

    monkeypatch.setitem(app.config, "HIA_QUEUE", "rq")
    monkeypatch.setitem(app.config, "HIA_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 200  # pages and saves still work; documents wait
    body = response.get_json()
    assert body["queue"]["status"] == "unreachable" and body["queue"]["kind"] == "rq"
    assert "queue" in body["degraded"]

    monkeypatch.setitem(app.config, "HIA_SIGNING_P12", "/nonexistent/signing.p12")
    assert client.get("/healthz").get_json()["signing"] == {"status": "missing", "certificate": "configured"}


def test_in_production_the_health_check_counts_the_organisations_that_can_sign(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each organisation uploads its own certificate: until one has (not expired), nothing can be approved,
    which the health check says without taking the server out of service."""
    from datetime import UTC, datetime, timedelta

    from hia_service.data import organisation_settings
    from hia_service.data.accounts import add_organisation
    from hia_service.data.transaction import commit

    monkeypatch.setitem(app.config, "HIA_ENV", "production")
    monkeypatch.setitem(app.config, "HIA_BASE_URL", None)
    unaddressed = client.get("/healthz").get_json()["signing"]  # no record can carry a working link
    assert unaddressed["status"] == "missing" and "HIA_BASE_URL is not set" in unaddressed["address"]
    monkeypatch.setitem(app.config, "HIA_BASE_URL", "https://hia.rxa.nhs.uk")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["signing"] == {
        "status": "missing",
        "certificate": "uploaded by each organisation",
        "organisations_that_can_sign": 0,
    }
    assert "signing" in body["degraded"]
    with app.app_context():
        now = datetime.now(UTC)
        for code, expires in (("RSG", now + timedelta(days=90)), ("REX", now - timedelta(days=1))):
            organisation = add_organisation(code, f"Trust {code}")
            organisation_settings.save_settings(
                organisation.id, certificate=b"p12", certificate_expires_at=expires
            )
        commit()
    signing = client.get("/healthz").get_json()["signing"]
    assert (signing["status"], signing["organisations_that_can_sign"]) == ("ok", 1)  # not the expired one


def test_health_check_counts_the_queue_and_its_workers(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis import Redis
    from rq import Queue

    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    name = f"hia-health-{id(app)}"
    monkeypatch.setitem(app.config, "HIA_QUEUE", "rq")
    monkeypatch.setitem(app.config, "HIA_QUEUE_NAME", name)
    waiting = Queue(name, connection=redis)
    waiting.enqueue("builtins.print", "queued by a health test")
    try:
        body = client.get("/healthz").get_json()
        assert body["queue"] == {"kind": "rq", "name": name, "depth": 1, "workers": 0, "status": "no worker"}
    finally:
        waiting.empty()
        waiting.delete()


def test_unknown_pages_are_nhs_404s_and_json_routes_get_problem_details(client: FlaskClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404
    assert api.content_type == "application/problem+json"
    assert api.get_json()["title"] == "Page not found"


@pytest.mark.parametrize(
    ("error", "heading"),
    [
        ("StateTransitionError", "This cannot be done at this stage"),
        ("ChangedSinceOpenedError", "Someone else changed this"),
        ("DuplicateValueError", "This already exists"),
    ],
)
def test_a_refusal_at_409_is_headed_by_what_happened_on_pages_and_in_problem_details(
    app: Flask, error: str, heading: str
) -> None:
    """Someone else changed this: only when someone did. A step the record's stage does not allow says so."""
    from hia_service.services import errors

    refusal = getattr(errors, error)("Only an assessment under review can be approved.")
    with app.test_request_context("/review/1/approve", method="POST", headers={"Accept": "text/html"}):
        html, status = app.handle_user_exception(refusal)
    assert status == 409 and f"<h1>{heading}</h1>" in html
    assert "Only an assessment under review can be approved." in html
    with app.test_request_context("/api/v1/assessments/1/review/approve", method="POST"):
        problem = app.handle_user_exception(refusal)
    assert problem.status_code == 409 and problem.get_json()["title"] == heading


def test_pages_use_the_nhs_design_system(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "nhsuk-header" in html
    assert 'href="#maincontent"' in html  # skip link
    assert "nhsuk-footer" in html
    css = client.get("/nhsuk/nhsuk-frontend.min.css")
    assert css.status_code == 200
    assert b".nhsuk-header" in css.data
    css.close()
