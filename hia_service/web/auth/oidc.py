"""OpenID Connect sign-in (authorisation code flow with PKCE) through Authlib, one client per app.

Authlib keeps state, nonce and the PKCE verifier in the signed session, checks the returned state, and
checks the id_token's signature (against the provider's published keys), issuer, audience, expiry and
nonce. Anything it refuses becomes a plain "could not sign you in" message and an audit entry.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.sansio.app import App

from hia_service.domain.oidc_issuer import (
    NEEDS_ALLOWED_TENANTS,
    is_multi_tenant,
    issuer_matches_tenant,
    issuer_template,
)
from hia_service.services.accounts.identity import ClaimPolicy

EXTENSION = "hia_oidc"
CLIENT = "organisation"
# A little clock skew between us and the provider; Authlib's default is two minutes.
LEEWAY_SECONDS = 60


def init_oidc(app: App) -> None:
    """Register the provider named by HIA_OIDC_* settings, if any (otherwise sign-in is by password only)."""
    issuer = app.config.get("HIA_OIDC_ISSUER")
    if not issuer:
        return
    if is_multi_tenant(issuer) and not app.config.get("HIA_OIDC_ALLOWED_TENANTS"):
        raise ValueError(NEEDS_ALLOWED_TENANTS.format(issuer=issuer))  # also checked by Settings
    from authlib.integrations.flask_client import OAuth  # Authlib and requests: only when OIDC is set up

    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=app.config["HIA_OIDC_CLIENT_ID"],
        client_secret=app.config["HIA_OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["HIA_OIDC_DISCOVERY_URL"],
        client_kwargs={
            "scope": app.config["HIA_OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )
    app.extensions[EXTENSION] = oauth


def protocol_errors() -> tuple[type[Exception], ...]:
    """What can go wrong in the protocol: provider errors, bad state, bad tokens, an unreachable provider."""
    import requests
    from authlib.integrations.base_client import OAuthError
    from joserfc.errors import JoseError

    return (OAuthError, JoseError, requests.RequestException, ValueError, KeyError)


def oidc_enabled() -> bool:
    return EXTENSION in current_app.extensions


def client() -> Any:
    return current_app.extensions[EXTENSION].create_client(CLIENT)


def _issuer_template() -> str | None:
    """The multi-tenant issuer template, from the setting or the provider's discovery document (Entra's
    /organizations/v2.0 publishes `https://login.microsoftonline.com/{tenantid}/v2.0`); None if single."""
    published = client().load_server_metadata().get("issuer")  # read once, then cached by Authlib
    return issuer_template(current_app.config["HIA_OIDC_ISSUER"], published)


def claim_policy() -> ClaimPolicy:
    config = current_app.config
    return ClaimPolicy(
        issuer=config["HIA_OIDC_ISSUER"],
        email_claim=config["HIA_OIDC_EMAIL_CLAIM"],
        email_verified_claim=config["HIA_OIDC_EMAIL_VERIFIED_CLAIM"],
        allowed_tenants=tuple(config["HIA_OIDC_ALLOWED_TENANTS"]),
        issuer_template=_issuer_template(),
    )


def verified_claims() -> dict[str, Any]:
    """Finish the code flow for this callback request: the id_token's checked claims.

    Raises one of protocol_errors() when the provider's answer is refused."""
    config = current_app.config
    template = _issuer_template()
    if template and not config["HIA_OIDC_ALLOWED_TENANTS"]:
        # A discovery document that turned out multi-tenant: without a tenant list, refuse everyone.
        raise ValueError("multi-tenant issuer and no HIA_OIDC_ALLOWED_TENANTS")
    # Multi-tenant: `iss` must be the template with the token's own `tid` filled in (the tenant itself is
    # checked against the allowed list by services.identity, which can say so plainly).
    issuer: dict[str, Any] = (
        {
            "essential": True,
            "validate": lambda claims, iss: issuer_matches_tenant(template, iss, claims.get("tid")),
        }
        if template
        else {"essential": True, "value": config["HIA_OIDC_ISSUER"]}
    )
    # Authlib's default checks only `iss` (and `azp` when present); say every claim that must match.
    required = {
        "iss": issuer,
        "aud": {"essential": True, "value": config["HIA_OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    token = client().authorize_access_token(claims_options=required, leeway=LEEWAY_SECONDS)
    claims = token.get("userinfo")
    if not claims:  # a token response without an id_token proves nothing about who this is
        raise ValueError("no id_token in the token response")
    return dict(claims)
