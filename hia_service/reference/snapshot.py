"""The derived snapshot on disk, and reading it back into a GeographyEngine.

    <HIA_DATA_DIR>/reference/
      CURRENT                       the id of the snapshot in use (switched atomically with os.replace)
      snapshots/<id>/
        snapshot.json               id, format version, created at, attribution, provenance of every file
        geo/<lsoa21|lsoa11>/        codes.npy, rep_xy.npy, bbox.npy, area_m2.npy, wkb.npy + wkb_offsets.npy
                                    (British National Grid); lsoa21 also pwc_xy.npy, ruc21_code.npy,
                                    ward24_code.npy, map_wkb.npy + map_wkb_offsets.npy (BSC, for maps)
        vintage/                    lsoa11.npy, lsoa21.npy (ONS 2011 -> 2021 lookup pairs)
        postcodes/                  keys.npy (S7, sorted), x.npy, y.npy, nation.npy, lsoa21.npy, lsoa11.npy
        releases/<release id>/      codes.npy, population.npy, imd_*.npy, domain_*.npy, geo_row.npy,
                                    group_<kind>.npy, groups.json, meta.json

Only numpy .npy files (no pickles) and JSON. A snapshot is built in a temporary folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.releases import RELEASES
from hia_service.domain.geography.tables import (
    Geography,
    GroupTable,
    PostcodeIndex,
    ReleaseTable,
    ShapeStore,
    VintageLookup,
)

if TYPE_CHECKING:  # the service reads snapshots without importing pandas and the build code
    from hia_service.reference.build import Built, ReleaseData

FORMAT_VERSION = 2
GEOGRAPHY_LABELS = {"lsoa21": "LSOA 2021", "lsoa11": "LSOA 2011"}


def reference_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "reference"


def snapshots_dir(data_dir: Path) -> Path:
    return reference_dir(data_dir) / "snapshots"


def snapshot_id_for(checksums: dict[str, str]) -> str:
    """Same files + same format = same id, which makes loading idempotent."""
    text = f"format={FORMAT_VERSION};" + ";".join(f"{k}={checksums[k]}" for k in sorted(checksums))
    return "ref-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def current_snapshot_id(data_dir: Path) -> str | None:
    try:
        value = (reference_dir(data_dir) / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def is_complete(data_dir: Path, snapshot_id: str) -> bool:
    meta = snapshots_dir(data_dir) / snapshot_id / "snapshot.json"
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("snapshot_id") == snapshot_id
    except (OSError, ValueError):
        return False


def activate(data_dir: Path, snapshot_id: str) -> None:
    """Point CURRENT at a snapshot, atomically: readers see the old id or the new one, never a mix."""
    if not is_complete(data_dir, snapshot_id):
        raise FileNotFoundError(f"Snapshot {snapshot_id} is not complete; it cannot be made current.")
    pending = reference_dir(data_dir) / f"CURRENT.{os.getpid()}.tmp"
    pending.write_text(snapshot_id + "\n", encoding="utf-8")
    os.replace(pending, reference_dir(data_dir) / "CURRENT")


BUILDING_PREFIX = ".building-"  # then the snapshot id, "-" and the id of the process writing it


def remove_abandoned_builds(data_dir: Path) -> list[str]:
    """Remove the half-written snapshot folders of loads that stopped part way (killed, or the machine went
    down), and return their names. A folder is kept while the process that is writing it is still running.

    Each server builds its own snapshots, or mounts a shared folder read-only (docs/deployment.md), so the
    process id in a folder's name is that of a process on this machine."""
    folder = snapshots_dir(data_dir)
    removed = []
    for path in sorted(folder.glob(f"{BUILDING_PREFIX}*")) if folder.is_dir() else []:
        pid = path.name.rpartition("-")[2]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, running
        return True
    return True


