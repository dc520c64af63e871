"""Real shapes, postcodes and bad input against the full IoD2025 snapshot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import mapping

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.files import area_from_file
from tests.conftest import REFERENCE_DIR

BNG_CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}


def lad_outline_wgs84(code: str) -> dict:
    """The union of a local authority's BGC LSOA polygons, straight from the source file (WGS84)."""
    frame = pyogrio.read_dataframe(
        f"/vsigzip/{REFERENCE_DIR / 'lsoa21_boundaries_ew_bgc.geojson.gz'}", where=f"LAD_ACTIVE_CD = '{code}'"
    )
    return mapping(shapely.union_all(frame.geometry.to_numpy()))


def lad_outline_bng(engine: GeographyEngine, code: str) -> dict:
    table = engine.release("IoD2025")
    rows = np.flatnonzero(table.group_of["lad"] == table.groups["lad"].find(code))
    outline = shapely.union_all(table.geography.shapes.geometries(table.geo_row[rows]))
    return {"type": "Feature", "crs": BNG_CRS, "properties": {}, "geometry": mapping(outline)}


@pytest.mark.parametrize("code", ["E06000009", "E07000117"])  # Blackpool, Burnley
def test_shape_following_lsoa_boundaries_gives_the_lad_answer_by_both_methods(
    real_engine: GeographyEngine, code: str
) -> None:
    lad = real_engine.profile({"type": "lad", "codes": [code]})
    for shape in (lad_outline_wgs84(code), lad_outline_bng(real_engine, code)):
        for method in ("centroid", "area"):
            profile = real_engine.profile({"type": "geojson", "geojson": shape, "method": method})
            assert profile["lsoa_count"] == lad["lsoa_count"], method
            assert profile["population"] == pytest.approx(lad["population"], abs=0.5), method
            assert profile["population_by_decile"] == pytest.approx(lad["population_by_decile"], abs=0.5)
            assert profile["share_lsoas_most_deprived_10pct"] == lad["share_lsoas_most_deprived_10pct"]
    pwc = real_engine.profile(
        {"type": "geojson", "geojson": lad_outline_bng(real_engine, code), "method": "pwc"}
    )
    assert pwc["lsoa_count"] == pytest.approx(lad["lsoa_count"], abs=2)  # PWCs may sit just over the edge


@pytest.mark.parametrize("radius_km", [60, 100])
def test_a_circle_may_reach_100_km(real_engine: GeographyEngine, radius_km: float) -> None:
    """Round Doncaster Royal Infirmary: the LSOAs whose point lies within the radius (the circle is a
    128-sided polygon, so those between its edge and the true circle may be left out)."""
    profile = real_engine.profile({"type": "point_radius", "postcode": "DN2 5LT", "radius_km": radius_km})
    table = real_engine.release("IoD2025")
    x, y = real_engine.postcode_location("DN2 5LT")
    distance = np.hypot(table.rep_xy[:, 0] - x, table.rep_xy[:, 1] - y)
    radius = radius_km * 1000
    assert (
        (distance <= radius * np.cos(np.pi / 128)).sum()
        <= profile["lsoa_count"]
        <= (distance <= radius).sum()
    )
    assert profile["lsoa_count"] > 3_000


