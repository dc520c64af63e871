"""`hia tokens …`: personal API tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from hia_service.data.transaction import commit
from hia_service.services.accounts.people import user_by_email
from hia_service.services.accounts.tokens import create_token, revoke_token, user_tokens
from hia_service.services.errors import ServiceError


@click.group("tokens", help="Personal API tokens.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("create", help="Create an API token for a user. The token is shown once: keep it safe.")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'Board paper system'.")
@click.option(
    "--days",
    default=90,
    show_default=True,
    type=int,
    help="Days until it expires (at most 90, or the organisation's own limit).",
)
@with_appcontext
def create_command(email: str, name: str, days: int) -> None:
    try:
        token, plaintext = create_token(user_by_email(email), name, days)
        commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Token '{token.name}' for {email}, expires {token.expires_at:%d %B %Y}:")
    click.echo(plaintext)


@tokens_cli.command("list", help="List a user's tokens (never the tokens themselves).")
@click.argument("email")
@with_appcontext
def list_command(email: str) -> None:
    try:
        tokens = user_tokens(user_by_email(email))
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    for token in tokens:
        state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
        click.echo(f"{token.id:>5}  {token.prefix}…  {token.name}  ({state})")


@tokens_cli.command("revoke", help="Revoke a token by its number (from 'hia tokens list').")
@click.argument("email")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_command(email: str, token_id: int) -> None:
    try:
        token = revoke_token(user_by_email(email), token_id)
        commit()
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Revoked token '{token.name}'")
