"""Personal API tokens: create (shown once, after the person proves it is them), list, revoke, check on
each API call, and the longest an organisation lets them last."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from hia_service.auth.passwords import verify_password
from hia_service.data import organisation_settings
from hia_service.data import tokens as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import ApiToken, User
from hia_service.services.errors import NotFoundError, ServiceError, SignInError

TOKEN_PREFIX = "hia_"
MAX_DAYS = 90  # no token lasts longer, whatever an organisation sets
DAY_CHOICES = (7, 30, 60, 90)
# Someone who signs in only through their organisation's account has no password to enter again: they
# must have signed in this recently to create a token.
RECENT_SIGN_IN = timedelta(minutes=10)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_max_days(organisation_id: int) -> int:
    """The longest a token of this organisation's people may last, in days."""
    settings = organisation_settings.get_settings(organisation_id)
    chosen = settings.api_token_max_days if settings is not None else None
    return min(chosen or MAX_DAYS, MAX_DAYS)


def set_token_max_days(admin: User, days: int) -> None:
    if days not in DAY_CHOICES:
        raise ServiceError("Choose how long API tokens may last", field="days")
    organisation_settings.save_settings(admin.organisation_id, api_token_max_days=days)
    organisation = ("organisation", admin.organisation_id)
    record_audit_event(
        "api_token_lifetime_changed", actor=admin, subject=organisation, details={"days": days}
    )


def day_choices(organisation_id: int) -> tuple[int, ...]:
    longest = token_max_days(organisation_id)
    return tuple(days for days in DAY_CHOICES if days <= longest)


def needs_password(user: User) -> bool:
    """True when the person confirms with their password; False when they sign in only through their
    organisation's account and must have signed in recently instead."""
    return user.password_hash is not None


def create_confirmed_token(
    user: User, name: str, days: int, *, password: str, signed_in_at: datetime | None
) -> tuple[ApiToken, str]:
    """A token for someone signed in to the web: a stolen session alone must not be enough to make a
    token that outlives it, so the person enters their password again (or signed in very recently)."""
    _check_request(user, name, days)
    if needs_password(user):
        if not verify_password(user.password_hash, password or ""):
            record_audit_event("api_token_refused", actor=user, subject=("user", user.id))
            raise ServiceError("Enter your password correctly to create a token", field="password")
    elif signed_in_at is None or datetime.now(UTC) - _aware(signed_in_at) > RECENT_SIGN_IN:
        minutes = int(RECENT_SIGN_IN.total_seconds() // 60)
        raise ServiceError(
            f"Sign out and sign in again to create a token. You must have signed in in the last {minutes} "
            "minutes.",
            field="password",
        )
    return create_token(user, name, days)


def _check_request(user: User, name: str, days: int) -> str:
    if user.role == "trainee":  # a training-only account reaches training, and nothing else
        raise ServiceError("Training-only accounts cannot have API tokens", field="name")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError("Enter a name for the token, 100 characters or fewer", field="name")
    longest = token_max_days(user.organisation_id)
    if not 1 <= days <= longest:
        raise ServiceError(f"A token must expire within 1 to {longest} days", field="days")
    return name


def create_token(user: User, name: str, days: int = MAX_DAYS) -> tuple[ApiToken, str]:
    """A new token (the CLI calls this directly: whoever runs it already controls the server)."""
    name = _check_request(user, name, days)
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
    if _expires_at(token) <= now:
        raise SignInError("The API token has expired")
    if not token.user.is_active:
        raise SignInError("The account this API token belongs to is not active")
    store.mark_token(token, last_used_at=now)
    return token.user


def live_token_key(plaintext: str) -> str | None:
    """ "token:<hash>" when this is a token that would be let in (for its own rate-limit allowance),
    else None. Unlike user_for_token it records nothing."""
    token = store.find_token(_digest(plaintext.strip())) if plaintext.strip() else None
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return "token:" + token.token_hash if _expires_at(token) > datetime.now(UTC) else None


def _expires_at(token: ApiToken) -> datetime:
    """A token made before its organisation shortened the limit (or before the 90-day limit) ends when a
    token made under today's limit would."""
    longest = timedelta(days=token_max_days(token.user.organisation_id))
    return min(_aware(token.expires_at), _aware(token.created_at) + longest)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
