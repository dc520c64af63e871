"""AreaProfile: the engine's profile as one frozen value, and its JSON form (stored and given by the API)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from hia_service.domain.geography.area_profile import AreaProfile, Place, Provenance, as_area_profile
from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.profile import PROFILE_KEYS

AREAS = [
    {"type": "lsoa_codes", "codes": ["E01000001", "E01000002"]},
    {"type": "lsoa_codes", "codes": ["E01000001", "E01000003"], "counts": [5, 7]},
    {"type": "lsoa_codes", "codes": ["E01000001", "NOT-A-CODE"]},
]


@pytest.mark.parametrize("area", AREAS)
def test_the_engines_profile_comes_back_unchanged_from_the_value(engine: GeographyEngine, area: Any) -> None:
    figures = engine.profile(area)
    assert AreaProfile.from_json(figures).to_json() == figures


def test_the_value_reads_its_figures_as_attributes(engine: GeographyEngine) -> None:
    figures = engine.profile(AREAS[0])
    profile = AreaProfile.from_json(figures)
    assert profile.core20_share == figures["core20_share"]
    assert profile.lsoa_count == 2
    assert profile.baseline.nation is not None
    assert profile.baseline.nation.core20_share == figures["baseline"]["nation"]["core20_share"]
    assert profile.nation_name == figures["baseline"]["nation"]["name"]
    assert set(profile.domains) == set(figures["domains"])


def test_a_profile_is_frozen(engine: GeographyEngine) -> None:
    profile = AreaProfile.from_json(engine.profile(AREAS[0]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.core20_share = 0.9  # type: ignore[misc]
    with pytest.raises(TypeError):
        profile.area["type"] = "lad"  # type: ignore[index]


def test_provenance_and_completeness_follow_the_engines_keys(
    engine: GeographyEngine,
) -> None:
    provenance = Provenance("IoD2025", "ref-tiny", "point_radius", {"postcode": "FY1 1AA", "radius": "5 km"})
    profile = dataclasses.replace(
        AreaProfile.from_json(engine.profile(AREAS[0])),
        provenance=provenance,
        completeness={"source": "patient list", "records": 10},
    )
    stored = profile.to_json()
    assert tuple(stored)[: len(PROFILE_KEYS)] == PROFILE_KEYS
    assert stored["provenance"]["inputs"] == {"postcode": "FY1 1AA", "radius": "5 km"}
    again = AreaProfile.from_json(stored)
    assert again == profile and again.provenance == provenance


def test_profiles_stored_before_the_value_existed_still_read() -> None:
    legacy = {"core20_share": 0.3, "baseline": {"england": {"core20_share": 0.2}}, "relative_core20": "n/a"}
    profile = AreaProfile.from_json(legacy)
    assert profile.baseline.nation == Place(core20_share=0.2)
    assert profile.nation_name == "England"
    assert profile.relative_core20 is None  # not a number: unknown, never a crash
    assert profile.provenance is None


def test_the_organisations_population_is_a_comparator_with_its_release(engine: GeographyEngine) -> None:
    profile = AreaProfile.from_json(engine.profile(AREAS[0]))
    served = AreaProfile.from_json(engine.profile(AREAS[1])).as_place("Riverside NHS Trust")
    compared = profile.compared_with_organisation(served)
    assert compared.baseline.organisation == served and profile.baseline.organisation is None
    assert compared.to_json()["baseline"]["organisation"]["name"] == "Riverside NHS Trust"
    assert compared.to_json()["baseline"]["organisation"]["release"] == profile.release


def test_either_form_is_accepted_at_the_entry_points(engine: GeographyEngine) -> None:
    figures = engine.profile(AREAS[0])
    value = AreaProfile.from_json(figures)
    assert as_area_profile(figures) == value
    assert as_area_profile(value) is value
    assert as_area_profile(None) is None


def test_a_rows_stored_profile_is_read_once_for_as_long_as_it_holds_it(engine: GeographyEngine) -> None:
    from hia_service.data.models import Assessment, AssessmentVersion

    first = engine.profile({"type": "lsoa_codes", "codes": ["E01000001"]})
    second = engine.profile({"type": "lsoa_codes", "codes": ["E01000002"]})
    for row in (Assessment(profile=first), AssessmentVersion(profile=first)):
        read = row.area_profile
        assert read == AreaProfile.from_json(first)
        assert row.area_profile is read  # not read from the JSON again
        row.profile = second  # a new profile is a new JSON value
        assert row.area_profile == AreaProfile.from_json(second) != read
        row.profile = None
        assert row.area_profile is None


def test_figures_of_the_wrong_kind_are_read_as_missing() -> None:
    stored = {"release": "IoD2025", "population": True, "core20_share": float("nan"), "lsoa_count": 3}
    stored["mean_imd_score"] = "12.5"
    profile = AreaProfile.from_json({**stored, "population_by_decile": [1, 2.5, None, False, "3"]})
    assert profile.population is None and profile.core20_share is None and profile.mean_imd_score is None
    assert profile.lsoa_count == 3
    assert profile.population_by_decile == (1, 2.5, None, None, None)
