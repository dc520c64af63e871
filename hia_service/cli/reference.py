"""`hia reference load` and `hia reference status`: load the reference data and see what is loaded."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from hia_service.data.reference import current_reference_datasets, record_reference_load
from hia_service.data.transaction import commit
from hia_service.reference.errors import ManifestError, ReferenceDataError
from hia_service.reference.loader import PreparedLoad, load_reference, total_steps
from hia_service.reference.manifest import DEFAULT_MANIFEST, read_manifest
from hia_service.reference.snapshot import current_snapshot_id


@click.group(
    "reference", help="Load the reference data (deprivation indices, boundaries, postcodes) and check it."
)
def reference_cli() -> None:
    pass


@reference_cli.command("load", help="Check every file the manifest lists, then load them all (or nothing).")
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the reference files (default: HIA_REFERENCE_DIR).",
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The manifest describing the files (default: reference_data/manifest.yaml).",
)
@with_appcontext
def load_command(source: Path | None, manifest_path: Path | None) -> None:
    source = source or Path(current_app.config["HIA_REFERENCE_DIR"])
    data_dir = Path(current_app.config["HIA_DATA_DIR"])
    try:
        manifest = read_manifest(manifest_path or DEFAULT_MANIFEST)
    except ManifestError as error:
        raise click.ClickException(str(error)) from None
    current_reference_datasets()  # a database not yet set up is said now, not after the load's work
    changed: list[bool] = []

    def record(prepared: PreparedLoad) -> None:
        before = {row.snapshot_id for row in current_reference_datasets()}
        record_reference_load(prepared.snapshot_id, prepared.datasets)
        commit()
        changed.append(before != {prepared.snapshot_id} or prepared.built)

    steps = total_steps(manifest)
    with tqdm(total=steps, desc="Loading reference data", unit="step", file=sys.stderr) as bar:

        def progress(message: str) -> None:
            bar.set_postfix_str(message, refresh=False)
            bar.update(1)

        try:
            prepared, seconds = load_reference(
                source, data_dir, record=record, manifest=manifest, progress=progress, notice=tqdm.write
            )
        except ReferenceDataError as error:
            bar.close()
            raise click.ClickException(str(error)) from None
        bar.update(steps - bar.n)
    if changed and not changed[0]:
        click.echo(
            f"The reference data is already loaded (snapshot {prepared.snapshot_id}); nothing changed."
        )
        return
    count = len(prepared.datasets)
    click.echo(f"Loaded {count} reference files as snapshot {prepared.snapshot_id} in {seconds:.1f} s.")


@reference_cli.command(
    "status", help="List the reference files that are loaded, with their releases and checksums."
)
@with_appcontext
def status_command() -> None:
    rows = current_reference_datasets()
    snapshot = current_snapshot_id(Path(current_app.config["HIA_DATA_DIR"]))
    if not rows:
        click.echo("No reference data is loaded yet. Run: hia reference load")
        return
    recorded = {row.snapshot_id for row in rows}
    click.echo(f"Snapshot in use: {snapshot or 'none'}; loaded {rows[0].loaded_at:%Y-%m-%d %H:%M} UTC")
    if snapshot not in recorded:
        click.echo(
            f"Warning: the database records snapshot {', '.join(sorted(recorded))}, but the service is using "
            f"{snapshot or 'none'}. Run `hia reference load` again.",
            err=True,
        )
    click.echo(f"{'dataset':24} {'release':22} {'geography':22} {'rows':>10}  sha256")
    for row in rows:
        click.echo(
            f"{row.dataset_id:24} {row.release:22} {row.geography:22} {row.row_count:>10,}  {row.sha256[:16]}"
        )
