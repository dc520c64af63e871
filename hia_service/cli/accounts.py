"""`hia users …` and `hia demo …`."""

from __future__ import annotations

import contextlib
import sys

import click
from flask.cli import with_appcontext

from hia_service.auth.roles import Role
from hia_service.cli.options import ForgivingChoice, organisation_option
from hia_service.data.transaction import commit
from hia_service.services.accounts.demo import DEMO_ORG_NAME, seed_demo
from hia_service.services.accounts.people import create_organisation, create_user
from hia_service.services.errors import ServiceError


@click.group("users", help="Manage user accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create", help="Create a user. The password is read from standard input or a prompt.")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=ForgivingChoice([r.value for r in Role]),
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
    return password


def _ensure_organisation(code: str, name: str) -> None:
    with contextlib.suppress(ServiceError):  # it exists already, which is what we want
        create_organisation(code, name)


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
