"""What is drawn on every page around the content: header band, marks, watermark, footer, metadata.

"Page x of y" needs the page count, so the canvas keeps each page's drawing state and adds the footer and
watermark when the document is saved (the usual reportlab two-stage recipe, in one layout pass).
"""

import io
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from .metadata import DocumentInfo, SignatureBox
from .pdf_style import BORDER, NHS_BLUE, NHS_RED, SECONDARY_TEXT, TEXT, WARM_YELLOW, WHITE, fonts
from .wording import marks as warning_marks

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_BOTTOM = 19 * mm
BANNER_HEIGHT = 9 * mm
BAND_HEIGHT = 22 * mm
SUBJECT = "Health inequalities impact assessment"


@dataclass
class PageFurniture:
    """Everything the page decorations need; signature_box is filled in while the content is laid out."""

    info: DocumentInfo
    organisation: str
    title: str
    created: datetime
    logo_png: bytes | None = None
    logo_svg: Drawing | None = None  # an SVG logo already read by svg_logo_drawing (None if it could not be)
    address: str | None = None
    signature_box: SignatureBox | None = field(default=None)

    @property
    def marks(self) -> tuple[str, ...]:
        return warning_marks(training=self.info.training, approved=self.info.approved)

    @property
    def banner_height(self) -> float:
        return BANNER_HEIGHT if self.marks else 0.0

    def content_top(self, first_page: bool) -> float:
        return PAGE_HEIGHT - self.banner_height - (BAND_HEIGHT + 6 * mm if first_page else 16 * mm)


def draw_first_page(canvas: Canvas, furniture: PageFurniture) -> None:
    """The NHS-blue band with the organisation's name, under any draft or training banner."""
    regular, bold, _ = fonts()
    top = PAGE_HEIGHT - furniture.banner_height
    canvas.saveState()
    canvas.setFillColor(NHS_BLUE)
    canvas.rect(0, top - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(WHITE)
    canvas.setFont(bold, 14)
    canvas.drawString(MARGIN_X, top - 9.5 * mm, _fit(furniture.organisation, bold, 14, PAGE_WIDTH * 0.62))
    canvas.setFont(regular, 11)
    canvas.drawString(MARGIN_X, top - 16 * mm, SUBJECT)
    if furniture.address:  # in the gap under the band, before the content starts
        canvas.setFillColor(NHS_BLUE)
        canvas.setFont(regular, 8.5)
        canvas.drawString(
            MARGIN_X,
            top - BAND_HEIGHT - 4.5 * mm,
            _fit(furniture.address, regular, 8.5, PAGE_WIDTH - 2 * MARGIN_X),
        )
        canvas.setFillColor(WHITE)
    if furniture.logo_png:
        logo = ImageReader(io.BytesIO(furniture.logo_png))
        width, height = logo.getSize()
        x, y, scale = _logo_box(width, height, top)
        canvas.drawImage(logo, x, y, width * scale, height * scale, mask="auto")
    elif furniture.logo_svg is not None:
        drawing = furniture.logo_svg
        x, y, scale = _logo_box(drawing.width, drawing.height, top)
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(scale, scale)
        box = canvas.beginPath()  # shapes outside the SVG's own size must not spill over the band
        box.rect(0, 0, drawing.width, drawing.height)
        canvas.clipPath(box, stroke=0, fill=0)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.restoreState()
    else:
        canvas.setFont(bold, 13)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top - 9.5 * mm, furniture.info.label)
    canvas.restoreState()


def _logo_box(width: float, height: float, top: float) -> tuple[float, float, float]:
    """(x, y, scale) that fit a logo into the band's right-hand box: at most 16 mm high and 50 mm wide."""
    scale = min(16 * mm / height, 50 * mm / width)
    return PAGE_WIDTH - MARGIN_X - width * scale, top - 5 * mm - height * scale, scale


