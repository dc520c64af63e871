"""Load the reference data: check every file, build the snapshot, record provenance, then switch to it.

The order is what keeps a failed load harmless: nothing is written until every file passes its checks;
the snapshot is built in a temporary folder and renamed into place; the CURRENT pointer moves only after the
caller has committed the provenance rows. Loading the same files twice builds nothing new.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hia_service.reference.build import build, settle
from hia_service.reference.checks import check_all, sha256_of
from hia_service.reference.manifest import Manifest, read_manifest
from hia_service.reference.memory import release_freed_memory
from hia_service.reference.snapshot import (
    activate,
    current_snapshot_id,
    install,
    is_complete,
    read_engine,
    remove_abandoned_builds,
    snapshot_id_for,
)

BUILD_STEPS = 5  # the messages build() reports
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PreparedLoad:
    snapshot_id: str
    path: Path
    datasets: list[dict[str, Any]]  # provenance, one per file (see DatasetSpec.provenance)
    already_current: bool
    built: bool  # False when an identical snapshot already existed


def total_steps(manifest: Manifest) -> int:
    """How many progress messages a full load reports (files checked, build stages, write, verify)."""
    return len(manifest.datasets) + BUILD_STEPS + 2


def prepare(
    source_dir: Path,
    data_dir: Path,
    manifest: Manifest | None = None,
    progress: Progress | None = None,
    notice: Progress | None = None,
) -> PreparedLoad:
    """Check all files and build (or find) their snapshot. Does not make it current.

    First removes what loads that were stopped part way left behind, telling `notice` in one line."""
    manifest = manifest or read_manifest()
    say = progress or (lambda _message: None)
    abandoned = remove_abandoned_builds(Path(data_dir))
    if abandoned and notice is not None:
        notice(
            f"Removed {len(abandoned)} unfinished snapshot folder(s) left by a reference load that "
            f"stopped part way: {', '.join(abandoned)}."
        )
    snapshot_id, datasets, built = _check_and_build(manifest, Path(source_dir), Path(data_dir), say)
    path = Path(data_dir) / "reference" / "snapshots" / snapshot_id
    say("Checking the snapshot reads back")
    _verify(path, manifest)
    return PreparedLoad(
        snapshot_id, path, datasets, current_snapshot_id(Path(data_dir)) == snapshot_id, built
    )


def _check_and_build(
    manifest: Manifest, source_dir: Path, data_dir: Path, say: Progress
) -> tuple[str, list[dict[str, Any]], bool]:
    """Check the files and write their snapshot unless it exists: (snapshot id, provenance, built).
    A function of its own so that the files read and the arrays built from them are let go before the
    snapshot is read back (held through the read-back, they made the load's peak memory)."""
    known = _built_before(manifest, source_dir, data_dir)
    if known is not None:
        return known
    files = check_all(manifest, source_dir, say, settle)
    snapshot_id = snapshot_id_for({dataset_id: f.sha256 for dataset_id, f in files.items()})
    datasets = [spec.provenance(files[spec.id].sha256) for spec in manifest.datasets]
    built = not is_complete(data_dir, snapshot_id)
    if built:
        derived = build(files, say)
        files.clear()  # the files' tables and geometry: the snapshot is written from the derived arrays
        release_freed_memory()
        say("Writing the snapshot")
        install(derived, data_dir, snapshot_id, {"attribution": manifest.attribution, "datasets": datasets})
    return snapshot_id, datasets, built


def _built_before(
    manifest: Manifest, source_dir: Path, data_dir: Path
) -> tuple[str, list[dict[str, Any]], bool] | None:
    """(snapshot id, provenance, False) when every file is byte for byte the one the manifest names (its
    sha256, about 45 MB to read) and the snapshot built from them is already complete: those very files
    passed every check when it was built, so reading and checking them again (about 8 s) would find
    nothing new. None otherwise, and the files are checked in full."""
    digests = {}
    for spec in manifest.datasets:
        path = source_dir / spec.file
        if not path.is_file() or (digest := sha256_of(path)) != spec.sha256:
            return None
        digests[spec.id] = digest
    snapshot_id = snapshot_id_for(digests)
    if not is_complete(data_dir, snapshot_id):
        return None
    return snapshot_id, [spec.provenance(digests[spec.id]) for spec in manifest.datasets], False


def _verify(path: Path, manifest: Manifest) -> None:
    engine = read_engine(path)
    for release_id, table in engine.releases.items():
        spec = next(s for s in manifest.datasets if s.release == release_id)
        if table.n_areas != spec.row_count:
            raise RuntimeError(
                f"Snapshot {path.name}: {release_id} has {table.n_areas} rows, not {spec.row_count}."
            )


def load_reference(
    source_dir: Path,
    data_dir: Path,
    *,
    record: Callable[[PreparedLoad], None] | None = None,
    manifest: Manifest | None = None,
    progress: Progress | None = None,
    notice: Progress | None = None,
) -> tuple[PreparedLoad, float]:
    """Prepare, let `record` store and commit provenance, then make the snapshot current.

    Returns the prepared load and the seconds it took."""
    started = time.perf_counter()
    prepared = prepare(source_dir, data_dir, manifest, progress, notice)
    if record is not None:
        record(prepared)
    activate(Path(data_dir), prepared.snapshot_id)
    return prepared, time.perf_counter() - started
