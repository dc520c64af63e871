"""Boundaries to British National Grid arrays: polygons as WKB, point-on-surface, bounding boxes, areas, and
assigning grid points (postcodes) to the polygon that contains them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

# Coastal postcodes can sit just outside generalised clipped (BGC) boundaries; within this distance of an LSOA
# of their own nation we take the nearest one, as ONS's postcode directories do for such points.
NEAREST_LIMIT_M = 1_000.0
POINTS_PER_BATCH = 100_000
POLYGONS_PER_BATCH = 2_000


@dataclass(eq=False)
class Polygons:
    codes: NDArray[np.str_]
    geometry: NDArray[np.object_]  # BNG, valid

    def rep_xy(self) -> NDArray[np.float64]:
        return shapely.get_coordinates(shapely.point_on_surface(self.geometry))

    def bbox(self) -> NDArray[np.float64]:
        return shapely.bounds(self.geometry)

    def wkb(self) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
        """All polygons as one WKB byte array plus offsets (row i is wkb[offsets[i]:offsets[i+1]])."""
        chunks = shapely.to_wkb(self.geometry)
        sizes = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        return np.frombuffer(b"".join(chunks), dtype=np.uint8), offsets


def to_bng(geometry: NDArray[np.object_]) -> NDArray[np.object_]:
    """WGS84 polygons to British National Grid, repaired where invalid (a few BGC polygons self-touch)."""
    transformer = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)

    def project(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    # A batch of polygons at a time: every coordinate of the detailed boundaries at once took about 120 MB
    # of arrays in passing, the load's peak. Each point is projected on its own, so batches change nothing.
    projected = np.empty(len(geometry), dtype=object)
    for start in range(0, len(geometry), POLYGONS_PER_BATCH):
        projected[start : start + POLYGONS_PER_BATCH] = shapely.transform(
            geometry[start : start + POLYGONS_PER_BATCH], project
        )
    invalid = ~shapely.is_valid(projected)
    if invalid.any():
        repaired = shapely.make_valid(projected[invalid])
        # make_valid may add stray lines or points; keep only the polygonal part
        projected[invalid] = [_polygonal(g) for g in repaired]
    return projected


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_type_id(geometry) in (3, 6):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts)


def sorted_polygons(codes: NDArray[np.str_], geometry: NDArray[np.object_]) -> Polygons:
    order = np.argsort(codes, kind="stable")
    return Polygons(np.asarray(codes)[order].astype("U9"), to_bng(np.asarray(geometry)[order]))


def assign_points(
    polygons: Polygons,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    allowed: NDArray[np.bool_] | None = None,
) -> NDArray[np.int32]:
    """Row of the polygon containing each point, or the nearest within NEAREST_LIMIT_M, else -1.

    `allowed` (per point) limits which points are looked up at all (others get -1).
    """
    result = np.full(len(x), -1, dtype=np.int32)
    todo = np.arange(len(x)) if allowed is None else np.flatnonzero(allowed)
    if len(todo) == 0:
        return result
    tree = shapely.STRtree(polygons.geometry)
    # A batch at a time: a point object for each of Code-Point Open's 1.7 million postcodes at once would
    # take about 500 MB. Each point's answer depends only on the point, so the batches change nothing.
    for start in range(0, len(todo), POINTS_PER_BATCH):
        _assign(tree, x, y, todo[start : start + POINTS_PER_BATCH], result)
    return result


def _assign(
    tree: shapely.STRtree,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    todo: NDArray[np.intp],
    result: NDArray[np.int32],
) -> None:
    points = shapely.points(x[todo], y[todo])
    point_i, poly_i = tree.query(points, predicate="intersects")
    # a point on a shared edge touches two polygons: keep the first so each point has exactly one
    first = np.unique(point_i, return_index=True)[1]
    result[todo[point_i[first]]] = poly_i[first]
    outside = np.flatnonzero(result[todo] < 0)
    if len(outside):
        near_point, near_poly = tree.query_nearest(
            points[outside],  # type: ignore[index]  # an array of Points; shapely's stubs allow one Point
            max_distance=NEAREST_LIMIT_M,
            all_matches=False,
        )
        result[todo[outside[near_point]]] = near_poly