def draw_later_page(canvas: Canvas, furniture: PageFurniture) -> None:
    regular, _, _ = fonts()
    y = PAGE_HEIGHT - furniture.banner_height - 10 * mm
    canvas.saveState()
    canvas.setFont(regular, 8)
    canvas.setFillColor(SECONDARY_TEXT)
    text = f"{SUBJECT}: {furniture.title}"
    canvas.drawString(MARGIN_X, y, _fit(text, regular, 8, PAGE_WIDTH - 2 * MARGIN_X))
    canvas.setStrokeColor(BORDER)
    canvas.line(MARGIN_X, y - 2 * mm, PAGE_WIDTH - MARGIN_X, y - 2 * mm)
    canvas.restoreState()


class FurnishedCanvas(Canvas):
    """A canvas that adds the footer, marks and metadata once it knows how many pages there are."""

    def __init__(self, *args: Any, furniture: PageFurniture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset; not in its stubs

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            _draw_marks(self, self._furniture)
            _draw_footer(self, self._furniture, number, total)
            super().showPage()
        _write_metadata(self, self._furniture)
        super().save()


def _draw_marks(canvas: Canvas, furniture: PageFurniture) -> None:
    if not furniture.marks:
        return
    _, bold, _ = fonts()
    training = furniture.info.training
    canvas.saveState()
    canvas.setFillColor(WARM_YELLOW if training else NHS_RED)
    canvas.rect(0, PAGE_HEIGHT - BANNER_HEIGHT, PAGE_WIDTH, BANNER_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(TEXT if training else WHITE)
    canvas.setFont(bold, 11)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, PAGE_HEIGHT - BANNER_HEIGHT + 3.2 * mm, "   ·   ".join(furniture.marks)
    )
    _draw_diagonal(canvas, furniture.marks, bold)
    canvas.restoreState()


def _draw_diagonal(canvas: Canvas, marks: tuple[str, ...], font: str) -> None:
    """Large, faint text corner to corner: visible on screen and in print, still readable underneath."""
    angle = math.degrees(math.atan2(PAGE_HEIGHT, PAGE_WIDTH))
    room = math.hypot(PAGE_WIDTH, PAGE_HEIGHT) * 0.68
    size = min(56.0, min(room / canvas.stringWidth(m, font, 1) for m in marks))
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(angle)
    canvas.setFillColor(NHS_RED, alpha=0.11)
    canvas.setFont(font, size)
    for index, mark in enumerate(marks):
        offset = (len(marks) - 1) / 2 - index
        canvas.drawCentredString(0, offset * size * 1.3 - size / 3, mark)


def _draw_footer(canvas: Canvas, furniture: PageFurniture, number: int, total: int) -> None:
    regular, bold, _ = fonts()
    right = PAGE_WIDTH - MARGIN_X
    status = " · ".join(furniture.marks) or "Approved. Digitally signed by the organisation"
    canvas.saveState()
    canvas.setStrokeColor(BORDER)
    canvas.line(MARGIN_X, 15 * mm, right, 15 * mm)
    canvas.setFillColor(TEXT)
    canvas.setFont(bold, 8.5)
    canvas.drawString(MARGIN_X, 10.5 * mm, f"{furniture.info.label}  ·  {SUBJECT}")
    canvas.drawRightString(right, 10.5 * mm, f"Page {number} of {total}")
    canvas.setFont(regular, 8)
    canvas.setFillColor(SECONDARY_TEXT)
    canvas.drawString(MARGIN_X, 6.5 * mm, _fit(furniture.organisation, regular, 8, PAGE_WIDTH * 0.5))
    canvas.drawRightString(right, 6.5 * mm, status)
    canvas.restoreState()


def _write_metadata(canvas: Canvas, furniture: PageFurniture) -> None:
    info = replace(furniture.info, signature_box=furniture.signature_box)
    canvas.setTitle(furniture.title)
    canvas.setAuthor(furniture.organisation)
    canvas.setSubject(f"{SUBJECT} {info.label}")
    canvas.setKeywords(info.to_keywords())
    canvas.setCreator("hia-service")
    stamp = furniture.created.strftime("D:%Y%m%d%H%M%S") + _pdf_offset(furniture.created)
    canvas.setDateFormatter(lambda *_: stamp)  # the snapshot's date, so regenerating gives the same bytes


def _pdf_offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten one line with an ellipsis so it never runs off the page."""
    lines = simpleSplit(text, font, size, width)
    return text if len(lines) <= 1 else lines[0].rstrip() + "…"
