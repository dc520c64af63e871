"""Profiles of the tiny hand-made world (see conftest.py): every area type, every method, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.errors import AreaDefinitionError, ReleaseNotAvailableError
from hia_service.domain.geography.profile import OPTIONAL_KEYS, PROFILE_KEYS
from hia_service.domain.geography.shapes import Circle, to_wgs84
from hia_service.domain.geography.spatial import outside_release
from tests.unit.geography.conftest import SIDE, X0, Y0, bng_geojson, square

NATION_POPULATION = 100 * sum(range(1, 10))  # 4,500 residents in the nine English squares


def test_profile_has_exactly_the_agreed_keys(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01000001"]})
    assert tuple(profile) == (*PROFILE_KEYS, *OPTIONAL_KEYS)
    assert profile["release"] == "IoD2025"
    assert profile["geography"] == "LSOA 2021 (England)"


def test_lsoa_codes_are_weighted_by_residents(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01000001", "e01000002 "]})
    assert profile["lsoa_count"] == 2
    assert profile["population"] == 300
    assert profile["population_by_decile"] == [100, 200, 0, 0, 0, 0, 0, 0, 0, 0]
    assert profile["core20_share"] == 1
    assert profile["mean_imd_score"] == pytest.approx((50 * 100 + 45 * 200) / 300, abs=1e-4)
    assert profile["mean_imd_rank"] == pytest.approx((9 * 100 + 8 * 200) / 300, abs=0.01)  # N = 9, inverted
    assert profile["share_lsoas_most_deprived_10pct"] == 0.5
    # fractional ranks 50/4500 and 200/4500: CI = 2 * (100 * R1 + 200 * R2) / 300 - 1
    expected_ci = 2 * (100 * 50 / 4500 + 200 * 200 / 4500) / 300 - 1
    assert profile["concentration_index"] == pytest.approx(expected_ci, abs=1e-6)
    assert profile["relative_core20"] == pytest.approx(1 / (300 / NATION_POPULATION), abs=1e-5)


def test_nation_baseline_is_the_whole_index(engine: GeographyEngine) -> None:
    nation = engine.profile({"type": "lsoa_codes", "codes": ["E01000001"]})["baseline"]["nation"]
    assert nation["name"] == "England" and nation["population"] == NATION_POPULATION
    assert nation["concentration_index"] == 0
    assert nation["share_lsoas_most_deprived_10pct"] == pytest.approx(1 / 9, abs=1e-6)


def test_repeated_codes_count_once_for_residents(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01000001", "E01000001"]})
    assert profile["population"] == 100
    assert any("repeated" in note for note in profile["notes"])


def test_codes_with_counts_profile_the_people_listed(engine: GeographyEngine) -> None:
    area = {"type": "lsoa_codes", "codes": ["E01000001", "E01000009", "E01000001"], "counts": [2, 1, 3]}
    profile = engine.profile(area)
    assert profile["population"] == 6
    assert profile["population_by_decile"][0] == 5 and profile["population_by_decile"][8] == 1
    assert profile["lsoa_count"] == 2
    assert profile["share_lsoas_most_deprived_10pct"] == 0.5  # areas, not people
    assert "counts supplied" in profile["method"]["weights"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("W01000001", "WIMD2019"),
        ("S01000001", "SIMD2020"),
        ("E01090009", "became E01000009"),
        ("E01999999", "not a known LSOA 2021 code"),
        ("JUNK", "not a small-area code"),
    ],
)
def test_unknown_codes_are_listed_with_a_reason(engine: GeographyEngine, code: str, reason: str) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01000001", code]})
    assert profile["population"] == 100
    [entry] = profile["unmatched"]
    assert entry["code"] == code and reason in entry["reason"]


def test_a_postcode_in_a_code_list_is_masked_everywhere(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01000001", "FY1 1AA"]})
    assert profile["unmatched"] == [
        {"code": "FY1 1**", "count": 1, "reason": profile["unmatched"][0]["reason"]}
    ]
    assert "postcode list" in profile["unmatched"][0]["reason"]
    assert "FY1 1AA" not in json.dumps(profile)


def test_no_usable_code_is_an_error_not_an_empty_profile(engine: GeographyEngine) -> None:
    with pytest.raises(AreaDefinitionError, match="W01000001") as raised:
        engine.profile({"type": "lsoa_codes", "codes": ["W01000001"]})
    assert raised.value.field == "area.codes"


def test_local_authority_uses_the_lookup_and_names_its_vintage(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "lad", "code": "E06000002"})
    assert profile["lsoa_count"] == 3 and profile["population"] == 300 + 600 + 900
    assert profile["area"] == {
        "type": "lad",
        "codes": ["E06000002"],
        "names": ["East"],
        "vintage": "test lookup",
    }
    assert [la["code"] for la in profile["baseline"]["local_authorities"]] == ["E06000002"]
    assert profile["baseline"]["local_authorities"][0]["population"] == 1800
    assert [icb["code"] for icb in profile["baseline"]["icbs"]] == ["E54000001"]


def test_icb_by_nhs_code(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "icb", "codes": ["qaa"]})
    assert profile["lsoa_count"] == 9 and profile["population"] == NATION_POPULATION
    assert profile["concentration_index"] == pytest.approx(0, abs=1e-9)


def test_icb_code_given_as_a_local_authority_gets_a_hint(engine: GeographyEngine) -> None:
    with pytest.raises(AreaDefinitionError, match=r"use area type 'icb'"):
        engine.profile({"type": "lad", "codes": ["E54000001"]})


def test_shape_on_lsoa_boundaries_gives_the_same_answer_by_centroid_and_area(engine: GeographyEngine) -> None:
    column = shapely.union_all([square(0), square(3), square(6)])
    by_centroid = engine.profile({"type": "geojson", "geojson": bng_geojson(column)})
    by_area = engine.profile({"type": "geojson", "geojson": bng_geojson(column), "method": "area"})
    assert by_centroid["population"] == by_area["population"] == 100 + 400 + 700
    assert by_centroid["lsoa_count"] == by_area["lsoa_count"] == 3
    for key in ("population_by_decile", "mean_imd_score", "mean_imd_rank", "concentration_index"):
        assert by_centroid[key] == by_area[key]
    assert by_area["method"]["selection"] == "area"


def test_area_method_apportions_by_area(engine: GeographyEngine) -> None:
    left_half = shapely.box(X0, Y0, X0 + SIDE / 2, Y0 + SIDE)
    profile = engine.profile({"type": "geojson", "geojson": bng_geojson(left_half)}, method="area")
    assert profile["population"] == 50 and profile["lsoa_count"] == 1
    with pytest.raises(AreaDefinitionError, match="centre"):  # its centre is on the edge, not inside
        engine.profile({"type": "geojson", "geojson": bng_geojson(shapely.box(X0, Y0, X0 + 400, Y0 + 400))})


def test_pwc_method_uses_population_weighted_centroids(engine: GeographyEngine) -> None:
    corner = shapely.box(X0 + 550, Y0 + 550, X0 + 1000, Y0 + 1000)  # holds square 0's PWC, not its centre
    profile = engine.profile({"type": "geojson", "geojson": bng_geojson(corner), "method": "pwc"})
    assert profile["area"]["method"] == "pwc" and profile["population"] == 100


def test_wgs84_geojson_is_projected(engine: GeographyEngine) -> None:
    lon, lat = to_wgs84(np.array([X0 + 100, X0 + 2900]), np.array([Y0 + 100, Y0 + 2900]))
    ring = [[lon[0], lat[0]], [lon[1], lat[0]], [lon[1], lat[1]], [lon[0], lat[1]], [lon[0], lat[0]]]
    profile = engine.profile({"type": "geojson", "geojson": {"type": "Polygon", "coordinates": [ring]}})
    assert profile["lsoa_count"] == 9
    assert profile["area"]["crs"] == "EPSG:4326"


def test_shape_partly_in_wales_says_what_was_left_out(engine: GeographyEngine) -> None:
    shape = shapely.box(X0 + 2000, Y0, X0 + 4000, Y0 + 1000)  # square 2 and the Welsh square
    profile = engine.profile({"type": "geojson", "geojson": bng_geojson(shape)})
    assert profile["lsoa_count"] == 1
    assert any("outside England" in note for note in profile["notes"])


def test_shape_only_in_wales_or_the_sea_is_an_error(engine: GeographyEngine) -> None:
    wales = shapely.box(X0 + 3100, Y0 + 100, X0 + 3900, Y0 + 900)
    with pytest.raises(AreaDefinitionError, match="outside England"):
        engine.profile({"type": "geojson", "geojson": bng_geojson(wales)})
    sea = shapely.box(X0 + 50_000, Y0, X0 + 51_000, Y0 + 1000)
    with pytest.raises(AreaDefinitionError, match="sea"):
        engine.profile({"type": "geojson", "geojson": bng_geojson(sea)})
    with pytest.raises(AreaDefinitionError, match="sea"):
        engine.profile({"type": "geojson", "geojson": bng_geojson(sea), "method": "area"})


def test_point_and_radius_by_latitude_and_longitude(engine: GeographyEngine) -> None:
    lon, lat = to_wgs84(np.array([X0 + 1500]), np.array([Y0 + 1500]))
    area = {"type": "point_radius", "latitude": float(lat[0]), "longitude": float(lon[0]), "radius_km": 0.2}
    profile = engine.profile(area)
    assert profile["lsoa_count"] == 1 and profile["population"] == 500


def test_point_and_radius_by_postcode_never_echoes_the_postcode(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "point_radius", "postcode": "aa1 1ab", "radius_km": 1.2})
    assert profile["lsoa_count"] == 5  # the middle square and its four edge neighbours
    assert profile["area"]["centre"] == {"postcode_sector": "AA1 1**"}
    text = json.dumps(profile)
    assert "AA1 1AB" not in text and "AA11AB" not in text


def test_unknown_centre_postcode_is_masked_in_the_error(engine: GeographyEngine) -> None:
    with pytest.raises(AreaDefinitionError) as raised:
        engine.profile({"type": "point_radius", "postcode": "ZZ9 9ZZ", "radius_km": 1})
    assert "ZZ9 9**" in raised.value.message and "ZZ9 9ZZ" not in raised.value.message


def test_postcode_list_profiles_the_people_and_reports_problems_masked(engine: GeographyEngine) -> None:
    listed = ["AA1 1AA", "aa11ab", "AA1 1AA", "CF10 1AA", "EH1 1AA", "ZZ9 9ZZ", "junk!!", "BT1 1AA"]
    profile = engine.profile({"type": "postcodes", "postcodes": listed, "blank_lines": 2})
    assert profile["population"] == 3 and profile["lsoa_count"] == 2
    assert profile["population_by_decile"][:5] == [2, 0, 0, 0, 1]
    reasons = {entry["postcode"]: entry["reason"] for entry in profile["unmatched"]}
    assert reasons == {
        "CF10 1**": "in Wales: IoD2025 covers England only",
        "EH1 1**": "in Scotland: IoD2025 covers England only",
        "ZZ9 9**": "not in Code-Point Open 2025 (it may be new, no longer used, or mistyped)",
        "(not a postcode)": "not in the format of a UK postcode",
        "BT1 1**": "in Northern Ireland: Code-Point Open covers Great Britain only",
    }
    assert any("2 blank lines" in note for note in profile["notes"])
    text = json.dumps(profile)
    for raw in ("AA1 1AA", "AA11AA", "CF10 1AA", "ZZ9 9ZZ", "junk!!", "EH1 1AA", "BT1 1AA"):
        assert raw not in text


def test_postcode_list_with_counts(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "postcodes", "postcodes": [{"postcode": "AA1 1AD", "count": 7}]})
    assert profile["population"] == 7 and profile["population_by_decile"][8] == 7


def test_postcodes_all_unusable_is_an_error(engine: GeographyEngine) -> None:
    with pytest.raises(AreaDefinitionError, match=r"CF10 1\*\*"):
        engine.profile({"type": "postcodes", "postcodes": ["CF10 1AA"]})


def test_iod2019_uses_2011_codes_and_explains_2021_ones(engine: GeographyEngine) -> None:
    profile = engine.profile({"type": "lsoa_codes", "codes": ["E01090009", "E01000009"]}, release="IoD2019")
    assert profile["geography"] == "LSOA 2011 (England)" and profile["lsoa_count"] == 1
    assert "replaced E01090009" in profile["unmatched"][0]["reason"]
    assert profile["mean_imd_score"] is None  # the IoD2019 extract has no scores
    by_postcode = engine.profile({"type": "postcodes", "postcodes": ["AA1 1AD"]}, release="IoD2019")
    assert by_postcode["population_by_decile"][8] == 1


def test_codes_only_release_refuses_shapes_and_has_no_people_counts(engine: GeographyEngine) -> None:
    with pytest.raises(AreaDefinitionError, match="list of data zone codes"):
        engine.profile({"type": "lad", "codes": ["E06000001"]}, release="SIMD2020")
    profile = engine.profile({"type": "lsoa_codes", "codes": ["S01000001", "S01000002"]}, release="SIMD2020")
    assert profile["population"] is None and profile["population_by_decile"] is None
    assert profile["share_by_quintile"][0] == 1
    assert profile["baseline"]["nation"]["name"] == "Scotland"


def test_unknown_or_unloaded_release(engine: GeographyEngine) -> None:
    with pytest.raises(ReleaseNotAvailableError, match="Unknown release"):
        engine.profile({"type": "lad", "codes": ["E06000001"]}, release="IoD1999")
    with pytest.raises(ReleaseNotAvailableError, match="not loaded"):
        engine.profile({"type": "lad", "codes": ["E06000001"]}, release="WIMD2019")


def test_each_profile_covers_every_area_of_a_kind(engine: GeographyEngine) -> None:
    profiles = list(engine.each_profile("lad"))
    assert [p["area"]["codes"][0] for p in profiles] == ["E06000001", "E06000002"]
    assert sum(p["population"] for p in profiles) == NATION_POPULATION


def test_area_map_gives_each_small_area_with_its_decile(engine: GeographyEngine) -> None:
    pairs = engine.area_map({"type": "lad", "codes": ["E06000002"]}).shapes
    assert [decile for _, decile in pairs] == [3, 6, 9]
    assert [shape.area for shape, _ in pairs] == [SIDE * SIDE] * 3
    assert engine.area_map({"type": "lsoa_codes", "codes": ["S01000001"]}, release="SIMD2020").shapes == []


def test_area_map_says_which_local_authority_each_small_area_is_in(engine: GeographyEngine) -> None:
    # squares 1 and 3 are in West (columns 0-1), 2 and 5 in East (column 2); the map lists them in row order
    drawn = engine.area_map(
        {"type": "lsoa_codes", "codes": ["E01000006", "E01000002", "E01000004", "E01000003"]}
    )
    deciles = [decile for _, decile in drawn.shapes]
    assert drawn.authorities == (("West", (0, 2)), ("East", (1, 3)))
    assert [deciles[i] for i in drawn.authorities[0][1]] == [2, 4]
    assert [deciles[i] for i in drawn.authorities[1][1]] == [3, 6]
    assert (
        engine.area_map({"type": "lsoa_codes", "codes": ["S01000001"]}, release="SIMD2020").authorities == ()
    )


@pytest.mark.parametrize(
    "postcode", ["AA1 1AA", "aa11ab", "AA1 1AD", "CF10 1AA", "EH1 1AA", "ZZ9 9ZZ", "AA1 1**", "junk!!", ""]
)
@pytest.mark.parametrize("release", ["IoD2025", "IoD2019", "SIMD2020"])
def test_the_place_of_a_postcode_is_where_a_patient_list_would_count_it(
    engine: GeographyEngine, postcode: str, release: str
) -> None:
    table = engine.release(release)
    try:
        counted = engine.small_area_counts({"type": "postcodes", "postcodes": [postcode]}, release=release)
    except AreaDefinitionError:  # not counted anywhere
        counted = {"codes": []}
    lad = table.groups.get("lad")
    expected = None
    if lad is not None and counted["codes"]:
        index = int(table.group_of["lad"][table.row_of[counted["codes"][0]]])
        expected = lad.names[index] if index >= 0 else None
    assert engine.place_of(postcode, release=release) == expected


def test_a_circle_counts_the_welsh_areas_it_takes_in_and_none_beside_them(engine: GeographyEngine) -> None:
    release = engine.release("IoD2025")
    welsh_x = X0 + 3500  # the Welsh square's centre; its point lies inside it
    assert outside_release(release, Circle(X0 + 2500, Y0 + 500, 1.6)) == 1
    assert outside_release(release, Circle(welsh_x, Y0 + 500, 0.9)) == 1
    assert outside_release(release, Circle(welsh_x, Y0 + 20_000, 2.0)) == 0  # its strip, far north
    assert outside_release(release, Circle(X0 + 500, Y0 + 500, 1.0)) == 0  # the strip holds no Welsh point


@pytest.mark.parametrize(
    "area",
    [
        {"type": "lsoa_codes", "codes": ["E01000001", "E01000005", "E01000009"], "counts": [2, 1, 0.5]},
        {"type": "point_radius", "postcode": "AA1 1AB", "radius_km": 1.2},
        {
            "type": "geojson",
            "geojson": bng_geojson(shapely.box(X0, Y0, X0 + 1.5 * SIDE, Y0 + SIDE)),
            "method": "area",
        },
    ],
    ids=["codes with counts", "circle", "shape by area"],
)
def test_headline_alone_gives_the_profiles_headline_figures(engine: GeographyEngine, area: dict) -> None:
    whole = engine.profile(area)
    alone = engine.headline(area)
    assert alone.lsoa_count == whole["lsoa_count"] >= 2
    assert round(alone.population, 1) == whole["population"]
    assert [round(v, 1) for v in alone.population_by_decile] == whole["population_by_decile"]
    assert alone.mean_imd_score is not None and round(alone.mean_imd_score, 4) == whole["mean_imd_score"]
    assert round(alone.mean_imd_rank, 2) == whole["mean_imd_rank"]
    assert round(alone.concentration_index, 6) == whole["concentration_index"]
