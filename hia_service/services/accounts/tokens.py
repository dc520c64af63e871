"""Personal API tokens: create (shown once, after the person proves it is them), list, revoke, check on
each API call, and the longest an organisation lets them last (at most 90 days).

Every API call checks its token, so a check is remembered by this process for HIA_API_TOKEN_CACHE_SECONDS
(5 by default), keyed by the token's sha256 (never the token): within that time a token revoked or a person
deactivated elsewhere (another gunicorn worker, another server, `hia tokens revoke`) still gets in, while a
token revoked in this process is refused at once. Expiry is checked on every call. A server process also
checks every live token at once, at its start and every half of that time (read_live_tokens), so a token's
first call costs no query either; the same window applies. The time a token was last used is written with
the API's read audit entries, at most once a minute for each token (services/accounts/api_calls.py), never
by the call itself: a read makes no write of its own.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app

from hia_service.auth.passwords import verify_password
from hia_service.auth.roles import Role
from hia_service.data import accounts, organisation_settings
from hia_service.data import tokens as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import ApiToken, User
from hia_service.data.transaction import after_commit
from hia_service.domain.recent import Recent
from hia_service.services.accounts.api_calls import note_token_used
from hia_service.services.errors import FormRefused, NotFoundError, ServiceError, SignInError

TOKEN_PREFIX = "hia_"
MAX_DAYS = 90  # no token lasts longer, whatever an organisation sets
DAY_CHOICES = (7, 30, 60, 90)
# Someone who signs in only through their organisation's account has no password to enter again: they
# must have signed in this recently to create a token.
RECENT_SIGN_IN = timedelta(minutes=10)
LAST_USED_EVERY = timedelta(minutes=1)
EXTENSION = "hia_api_tokens"


@dataclass(frozen=True)
class ApiCaller:
    """The person a token speaks for, as far as every call needs: enough to authorise and audit it without
    loading them (a view that acts as them loads them with user_of)."""

    id: int  # the user's
    organisation_id: int
    role: Role
    token_id: int
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_max_days(organisation_id: int) -> int:
    """The longest a token of this organisation's people may last, in days."""
    settings = organisation_settings.get_settings(organisation_id)
    return _max_days(settings.api_token_max_days if settings is not None else None)


def _max_days(chosen: int | None) -> int:
    return min(chosen or MAX_DAYS, MAX_DAYS)


