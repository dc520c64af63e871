"""Changing accounts: add a person to an organisation, deactivate a leaver's account, reactivate it, reset a
password, change a role.

Two doors call these: an organisation's administrators on the users pages, for their own organisation's
accounts only (another organisation's account is not found), and whoever runs `hia users` on the server,
for any account. Every change is written to the audit log, in the account's organisation's entries, with
who made it (the administrator, or the command line and its operator's login name) and whose account it was.

The rules, whoever asks:
- Deactivating ends every session of the account at once (its session key is replaced, so every cookie
  issued before is refused) and revokes every API token it has. This process forgets the tokens at once;
  other server processes within HIA_API_TOKEN_CACHE_SECONDS (services/accounts/tokens.py), and they refuse
  the person's tokens anyway once they check them again.
- Resetting a password signs the person out everywhere and revokes their API tokens too: a reset means
  the password may be known to someone else, who could have made a token with it while signed in.
- A role change takes effect on the person's next page or API call; giving the trainee role revokes the
  account's tokens (a training-only account has none).
- An organisation never loses its last active administrator: that account cannot be deactivated, given
  another role or moved (services/accounts/moves.py) until someone else is an administrator.
- An administrator on the pages cannot deactivate, reset the password of, or change the role of their own
  account: another administrator does, so nobody locks themselves out by mistake.
- An account that moved to another organisation (or was set aside by `hia import --replace`) stays closed.
- An administrator adds people to their own organisation only, by the rules `hia users create` follows
  (services/accounts/people.py create_user), with a full name required and a password the service makes,
  shown once. An address of someone already in the organisation is refused saying so; one the service cannot
  use for another reason (in practice: it has an account in another organisation, as each person has one
  account in the whole service) is refused in words that do not say whether it exists anywhere, and point
  to the service's operator, who sees every organisation.
"""

from __future__ import annotations

import getpass
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from hia_service.auth.passwords import hash_password, password_problem
from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data.audit import record_audit_event
from hia_service.data.models import User
from hia_service.data.transaction import after_commit
from hia_service.domain.email_address import WRONG_FORMAT, is_email_address
from hia_service.services.accounts.people import create_user
from hia_service.services.accounts.tokens import recent_tokens
from hia_service.services.accounts.users import NOT_FOUND, Account, account_of, is_closed
from hia_service.services.errors import (
    DuplicateValueError,
    FormRefused,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
)

# Letters and digits nobody mistakes for each other when reading them out or copying them (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_GROUPS, GROUP_LENGTH = 4, 5  # 20 characters from 56: about 116 bits
ROLE_HINTS = {
    Role.MANAGER: "Writes assessments and sends them for review",
    Role.REVIEWER: "Reviews the organisation's assessments, returns or approves them, and sees the dashboard",
    Role.TRAINER: "Runs training sessions and sees how trainees did",
    Role.ADMIN: "Manages the organisation's users and settings",
    Role.TRAINEE: (
        "A training-only account: joins training sessions and practises, and sees nothing else. Any API "
        "tokens it has stop working"
    ),
}
NAME_MAX = 200  # as many characters as the database keeps
# Each person has one account in the whole service (see people.py). The administrator sees their own
# organisation's users anyway, so one of those is named as such; an address the service cannot use is refused
# without saying why, so no organisation learns who has an account elsewhere (who works where).
IN_YOUR_ORGANISATION = "Someone in your list of users already has this email address"
CANNOT_USE_ADDRESS = (
    "You cannot use this email address for a new account. Check it is typed correctly. If it is, ask the "
    "service's operator for help"
)
# A password here would let the person sign in without their organisation's own checks (multi-factor
# sign-in, leavers' accounts closed centrally); the command line can still give one deliberately.
ORGANISATION_ACCOUNT_ONLY = (
    "{name} signs in with their organisation account only, so they have no password here to reset. Their "
    "organisation's IT team manages that account's password."
)
CLOSED = (
    "This account moved to another organisation, or its organisation was replaced, so it is closed and "
    "cannot be changed."
)


