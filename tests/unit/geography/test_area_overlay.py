"""Sharing a drawn shape's neighbourhoods out by area (issue 21, item 1): the clipped overlay gives the same
areas as overlaying the whole shape, and a shape too detailed to finish within the budget is refused with
what to do, not left to hold a worker for minutes."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import shapely

from hia_service.domain.geography import spatial
from hia_service.domain.geography.errors import AreaDefinitionError


def star(points: int, inner: float = 200.0, outer: float = 3000.0) -> shapely.Polygon:
    """A spiky polygon in metres: every other point far out, as in a hostile upload."""
    ring = [
        ((outer if i % 2 else inner) * math.cos(2 * math.pi * i / points),
         (outer if i % 2 else inner) * math.sin(2 * math.pi * i / points))
        for i in range(points)
    ]  # fmt: skip
    return shapely.Polygon(ring)


def grid(cells: int, size: float) -> np.ndarray:
    """Square 'neighbourhoods' tiling the star's box."""
    step = size * 2 / cells
    return np.array(
        [shapely.box(-size + i * step, -size + j * step, -size + (i + 1) * step, -size + (j + 1) * step)
         for i in range(cells) for j in range(cells)],
        dtype=object,
    )  # fmt: skip


@pytest.mark.parametrize("points", [40, 400, 2000])
def test_clipped_overlay_gives_the_same_areas_as_the_whole_shape(points: int) -> None:
    shape, cells = star(points), grid(12, 3000.0)
    expected = shapely.area(shapely.intersection(cells, shape))
    got = spatial._overlap_areas(shape, cells, time.monotonic() + 60)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert got.sum() == pytest.approx(shape.area, rel=1e-9)  # the tiles cover it once


def test_a_shape_that_outruns_the_budget_is_refused_with_what_to_do() -> None:
    with pytest.raises(AreaDefinitionError) as refused:
        spatial._overlap_areas(star(2000), grid(12, 3000.0), time.monotonic() - 1)
    assert refused.value.field == "method"
    assert "Simplify it in your mapping software" in refused.value.message
    assert "use method 'centroid'" in refused.value.message
