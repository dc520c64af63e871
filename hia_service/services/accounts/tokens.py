"""Personal API tokens: create (shown once), list, revoke, and check on each API call.

Every API call checks its token, so a check is remembered by this process for HIA_API_TOKEN_CACHE_SECONDS
(5 by default), keyed by the token's sha256 (never the token): within that time a token revoked or a person
deactivated elsewhere (another gunicorn worker, another server, `hia tokens revoke`) still gets in, while a
token revoked in this process is refused at once. Expiry is checked on every call. The time a token was last
used is written with the API's read audit entries, at most once a minute for each token
(services/accounts/api_calls.py), never by the call itself: a read makes no write of its own.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app

from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data import tokens as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import ApiToken, User
from hia_service.data.transaction import after_commit
from hia_service.services.accounts.api_calls import note_token_used
from hia_service.services.errors import NotFoundError, ServiceError, SignInError

TOKEN_PREFIX = "hia_"
MAX_DAYS = 365
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
    if holder.revoked_at is not None:
        raise SignInError("The API token has been revoked")
    if _aware(holder.expires_at) <= now:
        raise SignInError("The API token has expired")
    if not holder.is_active:
        raise SignInError("The account this API token belongs to is not active")
    caller = ApiCaller(
        holder.user_id, holder.organisation_id, Role(holder.role), holder.token_id, _aware(holder.expires_at)
    )
    return caller, _aware(holder.last_used_at) if holder.last_used_at else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class RecentTokens:
    """Tokens this process checked in the last few seconds, by sha256, and when each was last used."""

    MAX = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callers: OrderedDict[str, tuple[float, ApiCaller]] = OrderedDict()
        self._last_used: dict[int, datetime] = {}  # as written, or waiting to be

    def get(self, digest: str, seconds: float) -> ApiCaller | None:
        with self._lock:
            found = self._callers.get(digest)
        if found is None or time.monotonic() - found[0] >= seconds:
            return None
        return found[1]

    def put(self, digest: str, caller: ApiCaller, last_used: datetime | None, *, keep: bool) -> None:
        with self._lock:
            if keep:
                self._callers[digest] = (time.monotonic(), caller)
                self._callers.move_to_end(digest)
                while len(self._callers) > self.MAX:
                    self._callers.popitem(last=False)
            known = self._last_used.get(caller.token_id)
            if last_used is not None and (known is None or last_used > known):
                self._last_used[caller.token_id] = last_used

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
        with self._lock:
            if digest is None:
                self._callers.clear()
                self._last_used.clear()
            else:
                self._callers.pop(digest, None)


def recent_tokens() -> RecentTokens:
    """This process's remembered tokens for the current app."""
    extensions = current_app.extensions
    found = extensions.get(EXTENSION)
    return found if found is not None else extensions.setdefault(EXTENSION, RecentTokens())