class Change(StrEnum):
    """What an administrator can do to an account."""

    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    RESET_PASSWORD = "reset_password"
    CHANGE_ROLE = "change_role"


class ChangeRefused(ServiceError):
    """The change would break a rule: the organisation's last administrator, or a closed account."""

    status = 409
    title = "You cannot make this change"


class NewAccountRefused(FormRefused):
    """What is wrong with a new account's details, by field in the form's order (email, name, role)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        if set(problems.values()) <= {IN_YOUR_ORGANISATION, CANNOT_USE_ADDRESS}:
            self.status = DuplicateValueError.status


@dataclass(frozen=True)
class NewAccount:
    """An account just added, with its password: shown once to the administrator, only its hash kept."""

    account: Account
    password: str


class OwnAccountRefused(ChangeRefused):
    """An administrator tried to deactivate, reset or change the role of their own account."""

    status = 403


@dataclass(frozen=True)
class CommandLine:
    """Whoever runs `hia users …` on the server: the audit log keeps their login name."""

    operator: str

    @classmethod
    def current(cls) -> CommandLine:
        """The person at the terminal: the login of the terminal the command runs in (under sudo too, the
        person who ran sudo), else, with no terminal (a scheduled job), the account running it."""
        try:
            return cls(os.getlogin())
        except OSError:
            pass
        try:
            return cls(getpass.getuser())
        except (OSError, KeyError):  # no name for this process's account (in some containers)
            return cls(f"uid {os.getuid()}")


ChangedBy = User | CommandLine


@dataclass(frozen=True)
class AccountPage:
    """An account as its administrator sees it, and why each change not open to them now is not."""

    account: Account
    refusals: dict[Change, str]
    own: bool  # the administrator's own account

    def can(self, change: str) -> bool:
        return Change(change) not in self.refusals

    def refusal(self, change: Change) -> ChangeRefused | None:
        """Why this change is not open, as the error a request to make it gets; None when it is open."""
        reason = self.refusals.get(change)
        if reason is None:
            return None
        return (
            OwnAccountRefused(reason)
            if self.own and change is not Change.REACTIVATE
            else ChangeRefused(reason)
        )


# --- reading -------------------------------------------------------------------------------------------


def account_page(admin: User, user_id: int) -> AccountPage:
    """An account of the admin's own organisation (another's is not found), with the changes open."""
    person = accounts.get_user(user_id)
    if person is None or person.organisation_id != admin.organisation_id:
        raise NotFoundError(NOT_FOUND)
    return AccountPage(account_of(person), _refusals(admin, person), own=person.id == admin.id)


def _refusals(admin: User, person: User) -> dict[Change, str]:
    if is_closed(person):
        return dict.fromkeys(Change, CLOSED)
    refusals: dict[Change, str] = {}
    if person.id == admin.id:
        refusals[Change.DEACTIVATE] = "You cannot deactivate your own account. Ask another administrator."
        refusals[Change.RESET_PASSWORD] = "You cannot reset your own password. Ask another administrator."
        refusals[Change.CHANGE_ROLE] = "You cannot change your own role. Ask another administrator."
    elif is_last_admin(person):
        refusals[Change.DEACTIVATE] = last_admin_message(person, "deactivate their account")
    if person.password_hash is None:
        refusals.setdefault(Change.RESET_PASSWORD, ORGANISATION_ACCOUNT_ONLY.format(name=person.name))
    if person.is_active:
        refusals[Change.REACTIVATE] = "This account is already active."
    else:
        refusals.setdefault(Change.DEACTIVATE, "This account is already deactivated.")
    return refusals


def role_choices() -> list[tuple[Role, str]]:
    """The roles an administrator may give (every role), each with what it lets someone do."""
    return [(role, ROLE_HINTS[role]) for role in Role]


# --- changes -------------------------------------------------------------------------------------------


def add_account(admin: User, email: str, name: str, role: str) -> NewAccount:
    """Add a person to the administrator's own organisation, with a strong password the service makes.
    NewAccountRefused says what is wrong with every field at once; nothing is added then."""
    if Role(admin.role) is not Role.ADMIN:
        raise PermissionDeniedError("Only an administrator can add accounts")
    problems = new_account_problems(email, name, role, organisation_id=admin.organisation_id)
    if problems:
        raise NewAccountRefused(problems)
    password = new_password(email.strip())
    try:
        person = create_user(email, name, role, admin.organisation.code, password)
    except DuplicateValueError:  # added meanwhile; its message names the organisation that has the address
        raise NewAccountRefused({"email": CANNOT_USE_ADDRESS}) from None
    person.password_must_change = True  # the administrator has seen it
    audit_change("user_created", admin, person, role=person.role, password="made by the service")
    return NewAccount(account_of(person), password)


def new_account_problems(
    email: str, name: str, role: str, *, organisation_id: int | None = None
) -> dict[str, str]:
    """What is wrong with a new account's email address, full name and role, by field (empty if nothing):
    create_user's rules, with the name required. A taken address is said to be in the list of users when it
    is one of `organisation_id`'s; otherwise only that it cannot be used, never whether it exists."""
    problems: dict[str, str] = {}
    email = (email or "").strip()
    if not email:
        problems["email"] = "Enter their email address"
    elif not is_email_address(email):
        problems["email"] = WRONG_FORMAT
    elif (taken := accounts.get_user_by_email(email)) is not None:
        ours = organisation_id is not None and taken.organisation_id == organisation_id
        problems["email"] = IN_YOUR_ORGANISATION if ours else CANNOT_USE_ADDRESS
    name = (name or "").strip()
    if not name:
        problems["name"] = "Enter their full name"
    elif len(name) > NAME_MAX:
        problems["name"] = f"Full name must be {NAME_MAX} characters or fewer"
    if not (role or "").strip():
        problems["role"] = "Select a role"
    else:
        try:
            Role.parse(role)
        except ValueError as error:
            problems["role"] = str(error)
    return problems


