"""`hia users …` and `hia demo …`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import click
from flask.cli import with_appcontext

from hia_service.auth.roles import Role
from hia_service.cli.options import ForgivingChoice, organisation_code, organisation_option
from hia_service.data.transaction import commit
from hia_service.services.accounts import administration
from hia_service.services.accounts.demo import DEMO_ORG_NAME, seed_demo
from hia_service.services.accounts.moves import move_account
from hia_service.services.accounts.people import create_organisation, create_user, user_by_email
from hia_service.services.accounts.users import Account, all_accounts
from hia_service.services.errors import ServiceError

ROLES = ForgivingChoice([r.value for r in Role])
T = TypeVar("T")


@click.group("users", help="Manage user accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create", help="Create a user. The password is read from standard input or a prompt.")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=ROLES,
    help="What the user may do.",
)
@organisation_option
@click.option("--name", default="", help="The user's full name (defaults to the part of the email before @).")
@click.option("--org-name", default=None, help="Create the organisation with this name if it does not exist.")
@with_appcontext
def create_user_command(email: str, role: str, org_code: str, name: str, org_name: str | None) -> None:
    password = _read_password()
    try:
        if org_name:
            _ensure_organisation(org_code, org_name)
        user = create_user(email, name, role, org_code, password)
        commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.email} ({Role(user.role).label}) in {user.organisation.name}")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise click.ClickException(
            "No password given: pipe it on standard input or run in a terminal to be asked"
        )
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as lone surrogates
        raise click.ClickException(
            "The password is not valid UTF-8 text. Type it again, or pipe it from a UTF-8 file"
        ) from None
    return password


def _ensure_organisation(code: str, name: str) -> None:
    with contextlib.suppress(ServiceError):  # it exists already, which is what we want
        create_organisation(code, name)


@users_cli.command("list", help="List user accounts: every organisation's, or one's with --org.")
@click.option(
    "--org",
    "org_code",
    default=None,
    callback=lambda context, option, given: organisation_code(context, option, given) if given else None,
    help="Only this organisation's accounts (its ODS code), e.g. RXA.",
)
@with_appcontext
def list_command(org_code: str | None) -> None:
    try:
        found = all_accounts(org_code)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    if not found:
        click.echo("No user accounts" + (f" in {org_code}" if org_code else ""))
    for account in found:
        click.echo(_row(account))


def _row(account: Account) -> str:
    signed_in = f"{account.last_sign_in_at:%Y-%m-%d}" if account.last_sign_in_at else "never"
    return "  ".join(
        [
            f"{account.organisation_code:<8}",
            f"{account.email:<40}",
            f"{account.role.label:<20}",
            f"{account.state.label:<12}",
            f"last signed in {signed_in}",
            account.name,
        ]
    )


@users_cli.command(
    "deactivate",
    help="Deactivate a user's account (a leaver's): they can no longer sign in, every session of theirs "
    "ends at once and their API tokens are revoked. Nothing they did is deleted.",
)
@click.argument("email")
@with_appcontext
def deactivate_command(email: str) -> None:
    changed = _change(administration.deactivate_account, email)
    click.echo(
        f"Deactivated {email}: they can no longer sign in, they have been signed out and their API tokens "
        "revoked"
        if changed
        else f"{email} was already deactivated"
    )


@users_cli.command("reactivate", help="Let a deactivated account sign in again.")
@click.argument("email")
@with_appcontext
def reactivate_command(email: str) -> None:
    changed = _change(administration.reactivate_account, email)
    click.echo(
        f"Reactivated {email}: they can sign in again. API tokens revoked before stay revoked."
        if changed
        else f"{email} is already active"
    )


@users_cli.command(
    "reset-password",
    help="Give a user a new password, read from standard input or a prompt. They are signed out everywhere "
    "and their API tokens are revoked.",
)
@click.argument("email")
@click.option(
    "--temporary",
    is_flag=True,
    help="They must choose their own password when they next sign in (for a password you give them).",
)
@with_appcontext
def reset_password_command(email: str, temporary: bool) -> None:
    password = _read_password()
    _change(partial(administration.reset_password, temporary=temporary), email, password)
    then = " and choose their own password" if temporary else ""
    click.echo(
        f"New password set for {email}. They have been signed out, their API tokens have been revoked, and "
        f"they sign in again with the new password{then}."
    )


@users_cli.command("set-role", help="Change what a user may do. Roles: " + ", ".join(r.value for r in Role))
@click.argument("email")
@click.argument("role", type=ROLES)
@with_appcontext
def set_role_command(email: str, role: str) -> None:
    changed = _change(administration.change_role, email, role)
    label = Role(role).label
    click.echo(f"{email} now has the role {label}" if changed else f"{email} already has the role {label}")


@users_cli.command(
    "move",
    help="Move a user's account to another organisation. They keep their email address and password; "
    "they are signed out, their API tokens are revoked, and what they did in their old organisation "
    "stays there. An administrator becomes a manager unless --role says otherwise.",
)
@click.argument("email")
@organisation_option
@click.option("--role", default=None, type=ROLES, help="Their role in the new organisation.")
@with_appcontext
def move_command(email: str, org_code: str, role: str | None) -> None:
    try:
        moved = move_account(administration.CommandLine.current(), user_by_email(email).id, org_code, role)
        commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    new, old = moved.new, moved.old
    click.echo(
        f"Moved {new.email} from {old.organisation.name} to {new.organisation.name} "
        f"({new.organisation.code}) as {Role(new.role).label}."
    )
    click.echo(
        f"They have been signed out and {moved.tokens_revoked} API token(s) revoked. What they did in "
        f"{old.organisation.name} stays there, under their old account, now closed."
    )


def _change(action: Callable[..., T], email: str, *args: Any) -> T:
    """Run one change to the account with this email address as the command line's operator, and commit."""
    try:
        result = action(administration.CommandLine.current(), user_by_email(email).id, *args)
        commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    return result


@click.group("demo", help="The demonstration organisation.")
def demo_cli() -> None:
    pass


@demo_cli.command("seed", help="Create the demo organisation with one user per role, if not there already.")
@with_appcontext
def seed_command() -> None:
    accounts = seed_demo()
    commit()
    click.echo(f"Demo organisation: {DEMO_ORG_NAME}")
    for account in accounts:
        state = "created" if account.created else "already there"
        click.echo(f"  {account.role.label:<20} {account.email}  password: {account.password}  ({state})")
