"""Moving a person's account to another organisation (`hia users move`).

Each organisation's records must stay whole: its assessments, reviews, training sessions and audit entries
name the accounts of the people who made them, and `hia export` and `hia import` carry an organisation with
its own people only. So the account in the old organisation is not re-labelled: it stays there, closed, as
the author of what the person did there (its email address marked, since an address belongs to one account),
and the person gets a new account in the new organisation with the same email address, name and password,
and their organisation-account sign-ins. They keep signing in as before and land in the new organisation.

What happens to the rest:
- Sessions: every one ends (the old account's key is replaced); the person signs in again.
- API tokens: all revoked. A token acts for one organisation's records; they make new ones.
- Role: the same role, except an administrator becomes a manager (administering one organisation is no
  reason to administer another); give another role with `--role`.
Refused, saying what to do, when the person is their organisation's only administrator, when they have
assessments only they can change (drafts, or returned to them) in the old organisation, which would be left
with nobody able to finish them, or when the account is deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass

from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data.models import Organisation, User
from hia_service.services.accounts.administration import (
    ChangeRefused,
    CommandLine,
    audit_change,
    close_sessions_and_tokens,
    keep_an_admin,
    subject_of,
)
from hia_service.services.accounts.users import moved_mark
from hia_service.services.errors import NotFoundError, ServiceError

EMAIL_LENGTH = 254  # User.email


@dataclass(frozen=True)
class MovedAccount:
    old: User  # closed, in the old organisation
    new: User
    tokens_revoked: int


def move_account(by: CommandLine, user_id: int, org_code: str, role: str | None = None) -> MovedAccount:
    person = subject_of(by, user_id)
    target = _organisation(org_code)
    if target.id == person.organisation_id:
        raise ServiceError(f"{person.email} is already in {target.name} ({target.code})", field="org")
    if not person.is_active:
        raise ChangeRefused(
            f"The account for {person.email} is deactivated. If they are to use the service at "
            f"{target.name}, reactivate it first (hia users reactivate {person.email}), then move it."
        )
    new_role = _role_there(person, role)
    keep_an_admin(person, f"move them to {target.name}")
    _refuse_unfinished(person)
    old_organisation = person.organisation
    email = person.email
    revoked = close_sessions_and_tokens(person)
    accounts.close_account(person, (moved_mark(person.id) + email)[:EMAIL_LENGTH])
    moved = accounts.add_user(target, email, person.name, new_role.value, person.password_hash)
    identities = accounts.move_identities(person, moved)
    audit_change(
        "user_moved",
        by,
        person,
        to_organisation=target.code,
        new_user_id=moved.id,
        tokens_revoked=revoked,
        organisation_accounts=identities,
    )
    audit_change(
        "user_moved",
        by,
        moved,
        from_organisation=old_organisation.code,
        old_user_id=person.id,
        role=new_role.value,
    )
    return MovedAccount(person, moved, revoked)


def _organisation(code: str) -> Organisation:
    found = accounts.get_organisation_by_code(code)
    if found is None:
        raise NotFoundError(f"No organisation has the code {code.strip().upper()}", field="org")
    return found


def _role_there(person: User, role: str | None) -> Role:
    if role:
        try:
            return Role.parse(role)
        except ValueError as error:
            raise ServiceError(str(error), field="role") from None
    return Role.MANAGER if Role(person.role) is Role.ADMIN else Role(person.role)


def _refuse_unfinished(person: User) -> None:
    references = accounts.unsubmitted_references(person.id, person.organisation_id)
    if not references:
        return
    count, here = len(references), person.organisation.name
    which = "assessment" if count == 1 else "assessments"
    raise ChangeRefused(
        f"{person.name} has {count} {which} in {here} that only they can change (in draft or returned to "
        f"them): {', '.join(references)}. They would stay with {here} with nobody able to finish them, so "
        "nothing was moved. Ask them to submit those for review first, then move the account."
    )