def set_token_max_days(admin: User, days: int) -> None:
    if days not in DAY_CHOICES:
        raise ServiceError("Choose how long API tokens may last", field="days")
    organisation_settings.save_settings(admin.organisation_id, api_token_max_days=days)
    # Remembered checks carry each token's end: forget them, so older tokens obey the new limit at once.
    recent_tokens().forget()
    after_commit(lambda: recent_tokens().forget())
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
    problems: dict[str, str] = {}
    try:
        _check_request(user, name, days)
    except ServiceError as error:
        problems[error.field or "name"] = error.message
    if user.role == "trainee":
        raise TokenRefused(problems)
    if needs_password(user):
        if not password:
            problems["password"] = "Enter your password"
        elif not verify_password(user.password_hash, password):
            record_audit_event("api_token_refused", actor=user, subject=("user", user.id))
            problems["password"] = "Enter your password correctly to create a token"
    elif signed_in_at is None or datetime.now(UTC) - _aware(signed_in_at) > RECENT_SIGN_IN:
        minutes = int(RECENT_SIGN_IN.total_seconds() // 60)
        problems["password"] = (
            f"Sign out and sign in again to create a token. You must have signed in in the last {minutes} "
            "minutes."
        )
    if problems:
        raise TokenRefused(problems)
    return create_token(user, name, days)


class TokenRefused(FormRefused):
    """Every problem with a new token's details at once, in the form's order: name, days, password."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__({f: problems[f] for f in ("name", "days", "password") if f in problems})


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


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the person's own tokens; anyone else's is not found."""
    token = store.get_token(user, token_id)
    if token is None:
        raise NotFoundError("No such token")
    return token


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = own_token(user, token_id)
    if token.revoked_at is None:
        store.mark_token(token, revoked_at=datetime.now(UTC))
        record_audit_event("api_token_revoked", actor=user, subject=("api_token", token.id))
    # Forgotten now, and again once committed: a call checking the token in between must not keep it.
    digest = token.token_hash
    recent_tokens().forget(digest)
    after_commit(lambda: recent_tokens().forget(digest))
    return token


def user_tokens(user: User) -> list[ApiToken]:
    return store.list_tokens(user)


def caller_for_token(plaintext: str) -> ApiCaller:
    """Who a bearer token speaks for, or SignInError saying why not."""
    digest = _digest(plaintext.strip())
    now = datetime.now(UTC)
    recent = recent_tokens()
    seconds = float(current_app.config.get("HIA_API_TOKEN_CACHE_SECONDS", 0))
    caller = recent.get(digest, seconds)
    if caller is None:
        caller, last_used = _check(digest, now)
        recent.put(digest, caller, last_used, keep=seconds > 0)
    if caller.expires_at <= now:
        raise SignInError("The API token has expired")
    if recent.last_used_due(caller.token_id, now):
        note_token_used(caller.token_id, now)
    return caller


def user_of(caller: ApiCaller) -> User:
    """The person a call acts as, loaded for a view that reads or changes their organisation's records."""
    user = accounts.get_user(caller.id)
    if user is None or not user.is_active:
        raise SignInError("The account this API token belongs to is not active")
    return user


def prepare() -> None:
    """Compile the look-up of every API call's first check (a server's warm-up); no token hashes to this."""
    store.find_token_holder("0" * 64)


def _check(digest: str, now: datetime) -> tuple[ApiCaller, datetime | None]:
    holder = store.find_token_holder(digest)
    if holder is None:
        raise SignInError("The API token is not recognised")
    return _caller_of(holder, now)


def _caller_of(holder: store.TokenHolder, now: datetime) -> tuple[ApiCaller, datetime | None]:
    if holder.revoked_at is not None:
        raise SignInError("The API token has been revoked")
    # A token made before its organisation shortened the limit ends when one made under today's would.
    longest = timedelta(days=_max_days(holder.max_days))
    expires_at = min(_aware(holder.expires_at), _aware(holder.created_at) + longest)
    if expires_at <= now:
        raise SignInError("The API token has expired")
    if not holder.is_active:
        raise SignInError("The account this API token belongs to is not active")
    caller = ApiCaller(holder.user_id, holder.organisation_id, Role(holder.role), holder.token_id, expires_at)
    return caller, _aware(holder.last_used_at) if holder.last_used_at else None


def read_live_tokens() -> int:
    """Check every live token at once and remember them all as if each had just been checked, so that a
    token's first call to this process costs no query (a server process does this at its start and then
    every half HIA_API_TOKEN_CACHE_SECONDS: hia_service/server.py). Tokens made since are checked on their
    first call, as before. The number remembered."""
    seconds = float(current_app.config.get("HIA_API_TOKEN_CACHE_SECONDS", 0))
    if seconds <= 0:
        return 0
    recent = recent_tokens()
    started, generation, now = time.monotonic(), recent.callers.generation, datetime.now(UTC)
    live: dict[str, tuple[ApiCaller, datetime | None]] = {}
    for digest, holder in store.live_token_holders(now, RecentTokens.MAX).items():
        try:
            live[digest] = _caller_of(holder, now)
        except SignInError:  # ended by its organisation's shorter limit: its own check will say so
            continue
    return recent.put_many(live, started, generation)


def live_token_key(plaintext: str) -> str | None:
    """ "token:<hash>" when this is a token that would be let in (for its own rate-limit allowance), else
    None. Uses the same remembered check as the call itself, so it costs no query of its own."""
    if not plaintext.strip():
        return None
    try:
        caller_for_token(plaintext)
    except SignInError:
        return None
    return "token:" + _digest(plaintext.strip())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class RecentTokens:
    """Tokens this process checked in the last few seconds, by sha256, and when each was last used."""

    MAX = 10_000

    def __init__(self) -> None:
        self.callers: Recent[str, ApiCaller] = Recent(self.MAX)
        self._lock = threading.Lock()
        self._last_used: dict[int, datetime] = {}  # as written, or waiting to be

    def get(self, digest: str, seconds: float) -> ApiCaller | None:
        return self.callers.get(digest, seconds)[1]

    def put(self, digest: str, caller: ApiCaller, last_used: datetime | None, *, keep: bool) -> None:
        if keep:
            self.callers.put(digest, caller)
        self._note_used({caller.token_id: last_used})

    def put_many(
        self, found: dict[str, tuple[ApiCaller, datetime | None]], read_at: float, generation: int
    ) -> int:
        """Many tokens checked by one read (Recent.put_many); the number remembered."""
        if not self.callers.put_many(
            {digest: caller for digest, (caller, _) in found.items()}, read_at, generation
        ):
            return 0
        self._note_used({caller.token_id: last_used for caller, last_used in found.values()})
        return len(found)

    def _note_used(self, times: dict[int, datetime | None]) -> None:
        with self._lock:
            for token_id, last_used in times.items():
                known = self._last_used.get(token_id)
                if last_used is not None and (known is None or last_used > known):
                    self._last_used[token_id] = last_used

    def last_used_due(self, token_id: int, now: datetime) -> bool:
        """Whether to write this token's last-used time now (then the next is due a minute on)."""
        with self._lock:
            known = self._last_used.get(token_id)
            if known is not None and now - known < LAST_USED_EVERY:
                return False
            if len(self._last_used) >= self.MAX:
                self._last_used.clear()  # forgetting costs at most one more write per token
            self._last_used[token_id] = now
            return True

    def forget(self, digest: str | None = None) -> None:
        """Forget one token (revoked), or everything remembered."""
        self.callers.forget(digest)
        if digest is None:
            with self._lock:
                self._last_used.clear()


def recent_tokens() -> RecentTokens:
    """This process's remembered tokens for the current app."""
    extensions = current_app.extensions
    found = extensions.get(EXTENSION)
    return found if found is not None else extensions.setdefault(EXTENSION, RecentTokens())
