"""`hia export --org CODE --to FILE` and `hia import FILE`: back up and restore one organisation."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from hia_service.cli.options import organisation_option
from hia_service.data.transaction import commit
from hia_service.services.backup import archive as backup
from hia_service.services.errors import ServiceError


@click.command(
    "export",
    help="Write one organisation's records, audit log and signed PDFs to an archive, its manifest signed "
    "with the service's own signing certificate (HIA_SIGNING_P12; never one an organisation uploaded).",
)
@organisation_option
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
@click.option(
    "--unsigned",
    is_flag=True,
    help="Do not sign the manifest (when HIA_SIGNING_P12 is not set up): importing the archive then "
    "needs the sha256 this prints, given with `hia import --expect-sha256`.",
)
@with_appcontext
def export_command(
    org_code: str, out: Path, without_password_hashes: bool, force: bool, unsigned: bool
) -> None:
    try:
        summary = backup.export_organisation(
            org_code, out, password_hashes=not without_password_hashes, sign=not unsigned, replace=force
        )
        commit()  # the audit entry that records the export
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Wrote {summary.path} ({summary.bytes / 1024:.0f} KB, sha256 {summary.sha256}).")
    if summary.signed_by:
        click.echo(f"Signed the manifest with {summary.signed_by}.")
    else:
        click.echo(
            "The archive is NOT signed: keep the sha256 above; `hia import` needs it (--expect-sha256)."
        )
    _counts(summary.counts)
    if not summary.password_hashes:
        click.echo("Password hashes were left out.")
    if summary.certificate_to_upload:
        click.echo("The signing certificate uploaded in the organisation's settings was left out.")
    click.echo("Not in the archive:")
    for name, why in summary.not_exported.items():
        click.echo(f"  {name}: {why}")


@click.command(
    "import",
    help="Check an archive made by `hia export` end to end, then restore it in one go. The archive must be "
    "signed by this service's own certificate (HIA_SIGNING_P12, or in development its development "
    "certificate; never one an organisation uploaded) or one given with "
    "--trust-certificate; an unsigned archive (or one from before archives were signed) needs "
    "--expect-sha256.",
)
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
    help="The sha256 `hia export` printed (also in the exporting service's audit log): refuse other files. "
    "With it, an unsigned archive, or one signed by a certificate this service does not trust, is accepted.",
)
@click.option(
    "--trust-certificate",
    "trust_certificates",
    multiple=True,
    metavar="FILE.pem",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also trust this signing certificate (PEM or DER, public part only; can be repeated): for an "
    "archive from another service. Get it from that service's operator, not from the archive.",
)
@with_appcontext
def import_command(
    file: Path, replace: bool, expect_sha256: str | None, trust_certificates: tuple[Path, ...]
) -> None:
    try:
        moved = backup.finish_stopped_imports()
        if moved:
            click.echo(f"Moved {moved} signed PDF(s) of an earlier import that stopped part way into place.")
        summary = backup.import_archive(
            file, replace=replace, expected_sha256=expect_sha256, trust_certificates=trust_certificates
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    if summary.replaced_as:
        click.echo(f"The organisation that had the code {summary.code} is kept as {summary.replaced_as}.")
    click.echo(f"Imported {summary.code} ({summary.name}), made by hia-service {summary.made_by}:")
    _counts(summary.counts)
    click.echo(f"  documents: {summary.documents}")
    if summary.signed_by and summary.signed_by.trusted:
        click.echo(f"The manifest is signed by {summary.signed_by}, a certificate this service trusts.")
    elif summary.signed_by:
        click.echo(
            f"The manifest is signed by {summary.signed_by}, which this service does not trust; "
            "the archive was accepted because its sha256 is the one you gave."
        )
    else:
        click.echo("The archive is not signed; it was accepted because its sha256 is the one you gave.")
    proof = "the manifest's signature" if summary.signed_by else "the archive's sha256"
    click.echo(
        f"Checked before writing: {proof}, file fingerprints, the audit chain, version content hashes, "
        "PDF hashes."
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