def deactivate_account(by: ChangedBy, user_id: int) -> bool:
    """Stop the account signing in, end its sessions and revoke its tokens. False if it already was."""
    person = subject_of(by, user_id)
    _refuse_own(by, person, Change.DEACTIVATE)
    if not person.is_active:
        return False
    keep_an_admin(person, "deactivate their account")
    person.is_active = False
    revoked = close_sessions_and_tokens(person)
    audit_change("user_deactivated", by, person, tokens_revoked=revoked)
    return True


def reactivate_account(by: ChangedBy, user_id: int) -> bool:
    """Let the account sign in again; sessions and tokens ended before stay ended. False if it already
    could."""
    person = subject_of(by, user_id)
    if person.is_active:
        return False
    person.is_active = True
    accounts.replace_session_key(person)
    audit_change("user_reactivated", by, person)
    return True


def reset_password(
    by: ChangedBy, user_id: int, password: str | None = None, *, temporary: bool | None = None
) -> str:
    """Give the account a new password, sign the person out everywhere and revoke their API tokens. Without
    `password` the service makes a strong one. Returns the password, to be shown once: only its hash is kept.

    A temporary password must be changed by the person when they next sign in. One an administrator is
    shown always is; on the command line, where the operator may be setting their own, only when asked."""
    person = subject_of(by, user_id)
    _refuse_own(by, person, Change.RESET_PASSWORD)
    if isinstance(by, User) and person.password_hash is None:
        raise ChangeRefused(ORGANISATION_ACCOUNT_ONLY.format(name=person.name))
    chosen = password is not None
    password = password if password is not None else new_password(person.email)
    problem = password_problem(password, person.email)
    if problem:
        raise ServiceError(problem, field="password")
    person.password_hash = hash_password(password)
    person.password_must_change = isinstance(by, User) if temporary is None else temporary
    person.failed_sign_ins = 0
    revoked = close_sessions_and_tokens(person)
    audit_change(
        "user_password_reset",
        by,
        person,
        password="chosen" if chosen else "made by the service",
        **({"must_change": True} if person.password_must_change else {}),
        tokens_revoked=revoked,
    )
    return password


