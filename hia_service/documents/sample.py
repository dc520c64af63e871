"""The example assessment used by `hia pdf sample` and the benchmark, and a made-up map to go with it.

The map's neighbourhoods are invented (a Voronoi pattern near a made-up town), so the sample never carries
real boundary data; the real map comes from the lead's geography code through decile_map_png.
"""

import json
from importlib import resources
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .charts import decile_map_png


def example_snapshot() -> dict[str, Any]:
    """A realistic approved snapshot (fresh copy each call, so callers may change it)."""
    text = resources.files(__package__).joinpath("example_snapshot.json").read_text(encoding="utf-8")
    return json.loads(text)


def example_geometries(count: int = 32, seed: int = 42) -> list[tuple[BaseGeometry, int]]:
    """Invented neighbourhoods in British National Grid metres, more deprived towards the south-west."""
    rng = np.random.default_rng(seed)
    origin = np.array([430000.0, 433000.0])
    points = origin + rng.uniform(0, 9000, size=(count, 2))
    boundary = shapely.buffer(shapely.Point(*(origin + 4500)), 4800, quad_segs=4)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=boundary)
    pairs = []
    for cell in cells.geoms:
        shape = shapely.intersection(cell, boundary)
        if shape.is_empty:
            continue
        x, y = np.asarray(shape.centroid.coords[0]) - origin
        decile = int(np.clip((x + y + 4000) / 2000 + rng.integers(-1, 2), 1, 10))
        pairs.append((shape, decile))
    return pairs


def example_authorities(
    pairs: list[tuple[BaseGeometry, int]], names: tuple[str, ...] = ("Northshire",)
) -> list[tuple[str, list[int]]]:
    """Invented local authorities for the invented neighbourhoods: side by side, west to east."""
    x = np.array([shape.centroid.x for shape, _ in pairs])
    edges = np.quantile(x, np.linspace(0, 1, len(names) + 1)[1:-1])
    band = np.searchsorted(edges, x)
    return [(name, np.flatnonzero(band == i).tolist()) for i, name in enumerate(names)]


def example_map_png() -> bytes:
    pairs = example_geometries()
    return decile_map_png(pairs, authorities=example_authorities(pairs))
