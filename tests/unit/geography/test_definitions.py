"""Area definitions: the one dict format the library, CLI and API share, with clear errors."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.geography.definitions import (
    CodeList,
    GroupArea,
    PointRadius,
    PostcodeList,
    ShapeArea,
    parse_area,
)
from hia_service.domain.geography.errors import AreaDefinitionError


def test_each_type_parses() -> None:
    assert parse_area({"type": "lsoa_codes", "codes": [" e01000001"]}) == CodeList(("E01000001",), None)
    assert parse_area({"type": "icb", "code": "qe1"}) == GroupArea("icb", ("QE1",))
    shape = parse_area({"type": "geojson", "geojson": {"type": "Polygon"}}, method="area")
    assert isinstance(shape, ShapeArea) and shape.method == "area"
    point = parse_area({"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 2})
    assert point == PointRadius("FY1 1AA", None, None, 2.0, "centroid")
    listed = parse_area({"type": "postcodes", "postcodes": [{"postcode": "FY1 1AA", "count": 4}]})
    assert listed == PostcodeList(("FY1 1AA",), (4.0,))


@pytest.mark.parametrize(
    ("area", "field", "words"),
    [
        ("E01000001", "area", "object"),
        ({"type": "ward"}, "area.type", "Unknown area type"),
        ({"type": "lsoa_codes", "codes": []}, "area.codes", "non-empty list"),
        ({"type": "lsoa_codes", "codes": "E01000001"}, "area.codes", "non-empty list"),
        ({"type": "lsoa_codes", "codes": ["E01000001", 7]}, "area.codes[1]", "text"),
        ({"type": "lsoa_codes", "codes": ["E01000001"], "counts": [1, 2]}, "area.counts", "same length"),
        ({"type": "lsoa_codes", "codes": ["E01000001"], "counts": [-1]}, "area.counts[0]", "0 or more"),
        ({"type": "lsoa_codes", "codes": ["E01000001"], "counts": [True]}, "area.counts[0]", "0 or more"),
        ({"type": "lsoa_codes", "codes": ["E01000001"], "counts": [0]}, "area.counts", "nobody"),
        ({"type": "lad"}, "area.code", "at least one"),
        ({"type": "geojson"}, "area.geojson", "GeoJSON"),
        ({"type": "geojson", "geojson": {}, "method": "hexagons"}, "method", "Unknown method"),
        ({"type": "point_radius", "postcode": "FY1 1AA"}, "area.radius_km", "number"),
        ({"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 0}, "area.radius_km", "more than 0"),
        ({"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 500}, "area.radius_km", "at most 100"),
        ({"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 100.5}, "area.radius_km", "most 100"),
        ({"type": "point_radius", "radius_km": 1}, "area.postcode", "latitude"),
        (
            {"type": "point_radius", "latitude": "x", "longitude": 1, "radius_km": 1},
            "area.latitude",
            "number",
        ),
    ],
)
def test_bad_definitions_name_the_field(area: Any, field: str, words: str) -> None:
    with pytest.raises(AreaDefinitionError, match=words) as raised:
        parse_area(area)
    assert raised.value.field == field


@pytest.mark.parametrize("radius_km", [50.5, 60, 100])
def test_a_radius_may_be_up_to_100_km(radius_km: float) -> None:
    point = parse_area({"type": "point_radius", "postcode": "DN2 5LT", "radius_km": radius_km})
    assert isinstance(point, PointRadius)
    assert point.radius_km == radius_km


def test_conflicting_methods_are_refused() -> None:
    with pytest.raises(AreaDefinitionError, match="give one"):
        parse_area({"type": "geojson", "geojson": {"type": "Polygon"}, "method": "area"}, method="centroid")


def test_too_many_codes_are_refused() -> None:
    with pytest.raises(AreaDefinitionError, match="100,000"):
        parse_area({"type": "lsoa_codes", "codes": ["E01000001"] * 100_001})


@pytest.mark.parametrize(
    ("typed", "km"),
    [
        ("5", 5.0), ("5 km", 5.0), ("5km", 5.0), ("5 KM", 5.0), (" 2.5 kilometres ", 2.5),
        ("1 kilometer", 1.0),
        ("3 miles", 3 * 1.609344), ("1 mile", 1.609344), ("10mi", 16.09344), (".5 km", 0.5), ("5 km.", 5.0),
        ("1,000 km", 1000.0), ("1,500.5", 1500.5),
    ],
)  # fmt: skip
def test_distances_are_read_as_people_type_them(typed: str, km: float) -> None:
    from hia_service.domain.geography.definitions import parse_distance_km

    assert parse_distance_km(typed) == pytest.approx(km)


@pytest.mark.parametrize("typed", ["", "five", "5 feet", "-5 km", "5 km 3", "km"])
def test_a_distance_that_cannot_be_read_says_what_to_type(typed: str) -> None:
    from hia_service.domain.geography.definitions import parse_distance_km
    from hia_service.domain.geography.errors import AreaDefinitionError

    with pytest.raises(AreaDefinitionError, match="like 5, 5 km or 3 miles"):
        parse_distance_km(typed)


@pytest.mark.parametrize("typed", ["3,5 km", "3,5", "2,75 miles", "1,00 km", "1,0000"])
def test_a_decimal_comma_is_refused_not_read_as_ten_times_the_distance(typed: str) -> None:
    from hia_service.domain.geography.definitions import parse_distance_km
    from hia_service.domain.geography.errors import AreaDefinitionError

    with pytest.raises(AreaDefinitionError, match="full stop for the decimal point"):
        parse_distance_km(typed)
