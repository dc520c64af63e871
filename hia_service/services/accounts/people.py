"""Use cases for organisations, users and signing in."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hia_service.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Organisation, User
from hia_service.data.transaction import commit
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.email_address import WRONG_FORMAT, is_email_address
from hia_service.services.errors import (
    DuplicateValueError,
    NotFoundError,
    ServiceError,
    SignInError,
    SignInThrottledError,
)

FREE_TRIES = 4  # wrong passwords a client may make for one address before it has to wait
LONGEST_WAIT = timedelta(minutes=15)
FORGET_FAILURES_AFTER = timedelta(days=1)  # a client's count of wrong passwords starts again after this
BAD_CREDENTIALS = "Enter a correct email address and password"
DEACTIVATED = (
    "Your account has been deactivated, so you cannot sign in. If you still need it, ask your organisation's "
    "administrator."
)


def authenticate(
    email: str, password: str, *, now: datetime | None = None, address: str | None = None
) -> User:
    """The user for these credentials, or SignInError; the message never says which part was wrong.
    Every attempt, successful or not, goes into the audit log, with the client's address when known.

    Wrong passwords slow down the client that sends them (for that email address) twice as much each time,
    rather than locking the account: someone guessing from elsewhere cannot keep its owner out."""
    now = now or datetime.now(UTC)
    where = {"address": address} if address else {}
    key = _throttle_key(email, address)
    user = accounts.get_user_by_email(email)
    _refuse_while_waiting(key, now, user, email, where)
    if user is None or not user.is_active:
        # The same work as a real check either way, so timing does not reveal accounts. Only someone who
        # knows a deactivated account's password is told it is deactivated, so they ask, not retry.
        right = verify_password(user.password_hash if user is not None else None, password)
        _record_failure(key, now)
        _audit_sign_in("sign_in_failed", user, email, reason="unknown or inactive account", **where)
        raise SignInError(DEACTIVATED if right and user is not None else BAD_CREDENTIALS)
    if not verify_password(user.password_hash, password):
        accounts.record_sign_in_attempt(user, succeeded=False, at=now)
        waits = _record_failure(key, now)
        _audit_sign_in("sign_in_failed", user, email, reason="wrong password", slowed=waits, **where)
        raise SignInError(BAD_CREDENTIALS)
    if needs_rehash(user.password_hash or ""):  # the hashing cost setting changed since it was made
        user.password_hash = hash_password(password)
    accounts.forget_failed_sign_ins(key)
    accounts.record_sign_in_attempt(user, succeeded=True, at=now)
    record_audit_event("signed_in", actor=user, subject=("user", user.id), details=where)
    return user


def _throttle_key(email: str, address: str | None) -> str:
    return content_hash(f"{email.strip().lower()}|{address or ''}")


def _refuse_while_waiting(
    key: str, now: datetime, user: User | None, email: str, where: dict[str, str]
) -> None:
    throttle = accounts.get_throttle(key)
    if throttle is None or throttle.wait_until is None or _aware(throttle.wait_until) <= now:
        return
    seconds = math.ceil((_aware(throttle.wait_until) - now).total_seconds())
    _audit_sign_in("sign_in_failed", user, email, reason="waiting after wrong passwords", **where)
    raise SignInThrottledError(
        f"You have entered a wrong password too many times. {_wait(seconds)} If you have forgotten your "
        "password, ask your organisation's administrator to reset it.",
        seconds,
    )


def _record_failure(key: str, now: datetime) -> bool:
    """Count the failure; True when the client must now wait before trying again."""
    throttle = accounts.record_failed_sign_in(
        key, lambda failures: now + wait_after(failures), forget_before=now - FORGET_FAILURES_AFTER
    )
    return throttle.failures > FREE_TRIES


def wait_after(failures: int) -> timedelta:
    """2 seconds after the 5th wrong password, then twice as long each time, up to 15 minutes."""
    if failures <= FREE_TRIES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_TRIES, 20)), LONGEST_WAIT)


def _wait(seconds: int) -> str:
    if seconds < 60:
        return f"Wait {seconds} second{'s' if seconds != 1 else ''}, then try again."
    minutes = math.ceil(seconds / 60)
    return f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."


def _audit_sign_in(event: str, user: User | None, email: str, **details: object) -> None:
    # The failed request rolls back, but the attempt (and the count of failures) must stick: commit now.
    # An unknown address is kept only as a hash, so a mistyped password in the email box is not stored.
    who = {"email_sha256": content_hash(email.strip().lower())} if user is None else {}
    record_audit_event(
        event, actor=user, subject=("user", user.id) if user else None, details={**who, **details}
    )
    commit()


def session_key_for(user: User) -> str:
    """The key a new session of this person carries (one is made for accounts from before keys existed)."""
    return user.session_key or accounts.replace_session_key(user)


def record_sign_out(user: User) -> None:
    """A new session key, so every session cookie issued before (a copy too) is refused from now on.
    This signs the person out on their other devices as well: the safer side when a cookie may be stolen."""
    accounts.replace_session_key(user)
    record_audit_event("signed_out", actor=user, subject=("user", user.id))


WRONG_CURRENT_PASSWORD = "Your current password is not correct"


def change_own_password(user: User, current: str, new: str, confirmation: str) -> str:
    """The person's own new password, after checking their current one. Every problem is a ServiceError
    naming its field (current_password, new_password or confirm_password). Their other sessions end (they
    may be someone else's, on a shared computer); the session key returned keeps this one signed in."""
    if user.password_hash is None:
        raise ServiceError(NO_PASSWORD)
    if not verify_password(user.password_hash, current):
        record_audit_event(
            "password_change_failed",
            actor=user,
            subject=("user", user.id),
            details={"reason": "wrong password"},
        )
        commit()  # the attempt is kept, though the request fails
        raise ServiceError(WRONG_CURRENT_PASSWORD, field="current_password")
    problem = password_problem(new, user.email)
    if problem is None and new == current:
        problem = "Your new password must be different from your current one"
    if problem:
        raise ServiceError(problem, field="new_password")
    if confirmation != new:
        raise ServiceError(
            "The passwords do not match. Enter your new password again", field="confirm_password"
        )
    user.password_hash = hash_password(new)
    was_temporary = user.password_must_change
    user.password_must_change = False
    key = accounts.replace_session_key(user)
    record_audit_event(
        "password_changed",
        actor=user,
        subject=("user", user.id),
        details={"replaced": "a temporary password"} if was_temporary else {},
    )
    return key


NO_PASSWORD = (
    "You sign in with your organisation account, so you do not have a password for this service to change."
)


def record_session_expired(user: User, reason: str) -> None:
    """The service signed this person out: `reason` is "idle" or "absolute" (the 12-hour limit)."""
    record_audit_event("session_expired", actor=user, subject=("user", user.id), details={"reason": reason})


def create_organisation(code: str, name: str) -> Organisation:
    if not code.strip() or not name.strip():
        raise ServiceError("Enter the organisation's code and name")
    if accounts.get_organisation_by_code(code):
        raise DuplicateValueError(f"An organisation with code {code.upper()} already exists", field="code")
    return accounts.add_organisation(code, name)


def create_user(email: str, name: str, role: str, org_code: str, password: str | None) -> User:
    role_value = _parse_role(role)
    org = accounts.get_organisation_by_code(org_code)
    if org is None:
        raise NotFoundError(f"No organisation has the code {org_code}", field="org")
    email = email.strip()
    if not is_email_address(email):
        raise ServiceError(WRONG_FORMAT, field="email")
    existing = accounts.get_user_by_email(email)
    if existing is not None:
        raise DuplicateValueError(
            _ONE_ACCOUNT.format(email=email.lower(), org=existing.organisation.name), "email"
        )
    password_hash = None
    if password is not None:
        problem = password_problem(password, email)
        if problem:
            raise ServiceError(problem, field="password")
        password_hash = hash_password(password)
    return accounts.add_user(org, email, name or email.split("@")[0], role_value, password_hash)


# An email address belongs to one account in the whole service, not one per organisation: one person
# cannot then be two people, and an address signed in with through an organisation account (OIDC) always
# finds the same account. Someone who moves organisation has their account moved, not a second made.
_ONE_ACCOUNT = (
    "There is already an account for {email}, in {org}. Each person has one account in the service, "
    "whichever organisation they work for. If they have moved organisation, move their account instead: "
    "hia users move {email} --org CODE"
)


def _parse_role(role: str) -> str:
    try:
        return Role.parse(role).value
    except ValueError as exc:
        raise ServiceError(str(exc), field="role") from None


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def user_by_email(email: str) -> User:
    user = accounts.get_user_by_email(email)
    if user is None:
        raise NotFoundError(f"No user has the email address {email}", field="email")
    return user
