"""The issuer an id_token must name: single-tenant, and Entra multi-tenant templates."""

import pytest

from hia_service.domain.oidc_issuer import (
    is_multi_tenant,
    issuer_for_tenant,
    issuer_matches_tenant,
    issuer_template,
)

ENTRA = "https://login.microsoftonline.com"
TEMPLATE = f"{ENTRA}/{{tenantid}}/v2.0"
TID = "3f2c1a9e-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("issuer", "multi"),
    [
        (f"{ENTRA}/organizations/v2.0", True),
        (f"{ENTRA}/Common/v2.0", True),
        (f"{ENTRA}/consumers/v2.0", True),
        (TEMPLATE, True),
        (f"{ENTRA}/{TID}/v2.0", False),
        ("https://idp.example.nhs.uk", False),
        ("https://idp.example.nhs.uk/realms/common-staff", False),
        (None, False),
        ("", False),
    ],
)
def test_which_issuers_accept_any_tenant(issuer: str | None, multi: bool) -> None:
    assert is_multi_tenant(issuer) is multi


def test_the_template_comes_from_the_setting_or_the_discovery_document() -> None:
    assert issuer_template(f"{ENTRA}/organizations/v2.0", TEMPLATE) == TEMPLATE
    assert issuer_template(TEMPLATE, None) == TEMPLATE
    assert issuer_template(f"{ENTRA}/{TID}/v2.0", f"{ENTRA}/{TID}/v2.0") is None


def test_a_token_must_name_its_own_tenants_issuer() -> None:
    assert issuer_for_tenant(TEMPLATE, TID) == f"{ENTRA}/{TID}/v2.0"
    assert issuer_matches_tenant(TEMPLATE, f"{ENTRA}/{TID}/v2.0", TID)
    assert not issuer_matches_tenant(TEMPLATE, f"{ENTRA}/{TID}/v2.0", "another-tenant")
    assert not issuer_matches_tenant(TEMPLATE, TEMPLATE, "{tenantid}")  # a literal template is no tenant
    assert not issuer_matches_tenant(TEMPLATE, f"{ENTRA}/x/y/v2.0", "x/y")
    assert not issuer_matches_tenant(TEMPLATE, f"{ENTRA}//v2.0", "")
    assert not issuer_matches_tenant(TEMPLATE, f"{ENTRA}/None/v2.0", None)
    assert not issuer_matches_tenant(TEMPLATE, None, TID)
