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
        ({"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 500}, "area.radius_km", "at most"),
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


def test_conflicting_methods_are_refused() -> None:
    with pytest.raises(AreaDefinitionError, match="give one"):
        parse_area({"type": "geojson", "geojson": {"type": "Polygon"}, "method": "area"}, method="centroid")


def test_too_many_codes_are_refused() -> None:
    with pytest.raises(AreaDefinitionError, match="100,000"):
        parse_area({"type": "lsoa_codes", "codes": ["E01000001"] * 100_001})