def new_password(email: str = "") -> str:
    """A strong random password in groups that are easy to read out: xxxxx-xxxxx-xxxxx-xxxxx."""
    while True:
        groups = (
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GROUP_LENGTH))
            for _ in range(PASSWORD_GROUPS)
        )
        password = "-".join(groups)
        if password_problem(password, email) is None:  # once in a blue moon it holds the email's name
            return password


def change_role(by: ChangedBy, user_id: int, role: str) -> bool:
    """Give the account another role, in force from the person's next page or API call. False if it
    already had it."""
    person = subject_of(by, user_id)
    _refuse_own(by, person, Change.CHANGE_ROLE)
    if not (role or "").strip():
        raise ServiceError("Select a role", field="role")
    try:
        new = Role.parse(role)
    except ValueError as error:
        raise ServiceError(str(error), field="role") from None
    old = Role(person.role)
    if new is old:
        return False
    keep_an_admin(person, f"make them a {new.label.lower()}")
    person.role = new.value
    revoked = accounts.revoke_tokens(person.id, datetime.now(UTC)) if new is Role.TRAINEE else 0
    forget_token_checks(person)  # a check this process remembers carries the old role
    audit_change("user_role_changed", by, person, before=old.value, after=new.value, tokens_revoked=revoked)
    return True


# --- the rules, shared with moves ----------------------------------------------------------------------


def subject_of(by: ChangedBy, user_id: int) -> User:
    """The account to change: for an administrator, only one of their own organisation's."""
    person = accounts.get_user(user_id)
    if isinstance(by, User):
        if Role(by.role) is not Role.ADMIN:
            raise PermissionDeniedError("Only an administrator can change accounts")
        if person is not None and person.organisation_id != by.organisation_id:
            person = None  # another organisation's account is simply not found
    if person is None:
        raise NotFoundError(NOT_FOUND)
    if is_closed(person):
        raise ChangeRefused(CLOSED)
    return person


def _refuse_own(by: ChangedBy, person: User, change: Change) -> None:
    if isinstance(by, User) and by.id == person.id:
        raise OwnAccountRefused(_refusals(by, person)[change])


def keep_an_admin(person: User, doing: str) -> None:
    """Refuse a change that would leave the person's organisation without an active administrator."""
    if Role(person.role) is not Role.ADMIN or not person.is_active:
        return
    accounts.lock_organisation(person.organisation_id)  # before counting: see lock_organisation
    if is_last_admin(person):
        raise ChangeRefused(last_admin_message(person, doing))


def is_last_admin(person: User) -> bool:
    return (
        Role(person.role) is Role.ADMIN
        and person.is_active
        and accounts.count_active_admins(person.organisation_id) <= 1
    )


def last_admin_message(person: User, doing: str) -> str:
    return (
        f"{person.name} is the only administrator of {person.organisation.name}, so you cannot {doing}. "
        "Make someone else an administrator first."
    )


def close_sessions_and_tokens(person: User) -> int:
    """End every session of the account and revoke its tokens; the number of tokens revoked."""
    accounts.replace_session_key(person)
    revoked = accounts.revoke_tokens(person.id, datetime.now(UTC))
    forget_token_checks(person)
    return revoked


def forget_token_checks(person: User) -> None:
    """Forget this process's remembered checks of the person's tokens, now and again once committed (a
    call checking one in between must not keep it)."""
    digests = accounts.token_hashes(person.id)

    def forget() -> None:
        for digest in digests:
            recent_tokens().forget(digest)

    forget()
    after_commit(forget)


def audit_change(event: str, by: ChangedBy, person: User, **details: Any) -> None:
    """The change in the account's organisation's audit log, with who made it and whose account it was."""
    if isinstance(by, CommandLine):
        details = {"via": "command line", "operator": by.operator, **details}
    record_audit_event(
        event,
        actor=by if isinstance(by, User) else None,
        organisation_id=person.organisation_id,
        subject=("user", person.id),
        details=details,
    )
