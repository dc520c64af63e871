"""GeoJSON checks: each kind of bad shape gets its own useful message."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.shapes import MAX_GEOJSON_BYTES, check_lat_long, parse_geojson

# A small square in Blackpool (WGS84 longitude, latitude).
SQUARE = [[-3.06, 53.81], [-3.04, 53.81], [-3.04, 53.82], [-3.06, 53.82], [-3.06, 53.81]]


def polygon(ring: list[list[float]], **extra: Any) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring], **extra}


def test_wgs84_polygon_is_projected_to_british_national_grid() -> None:
    shape = parse_geojson(polygon(SQUARE))
    minx, miny, _, _ = shape.polygon.bounds
    assert 330_000 < minx < 332_000 and 435_000 < miny < 437_000  # Blackpool in BNG metres
    assert shape.echo["crs"] == "EPSG:4326" and shape.echo["area_km2"] == pytest.approx(1.46, abs=0.05)
    assert len(shape.echo["shape_sha256"]) == 64


def test_feature_collection_parts_are_joined() -> None:
    east = [[x + 0.02, y] for x, y in SQUARE]
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": polygon(SQUARE)},
            {"type": "Feature", "properties": {}, "geometry": polygon(east)},
        ],
    }
    shape = parse_geojson(json.dumps(document))
    assert shape.echo["parts"] == 2 and shape.echo["area_km2"] == pytest.approx(2.93, abs=0.1)


def test_british_national_grid_when_crs_says_so() -> None:
    ring = [[330000, 436000], [331000, 436000], [331000, 437000], [330000, 437000], [330000, 436000]]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    shape = parse_geojson(polygon(ring, crs=crs))
    assert shape.polygon.area == 1_000_000 and shape.echo["crs"] == "EPSG:27700"


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (
            polygon([[-3.06, 53.81], [-3.04, 53.82], [-3.04, 53.81], [-3.06, 53.82], [-3.06, 53.81]]),
            "crosses itself near latitude 53.81",
        ),
        ({"type": "FeatureCollection", "features": []}, "empty"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        ({"type": "Point", "coordinates": [-3.05, 53.81]}, "only Polygon and MultiPolygon"),
        (polygon([[x + 20, y] for x, y in SQUARE]), "outside the UK"),
        (polygon([[y, x] for x, y in SQUARE]), "latitude, longitude"),
        (
            polygon([[330000, 436000], [331000, 436000], [331000, 437000], [330000, 436000]]),
            "look like metres",
        ),
        (polygon(SQUARE, crs={"type": "name", "properties": {"name": "EPSG:3857"}}), "not one we read"),
        (polygon(SQUARE[:-1]), "not closed"),
        (polygon(SQUARE[:3]), "too few points"),
        (polygon([["a", "b"], *SQUARE]), "not numbers"),
        ({"type": "Feature", "geometry": None}, "no geometry"),
        ("{not json", "not valid JSON: it stops making sense at line 1, column 2"),  # not the parser's words
        (
            polygon([[-3.06, 53.81], [-3.04, 53.81], [-3.06, 53.81], [-3.06, 53.81]]),
            "no area|crosses itself|valid",
        ),
    ],
)
def test_bad_shapes_get_a_specific_message(document: Any, words: str) -> None:
    with pytest.raises(AreaDefinitionError, match=words) as raised:
        parse_geojson(document)
    assert raised.value.field.startswith("area.geojson")


def test_a_50_megabyte_geojson_is_refused_before_parsing() -> None:
    big = '{"type": "Polygon", "coordinates": [[' + "[-3.05, 53.81]," * (50_000_000 // 15) + "]]}"
    assert len(big) > MAX_GEOJSON_BYTES
    with pytest.raises(AreaDefinitionError, match="50 MB; the most we take is 20 MB"):
        parse_geojson(big)


def test_lat_long_outside_the_uk_and_swapped() -> None:
    assert check_lat_long(53.81, -3.05)[0] == pytest.approx(331_000, abs=1_000)
    with pytest.raises(AreaDefinitionError, match="outside the UK"):
        check_lat_long(48.85, 2.35)  # Paris
    with pytest.raises(AreaDefinitionError, match="swapped"):
        check_lat_long(-3.05, 53.81)


@pytest.mark.parametrize(
    "ring",
    [
        SQUARE,
        [tuple(point) for point in SQUARE],  # pairs as tuples (shapely's mapping)
        [
            [-3.06, 53.81, 5.0],
            [-3.04, 53.81, 5.0],
            [-3.04, 53.82, 5.0],
            [-3.06, 53.82, 5.0],
            [-3.06, 53.81, 5],
        ],
        [[-3, 53], [-3.04, 53.81], [-3.04, 54], [-3.06, 53.82], [-3, 53]],  # whole numbers among them
        [[True, 53.81], [-3.04, 53.81], [-3.04, 53.82], [-3.06, 53.82], [True, 53.81]],
    ],
)
def test_a_shape_reads_the_same_points_however_they_are_written(ring: list[Any]) -> None:
    from hia_service.domain.geography.shapes import _points

    expected = np.asarray(ring, dtype=np.float64)
    found = _points(ring)
    assert found.dtype == np.float64 and np.array_equal(found, expected)


@pytest.mark.parametrize(
    ("ring", "words"),
    [
        ([[-3.06, 53.81], [-3.04], *SQUARE[2:]], "not numbers"),  # a point that is not a pair
        ([[-3.06, 53.81], [-3.04, 53.81, 1.0, 2.0], *SQUARE[2:]], "not numbers"),
        ([[-3.06, "53.81x"], *SQUARE[1:]], "not numbers"),
        ([[-3.06, None], *SQUARE[1:]], "not finite|not numbers"),
        ([["ab", "cd"], *SQUARE], "not numbers"),
        (["ab", *SQUARE], "not numbers"),  # text of two letters is not a pair of numbers
        ([[float("nan"), 53.81], *SQUARE[1:]], "not finite"),
    ],
)
def test_points_that_are_not_pairs_of_numbers_are_refused_as_before(ring: list[Any], words: str) -> None:
    with pytest.raises(AreaDefinitionError, match=words):
        parse_geojson(polygon(ring))


def _star(points: int, spike: float) -> dict[str, Any]:
    """A star round central London: every other point `spike` (a share of the radius) further out."""
    ring = [
        [
            -0.12 + 0.3 * (1 - spike * (i % 2)) * math.cos(2 * math.pi * i / points),
            51.5 + 0.3 * (1 - spike * (i % 2)) * math.sin(2 * math.pi * i / points),
        ]
        for i in range(points)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_star_of_long_thin_spikes_is_refused_before_its_outline_is_checked() -> None:
    """Checking that 150,000 such spikes do not cross took minutes of a worker's time; the length of the
    outline against the shape's size gives it away at once."""
    with pytest.raises(AreaDefinitionError, match="zigzags back and forth"):
        parse_geojson(_star(150_000, 0.5))


def test_a_detailed_boundary_that_does_not_zigzag_is_taken() -> None:
    shape = parse_geojson(_star(20_000, 0.001))  # 20,000 points, a slightly rough circle
    assert shape.polygon.area > 0
