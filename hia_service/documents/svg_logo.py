"""An organisation's SVG logo as a reportlab Drawing, for the PDF's header band.

svglib only ever sees an SVG that passes the same branding check as the upload (no scripts, DTD, entities
or references outside the file), read from memory so it has no folder to resolve relative files against.
Text in the logo is drawn with the document's own fonts: svglib would otherwise look fonts up on the machine
(fc-match), which makes the PDF depend on the machine. A logo svglib cannot draw leaves the PDF without a
logo, never without a PDF; the reason goes to the log.
"""

from __future__ import annotations

import io
import logging

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from svglib.svglib import svg2rlg

from hia_service.domain.branding import LogoError, check_logo

from .pdf_style import fonts

log = logging.getLogger(__name__)


class _DocumentFonts:
    """svglib's font map, answering every family with one of the document's fonts (bold and italic kept)."""

    def find_font(self, font_name: str, weight: str = "normal", style: str = "normal") -> tuple[str, bool]:
        regular, bold, italic = fonts()
        if _is_bold(weight):
            return bold, True
        return (italic if style in ("italic", "oblique") else regular), True


def _is_bold(weight: str) -> bool:
    weight = (weight or "").strip().lower()
    return weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)


def svg_logo_drawing(data: bytes) -> Drawing | None:
    """The logo ready to draw, or None (logged) when it fails the branding check or svglib cannot draw it."""
    try:
        if check_logo(data).kind != "svg":
            raise LogoError("it is not an SVG")
    except LogoError as error:
        log.warning("SVG logo left off the PDF: it fails the logo check (%s)", error)
        return None
    try:
        drawing = svg2rlg(io.BytesIO(data), font_map=_DocumentFonts())
        if drawing is None or drawing.width <= 0 or drawing.height <= 0:
            raise ValueError("svglib drew nothing from it")
        renderPDF.drawToString(drawing)  # draws it once aside, so a failure cannot happen mid-page
    except Exception as error:  # svglib and reportlab raise many kinds; the PDF must still be made
        log.warning("SVG logo left off the PDF: it could not be drawn (%s: %s)", type(error).__name__, error)
        return None
    return drawing
