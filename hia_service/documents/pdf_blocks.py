"""Turns content blocks into reportlab flowables. Every piece of text goes through markup() first."""

import io
from collections.abc import Callable, Iterable
from functools import singledispatch
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RlPageBreak
from reportlab.platypus import Table as RlTable

from .blocks import (
    Block,
    Bullets,
    Callout,
    CoverFacts,
    Facts,
    Figure,
    Group,
    Heading,
    PageBreak,
    Para,
    RatingTag,
    SignatureSpace,
    Table,
    Verification,
)
from .metadata import SignatureBox
from .pdf_style import (
    BORDER,
    NHS_BLUE,
    PALE_GREY,
    RATING_COLOURS,
    SECONDARY_TEXT,
    TEXT,
    WARM_YELLOW,
    attribute,
    markup,
    styles,
)

SIGNATURE_HEIGHT = 30 * mm
_SHORT_TABLE = 12
_GAP = 3 * mm  # space after a block
_HEADING_STYLES = {0: "title", 1: "h1", 2: "h2", 3: "h3"}


def flowables(blocks: Iterable[Block], width: float, on_signature: Callable[[SignatureBox], None]) -> list:
    story: list = []
    for block in blocks:
        if isinstance(block, Group):
            _append(story, [KeepTogether(flowables(block.blocks, width, on_signature))])
        elif isinstance(block, SignatureSpace):
            story += [_para(block.note, "body"), _SignatureArea(block, min(width, 95 * mm), on_signature)]
        else:
            _append(story, _render(block, width))
    return story


def _append(story: list, new: list) -> None:
    """Add flowables; a heading just before a kept-together block goes inside it. (reportlab's
    keepWithNext does not hold a heading to a KeepTogether, so the heading would be left behind.)"""
    if new and isinstance(new[0], KeepTogether):
        headings: list[Flowable] = []
        while story and getattr(getattr(story[-1], "style", None), "keepWithNext", False):
            headings.insert(0, story.pop())
        if headings:
            content = new[0]._content  # type: ignore[attr-defined]  # the kept flowables; unstubbed
            new = [KeepTogether([*headings, *content]), *new[1:]]
    story += new


def _para(text: str, style: str) -> Paragraph:
    return Paragraph(markup(text), styles()[style])


@singledispatch
def _render(block: Block, width: float) -> list:
    raise TypeError(f"No PDF drawing for {type(block).__name__}")


@_render.register
def _(block: Heading, width: float) -> list:
    return [_para(block.text, _HEADING_STYLES[block.level])]


@_render.register
def _(block: Para, width: float) -> list:
    return [_para(block.text, block.style)]


@_render.register
def _(block: PageBreak, width: float) -> list:
    return [RlPageBreak()]


@_render.register
def _(block: Callout, width: float) -> list:
    if block.kind == "headline":
        cells = [[_para(block.title, "headline_title")], [_para(block.text, "headline")]]
        style: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (-1, -1), NHS_BLUE)]
    else:
        cells = [[_para(block.title, "callout_title")], [_para(block.text, "body")]]
        edge = WARM_YELLOW if block.kind == "warning" else NHS_BLUE
        style = [("BACKGROUND", (0, 0), (-1, -1), PALE_GREY), ("LINEBEFORE", (0, 0), (0, -1), 5, edge)]
    table = RlTable(cells, colWidths=[width], splitInRow=1)
    table.setStyle(TableStyle([*style, *_padding(10, 7), ("BOTTOMPADDING", (0, 0), (-1, 0), 0)]))
    return [table, Spacer(1, _GAP)]


@_render.register
def _(block: RatingTag, width: float) -> list:
    text_colour, tint = RATING_COLOURS.get(block.rating, (TEXT, PALE_GREY))
    tag = Paragraph(markup(block.label.upper()), styles()["cell_bold"].clone("tag", textColor=text_colour))
    cells: list[list[Flowable | str]] = [
        [_para("Overall rating", "cell_bold"), tag],
        ["", _para(block.summary, "cell")],
    ]
    table = RlTable(cells, colWidths=[0.25 * width, 0.75 * width])
    style = [("BACKGROUND", (1, 0), (1, 0), tint), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    table.setStyle(TableStyle([*style, *_padding(6, 4)]))
    return [table, Spacer(1, _GAP)]


@_render.register
def _(block: Facts, width: float) -> list:
    rows = [[_para(key, "cell_bold"), _para(value, "cell")] for key, value in block.rows]
    table = RlTable(rows, colWidths=[0.3 * width, 0.7 * width], splitInRow=1)
    style: list[tuple[Any, ...]] = [
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, BORDER),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    table.setStyle(TableStyle([*style, *_padding(0, 4)]))
    return [table, Spacer(1, _GAP)]


@_render.register
def _(block: Table, width: float) -> list:
    header = [_para(text, "cell_bold") for text in block.header]
    rows = [[_para(text, "cell") for text in row] for row in block.rows]
    table = RlTable([header, *rows], colWidths=[f * width for f in block.widths], repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, TEXT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, BORDER),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                *_padding(4, 4),
            ]
        )
    )
    caption = [_para(block.caption, "caption")] if block.caption else []
    if len(block.rows) <= _SHORT_TABLE:  # a short table reads better whole, on one page
        return [KeepTogether([table, *caption]), Spacer(1, _GAP)]
    return [table, *caption, Spacer(1, _GAP)]


