"""`hia export --org CODE --to FILE` and `hia import FILE`: back up and restore one organisation."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from hia_service.data.transaction import commit
from hia_service.services import backup
from hia_service.services.errors import ServiceError


@click.command("export", help="Write one organisation's records, audit log and signed PDFs to an archive.")
@click.option("--org", "org_code", required=True, help="The organisation's code (ODS code), e.g. RXA.")
@click.option(
    "--to",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .tar.gz to write.",
)
@click.option(
    "--without-password-hashes",
    is_flag=True,
    help="Leave out password hashes: after import people sign in with single sign-on or a reset password.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def export_command(org_code: str, out: Path, without_password_hashes: bool, force: bool) -> None:
    if out.exists() and not force:
        raise click.ClickException(f"{out} already exists. Use --force to replace it.")
    try:
        summary = backup.export_organisation(org_code, out, password_hashes=not without_password_hashes)
        commit()  # the audit entry that records the export
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Wrote {summary.path} ({summary.bytes / 1024:.0f} KB, sha256 {summary.sha256}).")
    _counts(summary.counts)
    if not summary.password_hashes:
        click.echo("Password hashes were left out.")
    if summary.certificate_to_upload:
        click.echo("The signing certificate uploaded in the organisation's settings was left out.")
    click.echo("Not in the archive:")
    for name, why in summary.not_exported.items():
        click.echo(f"  {name}: {why}")


@click.command("import", help="Check an archive made by `hia export` end to end, then restore it in one go.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="If the organisation's code is already taken here, keep that organisation under another code "
    "(its people can no longer sign in) and import the archive in its place.",
)
@click.option(
    "--expect-sha256",
    metavar="HASH",
    help="The sha256 `hia export` printed (also in the exporting service's audit log): refuse other files.",
)
@with_appcontext
def import_command(file: Path, replace: bool, expect_sha256: str | None) -> None:
    try:
        summary = backup.import_archive(file, replace=replace, expected_sha256=expect_sha256)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    if summary.replaced_as:
        click.echo(f"The organisation that had the code {summary.code} is kept as {summary.replaced_as}.")
    click.echo(f"Imported {summary.code} ({summary.name}), made by hia-service {summary.made_by}:")
    _counts(summary.counts)
    click.echo(f"  documents: {summary.documents}")
    click.echo(
        "Checked before writing: file fingerprints, the audit chain, version content hashes, PDF hashes."
    )
    if summary.reference_releases:
        click.echo(f"Reference data the assessments were made with: {', '.join(summary.reference_releases)}.")
    if summary.unmapped_references:
        click.echo(
            f"{summary.unmapped_references} audit entries name something not in the archive; "
            "their subject is kept as it was."
        )
    if not summary.password_hashes:
        click.echo("The archive has no password hashes: people need a new password or single sign-on.")
    if summary.certificate_to_upload:
        click.echo(backup.UPLOAD_AGAIN)


def _counts(counts: dict[str, int]) -> None:
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")
