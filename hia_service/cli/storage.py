"""`hia storage check`: prove the document storage (HIA_STORAGE_URL, or the folder under HIA_DATA_DIR) works
from this server, e.g. after deployment or a change of bucket or credentials."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from hia_service.services.documents import storage


@click.group("storage", help="Where signed and drawn PDFs are kept (HIA_STORAGE_URL).")
def storage_cli() -> None:
    pass


@storage_cli.command("check", help="Write a small file to document storage and read it back.")
@with_appcontext
def check_cmd() -> None:
    try:
        where = storage.check()
    except storage.StorageError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Document storage works: {where}")
