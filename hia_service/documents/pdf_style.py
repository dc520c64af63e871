"""NHS.UK look for the PDF: colours, fonts and paragraph styles.

Frutiger (the NHS typeface) is licensed, so we use Liberation Sans (metric-compatible with Arial, the NHS.UK
fallback) when Debian has it, and reportlab's built-in Helvetica otherwise. Colour pairs meet WCAG AA.
"""

from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

NHS_BLUE = HexColor("#005EB8")
NHS_DARK_BLUE = HexColor("#003087")
TEXT = HexColor("#212B32")
SECONDARY_TEXT = HexColor("#4C6272")
BORDER = HexColor("#D8DDE0")
PALE_GREY = HexColor("#F0F4F5")
NHS_RED = HexColor("#D5281B")
WARM_YELLOW = HexColor("#FFB81C")
WHITE = white
# Tag colours from the NHS.UK frontend (text on tint, both at least 7:1).
RATING_COLOURS: dict[str, tuple[Color, Color]] = {
    "high": (HexColor("#6B140E"), HexColor("#F7D4D1")),
    "medium": (HexColor("#594D00"), HexColor("#FFF9C4")),
    "low": (HexColor("#004B23"), HexColor("#CCE5D8")),
}
_FONT_DIR = Path("/usr/share/fonts/truetype/liberation")


@cache
def fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names, registering Liberation Sans once if it is installed."""
    files = {s: _FONT_DIR / f"LiberationSans-{s}.ttf" for s in ("Regular", "Bold", "Italic", "BoldItalic")}
    if not all(path.is_file() for path in files.values()):
        return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
    for style, path in files.items():
        pdfmetrics.registerFont(TTFont(f"HIASans-{style}", str(path)))
    pdfmetrics.registerFontFamily(
        "HIASans-Regular",
        normal="HIASans-Regular",
        bold="HIASans-Bold",
        italic="HIASans-Italic",
        boldItalic="HIASans-BoldItalic",
    )
    return "HIASans-Regular", "HIASans-Bold", "HIASans-Italic"


def markup(text: object) -> str:
    """Plain text -> safe reportlab Paragraph markup: tags in answers are shown, never interpreted."""
    return escape(str(text)).replace("\n", "<br/>")


def attribute(text: str) -> str:
    """Escape a value for use inside a double-quoted markup attribute such as a link's href."""
    return escape(text, {'"': "&quot;", "'": "&#39;"})


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold, italic = fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, textColor=TEXT, spaceAfter=6)

    def derive(name: str, **overrides: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **overrides)

    return {
        "body": base,
        "title": derive("title", fontName=bold, fontSize=17, leading=21, spaceAfter=6),
        "h1": derive(
            "h1", fontName=bold, fontSize=15, leading=19, spaceBefore=10, spaceAfter=6, keepWithNext=1
        ),
        "h2": derive(
            "h2", fontName=bold, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4, keepWithNext=1
        ),
        "h3": derive(
            "h3", fontName=bold, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2, keepWithNext=1
        ),
        "lead": derive("lead", fontSize=11, leading=15, spaceAfter=6),
        "answer": derive("answer", spaceAfter=4),
        "unanswered": derive("unanswered", fontName=italic, textColor=SECONDARY_TEXT, spaceAfter=4),
        "small": derive("small", fontSize=8, leading=11, textColor=SECONDARY_TEXT),
        "cell": derive("cell", fontSize=9, leading=11.5, spaceAfter=0),
        "cell_bold": derive("cell_bold", fontName=bold, fontSize=9, leading=12, spaceAfter=0),
        "callout_title": derive("callout_title", fontName=bold, fontSize=11, leading=15, spaceAfter=2),
        "headline": derive("headline", fontName=bold, fontSize=12, leading=16, textColor=WHITE, spaceAfter=0),
        "headline_title": derive("headline_title", fontSize=10, textColor=WHITE, spaceAfter=2),
        "caption": derive("caption", fontSize=8.5, leading=11, textColor=SECONDARY_TEXT, spaceBefore=2),
    }
