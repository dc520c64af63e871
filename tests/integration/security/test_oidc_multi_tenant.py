"""OIDC sign-in through a multi-tenant Microsoft Entra ID app (/organizations/v2.0), against the mock provider
publishing the templated issuer `<base>/{tenantid}/v2.0`: only allowed tenants get in, and each token's `iss`
must be its own tenant's issuer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_test_app
from tests.integration.security.conftest import dispose
from tests.integration.security.mock_oidc import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_TENANT,
    TENANT,
    MockProvider,
    running_provider,
)
from tests.integration.security.test_oidc import (
    FAILED,
    _assert_refused,
    _audit,
    _identities,
    _person,
    _sign_in_via_provider,
)

WRONG_TENANT = "Your organisation&#39;s account system is not one this service accepts"


@pytest.fixture(scope="module")
def entra() -> Iterator[MockProvider]:
    with running_provider(multi_tenant=True) as running:
        yield running


def _settings(provider: MockProvider, **more: Any) -> dict[str, Any]:
    return {
        "HIA_OIDC_ISSUER": f"{provider.issuer}/organizations/v2.0",
        "HIA_OIDC_DISCOVERY_URL": f"{provider.issuer}/organizations/v2.0/.well-known/openid-configuration",
        "HIA_OIDC_CLIENT_ID": CLIENT_ID,
        "HIA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        **more,
    }


@pytest.fixture(scope="module")
def entra_app(
    app: Flask, database_url: str, tmp_path_factory: pytest.TempPathFactory, entra: MockProvider
) -> Iterator[Flask]:
    application = make_test_app(
        database_url, tmp_path_factory.mktemp("entra"), **_settings(entra, HIA_OIDC_ALLOWED_TENANTS=[TENANT])
    )
    yield application
    dispose(application)


@pytest.fixture
def browser(entra_app: Flask, entra: MockProvider) -> FlaskClient:
    entra.reset()
    return entra_app.test_client()


def test_the_provider_publishes_a_templated_issuer(entra: MockProvider) -> None:
    import requests

    document = requests.get(f"{entra.issuer}/organizations/v2.0/.well-known/openid-configuration", timeout=5)
    assert document.json()["issuer"] == f"{entra.issuer}/{{tenantid}}/v2.0"


def test_someone_from_an_allowed_tenant_signs_in(
    entra_app: Flask, browser: FlaskClient, entra: MockProvider, make_user: Any
) -> None:
    person = _person(make_user)
    response = _sign_in_via_provider(browser)
    assert response.status_code == 302 and response.location.endswith("/assessments/")
    with browser.session_transaction() as session:
        assert session["_user_id"] == str(person["id"])
    # The identity is kept under the tenant's own issuer, not the template.
    tenant_issuer = f"{entra.issuer}/{TENANT}/v2.0"
    signed_in = {"method": "oidc", "issuer": tenant_issuer, "address": "127.0.0.1"}
    assert _audit(entra_app)[-1] == ("signed_in", signed_in)
    assert _audit(entra_app)[-2][1]["issuer"] == tenant_issuer
    assert _identities(entra_app) == 1
    assert _sign_in_via_provider(entra_app.test_client()).status_code == 302  # and again, by the identity


def test_someone_from_another_tenant_is_refused_plainly(
    entra_app: Flask, browser: FlaskClient, entra: MockProvider, make_user: Any
) -> None:
    _person(make_user)  # same email, but their organisation's tenant is not one we accept
    entra.claims = {"tid": OTHER_TENANT}  # a genuine token from that tenant: iss names it too
    response = _sign_in_via_provider(browser)
    _assert_refused(entra_app, browser, response, 403, WRONG_TENANT)
    _, details = _audit(entra_app)[-1]
    assert details["reason"] == "tenant not allowed" and details["tenant"] == OTHER_TENANT
    assert details["address"] == "127.0.0.1"


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "{base}/" + OTHER_TENANT + "/v2.0"},  # another tenant's issuer, our tenant's tid
        {"iss": "{base}/{{tenantid}}/v2.0"},  # the template itself
        {"iss": "{base}/" + TENANT + "/v2.0", "tid": None},  # no tenant to check it against
        {"iss": "{base}/organizations/v2.0"},
    ],
    ids=["other-tenants-issuer", "template-as-issuer", "no-tid", "configured-authority"],
)
def test_an_issuer_that_does_not_match_its_tenant_is_refused(
    entra_app: Flask, browser: FlaskClient, entra: MockProvider, make_user: Any, claims: dict[str, Any]
) -> None:
    _person(make_user)
    entra.claims = {k: v.format(base=entra.issuer) if isinstance(v, str) else v for k, v in claims.items()}
    response = _sign_in_via_provider(browser)
    _assert_refused(entra_app, browser, response, 401, FAILED)
    assert "iss" in _audit(entra_app)[-1][1]["reason"]


def test_a_multi_tenant_issuer_without_allowed_tenants_does_not_start(
    app: Flask, database_url: str, tmp_path: Path, entra: MockProvider
) -> None:
    with pytest.raises(ValueError, match="set HIA_OIDC_ALLOWED_TENANTS to the tenant ids"):
        make_test_app(database_url, tmp_path, **_settings(entra))


def test_a_discovery_document_that_turns_out_multi_tenant_refuses_everyone_without_a_tenant_list(
    app: Flask, database_url: str, tmp_path: Path, entra: MockProvider, make_user: Any, another_app: Any
) -> None:
    # The issuer setting looks single-tenant, so start-up cannot tell; the discovery document can.
    surprised = another_app(database_url, tmp_path, **_settings(entra, HIA_OIDC_ISSUER=entra.issuer))
    entra.reset()
    _person(make_user)
    browser = surprised.test_client()
    _assert_refused(surprised, browser, _sign_in_via_provider(browser), 401, FAILED)
    assert "no HIA_OIDC_ALLOWED_TENANTS" in _audit(surprised)[-1][1]["reason"]
