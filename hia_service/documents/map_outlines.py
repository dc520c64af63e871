"""The local authorities on the decile map: their outlines drawn over the shaded neighbourhoods, and their
names written inside them (issue 22, item 4).

There are no local authority boundary files: each authority's neighbourhoods on the map are dissolved into
one outline. Where two authorities meet, the line is their real boundary; elsewhere it is the edge of the
area mapped.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.collections import PathCollection
from matplotlib.path import Path
from matplotlib.patheffects import Normal, Stroke, withStroke
from matplotlib.transforms import Bbox
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

# (name, the places in the map's list of neighbourhoods of that authority's neighbourhoods)
Authorities = Sequence[tuple[str, Sequence[int]]]

OUTLINE_COLOUR = "#212B32"  # NHS black, as the text: the darkest line on the page
OUTLINE_WIDTH = 1.1
# A white edge on each side keeps the line visible over the darkest shade (decile 1 is near black).
OUTLINE_EFFECTS = [Stroke(linewidth=OUTLINE_WIDTH + 1.6, foreground="white"), Normal()]
NAMES_AT_MOST = 12  # beyond this the names crowd each other; the sentence under the map names them all
NAME_SIZE = 7


def polygon_path(geom: BaseGeometry) -> Path:
    """A polygon or multipolygon as one matplotlib path (holes included)."""
    rings = []
    for polygon in getattr(geom, "geoms", [geom]):
        if polygon.geom_type != "Polygon":
            continue
        rings.append(Path(np.asarray(polygon.exterior.coords)[:, :2], closed=True))
        rings += [Path(np.asarray(r.coords)[:, :2], closed=True) for r in polygon.interiors]
    return Path.make_compound_path(*rings)


def dissolve(geoms: np.ndarray, authorities: Authorities) -> list[tuple[str, BaseGeometry]]:
    """Each authority's neighbourhoods merged into one (multi)polygon, in the order given."""
    merged = []
    for name, members in authorities:
        parts = geoms[np.asarray(members, dtype=np.intp)]
        if len(parts):
            merged.append((name, _union(parts)))
    return merged


def _union(parts: np.ndarray) -> BaseGeometry:
    # Neighbourhood boundaries tile the country, so the quick union of a coverage (edges shared by two
    # neighbourhoods dropped, a few ms for an ICB) is right for nearly all of them. A few generalised
    # boundaries do not quite meet; for their authority the full union (10-25 ms) is used instead.
    try:
        merged = shapely.coverage_union_all(parts)
        if merged.is_valid:
            return merged
    except GEOSException:
        pass
    return shapely.union_all(parts)


def draw_outlines(axes: Any, outlines: list[tuple[str, BaseGeometry]]) -> None:
    if not outlines:
        return
    lines = PathCollection(
        [polygon_path(geom) for _, geom in outlines],
        facecolors="none",
        edgecolors=OUTLINE_COLOUR,
        linewidths=OUTLINE_WIDTH,
        zorder=2,
        transform=axes.transData,
    )
    lines.set_path_effects(OUTLINE_EFFECTS)
    axes.add_collection(lines)


def write_names(axes: Any, outlines: list[tuple[str, BaseGeometry]], keep_clear: Sequence[Artist]) -> int:
    """Each authority's name inside its largest piece, largest first, where it fits: inside the map, over
    no name already written nor any artist in keep_clear (the scale bar, the site), and on a piece at least
    as big as the name. Returns how many were written. Call once the map's extent is final."""
    axes.apply_aspect()  # the map's final place on the figure, which "equal" aspect settles at drawing
    renderer = axes.figure.canvas.get_renderer()
    frame = axes.get_window_extent(renderer)
    pixels_per_metre = abs(axes.transData.transform((1, 0))[0] - axes.transData.transform((0, 0))[0])
    pieces = sorted(((_largest(geom), name) for name, geom in outlines), key=lambda p: -p[0].area)
    taken = [artist.get_window_extent(renderer) for artist in keep_clear]
    written = 0
    for piece, name in pieces[:NAMES_AT_MOST]:
        label = axes.text(
            0,
            0,
            name,
            ha="center",
            va="center",
            fontsize=NAME_SIZE,
            fontweight="bold",
            color=OUTLINE_COLOUR,
            zorder=4,
            path_effects=[withStroke(linewidth=2.4, foreground="white")],
        )
        box = _place(label, piece, renderer, frame, taken)
        if box is None or piece.area * pixels_per_metre**2 < box.width * box.height:
            label.remove()
            continue
        taken.append(box.expanded(1.1, 1.3))
        written += 1
    return written


def _place(label: Any, piece: BaseGeometry, renderer: Any, frame: Bbox, taken: list[Bbox]) -> Bbox | None:
    """Puts the name at the first point of the piece where it is clear of everything taken: the middle,
    then the middle of its upper and lower thirds. Its box there, or None where there is no such point."""
    for point in _candidates(piece):
        label.set_position((point.x, point.y))
        box = _inside(label, label.get_window_extent(renderer), frame)
        if box.width <= frame.width and not any(box.overlaps(other) for other in taken):
            return box
    return None


def _candidates(piece: BaseGeometry) -> list[Any]:
    minx, miny, maxx, maxy = piece.bounds
    third = (maxy - miny) / 3
    bands = [
        shapely.clip_by_rect(piece, minx, miny + k * third, maxx, miny + (k + 1) * third) for k in (2, 0)
    ]
    return [shapely.point_on_surface(piece)] + [shapely.point_on_surface(b) for b in bands if not b.is_empty]


def _largest(geom: BaseGeometry) -> BaseGeometry:
    return max(getattr(geom, "geoms", [geom]), key=lambda part: part.area)


def _inside(label: Any, box: Bbox, frame: Bbox) -> Bbox:
    """Moves a name that runs off the map's edge back onto it; its box, as moved."""
    dx = max(frame.x0 - box.x0, 0.0) - max(box.x1 - frame.x1, 0.0)
    dy = max(frame.y0 - box.y0, 0.0) - max(box.y1 - frame.y1, 0.0)
    if dx or dy:
        x, y = label.axes.transData.transform(label.get_position())
        label.set_position(label.axes.transData.inverted().transform((x + dx, y + dy)))
    return box.translated(dx, dy)
