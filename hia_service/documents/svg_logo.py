"""An organisation's SVG logo as a PNG, made once at upload (rasterise_svg_logo); documents draw only the PNG.

rasterise_svg_logo draws the logo in a child process with a time and memory cap (svglib draws it as a PDF,
poppler's pdftocairo turns that into a PNG), so a logo that is slow to draw is refused at upload and can
never hold up a document job: documents draw only the PNG.

svglib only ever sees an SVG that passes the same branding check as the upload (no scripts, DTD, entities
or references outside the file), read from memory so it has no folder to resolve relative files against.
Text in the logo is drawn with the document's own fonts: svglib would otherwise look fonts up on the machine
(fc-match), which makes the PDF depend on the machine. A logo svglib cannot draw leaves the PDF without a
logo, never without a PDF; the reason goes to the log.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from svglib.svglib import svg2rlg

from hia_service.domain.branding import LogoError, check_logo

log = logging.getLogger(__name__)

RASTER_LONG_SIDE = 800  # pixels: sharp at the 50 mm by 16 mm the header band gives a logo
TIME_LIMIT_SECONDS = 10.0  # each of the two steps
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
PDFTOCAIRO = "pdftocairo"
TOO_SLOW = (
    "The SVG logo took too long to draw, so it cannot go on documents. Save it as a simpler SVG, or as a "
    "PNG, and upload it again"
)
NOT_DRAWN = (
    "The SVG logo could not be drawn, so it cannot go on documents. Save it again from your design tool "
    "(as plain SVG), or as a PNG, and upload it again"
)
# The child imports this very copy of the service (not whichever one the interpreter would find first).
_CHILD = (
    f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r}); "
    "from hia_service.documents.svg_logo import _draw_pdf_from_stdin; _draw_pdf_from_stdin()"
)


_FONT_DIR = Path("/usr/share/fonts/truetype/liberation")


def fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names for svglib, registering Liberation Sans (the record's font) once
    if it is installed."""
    files = {s: _FONT_DIR / f"LiberationSans-{s}.ttf" for s in ("Regular", "Bold", "Italic")}
    if not all(path.is_file() for path in files.values()):
        return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
    for style, path in files.items():
        pdfmetrics.registerFont(TTFont(f"HIASans-{style}", str(path)))
    return "HIASans-Regular", "HIASans-Bold", "HIASans-Italic"


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


def rasterise_svg_logo(data: bytes, *, time_limit: float = TIME_LIMIT_SECONDS) -> bytes:
    """The logo as a PNG (its long side RASTER_LONG_SIDE pixels, transparent background). Raises LogoError
    with a reason fit to show the admin when it fails the logo check, cannot be drawn, or takes longer
    than `time_limit` seconds in either step (the child process is then killed)."""
    if check_logo(data).kind != "svg":
        raise LogoError("The logo is not an SVG")
    pdf = _run([sys.executable, "-I", "-c", _CHILD], data, time_limit)
    png = _run(
        [PDFTOCAIRO, "-png", "-transp", "-singlefile", "-scale-to", str(RASTER_LONG_SIDE), "-", "-"],
        pdf,
        time_limit,
    )
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise LogoError(NOT_DRAWN)
    return png


def _run(command: list[str], data: bytes, time_limit: float) -> bytes:
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=time_limit, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        raise LogoError(TOO_SLOW) from None
    except OSError as error:
        log.error("The SVG logo could not be drawn: %s could not run (%s)", command[0], error)
        raise LogoError(NOT_DRAWN) from None
    if done.returncode != 0 or not done.stdout:
        log.warning("SVG logo not drawn: %s", done.stderr.decode(errors="replace")[-500:])
        raise LogoError(NOT_DRAWN)
    return done.stdout


def _draw_pdf_from_stdin() -> None:
    """In the child process: SVG on stdin, the logo drawn as a one-page PDF on stdout (exit 1 if not)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    drawing = svg_logo_drawing(sys.stdin.buffer.read())
    if drawing is None:
        sys.exit(1)
    pdf = renderPDF.drawToString(drawing)  # bytes, though reportlab's stubs say str
    sys.stdout.buffer.write(pdf if isinstance(pdf, bytes) else pdf.encode("latin-1"))
