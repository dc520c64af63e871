"""reference_data/manifest.yaml: what each reference file is and what it must contain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hia_service.reference.errors import ManifestError

DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / "reference_data" / "manifest.yaml"
_REQUIRED = (
    "id",
    "title",
    "release",
    "geography",
    "vintage",
    "file",
    "format",
    "row_count",
    "columns",
    "key",
    "publisher",
    "licence",
    "attribution",
    "sha256",
)


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    title: str
    release: str
    geography: str
    vintage: str
    nation: str
    file: str
    format: str  # "csv" | "geojson"
    row_count: int
    columns: tuple[str, ...]
    key: tuple[str, ...]
    key_pattern: re.Pattern[str] | None
    publisher: str
    licence: str
    attribution: str
    sha256: str
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Text columns with few distinct values (a postcode's local authority code), read as categories: as
    # Python strings, Code-Point Open's 1.7 million would hold about 100 MB through the load.
    categorical: tuple[str, ...] = ()

    def provenance(self, sha256: str) -> dict[str, Any]:
        """The database row for this file (the contract of data.reference.record_reference_load)."""
        return {
            "dataset_id": self.id,
            "release": self.release,
            "geography": self.geography,
            "file_name": self.file,
            "sha256": sha256,
            "row_count": self.row_count,
            "publisher": self.publisher,
            "licence": self.licence,
            "attribution": self.attribution,
        }


@dataclass(frozen=True)
class Manifest:
    attribution: str
    datasets: tuple[DatasetSpec, ...]

    def get(self, dataset_id: str) -> DatasetSpec:
        for spec in self.datasets:
            if spec.id == dataset_id:
                return spec
        raise ManifestError(f"The manifest has no dataset {dataset_id!r}.")


def read_manifest(path: Path = DEFAULT_MANIFEST) -> Manifest:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ManifestError(f"Cannot read the manifest {path}: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("datasets"), list):
        raise ManifestError(f"{path}: expected a mapping with a 'datasets' list.")
    specs = tuple(_spec(entry, i) for i, entry in enumerate(document["datasets"]))
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: dataset ids must be unique.")
    return Manifest(str(document.get("attribution", "")), specs)


def _spec(entry: Any, index: int) -> DatasetSpec:
    if not isinstance(entry, dict):
        raise ManifestError(f"Manifest dataset {index + 1} is not a mapping.")
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise ManifestError(f"Manifest dataset {entry.get('id', index + 1)} lacks: {', '.join(missing)}.")
    if entry["format"] not in ("csv", "geojson"):
        raise ManifestError(f"Manifest dataset {entry['id']}: format must be csv or geojson.")
    try:
        return _spec_of(entry)
    except (TypeError, ValueError, IndexError, AttributeError, re.error) as error:
        raise ManifestError(f"Manifest dataset {entry['id']} is malformed: {error}.") from None


def _spec_of(entry: dict[str, Any]) -> DatasetSpec:
    ranges = {str(k): (float(v[0]), float(v[1])) for k, v in (entry.get("ranges") or {}).items()}
    pattern = entry.get("key_pattern")
    columns, key = entry["columns"], entry["key"]
    if not (isinstance(columns, list) and isinstance(key, list) and key and set(key) <= set(columns)):
        raise ValueError("columns must be a list and key a non-empty list of some of those columns")
    if not set(ranges) <= set(columns):
        raise ValueError("ranges may only name its columns")
    categorical = entry.get("categorical") or []
    if not isinstance(categorical, list) or not set(categorical) <= set(columns) - set(key) - set(ranges):
        raise ValueError("categorical may only name its columns that are neither key nor ranged")
    return DatasetSpec(
        id=str(entry["id"]),
        title=str(entry["title"]),
        release=str(entry["release"]),
        geography=str(entry["geography"]),
        vintage=str(entry["vintage"]),
        nation=str(entry.get("nation", "")),
        file=str(entry["file"]),
        format=entry["format"],
        row_count=int(entry["row_count"]),
        columns=tuple(entry["columns"]),
        key=tuple(entry["key"]),
        key_pattern=re.compile(pattern) if pattern else None,
        publisher=str(entry["publisher"]),
        licence=str(entry["licence"]),
        attribution=str(entry["attribution"]),
        sha256=str(entry["sha256"]).lower(),
        ranges=ranges,
        categorical=tuple(str(c) for c in categorical),
    )
