"""Queries and writes for organisations and users. Functions flush; the caller commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from hia_service.auth.roles import Role
from hia_service.data.models import (
    ApiToken,
    Assessment,
    Organisation,
    SignInThrottle,
    User,
    UserIdentity,
    new_session_key,
)
from hia_service.domain.workflow import Status
from hia_service.extensions import db


def get_user(user_id: int) -> User | None:
    # Every signed-in page names the person's organisation: one query, not a second lazy one.
    return db.session.get(User, user_id, options=[joinedload(User.organisation)])


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_organisation_by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))


def add_organisation(code: str, name: str) -> Organisation:
    org = Organisation(code=code.strip().upper(), name=name.strip())
    db.session.add(org)
    db.session.flush()
    return org


def add_user(org: Organisation, email: str, name: str, role: str, password_hash: str | None) -> User:
    user = User(
        organisation=org,
        email=email.strip().lower(),
        name=name.strip(),
        role=role,
        password_hash=password_hash,
    )
    db.session.add(user)
    db.session.flush()
    return user


def list_users(organisation_id: int) -> list[User]:
    query = select(User).where(User.organisation_id == organisation_id).order_by(User.role, User.email)
    return list(db.session.scalars(query))


def list_all_users() -> list[User]:
    """Every account in the service, by organisation code, then role and email."""
    query = select(User).join(Organisation).order_by(Organisation.code, User.role, User.email)
    return list(db.session.scalars(query))


def list_active_users_with_role(organisation_id: int, role: str) -> list[User]:
    query = (
        select(User)
        .where(User.organisation_id == organisation_id, User.role == role, User.is_active.is_(True))
        .order_by(User.email)
    )
    return list(db.session.scalars(query))


def record_sign_in_attempt(user: User, *, succeeded: bool, at: datetime) -> None:
    """Counts failures since the last sign-in (shown to nobody yet; locking is per client, see
    SignInThrottle). locked_until is no longer set: accounts are not locked."""
    if succeeded:
        user.failed_sign_ins = 0
        user.locked_until = None
        user.last_sign_in_at = at
    else:
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    db.session.flush()


def get_throttle(key: str) -> SignInThrottle | None:
    return db.session.get(SignInThrottle, key)


def record_failed_sign_in(
    key: str, wait_until: Callable[[int], datetime | None], *, forget_before: datetime
) -> SignInThrottle:
    """One more failure for this key; `wait_until` turns the count of failures into the next try's time.
    Counts not added to since `forget_before` are dropped, so guessing cannot grow the table for ever."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.updated_at < forget_before))
    throttle = get_throttle(key) or SignInThrottle(key=key, failures=0)
    throttle.failures = (throttle.failures or 0) + 1
    throttle.wait_until = wait_until(throttle.failures)
    db.session.add(throttle)
    db.session.flush()
    return throttle


def forget_failed_sign_ins(key: str) -> None:
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


def replace_session_key(user: User) -> str:
    user.session_key = new_session_key()
    db.session.flush()
    return user.session_key


def database_reachable() -> bool:
    try:
        db.session.execute(select(1))
        return True
    except Exception:  # any driver error means "not reachable" to a health check
        db.session.rollback()
        return False


def get_user_by_identity(issuer: str, subject: str) -> User | None:
    query = (
        select(User).join(UserIdentity).where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    )
    return db.session.scalar(query)


def add_identity(user: User, issuer: str, subject: str) -> UserIdentity:
    identity = UserIdentity(user=user, issuer=issuer, subject=subject)
    db.session.add(identity)
    db.session.flush()
    return identity


# --- changes an administrator makes to accounts ---------------------------------------------------------


def lock_organisation(organisation_id: int) -> None:
    """Hold the organisation until this transaction ends, before counting its administrators: two admins
    demoting each other at the same moment must not both see "one other admin left" and leave none.
    PostgreSQL: a row lock on the organisation. SQLite: a write that changes nothing takes the database's
    single write lock, which other writers wait for (as data/audit.py serialise_writers does)."""
    if db.session.get_bind().dialect.name == "postgresql":
        locked = select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
        db.session.execute(locked)
        return
    unchanged = update(Organisation).where(Organisation.id == organisation_id).values(id=Organisation.id)
    db.session.execute(unchanged.execution_options(synchronize_session=False))


def count_active_admins(organisation_id: int) -> int:
    query = select(func.count(User.id)).where(
        User.organisation_id == organisation_id, User.role == Role.ADMIN.value, User.is_active.is_(True)
    )
    return db.session.scalar(query) or 0


def unsubmitted_references(user_id: int, organisation_id: int) -> list[str]:
    """The references of the live (not practice) assessments this person has in the organisation that only
    they can change: drafts, and those returned to them."""
    query = (
        select(Assessment.reference)
        .where(
            Assessment.author_id == user_id,
            Assessment.organisation_id == organisation_id,
            Assessment.is_training.is_(False),
            Assessment.status.in_([Status.DRAFT.value, Status.RETURNED.value]),
        )
        .order_by(Assessment.reference)
    )
    return list(db.session.scalars(query))


def token_hashes(user_id: int) -> list[str]:
    """The hashes of every token of this person's (to forget any check of them a process remembers)."""
    return list(db.session.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user_id)))


def revoke_tokens(user_id: int, at: datetime) -> int:
    """Revoke every token of this person's not yet revoked; the number revoked."""
    live = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    tokens = list(db.session.scalars(live))
    for token in tokens:
        token.revoked_at = at
    db.session.flush()
    return len(tokens)


def close_account(user: User, email: str) -> None:
    """Deactivate the account under another email address (flushed now, freeing the old address for a
    new account in the same transaction)."""
    user.is_active = False
    user.email = email
    db.session.flush()


def move_identities(from_user: User, to_user: User) -> int:
    """Hand the external sign-ins (organisation accounts) of one account to another; the number moved."""
    identities = list(from_user.identities)
    for identity in identities:
        identity.user = to_user
    db.session.flush()
    return len(identities)
