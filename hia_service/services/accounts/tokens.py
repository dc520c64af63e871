"""Personal API tokens: create (shown once), list, revoke, and check on each API call."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from hia_service.data import tokens as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import ApiToken, User
from hia_service.services.errors import NotFoundError, ServiceError, SignInError

TOKEN_PREFIX = "hia_"
MAX_DAYS = 365


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, days: int = 90) -> tuple[ApiToken, str]:
    if user.role == "trainee":  # a training-only account reaches training, and nothing else
        raise ServiceError("Training-only accounts cannot have API tokens", field="name")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError("Enter a name for the token, 100 characters or fewer", field="name")
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(f"A token must expire within 1 to {MAX_DAYS} days", field="days")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = store.add_token(
        user, name, _digest(plaintext), plaintext[:12], datetime.now(UTC) + timedelta(days=days)
    )
    record_audit_event(
        "api_token_created", actor=user, subject=("api_token", token.id), details={"name": name}
    )
    return token, plaintext


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = store.get_token(user, token_id)
    if token is None:
        raise NotFoundError("No such token")
    if token.revoked_at is None:
        store.mark_token(token, revoked_at=datetime.now(UTC))
        record_audit_event("api_token_revoked", actor=user, subject=("api_token", token.id))
    return token


def user_tokens(user: User) -> list[ApiToken]:
    return store.list_tokens(user)


def user_for_token(plaintext: str) -> User:
    """The active user a bearer token belongs to, or SignInError saying why not."""
    token = store.find_token(_digest(plaintext.strip())) if plaintext else None
    now = datetime.now(UTC)
    if token is None:
        raise SignInError("The API token is not recognised")
    if token.revoked_at is not None:
        raise SignInError("The API token has been revoked")
    if _aware(token.expires_at) <= now:
        raise SignInError("The API token has expired")
    if not token.user.is_active:
        raise SignInError("The account this API token belongs to is not active")
    store.mark_token(token, last_used_at=now)
    return token.user


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
