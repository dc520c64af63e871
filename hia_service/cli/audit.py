"""`hia audit verify`: check that nobody has altered, inserted or deleted audit entries."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from hia_service.data.audit import verify_audit_log
from hia_service.data.audit_head import has_entry_hash, latest_entry


@click.group("audit", help="The append-only audit log.")
def audit_cli() -> None:
    pass


@audit_cli.command("verify", help="Check every entry's hash and its link to the entry before it.")
@click.option(
    "--head",
    "noted_head",
    default=None,
    help="A latest hash noted from an earlier run: also detects entries deleted from the end of the log.",
)
@with_appcontext
def verify_command(noted_head: str | None) -> None:
    count, problems = verify_audit_log()
    messages = [f"Entry {p.entry_id}: {p.problem}" for p in problems]
    if noted_head and not has_entry_hash(noted_head):
        messages.append(
            f"The entry with hash {noted_head} is missing: entries were deleted from the end of the log "
            "(or the hash was copied wrongly)."
        )
    for line in messages:
        click.echo(line, err=True)
    if messages:
        click.echo(
            f"The audit log has been tampered with: {len(messages)} problem(s) in {count} entries.", err=True
        )
        sys.exit(1)
    click.echo(f"Checked {count} entries: the chain is intact.")
    latest = latest_entry()
    if latest:
        click.echo(f"Latest entry {latest[0]}, hash {latest[1]}. Note it to check for deletions next time.")
