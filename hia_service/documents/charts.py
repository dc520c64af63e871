"""The deprivation chart and the decile map, drawn with matplotlib into PNG bytes.

Figures are built on matplotlib's object API (no pyplot), so drawing is thread-safe inside the web app,
and saved without a timestamp or software tag so the same data always gives the same bytes.
"""

import io
import threading
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np
import shapely
from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle
from matplotlib.typing import RcKeyType
from PIL import Image
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from hia_service.domain.geography.area_profile import ProfileLike, as_area_profile
from hia_service.domain.kept import Kept

from .errors import DocumentError
from .map_outlines import (
    OUTLINE_COLOUR,
    OUTLINE_WIDTH,
    Authorities,
    dissolve,
    draw_outlines,
    polygon_path,
    write_names,
)
from .wording import national_baseline

NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#AEB7BD"
EN_DASH = "\u2013"
SITE_COLOUR = "#D5281B"  # NHS red: stands out from every decile shade
TEXT_COLOUR = "#212B32"
# Viridis in ten steps, decile 1 (most deprived) darkest: readable with colour-blindness and in greyscale,
# and no step is white, so every neighbourhood stays visible on the page.
DECILE_COLOURS = (
    "#440154", "#482878", "#3E4989", "#31688E", "#26828E",
    "#1F9E89", "#35B779", "#6ECE58", "#B5DE2B", "#FDE725",
)  # fmt: skip
_DPI = 200
_CHART_INCHES, _MAP_INCHES = (6.8, 2.7), (6.0, 4.6)
# Every map is exactly this many pixels (width, height): the record lays out a stand-in of this size while
# the map is drawn (pdf.py, pdf_figures.py).
MAP_PIXELS = (round(_MAP_INCHES[0] * _DPI), round(_MAP_INCHES[1] * _DPI))
_FONT: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
}
# rc_context changes matplotlib's global settings for a moment: one figure at a time across threads.
_RC_LOCK = threading.Lock()


def decile_chart_png(given: ProfileLike) -> bytes:
    """Bar chart: share of the people affected in each IMD decile, beside England's share."""
    return shares_chart_png(*_chart_key(given))


def shares_chart_png(affected: Sequence[float], nation: str, national: Sequence[float]) -> bytes:
    """The same chart from the shares (%) in each decile, 1 (most deprived) to 10."""
    key = (tuple(affected), nation, tuple(national))
    known = CHARTS.get(key)
    if known is not None:
        return known
    with _RC_LOCK, rc_context(_FONT):
        png = _png(_chart(list(key[0]), key[1], list(key[2])))
    CHARTS.put(key, png)
    return png


ChartKey = tuple[tuple[float, ...], str, tuple[float, ...]]


def _chart_key(given: ProfileLike) -> ChartKey:
    profile = as_area_profile(given)
    if profile is None:
        raise DocumentError("There is no area profile to draw.")
    affected = _shares([v or 0 for v in profile.population_by_decile or [0] * 10])
    nation, figures = national_baseline(profile)
    national = _shares([v or 0 for v in figures.population_by_decile or [1] * 10])
    return tuple(affected), nation, tuple(national)


# Charts drawn, by the shares they show: every version of an assessment, and its Word copy, shows the same
# chart, and matplotlib takes 0.1 to 0.3 s over it (deterministic, so a kept copy is identical).
CHARTS: Kept[ChartKey, bytes] = Kept(64)


def decile_map_png(
    geoms_with_deciles: Iterable[tuple[BaseGeometry, int]],
    *,
    site: tuple[float, float, float] | None = None,
    authorities: Authorities = (),
) -> bytes:
    """Map of the affected neighbourhoods shaded by decile. Geometries in WGS84 or British National Grid.

    site: (x, y, radius in metres) in British National Grid for a radius area: a marker at the centre and
    the circle drawn dashed. authorities: (name, places in geoms_with_deciles of its neighbourhoods) for
    each local authority: its neighbourhoods are outlined together and it is named. No background tiles:
    the service must work offline, and tiles would add licensing and size.
    """
    given = list(geoms_with_deciles)
    kept = [i for i, (g, _) in enumerate(given) if g is not None and not g.is_empty]
    if not kept:
        raise DocumentError("There are no neighbourhood boundaries to draw on the map.")
    pairs = [(given[i][0], int(given[i][1])) for i in kept]
    with _RC_LOCK, rc_context(_FONT):
        return _png(_map(pairs, site, _renumbered(authorities, kept)))


