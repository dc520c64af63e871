"""The engine keeps the profiles of areas asked for lately (issue 23): the same area again gets the same
profile without building it again, each call a copy of its own; a patient list of postcodes is never kept."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import shapely

from hia_service.domain.geography import engine as engine_module
from hia_service.domain.geography.engine import GeographyEngine
from hia_service.reference.snapshot import read_engine
from tests.unit.geography.conftest import bng_geojson, square


@pytest.fixture
def fresh(tiny_dir: Path) -> GeographyEngine:
    return read_engine(tiny_dir / "reference" / "snapshots" / "ref-tiny")


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kind of each area whose profile is built from now on."""
    kinds: list[str] = []
    real = engine_module.build_profile

    def counted(table: Any, selection: Any, *args: Any) -> dict[str, Any]:
        kinds.append(str(selection.echo.get("type")))
        return real(table, selection, *args)

    monkeypatch.setattr(engine_module, "build_profile", counted)
    return kinds


AREAS: list[dict[str, Any]] = [
    {"type": "lsoa_codes", "codes": ["E01000001", "E01000002"]},
    {"type": "lsoa_codes", "codes": ["E01000001", "E01000002"], "counts": [3, 1]},
    {"type": "lad", "codes": ["E06000002"]},
    {"type": "point_radius", "postcode": "AA1 1AB", "radius_km": 1.2},
    {"type": "point_radius", "postcode": "AA1 1AB", "radius_km": 1.3},
    {"type": "geojson", "geojson": bng_geojson(square(0)), "method": "centroid"},
    {"type": "geojson", "geojson": bng_geojson(square(0)), "method": "area"},
]


def test_each_area_is_built_once_and_answered_the_same_again(
    fresh: GeographyEngine, built: list[str]
) -> None:
    usable = [(area, fresh.profile(area)) for area in AREAS]
    first_builds = len(built)
    assert first_builds == len(AREAS)
    for area, first in usable:
        assert fresh.profile(area) == first
    assert len(built) == first_builds  # nothing built again
    assert len({repr(profile) for _, profile in usable}) == len(usable)  # no two areas share a profile


def test_each_call_gets_a_profile_of_its_own(fresh: GeographyEngine) -> None:
    area = {"type": "lsoa_codes", "codes": ["E01000001"]}
    first = fresh.profile(area)
    expected = fresh.profile(area)
    first["notes"].append("changed by a caller")
    first["baseline"]["nation"]["population"] = -1
    first["population"] = 0
    assert fresh.profile(area) == expected


def test_another_release_is_another_profile(fresh: GeographyEngine) -> None:
    area = {"type": "lsoa_codes", "codes": ["E01000001"]}
    assert fresh.profile(area, release="IoD2025")["release"] == "IoD2025"
    assert fresh.profile(area, release="IoD2019")["release"] == "IoD2019"


def test_a_patient_list_is_built_every_time(fresh: GeographyEngine, built: list[str]) -> None:
    patients = {"type": "postcodes", "postcodes": ["AA1 1AA", "AA1 1AB"]}
    assert fresh.profile(patients) == fresh.profile(patients)
    assert built == ["postcodes", "postcodes"]


def test_forgotten_profiles_are_built_again(fresh: GeographyEngine, built: list[str]) -> None:
    area = {"type": "lad", "codes": ["E06000002"]}
    fresh.profile(area)
    fresh.forget_profiles()
    fresh.profile(area)
    assert len(built) == 2


def test_keeping_none_builds_every_profile_and_works_out_no_key(
    fresh: GeographyEngine, built: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key costs something for a large shape (its digest), so none is worked out when none is kept."""
    keys: list[object] = []
    real = engine_module._kept_key
    monkeypatch.setattr(engine_module, "_kept_key", lambda *args: keys.append(args) or real(*args))
    fresh.keep_profiles(0)
    area = {"type": "geojson", "geojson": bng_geojson(square(0))}
    assert fresh.profile(area) == fresh.profile(area)
    assert built == ["geojson", "geojson"] and keys == []
    fresh.keep_profiles(4)
    fresh.profile(area)
    fresh.profile(area)
    assert built == ["geojson"] * 3 and len(keys) == 2


def test_a_shape_with_one_point_moved_is_another_area(fresh: GeographyEngine, built: list[str]) -> None:
    shape = bng_geojson(square(0))
    points = list(square(0).exterior.coords)
    points[1] = (points[1][0] + 1e-6, points[1][1])
    moved = bng_geojson(shapely.Polygon(points))
    fresh.profile({"type": "geojson", "geojson": shape})
    fresh.profile({"type": "geojson", "geojson": moved})
    fresh.profile({"type": "geojson", "geojson": copy.deepcopy(shape)})  # the same shape, built anew
    assert built == ["geojson", "geojson"]
