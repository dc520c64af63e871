"""Bar charts of the portfolio as PNG, drawn on the server (no scripts in the page). Each chart sits next
to a table with the same figures, which is what screen readers use."""

from __future__ import annotations

import io

from hia_service.services.review.dashboard import Count

NHS_BLUE = "#005eb8"
TEXT = "#212b32"


def bar_chart_png(title: str, counts: list[Count]) -> bytes:
    """A horizontal bar chart, one bar per category, labelled with its count."""
    from matplotlib.figure import Figure  # matplotlib takes a while to import: only when a chart is drawn

    height = 1.0 + 0.45 * max(len(counts), 1)
    figure = Figure(figsize=(7.5, height), dpi=110)
    axes = figure.add_subplot()
    labels = [c.label for c in counts][::-1]
    values = [c.count for c in counts][::-1]
    bars = axes.barh(labels, values, color=NHS_BLUE)
    axes.bar_label(bars, padding=3, color=TEXT)
    axes.set_title(title, loc="left", color=TEXT, fontsize=11)
    axes.tick_params(colors=TEXT, labelsize=9)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.set_xlim(0, max(values, default=0) * 1.15 + 1)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
