"""Signing in with an organisation account through OpenID Connect (e.g. Microsoft Entra ID).

The web layer runs the protocol (Authlib checks state, nonce, PKCE and the id_token's signature, issuer,
audience and expiry); this module decides who the verified claims belong to. There is no self-registration:
an identity is linked to an existing active user the first time, by a verified email address, and by
(issuer, subject) ever after, so a changed email at the provider cannot move an identity to someone else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, TypedDict

from hia_service.data import accounts
from hia_service.data.audit import record_audit_event
from hia_service.data.models import User
from hia_service.data.transaction import commit
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.oidc_issuer import issuer_matches_tenant
from hia_service.services.accounts.people import DEACTIVATED
from hia_service.services.errors import SignInError

NO_ACCOUNT = (
    "Your organisation account is not set up to use this service. Ask your organisation's administrator "
    "to add you, using the email address of your organisation account."
)
NOT_VERIFIED = (
    "Your organisation account did not confirm your email address, so we cannot match it to an account "
    "here. Sign in with your email address and password, or ask your administrator."
)
WRONG_TENANT = "Your organisation's account system is not one this service accepts. Ask your administrator."
FAILED = "We could not sign you in with your organisation account. Try again, or sign in with your password."


class _Where(TypedDict, total=False):
    """Where a sign-in came from, added to its audit details when known."""

    address: str


def _where(address: str | None) -> _Where:
    return {"address": address} if address else {}


@dataclass(frozen=True)
class ClaimPolicy:
    """What the deployment trusts in an id_token, from the HIA_OIDC_* settings."""

    issuer: str
    email_claim: str = "email"
    email_verified_claim: str | None = "email_verified"
    allowed_tenants: Sequence[str] = ()
    # Multi-tenant (Entra /organizations): `iss` is this template with the token's `tid` filled in.
    issuer_template: str | None = None


def sign_in_with_identity(
    claims: Mapping[str, Any], policy: ClaimPolicy, *, address: str | None = None
) -> User:
    """The user these verified id_token claims belong to, or SignInError (audited either way, with the
    client's address when known)."""
    where = _where(address)
    subject = str(claims.get("sub") or "")
    if not subject:
        _refuse("no subject claim", claims, FAILED, **where)
    if policy.issuer_template and not policy.allowed_tenants:
        _refuse("multi-tenant issuer without allowed tenants", claims, FAILED, **where)  # fail closed
    if policy.allowed_tenants and claims.get("tid") not in policy.allowed_tenants:
        _refuse("tenant not allowed", claims, WRONG_TENANT, tenant=str(claims.get("tid")), **where)
    issuer = _issuer_of(claims, policy, where)
    user = accounts.get_user_by_identity(issuer, subject)
    if user is None:
        user = _first_sign_in(claims, policy, issuer, subject, where)
    if not user.is_active:  # their organisation has shown who they are: say why, so they ask
        _refuse("inactive account", claims, DEACTIVATED, user=user, **where)
    accounts.record_sign_in_attempt(user, succeeded=True, at=datetime.now(UTC))
    record_audit_event(
        "signed_in",
        actor=user,
        subject=("user", user.id),
        details={"method": "oidc", "issuer": issuer, **where},
    )
    return user


def _issuer_of(claims: Mapping[str, Any], policy: ClaimPolicy, where: _Where) -> str:
    """The issuer an identity is kept under: the configured one, or (multi-tenant) the tenant's own, so the
    same subject in two tenants is two identities. The web layer has already checked `iss` against the
    template; checked again here so a policy can never link under an issuer that does not match `tid`."""
    if not policy.issuer_template:
        return policy.issuer
    issuer = claims.get("iss")
    if not issuer_matches_tenant(policy.issuer_template, issuer, claims.get("tid")):
        _refuse("issuer does not match tenant", claims, FAILED, **where)
    return str(issuer)


def _first_sign_in(
    claims: Mapping[str, Any], policy: ClaimPolicy, issuer: str, subject: str, where: _Where
) -> User:
    email = str(claims.get(policy.email_claim) or "").strip().lower()
    if "@" not in email:
        _refuse("no email claim", claims, NO_ACCOUNT, **where)
    if policy.email_verified_claim and claims.get(policy.email_verified_claim) not in (True, "true", "True"):
        _refuse("email not verified", claims, NOT_VERIFIED, **where)
    user = accounts.get_user_by_email(email)
    if user is None:
        _refuse("no active user with this email", claims, NO_ACCOUNT, email=email, **where)
    if not user.is_active:
        _refuse("no active user with this email", claims, DEACTIVATED, email=email, **where)
    accounts.add_identity(user, issuer, subject)
    record_audit_event(
        "identity_linked",
        actor=user,
        subject=("user", user.id),
        details={"issuer": issuer, "subject_sha256": content_hash(subject)},
    )
    return user


def record_identity_failure(reason: str, *, address: str | None = None) -> None:
    """A protocol failure (bad state, nonce, signature, audience, expiry...): audited, then refused."""
    where = _where(address)
    record_audit_event(
        "sign_in_failed", actor=None, details={"method": "oidc", "reason": reason[:200], **where}
    )
    commit()


def _refuse(
    reason: str, claims: Mapping[str, Any], message: str, *, user: User | None = None, **details: str
) -> NoReturn:
    # As with passwords, an unknown email is kept only as a hash; the request rolls back, so commit now.
    if "email" in details:
        details = {"email_sha256": content_hash(details.pop("email")), **details}
    record_audit_event(
        "sign_in_failed",
        actor=user,
        subject=("user", user.id) if user else None,
        details={
            "method": "oidc",
            "reason": reason,
            "subject_sha256": content_hash(str(claims.get("sub"))),
            **details,
        },
    )
    commit()
    raise SignInError(message)
