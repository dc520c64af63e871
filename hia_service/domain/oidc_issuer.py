"""Which OpenID issuer an id_token must name, for single- and multi-tenant providers (Microsoft Entra ID).

A single-tenant provider has one issuer. A Microsoft Entra ID multi-tenant app reads the `/organizations/v2.0`
or `/common/v2.0` discovery document, whose issuer is a template, `https://login.microsoftonline.com/{tenantid}/v2.0`:
each token names its own tenant's issuer, and must carry the same tenant in its `tid` claim.
"""

from __future__ import annotations

from urllib.parse import urlsplit

TENANT_PLACEHOLDER = "{tenantid}"
# Entra's names for "any tenant" in an authority URL (https://login.microsoftonline.com/<name>/v2.0).
ANY_TENANT_SEGMENTS = frozenset({"common", "organizations", "consumers"})
NEEDS_ALLOWED_TENANTS = (
    "HIA_OIDC_ISSUER {issuer} accepts accounts from any organisation's tenant: set HIA_OIDC_ALLOWED_TENANTS "
    "to the tenant ids (the `tid` claim) of the organisations whose staff may sign in"
)


def is_multi_tenant(issuer: str | None) -> bool:
    """True for an issuer template or an Entra "any tenant" authority: only an allowed-tenants list then
    stops every Entra organisation in the world from signing in."""
    if not issuer:
        return False
    if TENANT_PLACEHOLDER in issuer:
        return True
    segments = [s for s in urlsplit(issuer).path.split("/") if s]
    return bool(segments) and segments[0].lower() in ANY_TENANT_SEGMENTS


def issuer_template(configured: str, published: str | None) -> str | None:
    """The template tokens are checked against, if either the setting or the discovery document has one."""
    for candidate in (configured, published):
        if candidate and TENANT_PLACEHOLDER in candidate:
            return candidate
    return None


def issuer_for_tenant(template: str, tenant: object) -> str | None:
    """The template with this tenant filled in; None when `tenant` cannot be a tenant id at all."""
    if not isinstance(tenant, str) or not tenant or any(c in tenant for c in "/?#{} "):
        return None
    return template.replace(TENANT_PLACEHOLDER, tenant)


def issuer_matches_tenant(template: str, issuer: object, tenant: object) -> bool:
    expected = issuer_for_tenant(template, tenant)
    return expected is not None and issuer == expected