@_render.register
def _(block: Bullets, width: float) -> list:
    items = [ListItem(_para(item, "body"), leftIndent=12) for item in block.items]
    font = styles()["body"].fontName  # the bullet in the text font, so it is copied and read correctly
    return [
        ListFlowable(
            items,  # type: ignore[arg-type]  # reportlab documents ListItems here; its stubs do not
            bulletType="bullet",
            start="•",
            leftIndent=12,
            bulletColor=TEXT,
            bulletFontName=font,
        )
    ]


@_render.register
def _(block: Figure, width: float) -> list:
    reader = ImageReader(io.BytesIO(block.png))
    pixels_wide, pixels_high = reader.getSize()
    draw_width = width * block.width_fraction
    image = Image(io.BytesIO(block.png), width=draw_width, height=draw_width * pixels_high / pixels_wide)
    return [KeepTogether([image, _para(block.caption, "caption")]), Spacer(1, 3 * mm)]


@_render.register
def _(block: CoverFacts, width: float) -> list:
    facts_width, qr_width = width * 0.71, width * 0.29
    facts = _render(Facts(block.rows), facts_width - 4 * mm)[0]
    panel = [
        _qr(block.verify_url, 24 * mm),
        _para("Check this document is genuine: scan the code or go to", "small"),
        Paragraph(_link(block.verify_url), styles()["small"]),
    ]
    table = RlTable([[facts, panel]], colWidths=[facts_width, qr_width])
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER"), *_padding(0, 0)]
    table.setStyle(TableStyle([*style, ("LEFTPADDING", (1, 0), (1, 0), 4 * mm)]))
    return [table, Spacer(1, _GAP)]


@_render.register
def _(block: Verification, width: float) -> list:
    size = 28 * mm
    text = [
        _para("Check this document is genuine", "callout_title"),
        _para(
            "Scan the code or go to the address below. The page tells you whether this file is the "
            "organisation's signed record and whether anything in it has changed.",
            "cell",
        ),
        Paragraph(_link(block.url), styles()["cell"]),
    ]
    table = RlTable([[_qr(block.url, size), text]], colWidths=[size + 6 * mm, width - size - 6 * mm])
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BOX", (0, 0), (-1, -1), 0.75, BORDER),
    ]
    table.setStyle(TableStyle([*style, *_padding(6, 4)]))
    return [Spacer(1, _GAP), KeepTogether([table])]


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _link(url: str) -> str:
    return f'<a href="{attribute(url)}" color="#005EB8"><u>{markup(url)}</u></a>'


class _SignatureArea(Flowable):
    """Empty space where sign_pdf puts the visible signature; records where it landed on the page."""

    def __init__(
        self, block: SignatureSpace, width: float, on_signature: Callable[[SignatureBox], None]
    ) -> None:
        super().__init__()
        self.block, self.width, self.height, self._on_signature = block, width, SIGNATURE_HEIGHT, on_signature

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        if self.block.will_be_signed:
            page = canvas.getPageNumber() - 1
            self._on_signature(SignatureBox(page, x, y, x + self.width, y + self.height))
        super().drawOn(canvas, x, y, _sW)  # type: ignore[call-arg]  # reportlab takes _sW; its stubs omit it

    def draw(self) -> None:
        if self.block.will_be_signed:
            return  # left empty: the signature's own appearance is drawn here when it is signed
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(SECONDARY_TEXT)
        canvas.setDash(3, 3)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canvas.setFillColor(SECONDARY_TEXT)
        canvas.setFont(styles()["unanswered"].fontName, 10)
        canvas.drawCentredString(
            self.width / 2, self.height / 2 - 3, "Not signed: this version is not approved"
        )
        canvas.restoreState()


def _padding(horizontal: float, vertical: float) -> list[tuple[Any, ...]]:
    return [
        ("LEFTPADDING", (0, 0), (-1, -1), horizontal),
        ("RIGHTPADDING", (0, 0), (-1, -1), horizontal),
        ("TOPPADDING", (0, 0), (-1, -1), vertical),
        ("BOTTOMPADDING", (0, 0), (-1, -1), vertical),
    ]
