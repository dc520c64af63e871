"""Which small areas a polygon covers, by one of three methods.

- centroid (default): an LSOA is in when its point-on-surface (shapely's representative point of the BGC
  polygon, always inside the polygon) lies inside the shape.
- pwc: the same test with ONS population-weighted centroids (LSOA 2021 only).
- area: each LSOA counts by the share of its area inside the shape (areas in British National Grid).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.shapes import CIRCLE_QUAD_SEGS, Circle
from hia_service.domain.geography.tables import PointIndex, ReleaseTable

# Slivers under 0.1% of an LSOA's area are boundary noise (generalised boundaries, float rounding), not
# people.
AREA_TOLERANCE = 1e-3
CLIP_ABOVE_POINTS = 2_000  # smaller shapes overlay whole, as they always have: cheap, and exactly as before
AREA_BUDGET_SECONDS = 3.0  # sharing out by area: with parsing, pages and the API answer within 5 s or say why
TOO_COMPLEX = (
    "The boundary is too detailed to share its neighbourhoods out by area within {seconds:g} seconds. "
    "Simplify it in your mapping software (fewer points, smoother edges) and try again, or use method "
    "'centroid', which counts the neighbourhoods whose centre is inside it."
)


# A circle's polygon has its corners on the circle, so it holds every point nearer its centre than its sides
# (radius x cos(pi / sides)) and none further out than the radius: only the points between the two, in a
# ring a few metres wide, need testing against the polygon itself. The margin is far more than the rounding
# in the polygon's corners (about 1e-10 m).
INSCRIBED = math.cos(math.pi / (4 * CIRCLE_QUAD_SEGS))
EDGE_MARGIN_M = 1e-3

Area = BaseGeometry | Circle


@dataclass(frozen=True)
class Covered:
    rows: NDArray[np.intp]
    fractions: NDArray[np.float64]


def points_inside(shape: Area, points: NDArray[np.float64], index: PointIndex) -> NDArray[np.intp]:
    """Indices, ascending, of the points inside the shape: the points in its box (from the index), then one
    vectorised test, then put in the order a test of every point would give."""
    if isinstance(shape, Circle):
        return _inside_circle(shape, points, index)
    candidates = index.in_box(*shape.bounds)
    if len(candidates) == 0:
        return candidates
    shapely.prepare(shape)
    inside: NDArray[np.bool_] = shapely.contains_xy(shape, points[candidates, 0], points[candidates, 1])
    return index.ascending(candidates[inside])


def _inside_circle(shape: Circle, points: NDArray[np.float64], index: PointIndex) -> NDArray[np.intp]:
    """As points_inside(shape.polygon, ...), drawing the polygon only if a point lies near its edge.

    Every point of the index's strip as wide as the circle is tested by its distance (no box first): a
    dozen numpy calls over a few thousand points cost less than twice as many over a few hundred."""
    reach = shape.radius_m + EDGE_MARGIN_M
    start, end = index.strip(shape.x - reach, shape.x + reach)
    if end <= start:
        return index.order[:0]
    dx, dy = index.x[start:end] - shape.x, index.y[start:end] - shape.y
    distance2 = dx * dx + dy * dy
    surely = max(shape.radius_m * INSCRIBED - EDGE_MARGIN_M, 0.0)
    inside: NDArray[np.bool_] = distance2 < surely * surely
    edge = ((distance2 <= reach * reach) ^ inside).nonzero()[0]  # in reach, not surely inside
    strip = index.order[start:end]
    if len(edge):
        polygon = shape.polygon
        shapely.prepare(polygon)
        near = strip[edge]
        inside[edge] = shapely.contains_xy(polygon, points[near, 0], points[near, 1])
    return index.ascending(strip[inside])


def cover(release: ReleaseTable, shape: Area, method: str) -> Covered:
    if release.geography is None:
        raise AreaDefinitionError(
            f"{release.info.id} has no boundaries in the reference data, so shapes cannot be used with it.",
            "area.type",
        )
    if method == "area":
        return _by_area(release, shape.polygon if isinstance(shape, Circle) else shape)
    if method == "centroid":
        points, index = release.rep_xy, release.rep_index
    else:
        points, index = release.pwc_xy, release.pwc_index  # type: ignore[assignment]
    if points is None or index is None:
        raise AreaDefinitionError(
            f"Population-weighted centroids are only available for LSOA 2021, not {release.info.geography}. "
            "Use method 'centroid' or 'area'.",
            "method",
        )
    rows = points_inside(shape, points, index)
    return Covered(rows, np.ones(len(rows)))


def _by_area(release: ReleaseTable, shape: BaseGeometry) -> Covered:
    assert release.geography is not None and release.geo_row is not None
    minx, miny, maxx, maxy = shape.bounds
    box = release.bbox
    candidates = np.flatnonzero(
        (box[:, 2] >= minx) & (box[:, 0] <= maxx) & (box[:, 3] >= miny) & (box[:, 1] <= maxy)
    )
    if len(candidates) == 0:
        return Covered(candidates, np.zeros(0))
    geo_rows = release.geo_row[candidates]
    geometries = release.geography.shapes.geometries(geo_rows)
    shapely.prepare(shape)
    fractions = np.zeros(len(candidates))
    touching = shapely.intersects(shape, geometries)
    within = touching & shapely.contains_properly(shape, geometries)
    fractions[within] = 1.0
    partial = np.flatnonzero(touching & ~within)
    if len(partial):
        areas = _overlap_areas(shape, geometries[partial], time.monotonic() + AREA_BUDGET_SECONDS)
        fractions[partial] = areas / release.geography.shapes.area_m2[geo_rows[partial]]
    fractions = np.clip(fractions, 0.0, 1.0)
    fractions[fractions < AREA_TOLERANCE] = 0.0
    fractions[fractions > 1 - AREA_TOLERANCE] = 1.0
    keep = fractions > 0
    return Covered(candidates[keep], fractions[keep])


def _overlap_areas(
    shape: BaseGeometry, neighbourhoods: NDArray[np.object_], deadline: float
) -> NDArray[np.float64]:
    """The area each neighbourhood shares with the shape.

    Overlaying a neighbourhood with the whole shape costs O(the shape's points), so a long, spiky boundary
    would grow as n² over the neighbourhoods it crosses; the shape is first clipped to each neighbourhood's
    box (one linear pass in C), leaving only the local piece to overlay. A shape that still takes longer
    than the budget is refused with what to do, rather than holding a worker for minutes.
    """
    if shapely.get_num_coordinates(shape) <= CLIP_ABOVE_POINTS:
        return np.asarray(shapely.area(shapely.intersection(neighbourhoods, shape)), dtype=np.float64)
    areas = np.zeros(len(neighbourhoods))
    boxes = shapely.bounds(neighbourhoods)
    for i, (neighbourhood, box) in enumerate(zip(neighbourhoods, boxes, strict=True)):
        if time.monotonic() > deadline:
            raise AreaDefinitionError(TOO_COMPLEX.format(seconds=AREA_BUDGET_SECONDS), "method")
        # clip_by_rect is fast but may leave an invalid piece where the shape runs along the box's edge.
        piece = shapely.make_valid(shapely.clip_by_rect(shape, *box))
        areas[i] = shapely.area(shapely.intersection(neighbourhood, piece))
    return areas


def outside_release(release: ReleaseTable, shape: Area) -> int:
    """How many small areas of the same geography but another nation (e.g. Welsh LSOAs) the shape takes in."""
    if release.geography is None:
        return 0
    index = release.outside_index
    if isinstance(shape, Circle):
        # Usually none: the other nation's points in the circle's box are fewer calls to count than its
        # strip's distances (a strip through Wales beside Blackpool holds hundreds, its box none).
        reach = shape.radius_m + EDGE_MARGIN_M
        if len(index.in_box(shape.x - reach, shape.y - reach, shape.x + reach, shape.y + reach)) == 0:
            return 0
    return len(points_inside(shape, release.outside_xy, index))
