"""Deprivation geography as a library: the public API of the engine and its reference-data snapshot.

    from hia_service.geography import load_engine, AreaDefinitionError

    engine = load_engine(data_dir)              # None until `hia reference load` has run
    profile = engine.profile({"type": "lad", "codes": ["E06000009"]}, release="IoD2025")

Pure: no Flask, no database. The area-definition dicts are documented in
hia_service.domain.geography.definitions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hia_service.domain.geography.area_profile import PROFILE_KEYS
from hia_service.domain.geography.definitions import (
    AREA_TYPES,
    DEFAULT_METHOD,
    METHODS,
    parse_area,
    parse_distance_km,
)
from hia_service.domain.geography.errors import (
    AreaDefinitionError,
    GeographyError,
    ReferenceDataNotLoadedError,
    ReleaseNotAvailableError,
)
from hia_service.domain.geography.files import area_from_file
from hia_service.domain.geography.releases import DEFAULT_RELEASE, RELEASES, ReleaseInfo

# The engine, shapes and snapshot code needs numpy, shapely and pyproj, imported on first use: most of the
# service only needs the errors and releases above, and should start without them.
if TYPE_CHECKING:
    from hia_service.domain.geography.engine import GeographyEngine
    from hia_service.domain.geography.shapes import Shape


def current_snapshot_id(data_dir: Path) -> str | None:
    from hia_service.reference.snapshot import current_snapshot_id

    return current_snapshot_id(data_dir)


def load_engine(data_dir: Path | str) -> GeographyEngine | None:
    from hia_service.reference.snapshot import load_engine

    return load_engine(data_dir)


def read_engine(folder: Path) -> GeographyEngine:
    from hia_service.reference.snapshot import read_engine

    return read_engine(folder)


def parse_geojson(source: Any) -> Shape:
    from hia_service.domain.geography.shapes import parse_geojson

    return parse_geojson(source)


__all__ = [
    "AREA_TYPES",
    "DEFAULT_METHOD",
    "DEFAULT_RELEASE",
    "METHODS",
    "PROFILE_KEYS",
    "RELEASES",
    "AreaDefinitionError",
    "GeographyError",
    "ReferenceDataNotLoadedError",
    "ReleaseInfo",
    "ReleaseNotAvailableError",
    "area_from_file",
    "current_snapshot_id",
    "load_engine",
    "parse_area",
    "parse_distance_km",
    "parse_geojson",
    "read_engine",
]
