"""Which small areas a polygon covers, by one of three methods.

- centroid (default): an LSOA is in when its point-on-surface (shapely's representative point of the BGC
  polygon, always inside the polygon) lies inside the shape.
- pwc: the same test with ONS population-weighted centroids (LSOA 2021 only).
- area: each LSOA counts by the share of its area inside the shape (areas in British National Grid).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.tables import ReleaseTable

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


@dataclass(frozen=True)
class Covered:
    rows: NDArray[np.int64]
    fractions: NDArray[np.float64]


def points_inside(shape: BaseGeometry, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices of the points inside the shape: a bounding-box filter, then one vectorised test."""
    minx, miny, maxx, maxy = shape.bounds
    candidates = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
    if len(candidates) == 0:
        return candidates
    shapely.prepare(shape)
    inside = shapely.contains_xy(shape, x[candidates], y[candidates])
    return candidates[inside]


def cover(release: ReleaseTable, shape: BaseGeometry, method: str) -> Covered:
    if release.geography is None:
        raise AreaDefinitionError(
            f"{release.info.id} has no boundaries in the reference data, so shapes cannot be used with it.",
            "area.type",
        )
    if method == "area":
        return _by_area(release, shape)
    points = release.rep_xy if method == "centroid" else release.pwc_xy
    if points is None:
        raise AreaDefinitionError(
            f"Population-weighted centroids are only available for LSOA 2021, not {release.info.geography}. "
            "Use method 'centroid' or 'area'.",
            "method",
        )
    rows = points_inside(shape, points[:, 0], points[:, 1])
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


def outside_release(release: ReleaseTable, shape: BaseGeometry) -> int:
    """How many small areas of the same geography but another nation (e.g. Welsh LSOAs) the shape takes in."""
    if release.geography is None:
        return 0
    points = release.outside_xy
    return len(points_inside(shape, points[:, 0], points[:, 1]))
