"""OIDC sign-in against a local mock OpenID provider: the happy path and every way a token is refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import make_test_app
from tests.fuzz_counts import tried
from tests.integration.security.conftest import dispose
from tests.integration.security.mock_oidc import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    MockProvider,
    other_key,
    running_provider,
)

FAILED = "We could not sign you in with your organisation account"
NO_ACCOUNT = "Your organisation account is not set up to use this service"
DEACTIVATED = "Your account has been deactivated, so you cannot sign in"


@pytest.fixture(scope="module")
def provider() -> Iterator[MockProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def oidc_app(
    app: Flask, database_url: str, tmp_path_factory: pytest.TempPathFactory, provider: MockProvider
) -> Iterator[Flask]:
    application = make_test_app(
        database_url,
        tmp_path_factory.mktemp("oidc"),
        HIA_OIDC_ISSUER=provider.issuer,
        HIA_OIDC_DISCOVERY_URL=f"{provider.issuer}/.well-known/openid-configuration",
        HIA_OIDC_CLIENT_ID=CLIENT_ID,
        HIA_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        HIA_OIDC_ALLOWED_TENANTS=[TENANT],
    )
    yield application
    dispose(application)


@pytest.fixture
def browser(oidc_app: Flask, provider: MockProvider) -> FlaskClient:
    provider.reset()
    return oidc_app.test_client()


def _sign_in_via_provider(browser: FlaskClient, *, state: str | None = None) -> Any:
    """Click the button, let the provider answer (it signs the person in at once), follow the callback."""
    start = browser.get("/sign-in/organisation-account?next=/assessments/")
    assert start.status_code == 302
    answer = requests.get(start.location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/sign-in/organisation-account/callback"
    query = callback.query if state is None else callback.query.replace("state=", f"state={state}")
    return browser.get(f"{callback.path}?{query}")


def _person(make_user: Any, email: str = "person@example.nhs.uk") -> dict[str, Any]:
    return make_user("manager", org="RXA", email=email)


def _audit(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        return [
            (e.event_type, e.details or {})
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def _identities(app: Flask) -> int:
    from hia_service.data.models import UserIdentity
    from hia_service.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(UserIdentity.id))) or 0


def test_button_shows_only_when_a_provider_is_configured(client: FlaskClient, browser: FlaskClient) -> None:
    assert "Sign in with your NHS organisation account" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/organisation-account").status_code == 404
    page = browser.get("/sign-in").get_data(as_text=True)
    assert "Sign in with your NHS organisation account" in page
    assert 'href="/sign-in/organisation-account"' in page


def test_first_sign_in_links_by_verified_email_then_by_subject(
    oidc_app: Flask, browser: FlaskClient, provider: MockProvider, make_user: Any
) -> None:
    person = _person(make_user)
    response = _sign_in_via_provider(browser)
    assert response.status_code == 302 and response.location.endswith("/assessments/")
    assert "You are signed in as a manager" in browser.get("/home").get_data(as_text=True)
    assert provider.pkce_checked == 1  # the provider checked our PKCE verifier against the challenge
    assert _identities(oidc_app) == 1
    kinds = [kind for kind, _ in _audit(oidc_app)]
    assert kinds[-2:] == ["identity_linked", "signed_in"]
    assert _audit(oidc_app)[-1][1] == {"method": "oidc", "issuer": provider.issuer, "address": "127.0.0.1"}

    # Later the provider reports another email: the identity, not the email, decides who this is.
    provider.claims = {"email": "renamed@example.nhs.uk", "email_verified": False}
    again = oidc_app.test_client()
    assert _sign_in_via_provider(again).status_code == 302
    with again.session_transaction() as session:
        assert session["_user_id"] == str(person["id"])
    assert _identities(oidc_app) == 1


def _assert_refused(app: Flask, browser: FlaskClient, response: Any, status: int, message: str) -> None:
    tried("oidc: forged, expired or unmatched sign-in")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert browser.get("/home").status_code == 302  # not signed in
    assert _identities(app) == 0
    kind, details = _audit(app)[-1]
    assert kind == "sign_in_failed" and details["method"] == "oidc"


def _flip_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "someone.else@example.nhs.uk"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"claims": {"nonce": "not-the-nonce-we-sent"}}, "nonce"),
        ({"claims": {"aud": "some-other-client"}}, "aud"),
        ({"claims": {"aud": "some-other-client", "azp": CLIENT_ID}}, "aud"),
        ({"claims": {"aud": None}}, "aud"),
        ({"claims": {"exp": 1_600_000_000, "iat": 1_599_999_000}}, "exp"),
        ({"claims": {"iss": "https://login.example/other-tenant/v2.0"}}, "iss"),
        ({"sign_with": other_key()}, "signature"),
        ({"tamper": _flip_payload}, "signature"),
    ],
    ids=[
        "wrong-nonce",
        "wrong-audience",
        "wrong-audience-our-azp",
        "no-audience",
        "expired",
        "wrong-issuer",
        "forged-signature",
        "tampered-payload",
    ],
)
def test_tokens_that_fail_a_check_are_refused(
    oidc_app: Flask, browser: FlaskClient, provider: MockProvider, make_user: Any, change: dict, reason: str
) -> None:
    _person(make_user)
    _person(make_user, "someone.else@example.nhs.uk")
    for name, value in change.items():
        setattr(provider, name, value)
    response = _sign_in_via_provider(browser)
    _assert_refused(oidc_app, browser, response, 401, FAILED)
    assert reason in _audit(oidc_app)[-1][1]["reason"].lower()


def test_a_callback_with_a_wrong_state_is_refused(
    oidc_app: Flask, browser: FlaskClient, provider: MockProvider, make_user: Any
) -> None:
    _person(make_user)
    exchanged = provider.token_requests
    response = _sign_in_via_provider(browser, state="forged")
    _assert_refused(oidc_app, browser, response, 401, FAILED)
    assert provider.token_requests == exchanged  # the code was never exchanged


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({}, NO_ACCOUNT),  # nobody here has this email
        ({"email_verified": False}, "did not confirm your email address"),
        ({"email_verified": None}, "did not confirm your email address"),
        ({"tid": "another-tenant"}, "not one this service accepts"),
        ({"email": None}, NO_ACCOUNT),
    ],
    ids=["unknown-user", "unverified-email", "no-verified-claim", "wrong-tenant", "no-email"],
)
def test_people_without_a_matching_account_get_a_clear_message(
    oidc_app: Flask, browser: FlaskClient, provider: MockProvider, make_user: Any, claims: dict, message: str
) -> None:
    if claims:  # the person exists, but the claims do not let us match them safely
        _person(make_user)
    provider.claims = claims
    response = _sign_in_via_provider(browser)
    _assert_refused(oidc_app, browser, response, 403, message)


def test_an_inactive_user_cannot_sign_in_through_the_provider(
    oidc_app: Flask, browser: FlaskClient, make_user: Any
) -> None:
    from hia_service.data.accounts import get_user
    from hia_service.data.transaction import commit

    person = _person(make_user)
    with oidc_app.app_context():
        user = get_user(person["id"])
        assert user is not None
        user.is_active = False
        commit()
    # Their organisation has shown who they are, so they are told why, and to ask, not to be "added".
    _assert_refused(oidc_app, browser, _sign_in_via_provider(browser), 403, DEACTIVATED)


def test_an_unreachable_provider_gives_a_clear_message(
    app: Flask, database_url: str, tmp_path: Path, another_app: Any
) -> None:
    broken = another_app(
        database_url,
        tmp_path,
        HIA_OIDC_ISSUER="http://127.0.0.1:9",
        HIA_OIDC_DISCOVERY_URL="http://127.0.0.1:9/.well-known/openid-configuration",
        HIA_OIDC_CLIENT_ID=CLIENT_ID,
        HIA_OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )
    response = broken.test_client().get("/sign-in/organisation-account")
    assert response.status_code == 503
    assert FAILED in response.get_data(as_text=True)