def install(built: Built, data_dir: Path, snapshot_id: str, meta: dict[str, Any]) -> Path:
    """Write a snapshot to a temporary folder, then rename it into place (a no-op if it already exists)."""
    final = snapshots_dir(data_dir) / snapshot_id
    if is_complete(data_dir, snapshot_id):
        return final
    snapshots_dir(data_dir).mkdir(parents=True, exist_ok=True)
    temp = snapshots_dir(data_dir) / f"{BUILDING_PREFIX}{snapshot_id}-{os.getpid()}"
    shutil.rmtree(temp, ignore_errors=True)
    try:
        _write(built, temp)
        document = {
            "snapshot_id": snapshot_id,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **meta,
        }
        (temp / "snapshot.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)  # an incomplete leftover from an interrupted run
        os.rename(temp, final)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return final


def _save(folder: Path, name: str, array: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / f"{name}.npy", np.asarray(array), allow_pickle=False)


def _write(built: Built, root: Path) -> None:
    for key, polygons in built.geographies.items():
        folder = root / "geo" / key
        wkb, offsets = polygons.wkb()
        for name, array in (
            ("codes", polygons.codes),
            ("rep_xy", polygons.rep_xy()),
            ("bbox", polygons.bbox()),
            ("area_m2", np.asarray([g.area for g in polygons.geometry])),
            ("wkb", wkb),
            ("wkb_offsets", offsets),
        ):
            _save(folder, name, array)
    _save(root / "geo" / "lsoa21", "pwc_xy", built.pwc_xy)
    if built.map_shapes is not None:
        wkb, offsets = built.map_shapes.wkb()
        _save(root / "geo" / "lsoa21", "map_wkb", wkb)
        _save(root / "geo" / "lsoa21", "map_wkb_offsets", offsets)
    for name, array in built.extras.items():
        _save(root / "geo" / "lsoa21", name, array)
    for name, array in built.vintage.items():
        _save(root / "vintage", name, array)
    for name, array in built.postcodes.items():
        _save(root / "postcodes", name, array)
    for release_id, release in built.releases.items():
        _write_release(root / "releases" / release_id, release)


def _write_release(folder: Path, release: ReleaseData) -> None:
    for name in (
        "codes",
        "population",
        "imd_score",
        "imd_rank",
        "imd_decile",
        "domain_score",
        "domain_decile",
    ):
        _save(folder, name, getattr(release, name))
    if release.geo_row is not None:
        _save(folder, "geo_row", release.geo_row)
    groups = {}
    for kind, group in release.groups.items():
        _save(folder, f"group_{kind}", group.index)
        groups[kind] = {
            "vintage": group.vintage,
            "codes": group.codes,
            "names": group.names,
            "nhs_codes": group.nhs_codes,
        }
    (folder / "groups.json").write_text(json.dumps(groups), encoding="utf-8")
    meta = {"has_population": release.has_population, "geography": release.geography}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def load_engine(data_dir: Path | str) -> GeographyEngine | None:
    """The engine for the current snapshot, or None when no reference data has been loaded yet."""
    snapshot_id = current_snapshot_id(Path(data_dir))
    if snapshot_id is None:
        return None
    return read_engine(snapshots_dir(Path(data_dir)) / snapshot_id)


def read_engine(folder: Path) -> GeographyEngine:
    meta = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    geographies = {
        key: _read_geography(folder / "geo" / key, key)
        for key in GEOGRAPHY_LABELS
        if (folder / "geo" / key).is_dir()
    }
    releases = {}
    for release_dir in sorted((folder / "releases").iterdir()):
        if release_dir.name in RELEASES:
            releases[release_dir.name] = _read_release(release_dir, geographies)
    return GeographyEngine(
        releases=releases,
        geographies=geographies,
        postcodes=_read_postcodes(folder / "postcodes"),
        vintages=VintageLookup(_load(folder / "vintage", "lsoa11"), _load(folder / "vintage", "lsoa21")),
        snapshot_id=meta["snapshot_id"],
        attribution=meta.get("attribution", ""),
    )


def _load(folder: Path, name: str, mmap: bool = False) -> Any:
    return np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False)


def _read_geography(folder: Path, key: str) -> Geography:
    shapes = ShapeStore(
        _load(folder, "wkb", mmap=True), _load(folder, "wkb_offsets"), _load(folder, "area_m2")
    )
    pwc = _load(folder, "pwc_xy") if (folder / "pwc_xy.npy").exists() else None
    maps = None
    if (folder / "map_wkb.npy").exists():
        maps = ShapeStore(_load(folder, "map_wkb", mmap=True), _load(folder, "map_wkb_offsets"), np.zeros(0))
    codes, rep_xy, bbox = (_load(folder, name) for name in ("codes", "rep_xy", "bbox"))
    # Snapshots built before the classification was stored simply have no rurality.
    ruc = _load(folder, "ruc21_code") if (folder / "ruc21_code.npy").exists() else None
    return Geography(key, GEOGRAPHY_LABELS[key], codes, rep_xy, bbox, shapes, pwc, maps, ruc)


def _read_release(folder: Path, geographies: dict[str, Geography]) -> ReleaseTable:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    groups_doc = json.loads((folder / "groups.json").read_text(encoding="utf-8"))
    groups = {
        kind: GroupTable(kind, g["vintage"], tuple(g["codes"]), tuple(g["names"]), tuple(g["nhs_codes"]))
        for kind, g in groups_doc.items()
    }
    geography = geographies.get(meta["geography"]) if meta["geography"] else None
    return ReleaseTable(
        info=RELEASES[folder.name],
        codes=_load(folder, "codes"),
        population=_load(folder, "population"),
        has_population=meta["has_population"],
        imd_score=_load(folder, "imd_score"),
        imd_rank=_load(folder, "imd_rank"),
        imd_decile=_load(folder, "imd_decile"),
        domain_score=_load(folder, "domain_score"),
        domain_decile=_load(folder, "domain_decile"),
        groups=groups,
        group_of={kind: _load(folder, f"group_{kind}") for kind in groups},
        geography=geography,
        geo_row=_load(folder, "geo_row") if geography is not None else None,
    )


def _read_postcodes(folder: Path) -> PostcodeIndex | None:
    if not folder.is_dir():
        return None
    return PostcodeIndex(*(_load(folder, name) for name in ("keys", "x", "y", "nation", "lsoa21", "lsoa11")))
