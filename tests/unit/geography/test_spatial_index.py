"""The indexes that find points in a shape and the rows of a group give exactly what testing every point or
row gives, in the same order (so every sum over them adds in the same order, to the last digit)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from hia_service.domain.geography.shapes import CIRCLE_QUAD_SEGS, Circle, circle
from hia_service.domain.geography.spatial import points_inside
from hia_service.domain.geography.tables import SORT_AT_MOST, GroupMembers, PointIndex


def _every_point(shape: shapely.Geometry, xy: np.ndarray) -> np.ndarray:
    return np.flatnonzero(shapely.contains_xy(shape, xy[:, 0], xy[:, 1]))


@pytest.fixture(scope="module")
def scattered() -> np.ndarray:
    """Points over a 200 km square, some on a grid so several share an easting, and a few NaN."""
    rng = np.random.default_rng(23)
    points = rng.uniform(400_000, 600_000, size=(40_000, 2))
    points[:2_000] = np.round(points[:2_000], -3)  # shared eastings and northings
    points[5] = np.nan
    return points


@pytest.mark.parametrize(
    "box", [(450_000, 450_000, 460_000, 470_000), (400_000, 400_000, 600_000, 600_000), (0, 0, 1, 1)]
)
def test_points_in_a_box_are_those_a_test_of_every_point_finds(
    scattered: np.ndarray, box: tuple[float, float, float, float]
) -> None:
    minx, miny, maxx, maxy = box
    x, y = scattered[:, 0], scattered[:, 1]
    expected = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
    index = PointIndex.of(scattered)
    found = index.ascending(index.in_box(*box))
    assert found.tolist() == expected.tolist()


@pytest.mark.parametrize(
    "box", [(0, 0, 399_999, 700_000), (600_001, 0, 700_000, 700_000), (0, 0, 700_000, 399_999)]
)
def test_a_box_beyond_every_point_finds_none(scattered: np.ndarray, box: tuple[float, ...]) -> None:
    index = PointIndex.of(scattered[~np.isnan(scattered).any(axis=1)])
    minx, miny, maxx, maxy = index.extent or (0.0, 0.0, 0.0, 0.0)
    assert 400_000 <= minx < maxx <= 600_000 and 400_000 <= miny < maxy <= 600_000
    assert len(index.in_box(*box)) == 0
    assert len(index.in_box(minx, miny, minx, maxy)) >= 1  # a box touching the extent's edge


def test_an_index_of_no_points_has_no_extent_and_finds_none() -> None:
    index = PointIndex.of(np.zeros((0, 2)))
    assert index.extent is None
    assert len(index.in_box(0.0, 0.0, 1e6, 1e6)) == 0


def test_points_on_the_edge_of_a_box_are_in_it() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.5], [0.5, 1.0], [1.0, 1.0], [1.0 + 1e-9, 0.5], [0.5, -1e-9]])
    index = PointIndex.of(points)
    assert index.ascending(index.in_box(0.0, 0.0, 1.0, 1.0)).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("count", [0, 1, SORT_AT_MOST, SORT_AT_MOST + 1, 30_000])
def test_ascending_sorts_however_many(scattered: np.ndarray, count: int) -> None:
    index = PointIndex.of(scattered)
    chosen = np.random.default_rng(count).permutation(len(scattered))[:count]
    assert index.ascending(chosen).tolist() == sorted(chosen.tolist())


@pytest.mark.parametrize("radius_km", [0.05, 1.0, 7.3, 10.0, 60.0, 100.0])
def test_a_circle_holds_the_points_its_polygon_holds(scattered: np.ndarray, radius_km: float) -> None:
    centre = (500_123.4, 499_876.5)
    index = PointIndex.of(scattered)
    expected = _every_point(circle(*centre, radius_km), scattered)
    assert points_inside(Circle(*centre, radius_km), scattered, index).tolist() == expected.tolist()


def test_points_on_and_either_side_of_the_polygons_edges_are_placed_as_the_polygon_places_them() -> None:
    """Points at each corner, the middle of each side, and a millimetre and a micrometre either way of both:
    the ones a centre-and-radius test alone would get wrong."""
    x0, y0, radius_km = 459_162.0, 404_161.0, 10.0
    polygon = circle(x0, y0, radius_km)
    corners = shapely.get_coordinates(polygon)[:-1]
    middles = (corners + np.roll(corners, -1, axis=0)) / 2
    rays = np.vstack([corners, middles]) - (x0, y0)
    lengths = np.hypot(rays[:, 0], rays[:, 1])[:, None]
    points = [(x0, y0) + rays * (1 + step / lengths) for step in (-1e-3, -1e-6, 0.0, 1e-6, 1e-3)]
    points.append(np.array([[x0, y0]]))
    cloud = np.vstack(points)
    expected = _every_point(polygon, cloud)
    assert 0 < len(expected) < len(cloud)
    assert points_inside(Circle(x0, y0, radius_km), cloud, PointIndex.of(cloud)).tolist() == expected.tolist()


def test_the_polygon_of_a_circle_is_drawn_only_when_a_point_is_near_its_edge() -> None:
    x0, y0 = 500_000.0, 500_000.0
    clear = np.array([[x0, y0], [x0 + 5_000, y0], [x0 + 20_000, y0]])
    shape = Circle(x0, y0, 10.0)
    assert points_inside(shape, clear, PointIndex.of(clear)).tolist() == [0, 1]
    assert "polygon" not in vars(shape)
    side = 10_000 * math.cos(math.pi / (4 * CIRCLE_QUAD_SEGS))
    near = np.vstack([clear, [[x0 + side + 0.5, y0]]])
    assert points_inside(shape, near, PointIndex.of(near)).tolist() == [0, 1, 3]
    assert "polygon" in vars(shape)


def test_a_polygon_holds_the_points_a_test_of_every_point_finds(scattered: np.ndarray) -> None:
    shape = shapely.Polygon([(450_000, 450_000), (560_000, 470_000), (520_000, 590_000), (470_000, 520_000)])
    expected = _every_point(shape, scattered)
    assert points_inside(shape, scattered, PointIndex.of(scattered)).tolist() == expected.tolist()


def test_group_members_are_the_rows_a_test_of_every_row_finds() -> None:
    group_of = np.random.default_rng(5).integers(-1, 40, size=10_000).astype(np.int32)
    members = GroupMembers.of(group_of, 41)  # group 40 has no rows
    for groups in ([0], [39], [40], [3, 17, 4], list(range(40))):
        expected = np.flatnonzero(np.isin(group_of, groups))
        assert members.rows(groups).tolist() == expected.tolist()
    rows = members.rows([7])
    rows[:] = 0  # the caller's copy: the index is unchanged
    assert members.rows([7]).tolist() == np.flatnonzero(group_of == 7).tolist()