def _renumbered(authorities: Authorities, kept: list[int]) -> list[tuple[str, list[int]]]:
    """The authorities' places among the neighbourhoods drawn (those with no boundary are left out)."""
    place = {given: drawn for drawn, given in enumerate(kept)}
    groups = [(name, [place[i] for i in members if i in place]) for name, members in authorities]
    return [(name, members) for name, members in groups if members]


def _chart(affected: list[float], nation: str, national: list[float]) -> Figure:
    figure = _figure(*_CHART_INCHES)
    axes = figure.add_subplot()
    deciles = np.arange(1, 11)
    bars = axes.bar(deciles - 0.2, affected, 0.4, color=NHS_BLUE, label="People affected")
    axes.bar(deciles + 0.2, national, 0.4, color=NHS_MID_GREY, label=nation)
    axes.bar_label(bars, labels=[f"{s:.0f}%" for s in affected], padding=2, fontsize=7, color=TEXT_COLOUR)
    axes.set_xticks(deciles, ["1\nmost\ndeprived", *map(str, range(2, 10)), "10\nleast\ndeprived"])
    axes.set_ylabel("Share of people (%)")
    axes.set_ylim(0, max(*affected, *national) * 1.2)
    axes.legend(frameon=False, loc="upper right")
    _plain_axes(axes)
    figure.tight_layout()
    return figure


def _map(
    pairs: list[tuple[BaseGeometry, int]],
    site: tuple[float, float, float] | None,
    authorities: Authorities = (),
) -> Figure:
    geoms = _in_british_national_grid([g for g, _ in pairs])
    figure = _figure(*_MAP_INCHES)
    axes = figure.add_axes((0.0, 0.0, 0.70, 1.0))
    paths = [polygon_path(g) for g in geoms]
    colours = [DECILE_COLOURS[min(max(d, 1), 10) - 1] for _, d in pairs]
    # A collection of paths, not of patches: the same pixels, without making a patch object for each of
    # hundreds of neighbourhoods (about 50 ms for an ICB).
    axes.add_collection(
        PathCollection(
            paths, facecolors=colours, edgecolors=NHS_DARK_GREY, linewidths=0.3, transform=axes.transData
        )
    )
    outlines = dissolve(geoms, authorities)
    draw_outlines(axes, outlines)
    bounds = shapely.total_bounds(geoms)
    keep_clear: list[Artist] = []
    if site is not None:
        x, y, radius = site
        axes.add_patch(
            Circle((x, y), radius, fill=False, edgecolor=TEXT_COLOUR, linewidth=0.9, linestyle=(0, (4, 3)))
        )
        keep_clear += axes.plot(
            x, y, marker="o", markersize=8, color=SITE_COLOUR, markeredgecolor="white", markeredgewidth=1.5
        )
        bounds = np.array(
            [
                min(bounds[0], x - radius),
                min(bounds[1], y - radius),
                max(bounds[2], x + radius),
                max(bounds[3], y + radius),
            ]
        )
    _frame(axes, bounds)
    keep_clear += _scale_bar(axes)
    write_names(axes, outlines, keep_clear)
    _decile_legend(figure, sorted({d for _, d in pairs}), site=site is not None, outlines=bool(outlines))
    return figure


def _shares(counts: Sequence[float]) -> list[float]:
    total = float(sum(counts))
    return [100.0 * c / total if total else 0.0 for c in counts]


def _figure(width_in: float, height_in: float) -> Figure:
    figure = Figure(figsize=(width_in, height_in), dpi=_DPI)
    FigureCanvasAgg(figure)
    return figure


