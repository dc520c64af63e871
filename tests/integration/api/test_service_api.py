"""Documentation, rate limits, the audit trail of calls, and the token pages in the browser."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.api.conftest import Api, audit_calls
from tests.integration.review.conftest import World


def test_docs_page_lists_every_operation_without_outside_assets(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "post", "put"):
                assert f"{method.upper()} {path}" in html
    assert "lock_version" in html and "409" in html and "application/problem+json" in html
    assert not re.search(r'(src|href)="https?://', html)


def test_reference_and_rules_endpoints(api: Api) -> None:
    rules = api.get("/rules", "trainer")
    assert rules.status_code == 200 and rules.json["framework"] in rules.json["available_frameworks"]
    assert api.get("/reference-data", "manager").status_code == 200


def test_rate_limit_per_token_gives_429_with_retry_after(app: Flask, api: Api) -> None:
    app.config["HIA_API_RATE_LIMIT"] = "3/minute"
    try:
        answers = [api.get("/rules", "manager").status_code for _ in range(4)]
        other = api.get("/rules", "reviewer")  # a different token has its own allowance
        limited = api.get("/rules", "manager")
    finally:
        app.config["HIA_API_RATE_LIMIT"] = "300/minute"
    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200
    assert limited.status_code == 429 and limited.content_type == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json["title"] == "Too many requests"


def test_made_up_tokens_share_the_address_allowance(app: Flask, token_of: Any) -> None:
    """Only a token the service issued has an allowance of its own: a new made-up token each call is
    still counted against the caller's address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.21.0.2"
    app.config["HIA_API_RATE_LIMIT"] = "3/minute"
    try:
        made_up = [
            client.get("/api/v1/rules", headers={"Authorization": f"Bearer hia_madeup{n}"}).status_code
            for n in range(4)
        ]
        real = client.get("/api/v1/rules", headers={"Authorization": f"Bearer {token_of('manager')}"})
    finally:
        app.config["HIA_API_RATE_LIMIT"] = "300/minute"
    assert made_up == [401, 401, 401, 429]
    assert real.status_code == 200


def test_every_api_call_is_audited_including_refusals(app: Flask, api: Api, world: World) -> None:
    api.get("/rules", "manager")
    api.get("/assessments/12345", "manager")
    api.get("/rules")
    calls = audit_calls(app)
    assert [(c["method"], c["path"], c["status"]) for c in calls] == [
        ("GET", "/api/v1/rules", 200),
        ("GET", "/api/v1/assessments/12345", 404),
        ("GET", "/api/v1/rules", 401),
    ]
    assert [c["actor_id"] for c in calls] == [world["manager"]["id"], world["manager"]["id"], None]
    from hia_service.data.audit import verify_audit_log

    with app.app_context():
        count, problems = verify_audit_log()
    assert count >= 3 and problems == []


def _sign_in(client: FlaskClient, person: dict[str, Any]) -> None:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": person["email"], "password": TEST_PASSWORD, "csrf_token": token})


def test_token_pages_create_show_once_list_and_revoke(app: Flask, client: FlaskClient, world: World) -> None:
    _sign_in(client, world["reviewer"])
    page = client.get("/account/api-tokens")
    assert page.status_code == 200 and "You have no API tokens" in page.get_data(as_text=True)
    csrf = csrf_token_from(page.get_data(as_text=True))
    created = client.post(
        "/account/api-tokens",
        data={"name": "Board papers", "days": "30", "password": TEST_PASSWORD, "csrf_token": csrf},
    )
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r"(hia_[A-Za-z0-9_-]{20,})", created.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Board papers" in listing and token not in listing and token[:12] in listing
    token_id = re.search(r"/account/api-tokens/(\d+)/revoke", listing).group(1)
    confirm = client.get(f"/account/api-tokens/{token_id}/revoke").get_data(as_text=True)
    assert "Are you sure you want to revoke the Board papers token?" in confirm and token[:12] in confirm
    assert client.get("/api/v1/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = client.post(f"/account/api-tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 302
    assert client.get("/api/v1/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_pages_validate_and_keep_tokens_private(app: Flask, client: FlaskClient, world: World) -> None:
    _sign_in(client, world["manager"])
    csrf = csrf_token_from(client.get("/account/api-tokens").get_data(as_text=True))
    blank = client.post("/account/api-tokens", data={"name": " ", "days": "30", "csrf_token": csrf})
    assert blank.status_code == 400 and "Enter a name for the token" in blank.get_data(as_text=True)
    # every problem at once, each linked to its box; an empty password is asked for, not called wrong
    summary = " ".join(
        blank.get_data(as_text=True).split("nhsuk-error-summary__list", 1)[1].split("</ul>")[0].split()
    )
    assert (
        'href="#name"' in summary and 'href="#password"' in summary and "Enter your password </a>" in summary
    )
    long = client.post("/account/api-tokens", data={"name": "x", "days": "9999", "csrf_token": csrf})
    assert long.status_code == 400 and "within 1 to 90 days" in long.get_data(as_text=True)
    from tests.integration.api.conftest import issue_token

    issue_token(app, world["reviewer"])
    from hia_service.data.models import ApiToken
    from hia_service.extensions import db

    with app.app_context():
        others = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == world["reviewer"]["id"]))
    assert client.post(f"/account/api-tokens/{others}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert client.get(f"/account/api-tokens/{others}/revoke").status_code == 404
    assert client.post(f"/account/api-tokens/{others}/revoke", data={}).status_code == 400  # no CSRF token
    assert app.test_client().get("/account/api-tokens").status_code == 302  # signed out: to sign in
