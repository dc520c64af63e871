"""Reading users: an organisation's accounts for its administrators (never another organisation's), every
account for the command line, and the account a session cookie names."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data.models import User
from hia_service.services.errors import NotFoundError

NOT_FOUND = "We could not find that account"
# An account moved to another organisation stays behind, closed, under its email address with a mark in
# front (email addresses are unique in the whole service, and the person's new account has the address);
# so do the accounts of an organisation replaced by `hia import --replace` (services/backup/archive.py).
# A mark holds a colon, which no email address the service accepts can hold before its @.
_CLOSED = re.compile(r"(moved|replaced)\d+:")


def moved_mark(user_id: int) -> str:
    return f"moved{user_id}:"


class AccountState(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    MOVED = "moved"
    CLOSED = "closed"  # its organisation was replaced from a backup

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    AccountState.ACTIVE: "Active",
    AccountState.DEACTIVATED: "Deactivated",
    AccountState.MOVED: "Moved to another organisation",
    AccountState.CLOSED: "Closed when the organisation was restored from a backup",
}


@dataclass(frozen=True)
class Account:
    """One account as the administration pages and `hia users list` show it."""

    id: int
    name: str
    email: str  # as the person signs in with it (a moved account's mark left off)
    role: Role
    organisation_code: str
    organisation_name: str
    state: AccountState
    last_sign_in_at: datetime | None
    has_password: bool  # False: they sign in only with their organisation account
    password_must_change: bool = False  # an administrator set it; they choose their own when they sign in

    @property
    def is_active(self) -> bool:
        return self.state is AccountState.ACTIVE


def account_of(user: User) -> Account:
    closed = _CLOSED.match(user.email)
    if closed:
        state = AccountState.MOVED if closed.group(1) == "moved" else AccountState.CLOSED
    else:
        state = AccountState.ACTIVE if user.is_active else AccountState.DEACTIVATED
    return Account(
        id=user.id,
        name=user.name,
        email=user.email[closed.end() :] if closed else user.email,
        role=Role(user.role),
        organisation_code=user.organisation.code,
        organisation_name=user.organisation.name,
        state=state,
        last_sign_in_at=user.last_sign_in_at,
        has_password=user.password_hash is not None,
        password_must_change=bool(user.password_must_change),
    )


def is_closed(user: User) -> bool:
    """Moved to another organisation, or set aside when its organisation was replaced: for good."""
    return _CLOSED.match(user.email) is not None


def organisation_accounts(viewer: User) -> list[Account]:
    return [account_of(user) for user in accounts.list_users(viewer.organisation_id)]


def organisation_account(viewer: User, user_id: int) -> Account:
    """An account of the viewer's own organisation; another organisation's is simply not found."""
    return account_of(organisation_user(viewer, user_id))


def organisation_user(viewer: User, user_id: int) -> User:
    person = accounts.get_user(user_id)
    if person is None or person.organisation_id != viewer.organisation_id:
        raise NotFoundError(NOT_FOUND)
    return person


def all_accounts(org_code: str | None = None) -> list[Account]:
    """Every account in the service, or in one organisation (NotFoundError for an unknown code)."""
    if org_code is None:
        return [account_of(user) for user in accounts.list_all_users()]
    organisation = accounts.get_organisation_by_code(org_code)
    if organisation is None:
        raise NotFoundError(f"No organisation has the code {org_code.strip().upper()}", field="org")
    return [account_of(user) for user in accounts.list_users(organisation.id)]


def active_user(user_id: str, session_key: object) -> User | None:
    """The user a session cookie names, if they still exist, may sign in, and have not signed out since
    (the session's key is still theirs)."""
    user = accounts.get_user(int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    if user is None or not user.is_active or not user.session_key or not isinstance(session_key, str):
        return None
    return user if hmac.compare_digest(user.session_key, session_key) else None