def _plain_axes(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=TEXT_COLOUR, labelsize=7)
    axes.yaxis.grid(True, color="#D8DDE0", linewidth=0.5)
    axes.set_axisbelow(True)


def _png(figure: Figure) -> bytes:
    """An opaque RGB PNG. matplotlib's own PNGs carry an alpha channel, even on white, which a PDF keeps
    as a separate soft mask. Deflate level 1: Typst decodes and compresses every PNG it embeds again
    anyway, and level 1 takes half the time of the default for a file about 6% bigger."""
    figure.patch.set_facecolor("white")
    canvas = figure.canvas
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    Image.fromarray(rgba[:, :, :3]).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _in_british_national_grid(geoms: list[BaseGeometry]) -> np.ndarray:
    array = np.asarray(geoms, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(array)
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:  # degrees, not metres
        to_bng = _wgs84_to_bng()
        array = shapely.transform(array, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1])))
    return array


@cache
def _wgs84_to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)  # made once, on first use


def _frame(axes: Any, bounds: np.ndarray) -> None:
    minx, miny, maxx, maxy = bounds
    pad = max(maxx - minx, maxy - miny) * 0.04 + 50
    axes.set_xlim(minx - pad, maxx + pad)
    axes.set_ylim(miny - pad - (maxy - miny) * 0.08, maxy + pad)  # a strip below the areas for the scale bar
    axes.set_aspect("equal")
    axes.set_axis_off()


def _scale_bar(axes: Any) -> list[Artist]:
    x0, x1 = axes.get_xlim()
    y0, y1 = axes.get_ylim()
    length = _nice_length((x1 - x0) / 5)
    x, y = x0 + (x1 - x0) * 0.02, y0 + (y1 - y0) * 0.02
    bar = axes.plot([x, x + length], [y, y], color=TEXT_COLOUR, linewidth=2, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    text = axes.text(x + length / 2, y + (y1 - y0) * 0.015, label, ha="center", va="bottom", fontsize=7)
    return [*bar, text]


def _nice_length(target: float) -> float:
    magnitude = 10 ** np.floor(np.log10(target))
    return float(max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target))


def decile_legend_words(decile: int) -> str:
    """A decile as the map's legend says it: "1 - most deprived 10%", "2 - most deprived 10-20%", ...
    (with en dashes)."""
    if decile <= 5:
        band = "10%" if decile == 1 else f"{(decile - 1) * 10}{EN_DASH}{decile * 10}%"
        return f"{decile} {EN_DASH} most deprived {band}"
    rank = 11 - decile
    band = "10%" if rank == 1 else f"{(rank - 1) * 10}{EN_DASH}{rank * 10}%"
    return f"{decile} {EN_DASH} least deprived {band}"


def _decile_legend(figure: Figure, present: list[int], *, site: bool, outlines: bool = False) -> None:
    axes = figure.add_axes((0.71, 0.12, 0.29, 0.76))
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    y = -0.8  # the entries under the deciles, one below the other
    if outlines:
        axes.plot([0, 0.15], [y, y], color=OUTLINE_COLOUR, linewidth=OUTLINE_WIDTH, solid_capstyle="butt")
        axes.text(0.2, y, "Local authority boundary", fontsize=6.5, va="center")
        y -= 1.1
    if site:
        axes.plot(0.09, y, marker="o", markersize=7, color=SITE_COLOUR, markeredgecolor="white")
        axes.text(0.2, y, "The site, with the radius\ndashed around it", fontsize=6.5, va="center")
        y -= 1.3
    axes.set_ylim(y + 0.6 if outlines or site else 0, 11.5)
    axes.text(0, 11, "Deprivation decile", fontsize=7, fontweight="bold", va="center")
    for decile in range(1, 11):
        y = 10 - decile + 0.5
        edge = NHS_DARK_GREY if decile in present else "#D8DDE0"
        axes.add_patch(
            Rectangle((0, y - 0.35), 0.15, 0.7, facecolor=DECILE_COLOURS[decile - 1], edgecolor=edge)
        )
        axes.text(0.2, y, decile_legend_words(decile), fontsize=6.5, va="center")
