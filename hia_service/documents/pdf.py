"""build_pdf: the assessment record for board papers, A4, in the NHS.UK style.

Output is deterministic: reportlab's invariant mode plus the snapshot's own date mean that rendering the
same frozen version twice gives the same bytes, so a regenerated record can be compared with the original.
"""

import base64
import binascii
import io
from collections.abc import Mapping
from functools import partial
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.lib.utils import ImageReader
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .blocks import Block
from .charts import decile_chart_png
from .content import assessment_blocks
from .errors import SnapshotError
from .metadata import SignatureBox
from .pdf_blocks import flowables
from .pdf_pages import (
    MARGIN_BOTTOM,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SUBJECT,
    FurnishedCanvas,
    PageFurniture,
    draw_first_page,
    draw_later_page,
)
from .snapshot import check_snapshot, document_info, generated_at, snapshot_profile
from .svg_logo import svg_logo_drawing

TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


def build_pdf(
    snapshot: Mapping[str, Any], *, map_png: bytes | None = None, chart_png: bytes | None = None
) -> bytes:
    """Render a frozen assessment version as an unsigned PDF.

    chart_png defaults to decile_chart_png(snapshot["profile"]); map_png (from decile_map_png) is optional.
    Approved, non-training documents get an empty space for the signature that sign_pdf fills in; every
    other document is marked "DRAFT — NOT APPROVED" and/or "TRAINING — NOT FOR DECISION" on every page.
    Raises SnapshotError when the snapshot is incomplete.
    """
    check_snapshot(snapshot)
    profile = snapshot_profile(snapshot)
    if chart_png is None and profile is not None and profile.population_by_decile:
        chart_png = decile_chart_png(profile)
    blocks = assessment_blocks(snapshot, chart_png=chart_png, map_png=map_png)
    return render_blocks(blocks, _furniture(snapshot))


def render_blocks(blocks: list[Block], furniture: PageFurniture) -> bytes:
    """Lay out blocks on NHS-styled A4 pages (separate from build_pdf so benchmarks can time layout alone)."""
    buffer = io.BytesIO()
    document = _template(buffer, furniture)

    def remember_signature(box: SignatureBox) -> None:
        furniture.signature_box = box

    story = flowables(blocks, TEXT_WIDTH, remember_signature)
    document.build(story, canvasmaker=partial(FurnishedCanvas, furniture=furniture, invariant=1))
    return buffer.getvalue()


def _furniture(snapshot: Mapping[str, Any]) -> PageFurniture:
    return PageFurniture(
        info=document_info(snapshot),
        organisation=snapshot["organisation"]["name"],
        title=snapshot["title"],
        created=generated_at(snapshot),
        logo_png=_logo(snapshot["organisation"].get("logo_png")),
        logo_svg=_svg_logo(snapshot["organisation"].get("logo_svg")),
        address=snapshot["organisation"].get("address") or None,
    )


def _logo(value: bytes | str | None) -> bytes | None:
    """The organisation's logo: PNG bytes, or base64 text when the snapshot has been through JSON."""
    if not value:
        return None
    try:
        data = value if isinstance(value, bytes) else base64.b64decode(value, validate=True)
        ImageReader(io.BytesIO(data)).getSize()
    except (binascii.Error, OSError, ValueError) as error:
        raise SnapshotError("The organisation's logo should be a PNG image (base64 text in JSON).") from error
    return data


def _svg_logo(value: bytes | str | None) -> Drawing | None:
    """The SVG logo (bytes, or base64 text after JSON) as a drawing; None when it cannot be drawn."""
    if not value:
        return None
    try:
        data = value if isinstance(value, bytes) else base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnapshotError("The organisation's SVG logo should be base64 text in JSON.") from error
    return svg_logo_drawing(data)


def _template(buffer: io.BytesIO, furniture: PageFurniture) -> BaseDocTemplate:
    def frame(first_page: bool) -> Frame:
        top = furniture.content_top(first_page)
        return Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_WIDTH, top - MARGIN_BOTTOM, 0, 0, 0, 0, id="content")

    first = PageTemplate(
        "first",
        [frame(True)],
        onPage=lambda c, _: draw_first_page(c, furniture),
        autoNextPageTemplate="later",
    )
    later = PageTemplate("later", [frame(False)], onPage=lambda c, _: draw_later_page(c, furniture))
    return BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageTemplates=[first, later],
        title=furniture.title,
        author=furniture.organisation,
        subject=SUBJECT,
        creator="hia-service",
        invariant=1,
    )
