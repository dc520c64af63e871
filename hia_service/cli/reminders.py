"""`hia reminders send`: email people about overdue and upcoming follow-up actions (run daily)."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from hia_service.data.transaction import commit
from hia_service.notifications.email import smtp_settings
from hia_service.services.review.followup import today_uk
from hia_service.services.review.reminders import NOT_AN_ADDRESS, send_due_reminders


@click.group("reminders", help="Email reminders about follow-up actions and review dates.")
def reminders_cli() -> None:
    pass


@reminders_cli.command("send", help="Send today's reminders. Each person gets at most one email a day.")
@click.option("--dry-run", is_flag=True, help="List who would be emailed; send nothing.")
@click.option("--today", "today_text", default=None, help="Pretend today is this date (YYYY-MM-DD).")
@with_appcontext
def send_command(dry_run: bool, today_text: str | None) -> None:
    settings = smtp_settings(current_app.config)
    if settings is None and not dry_run:
        click.echo(
            "Email reminders are switched off. Set HIA_SMTP_HOST (and HIA_SMTP_FROM) to switch them on."
        )
        return
    today = _parse_day(today_text)
    run = send_due_reminders(
        today, settings, base_url=current_app.config.get("HIA_BASE_URL"), commit=commit, dry_run=dry_run
    )
    verb = "Would email" if dry_run else "Emailed"
    click.echo(f"{verb} {len(run.sent)} people; {len(run.skipped)} already had today's reminder.")
    for address in run.sent:
        click.echo(f"  {address}")
    for address in run.unusable:
        click.echo(f"Skipped {address!r}: {NOT_AN_ADDRESS}. Correct it in the person's account.", err=True)
    for address, reason in run.failed:
        click.echo(f"Could not email {address}: {reason}", err=True)
    if run.failed:
        sys.exit(1)


def _parse_day(text: str | None) -> date:
    if not text:
        return today_uk()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            "Give the date as YYYY-MM-DD, for example 2026-03-01", param_hint="--today"
        ) from None
