"""The local authorities on the decile map (issue 22, item 4): each one's neighbourhoods dissolved into an
outline drawn over the shading, its name inside, and a legend entry; the map without them as before."""

from itertools import combinations

import numpy as np
import shapely
from matplotlib import rc_context
from matplotlib.collections import PathCollection

from hia_service.documents.charts import _FONT, DECILE_COLOURS, _map, _renumbered, decile_map_png
from hia_service.documents.map_outlines import NAMES_AT_MOST, OUTLINE_COLOUR, dissolve
from hia_service.documents.sample import example_authorities, example_geometries

SIDE = 2000.0


def _row(count: int) -> list[tuple[shapely.Polygon, int]]:
    """Squares side by side, west to east, in British National Grid."""
    return [
        (shapely.box(430000 + i * SIDE, 433000, 430000 + (i + 1) * SIDE, 433000 + SIDE), 5)
        for i in range(count)
    ]


def _drawn(pairs, authorities=(), site=None):
    with rc_context(_FONT):
        figure = _map(pairs, site, authorities)
        figure.canvas.draw()
    return figure


def _outlines(figure) -> list[PathCollection]:
    return [c for c in figure.axes[0].collections if c.get_zorder() == 2]


def _texts(figure, axes: int) -> list[str]:
    return [t.get_text() for t in figure.axes[axes].texts]


def test_each_authority_is_outlined_once_and_named():
    figure = _drawn(_row(4), [("Westshire", [0, 1]), ("Eastshire", [2, 3])])
    (outlines,) = _outlines(figure)
    assert len(outlines.get_paths()) == 2
    assert tuple(outlines.get_edgecolor()[0][:3]) == tuple(
        int(OUTLINE_COLOUR[i : i + 2], 16) / 255 for i in (1, 3, 5)
    )
    assert {"Westshire", "Eastshire"} <= set(_texts(figure, 0))
    assert "Local authority boundary" in _texts(figure, 1)


def test_without_authorities_the_map_has_no_outlines_names_or_legend_entry():
    figure = _drawn(_row(4))
    assert _outlines(figure) == []
    assert _texts(figure, 0) == ["1 km"]  # the scale bar's only
    assert "Local authority boundary" not in _texts(figure, 1)
    assert decile_map_png(_row(4)).startswith(b"\x89PNG")


def test_the_outline_is_the_authoritys_edge_not_its_neighbourhoods():
    squares = _row(3)
    (only,) = dissolve(np.array([g for g, _ in squares]), [("Midshire", [0, 1, 2])])
    assert only[0] == "Midshire"
    assert only[1].equals(shapely.box(430000, 433000, 430000 + 3 * SIDE, 433000 + SIDE))


def test_the_line_is_dark_where_authorities_meet_and_not_between_neighbourhoods_of_one():
    figure = _drawn(_row(3), [("Westshire", [0, 1]), ("Eastshire", [2])])
    pixels = np.asarray(figure.canvas.buffer_rgba())[:, :, :3].astype(int)
    to_pixels = figure.axes[0].transData
    height = pixels.shape[0]

    def darkness(x: float) -> int:
        """765 for black, 0 for white, at x on a line low across the squares (clear of the names)."""
        column, row = to_pixels.transform((x, 433000 + SIDE * 0.25))
        return 765 - int(pixels[height - round(row), round(column)].sum())

    def of(colour: str) -> int:
        return 765 - sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    between_neighbourhoods = max(darkness(430000 + SIDE + dx) for dx in (-10, 0, 10))
    between_authorities = max(darkness(430000 + 2 * SIDE + dx) for dx in (-10, 0, 10))
    assert between_authorities >= of(OUTLINE_COLOUR) - 10
    assert of(DECILE_COLOURS[4]) <= between_neighbourhoods < of(OUTLINE_COLOUR) - 60


def test_many_authorities_get_at_most_a_dozen_names_none_overlapping_and_all_on_the_map():
    pairs = example_geometries(count=300)
    names = tuple(f"Borough {i}" for i in range(30))
    figure = _drawn(pairs, example_authorities(pairs, names))
    (outlines,) = _outlines(figure)
    assert len(outlines.get_paths()) == 30
    written = [t for t in figure.axes[0].texts if t.get_text().startswith("Borough")]
    assert 0 < len(written) <= NAMES_AT_MOST
    renderer = figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in written]
    frame = figure.axes[0].get_window_extent(renderer)
    legend = figure.axes[1].get_window_extent(renderer)
    assert not any(a.overlaps(b) for a, b in combinations(boxes, 2))
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and not b.overlaps(legend) for b in boxes)


def test_a_name_is_not_written_over_the_site_marker():
    pairs = _row(1)
    site = (430000 + SIDE / 2, 433000 + SIDE / 2, 500.0)
    figure = _drawn(pairs, [("Centreshire", [0])], site=site)
    renderer = figure.canvas.get_renderer()
    (name,) = [t for t in figure.axes[0].texts if t.get_text() == "Centreshire"]
    (marker,) = figure.axes[0].lines[:1]
    assert not name.get_window_extent(renderer).overlaps(marker.get_window_extent(renderer))


def test_neighbourhoods_that_do_not_quite_meet_are_still_merged():
    # The second square's corner lies part-way along the first's edge: not a clean coverage, which the
    # quick union refuses; the full union takes over.
    first = shapely.box(0, 0, 1000, 1000)
    second = shapely.box(1000, 500, 2000, 1500)
    (only,) = dissolve(np.array([first, second]), [("Oddshire", [0, 1])])
    assert only[1].is_valid and only[1].geom_type == "Polygon"
    assert abs(only[1].area - 2_000_000) < 1e-6


def test_neighbourhoods_without_a_boundary_are_left_out_of_their_authority():
    # the second of five has no boundary, so the drawn places of the rest move up by one
    assert _renumbered([("Westshire", [0, 1]), ("Eastshire", [2, 3, 4]), ("Nowhere", [1])], [0, 2, 3, 4]) == [
        ("Westshire", [0]),
        ("Eastshire", [1, 2, 3]),
    ]
    pairs = [*_row(2), (None, 3), *_row(3)[2:]]
    assert decile_map_png(pairs, authorities=[("Westshire", [0, 1]), ("Eastshire", [2, 3])]).startswith(
        b"\x89PNG"
    )
