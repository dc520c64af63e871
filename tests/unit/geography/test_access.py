"""Access and rurality: the people affected by rural-urban class and barriers-domain decile, and who travels
further when a site moves (the tiny world of conftest.py: 1 km squares, square i has 100(i + 1) residents,
IMD and domain decile i + 1; the top row is rural)."""

from __future__ import annotations

import math

import pytest

from hia_service.domain.geography.access import TravelChange
from hia_service.domain.geography.area_profile import AreaProfile
from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.errors import AreaDefinitionError
from tests.unit.geography.conftest import POSTCODES, RUC21, SIDE, X0, Y0

NINE = {"type": "lsoa_codes", "codes": [f"E0100000{i + 1}" for i in range(9)]}


def residents(i: int) -> int:
    return 100 * (i + 1)


def pwc(i: int) -> tuple[float, float]:
    col, row = i % 3, i // 3
    return X0 + col * SIDE + SIDE / 2 + 100, Y0 + row * SIDE + SIDE / 2 + 100


def test_the_profile_gives_the_people_by_rural_urban_class(engine: GeographyEngine) -> None:
    rurality = engine.profile(NINE)["rurality"]
    people = {c["code"]: c["people"] for c in rurality["classes"]}
    for code in ("UN1", "UF1", "RLN1", "RLF1", "RSN1", "RSF1"):
        assert people[code] == sum(residents(i) for i in range(9) if RUC21[i] == code)
    assert [c["code"] for c in rurality["classes"]] == ["UN1", "UF1", "RLN1", "RLF1", "RSN1", "RSF1"]
    rural = sum(residents(i) for i in range(9) if RUC21[i].startswith("R"))
    assert rurality["rural_share"] == pytest.approx(rural / 4500)
    assert sum(c["share"] for c in rurality["classes"]) == pytest.approx(1.0, abs=1e-5)


def test_the_profile_gives_the_people_by_barriers_decile(engine: GeographyEngine) -> None:
    barriers = engine.profile({"type": "lsoa_codes", "codes": ["E01000001", "E01000002", "E01000005"]})[
        "barriers"
    ]
    assert barriers["domain"] == "barriers_to_housing_and_services"
    assert barriers["people_by_decile"] == [100, 200, 0, 0, 500, 0, 0, 0, 0, 0]
    assert barriers["share_deciles_1_2"] == pytest.approx(300 / 800)


def test_a_release_without_the_classification_has_no_rurality_but_keeps_barriers(
    engine: GeographyEngine,
) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01000001"]}, release="IoD2019")
    assert "rurality" not in profile
    assert profile["barriers"]["people_by_decile"][0] == 100


def test_rurality_and_barriers_round_trip_and_older_profiles_read_without_them(
    engine: GeographyEngine,
) -> None:
    figures = engine.profile(NINE)
    profile = AreaProfile.from_json(figures)
    assert profile.rurality is not None and profile.rurality.rural_share == figures["rurality"]["rural_share"]
    assert profile.barriers is not None and profile.barriers.share_deciles_1_2 == pytest.approx(
        300 / 4500, abs=1e-6
    )
    assert profile.to_json() == figures
    older = {k: v for k, v in figures.items() if k not in ("rurality", "barriers")}
    assert AreaProfile.from_json(older).rurality is None
    assert AreaProfile.from_json(older).to_json() == older


def test_moving_a_site_across_the_grid_shows_who_travels_further(engine: GeographyEngine) -> None:
    current, proposed = POSTCODES["AA11AA"][:2], POSTCODES["AA11AD"][:2]  # square 0 -> square 8
    change = engine.travel_change(NINE, "aa1 1aa", "AA11AD")
    before = [math.dist(pwc(i), current) / 1000 for i in range(9)]
    after = [math.dist(pwc(i), proposed) / 1000 for i in range(9)]
    weighted = sum(residents(i) * before[i] for i in range(9)) / 4500
    assert change.overall.people == 4500
    assert change.overall.mean_km_before == pytest.approx(weighted, abs=1e-3)
    assert change.overall.mean_km_after == pytest.approx(
        sum(residents(i) * after[i] for i in range(9)) / 4500, abs=1e-3
    )
    further = sum(residents(i) for i in range(9) if after[i] - before[i] > 1)
    assert change.overall.share_further_1km == pytest.approx(further / 4500, abs=1e-6)
    # Each square is its own decile: decile d is square d - 1.
    assert [r.key for r in change.by_decile] == [str(d) for d in range(1, 10)]
    assert change.by_decile[0].change_km == pytest.approx(after[0] - before[0], abs=2e-3)
    assert change.by_decile[0].change_km > 2 and change.by_decile[8].change_km < -2
    # Of deciles 1-2 (squares 0 and 1), only square 0 moves more than 1 km further away (square 1: 0.998 km).
    assert after[1] - before[1] < 1 < after[0] - before[0]
    assert change.deprived_further_share == pytest.approx(
        residents(0) / (residents(0) + residents(1)), abs=1e-6
    )
    rural = {r.key: r for r in change.by_rurality}
    assert rural["RSF1"].people == residents(7) + residents(8)
    assert rural["RSF1"].mean_km_after < rural["RSF1"].mean_km_before
    assert change.site_km_apart == pytest.approx(math.dist(current, proposed) / 1000, abs=1e-3)
    assert change.current_site == "AA1 1AA"


def test_the_travel_change_reads_back_from_its_stored_form(engine: GeographyEngine) -> None:
    change = engine.travel_change(NINE, "AA11AB", "AA11AD")
    assert TravelChange.from_json(change.to_json()) == change
    assert TravelChange.from_json({"overall": "nonsense"}) is None


@pytest.mark.parametrize(
    ("current", "proposed", "field"),
    [("ZZ99ZZ", "AA11AD", "current_site"), ("AA11AA", "not one", "proposed_site")],
)
def test_a_site_postcode_that_cannot_be_placed_names_its_question(
    engine: GeographyEngine, current: str, proposed: str, field: str
) -> None:
    with pytest.raises(AreaDefinitionError) as raised:
        engine.travel_change(NINE, current, proposed)
    assert raised.value.field == field