def test_a_circle_by_postcode(real_engine: GeographyEngine) -> None:
    profile = real_engine.profile({"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 2})
    assert profile["area"]["centre"] == {"postcode_sector": "TS1 2**"}
    assert 20 < profile["lsoa_count"] < 80
    assert profile["baseline"]["local_authorities"][0]["name"] == "Middlesbrough"
    assert "TS1 2AA" not in json.dumps(profile)


def test_known_postcodes_land_in_the_right_place(real_engine: GeographyEngine) -> None:
    area = {"type": "postcodes", "postcodes": ["SW1A 2AA", "TS1 2AA", "EH1 1YZ", "CF10 1EP", "BT1 1AA", "XX"]}
    profile = real_engine.profile(area)
    assert profile["population"] == 2
    names = {la["name"] for la in profile["baseline"]["local_authorities"]}
    assert names == {"Westminster", "Middlesbrough"}
    reasons = {e["postcode"]: e["reason"] for e in profile["unmatched"]}
    assert reasons["EH1 1**"].startswith("in Scotland") and reasons["CF10 1**"].startswith("in Wales")
    assert reasons["BT1 1**"].startswith("in Northern Ireland") and "format" in reasons["(not a postcode)"]
    wales = real_engine.profile(
        {"type": "postcodes", "postcodes": ["CF10 1EP", "LL57 2DG"]}, release="WIMD2019"
    )
    assert {la["name"] for la in wales["baseline"]["local_authorities"]} == {"Cardiff", "Gwynedd"}


def test_postcode_lsoas_agree_with_code_point_local_authority(real_engine: GeographyEngine) -> None:
    codepoint = pd.read_csv(REFERENCE_DIR / "codepoint_open_gb_postcodes.csv.gz").sample(
        20_000, random_state=1
    )
    english = codepoint[codepoint["admin_district_code"].fillna("").str.startswith("E")]
    table, index = real_engine.release("IoD2025"), real_engine.postcodes
    keys = english["postcode"].str.replace(" ", "").to_numpy(dtype="S7")
    geo = index.lsoa21[index.find(keys)]
    rows = table.row_of_geo[geo]
    assert (rows >= 0).mean() > 0.999  # nearly every English postcode falls in an English LSOA
    ours = np.array(table.groups["lad"].codes)[table.group_of["lad"][rows[rows >= 0]]]
    theirs = english["admin_district_code"].to_numpy()[rows >= 0]
    assert (ours == theirs).mean() > 0.999


def test_a_patient_list_file_with_blank_lines_and_junk(real_engine: GeographyEngine) -> None:
    data = b"Postcode,Count\nSW1A 2AA,3\n\nTS1 2AA,2\nnot known,1\n\nEH1 1YZ,4\n"
    profile = real_engine.profile(area_from_file(data))
    assert profile["population"] == 5 and profile["method"]["selection"] == "postcodes"
    assert {(e["postcode"], e["count"]) for e in profile["unmatched"]} == {
        ("(not a postcode)", 1),
        ("EH1 1**", 4),
    }
    assert any("2 blank lines" in note for note in profile["notes"])
    assert "SW1A 2AA" not in json.dumps(profile) and "not known" not in json.dumps(profile)


@pytest.mark.parametrize(
    ("area", "words"),
    [
        ({"type": "lsoa_codes", "codes": ["E01000010"]}, "changed in 2021; IoD2025 uses LSOA 2021 codes"),
        (
            {
                "type": "geojson",
                "geojson": {
                    "type": "Polygon",
                    "coordinates": [[[1.0, 54.0], [1.2, 54.0], [1.2, 54.2], [1.0, 54.2], [1.0, 54.0]]],
                },
            },
            "sea",
        ),
        (
            {
                "type": "geojson",
                "geojson": {
                    "type": "Polygon",
                    "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.9], [2.3, 48.8]]],
                },
            },
            "outside the UK",
        ),
        (
            {
                "type": "geojson",
                "geojson": {
                    "type": "Polygon",
                    "coordinates": [
                        [[-3.06, 53.81], [-3.04, 53.82], [-3.04, 53.81], [-3.06, 53.82], [-3.06, 53.81]]
                    ],
                },
            },
            "crosses itself",
        ),
        (
            {
                "type": "geojson",
                "geojson": {
                    "type": "Polygon",
                    "coordinates": [
                        [[-3.2, 51.45], [-3.1, 51.45], [-3.1, 51.5], [-3.2, 51.5], [-3.2, 51.45]]
                    ],
                },
            },
            "outside England",
        ),  # Cardiff
        ({"type": "point_radius", "latitude": 48.85, "longitude": 2.35, "radius_km": 1}, "outside the UK"),
        ({"type": "postcodes", "postcodes": ["EH1 1YZ", "", "junk"]}, "None of the postcodes"),
    ],
)
def test_bad_input_gets_a_specific_error(real_engine: GeographyEngine, area: dict, words: str) -> None:
    with pytest.raises(AreaDefinitionError, match=words):
        real_engine.profile(area)
    if area["type"] == "lsoa_codes":
        with pytest.raises(AreaDefinitionError, match="E01034473, E01034474"):
            real_engine.profile(area)


def test_area_map_uses_the_light_boundaries(real_engine: GeographyEngine) -> None:
    pairs = real_engine.area_map({"type": "lad", "codes": ["E06000009"]}).shapes
    assert len(pairs) == 94
    deciles = [decile for _, decile in pairs]
    assert deciles.count(1) == 38  # 40.4% of 94
    light = sum(shapely.get_num_coordinates(shape) for shape, _ in pairs)
    table = real_engine.release("IoD2025")
    rows = np.flatnonzero(table.group_of["lad"] == table.groups["lad"].find("E06000009"))
    full = shapely.get_num_coordinates(table.geography.shapes.geometries(table.geo_row[rows])).sum()
    assert light < full / 2


@pytest.mark.parametrize("code", ["E06000009", "E07000117"])
def test_clipping_a_detailed_shape_first_gives_the_same_area_answer(
    real_engine: GeographyEngine, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path a shape of more than CLIP_ABOVE_POINTS points takes, on real boundaries."""
    from hia_service.domain.geography import spatial

    shape = {"type": "geojson", "geojson": lad_outline_bng(real_engine, code), "method": "area"}
    whole = real_engine.profile(shape)
    monkeypatch.setattr(spatial, "CLIP_ABOVE_POINTS", 0)
    clips = []
    clip_by_rect = spatial.shapely.clip_by_rect
    monkeypatch.setattr(spatial.shapely, "clip_by_rect", lambda *a: clips.append(a) or clip_by_rect(*a))
    real_engine.forget_profiles()  # the same shape again: worked out, not answered from the one kept
    clipped = real_engine.profile(shape)
    assert clips  # the neighbourhoods along the edge were worked out from clipped pieces
    assert clipped["lsoa_count"] == whole["lsoa_count"]
    assert clipped["population_by_decile"] == pytest.approx(whole["population_by_decile"], rel=1e-9)


@pytest.mark.parametrize("release", ["IoD2025", "IoD2019"])
def test_the_place_of_a_postcode_is_where_a_patient_list_of_it_is_counted(
    real_engine: GeographyEngine, release: str
) -> None:
    """engine.place_of looks one postcode up directly; a patient list counts it through the whole path."""
    index = real_engine.postcodes
    assert index is not None
    sample = np.random.default_rng(23).choice(len(index.keys), size=300, replace=False)
    table = real_engine.release(release)
    lad = table.groups["lad"]
    named = 0
    for key in index.keys[sample]:
        postcode = key.decode()
        try:
            counted = real_engine.small_area_counts(
                {"type": "postcodes", "postcodes": [postcode]}, release=release
            )
        except AreaDefinitionError:
            counted = {"codes": []}
        expected = None
        if counted["codes"]:
            place = int(table.group_of["lad"][table.row_of[counted["codes"][0]]])
            expected = lad.names[place] if place >= 0 else None
        assert real_engine.place_of(postcode, release=release) == expected, postcode
        named += expected is not None
    assert named > 200  # most of Great Britain's postcodes are in England
