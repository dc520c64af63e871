"""Custom shapes: GeoJSON (WGS84, or British National Grid when its `crs` says so) and point-and-radius
circles, checked and turned into one polygon in British National Grid (EPSG:27700) metres."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.untrusted_json import MAX_DEPTH, too_deep

MAX_GEOJSON_BYTES = 20_000_000
MAX_VERTICES = 1_000_000
# Generous boxes around the UK (Great Britain and Northern Ireland, with the Scilly Isles and Shetland).
UK_LON, UK_LAT = (-8.8, 2.0), (49.8, 60.95)
BNG_X, BNG_Y = (0.0, 700_000.0), (0.0, 1_300_000.0)
_BNG_NAMES = {"EPSG:27700", "URN:OGC:DEF:CRS:EPSG::27700", "URN:OGC:DEF:CRS:EPSG:6.6:27700"}
_WGS84_NAMES = {"EPSG:4326", "URN:OGC:DEF:CRS:EPSG::4326", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "OGC:CRS84"}
FIELD = "area.geojson"


@dataclass(frozen=True)
class Shape:
    """A checked shape in British National Grid, and a description of it fit to echo back."""

    polygon: BaseGeometry
    echo: dict[str, Any]


@lru_cache(maxsize=2)
def _transformer(source: int, target: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def prepare_transformers() -> None:
    """Make both transformations ready in the calling thread. pyproj builds a transformation once per
    process but its PROJ objects once per thread, 25-80 ms each: a server does this in every thread it will
    serve from, before it takes requests."""
    to_wgs84(*to_bng(np.array([-1.5]), np.array([53.0])))


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _transformer(4326, 27700).transform(lon, lat)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _transformer(27700, 4326).transform(x, y)


def parse_geojson(source: Any) -> Shape:
    """Check GeoJSON (a mapping, or its text) and return the polygon in British National Grid."""
    document = _load(source)
    crs = _crs(document)
    parts = [_polygon(geometry, i) for i, geometry in enumerate(_geometries(document))]
    if not parts:
        raise AreaDefinitionError("The shape is empty: it has no polygons.", FIELD)
    vertices = int(sum(shapely.get_num_coordinates(parts)))
    if vertices > MAX_VERTICES:
        raise AreaDefinitionError(
            f"The shape has {vertices:,} points; the most we take is {MAX_VERTICES:,}. Simplify it and "
            "try again.",
            FIELD,
        )
    _check_extent(parts, crs)
    for part in parts:
        _check_outline(part)
        _check_valid(part, crs)
    shape = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    if crs == "EPSG:4326":
        shape = shapely.transform(shape, lambda xy: np.column_stack(to_bng(xy[:, 0], xy[:, 1])))
    if shape.is_empty or shape.area <= 0:
        raise AreaDefinitionError("The shape has no area (its points all lie on a line or a point).", FIELD)
    return Shape(shape, _echo(shape, crs, len(parts), vertices))


CIRCLE_QUAD_SEGS = 32  # segments per quarter: 128 sides


def circle(x: float, y: float, radius_km: float) -> BaseGeometry:
    """A circle in British National Grid (a 128-sided polygon: well within 0.1% of a true circle's area)."""
    return shapely.Point(x, y).buffer(radius_km * 1000.0, quad_segs=CIRCLE_QUAD_SEGS)


@dataclass(frozen=True)
class Circle:
    """A circle round a grid point, as `circle()` draws it. Its centre and radius say of most points whether
    they are inside without drawing it (spatial.py); `polygon` draws it when needed."""

    x: float
    y: float
    radius_km: float

    @property
    def radius_m(self) -> float:
        return self.radius_km * 1000.0

    @cached_property
    def polygon(self) -> BaseGeometry:
        return circle(self.x, self.y, self.radius_km)


def check_lat_long(latitude: float, longitude: float) -> tuple[float, float]:
    """Grid point for a latitude and longitude, which must be in the UK."""
    if not (UK_LAT[0] <= latitude <= UK_LAT[1] and UK_LON[0] <= longitude <= UK_LON[1]):
        hint = " (are latitude and longitude swapped?)" if UK_LAT[0] <= longitude <= UK_LAT[1] else ""
        raise AreaDefinitionError(
            f"The point {latitude:g}, {longitude:g} is outside the UK{hint}.", "area.latitude"
        )
    return point_to_bng(longitude, latitude)


# One point at a time (a site, a postcode's centre): each PROJ call costs 0.1-0.5 ms whatever its size, and
# the same few sites are asked for again and again. Cached by value, so the answer is the same as ever.
@lru_cache(maxsize=4096)
def point_to_bng(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = to_bng(np.array([longitude]), np.array([latitude]))
    return float(x[0]), float(y[0])


@lru_cache(maxsize=4096)
def point_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(longitude, latitude) of a British National Grid point."""
    longitudes, latitudes = to_wgs84(np.array([x]), np.array([y]))
    return float(longitudes[0]), float(latitudes[0])


def _load(source: Any) -> Any:
    if isinstance(source, Mapping):
        return source
    if isinstance(source, bytes | str):
        size = len(source.encode("utf-8") if isinstance(source, str) else source)
        if size > MAX_GEOJSON_BYTES:
            raise AreaDefinitionError(
                f"The GeoJSON is {size / 1e6:.0f} MB; the most we take is {MAX_GEOJSON_BYTES / 1e6:.0f} MB. "
                "Simplify the shape (for example with mapshaper) and try again.",
                FIELD,
            )
        if too_deep(source):  # refuse before json.loads recurses once per level
            raise AreaDefinitionError(
                f"The GeoJSON is nested more than {MAX_DEPTH} levels deep, which no real boundary is.", FIELD
            )
        try:
            return json.loads(source)
        except UnicodeDecodeError:
            raise AreaDefinitionError(
                "The GeoJSON is not valid JSON: it is not UTF-8 text. Export the boundary again as GeoJSON.",
                FIELD,
            ) from None
        except json.JSONDecodeError as error:
            # The parser's words ("Expecting value") say nothing to most people; where it stopped helps.
            raise AreaDefinitionError(
                f"The GeoJSON is not valid JSON: it stops making sense at line {error.lineno}, column "
                f"{error.colno}. Export the boundary again as GeoJSON.",
                FIELD,
            ) from None
        except ValueError:  # Python refuses to read an integer of more than 4,300 digits
            raise AreaDefinitionError(
                "The GeoJSON has a number thousands of digits long, which no coordinate is.", FIELD
            ) from None
    raise AreaDefinitionError("Give the shape as a GeoJSON object.", FIELD)


def _crs(document: Any) -> str:
    crs = document.get("crs") if isinstance(document, Mapping) else None
    if crs is None:
        return "EPSG:4326"
    name = crs.get("properties", {}).get("name") if isinstance(crs, Mapping) else None
    name = str(name or "").upper()
    if name in _BNG_NAMES:
        return "EPSG:27700"
    if name in _WGS84_NAMES:
        return "EPSG:4326"
    raise AreaDefinitionError(
        f"The GeoJSON 'crs' {name or crs!r} is not one we read. Use WGS84 longitude/latitude (no 'crs'), "
        "or British National Grid with crs name 'urn:ogc:def:crs:EPSG::27700'.",
        f"{FIELD}.crs",
    )


def _geometries(document: Any) -> list[Any]:
    if not isinstance(document, Mapping):
        raise AreaDefinitionError("The GeoJSON must be an object with a 'type'.", FIELD)
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list | tuple):
            raise AreaDefinitionError("A FeatureCollection needs a 'features' list.", FIELD)
        return [_feature_geometry(feature) for feature in features]
    if kind == "Feature":
        return [_feature_geometry(document)]
    if kind == "GeometryCollection":
        return list(document.get("geometries") or [])
    return [document]


def _feature_geometry(feature: Any) -> Any:
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise AreaDefinitionError("Each item in 'features' must be a GeoJSON Feature.", FIELD)
    if feature.get("geometry") is None:
        raise AreaDefinitionError("A feature in the GeoJSON has no geometry.", FIELD)
    return feature["geometry"]


def _polygon(geometry: Any, index: int) -> BaseGeometry:
    kind = geometry.get("type") if isinstance(geometry, Mapping) else None
    coords = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise AreaDefinitionError(
            f"Shape {index + 1} is a {kind or 'thing without a type'}; only Polygon and MultiPolygon shapes "
            "can describe an area. To use a point, give a postcode or latitude/longitude with a radius.",
            FIELD,
        )
    if not isinstance(coords, list | tuple) or not coords:
        raise AreaDefinitionError(f"Shape {index + 1} is empty: it has no coordinates.", FIELD)
    polygons = coords if kind == "MultiPolygon" else [coords]
    return (
        shapely.MultiPolygon([_rings(p, index) for p in polygons])
        if kind == "MultiPolygon"
        else _rings(coords, index)
    )


def _rings(rings: Any, index: int) -> shapely.Polygon:
    if not isinstance(rings, list | tuple) or not rings:
        raise AreaDefinitionError(f"Shape {index + 1} has a polygon with no outline.", FIELD)
    arrays = []
    for ring in rings:
        try:
            array = _points(ring)
        except (TypeError, ValueError):
            raise AreaDefinitionError(
                f"Shape {index + 1} has coordinates that are not numbers.", FIELD
            ) from None
        if array.ndim != 2 or array.shape[1] < 2 or len(array) < 4:
            raise AreaDefinitionError(
                f"Shape {index + 1} has an outline with too few points (a polygon needs at least 4, the last "
                "repeating the first).",
                FIELD,
            )
        if not np.isfinite(array[:, :2]).all():
            raise AreaDefinitionError(
                f"Shape {index + 1} has coordinates that are not finite numbers.", FIELD
            )
        if not np.array_equal(array[0, :2], array[-1, :2]):
            raise AreaDefinitionError(
                f"Shape {index + 1} has an outline that is not closed (the last point must repeat the "
                "first).",
                FIELD,
            )
        arrays.append(array[:, :2])
    return shapely.Polygon(arrays[0], arrays[1:])


def _points(ring: Any) -> NDArray[np.float64]:
    """A ring's points as an array, one row each. Where every point is a pair, read straight from the numbers
    (a detailed outline's 73,646 points in 5 ms, where numpy's reading of nested lists takes 10); anything
    else (a third coordinate, a point that is not a pair, text) is read by numpy, as it always was."""
    if isinstance(ring, list | tuple):
        try:
            if set(map(len, ring)) == {2}:
                flat = itertools.chain.from_iterable(ring)
                return np.fromiter(flat, dtype=np.float64, count=2 * len(ring)).reshape(-1, 2)
        except (TypeError, ValueError):
            pass
    return np.asarray(ring, dtype=np.float64)


def _check_extent(parts: list[BaseGeometry], crs: str) -> None:
    minx, miny, maxx, maxy = shapely.total_bounds(parts)
    if crs == "EPSG:27700":
        if BNG_X[0] <= minx and maxx <= BNG_X[1] and BNG_Y[0] <= miny and maxy <= BNG_Y[1]:
            return
        raise AreaDefinitionError(
            "The shape's British National Grid coordinates are outside Great Britain.", f"{FIELD}.coordinates"
        )
    if UK_LON[0] <= minx and maxx <= UK_LON[1] and UK_LAT[0] <= miny and maxy <= UK_LAT[1]:
        return
    if UK_LAT[0] <= minx and maxx <= UK_LAT[1] and UK_LON[0] <= miny and maxy <= UK_LON[1]:
        hint = "The coordinates look like latitude, longitude: GeoJSON puts longitude first."
    elif max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        hint = (
            "The coordinates look like metres. If they are British National Grid, add "
            '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}.'
        )
    else:
        hint = "Check the shape is drawn in the right place."
    raise AreaDefinitionError(
        f"The shape is (at least partly) outside the UK. {hint}", f"{FIELD}.coordinates"
    )


# How much longer than its box's diagonal an outline may be. Real boundaries, coastlines included, are tens
# of times longer at most; a star of long thin spikes is thousands of times longer, and checking that it
# does not cross itself takes GEOS minutes (its edges' boxes all overlap), holding a worker.
MAX_OUTLINE_RATIO = 500


def _check_outline(part: BaseGeometry) -> None:
    minx, miny, maxx, maxy = part.bounds
    diagonal = float(np.hypot(maxx - minx, maxy - miny))
    if diagonal > 0 and shapely.length(part) > MAX_OUTLINE_RATIO * diagonal:
        raise AreaDefinitionError(
            "The shape's outline zigzags back and forth far more than a real boundary does: it is more "
            f"than {MAX_OUTLINE_RATIO} times as long as the shape is wide. Simplify it or redraw it and "
            "try again.",
            FIELD,
        )


def _check_valid(part: BaseGeometry, crs: str) -> None:
    if shapely.is_valid(part):
        return
    reason = shapely.is_valid_reason(part)
    where = _where(reason, crs)
    if "Self-intersection" in reason:
        message = f"The shape's outline crosses itself{where}. Redraw it so its edges do not cross."
    else:
        message = f"The shape is not a valid polygon ({reason.split('[')[0].strip()}){where}. Redraw it."
    raise AreaDefinitionError(message, FIELD)


def _where(reason: str, crs: str) -> str:
    if "[" not in reason:
        return ""
    try:
        x, y = (float(v) for v in reason.split("[", 1)[1].rstrip("]").split()[:2])
    except ValueError:
        return ""
    if crs == "EPSG:27700":
        lon, lat = to_wgs84(np.array([x]), np.array([y]))
        x, y = float(lon[0]), float(lat[0])
    return f" near latitude {y:.5f}, longitude {x:.5f}"


def _echo(shape: BaseGeometry, crs: str, parts: int, vertices: int) -> dict[str, Any]:
    minx, miny, maxx, maxy = shape.bounds
    lon, lat = to_wgs84(np.array([minx, maxx]), np.array([miny, maxy]))
    return {
        "crs": crs,
        "parts": parts,
        "vertices": vertices,
        "area_km2": round(shape.area / 1e6, 3),
        "bounds_wgs84": [round(float(v), 5) for v in (lon[0], lat[0], lon[1], lat[1])],
        "shape_sha256": hashlib.sha256(shapely.to_wkb(shape)).hexdigest(),
    }
