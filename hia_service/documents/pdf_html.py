"""Content blocks -> the record's HTML and print stylesheet, through templates/documents/record_pdf.*.

WeasyPrint turns the HTML into a tagged PDF: headings, lists, tables with header cells and figures with
their text alternative come from the HTML elements, so the blocks are written as the elements that mean
what they are (a <th scope="row"> for a fact's name, an <img alt> for the chart).
"""

import base64
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from reportlab.graphics.barcode import qrencoder

from .blocks import Block, CoverFacts, Figure, Group, Heading, Verification, outline_levels

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "documents"
PAGE_WIDTH_PT, PAGE_HEIGHT_PT = 595.2756, 841.8898  # A4
SUBJECT = "Health inequalities impact assessment"
BANNER_MM = 9
# Figures are fetched by name from the render's own images (FigureFetcher in pdf.py) rather than written
# into the HTML as data: URIs, which cost the HTML parser about 20 ms for a map.
FIGURE_SCHEME = "hia-record:"


@dataclass(frozen=True)
class Logo:
    """The organisation's logo as a data: URI, with the size it is drawn at in the band (mm)."""

    src: str
    width_mm: float
    height_mm: float

    @classmethod
    def fitted(cls, src: str, width: float, height: float) -> "Logo":
        """At most 16 mm high and 50 mm wide, keeping its shape."""
        scale = min(16 / height, 50 / width) if width > 0 and height > 0 else 0.0
        return cls(src, round(width * scale, 2), round(height * scale, 2))


@dataclass(frozen=True)
class Page:
    """What the page furniture says: the running header and footer, marks, logo."""

    title: str
    organisation: str
    label: str  # "HIA-2026-0042 v3"
    marks: tuple[str, ...]
    logo: Logo | None = None
    address: str | None = None

    @property
    def subject(self) -> str:
        return f"{SUBJECT} {self.label}"

    @property
    def banner_mm(self) -> int:
        return BANNER_MM if self.marks else 0

    @property
    def top_margin(self) -> int:
        return self.banner_mm + 16

    @property
    def header_text(self) -> str:
        return css_string(f"{SUBJECT}: {self.title}")

    @property
    def footer_left(self) -> str:
        return css_string(f"{self.label}  ·  {SUBJECT}")

    @property
    def footer_organisation(self) -> str:
        return css_string(self.organisation)

    @property
    def footer_status(self) -> str:
        return css_string(" · ".join(self.marks) or "Approved. Digitally signed by the organisation")

    @property
    def background_src(self) -> str | None:
        return data_uri(marks_svg(self.marks), "image/svg+xml") if self.marks else None


@dataclass(frozen=True)
class Item:
    """A block with what the template needs besides it (its kind, a heading's tag, an image's source)."""

    kind: str
    block: Block
    tag_level: int = 0
    image_src: str = ""
    qr_src: str = ""
    children: tuple["Item", ...] = ()


def record_html(blocks: Sequence[Block], page: Page, figures: dict[str, bytes] | None = None) -> str:
    """The whole record as one HTML document with its stylesheet inside.

    figures: when given, each figure's PNG is put in it under the URL the HTML uses for it
    (FIGURE_SCHEME and a name); otherwise the HTML carries the PNGs as data: URIs."""
    environment = _environment()
    css = environment.get_template("record_pdf.css").render(page=page)
    levels = {id(block): level for block, level in outline_levels(blocks) if level}
    items = _items(blocks, levels, figures)
    return environment.get_template("record_pdf.html").render(page=page, items=items, css=Markup(css))


def css_string(text: str) -> str:
    """A CSS string literal for text from the snapshot (content: in margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def data_uri(data: bytes | str, media_type: str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return f"data:{media_type};base64,{base64.b64encode(raw).decode()}"


@lru_cache(maxsize=64)
def qr_svg(url: str) -> str:
    """The verification link as a QR code (error correction M, 2-module quiet zone), one SVG path.

    Each row's runs of dark modules are one rectangle each: WeasyPrint parses the path on every render,
    and a square per module made the two codes cost about 40 ms of each record. Kept: a record prints
    its link twice, and reportlab takes about 10 ms to encode it."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    count, border = qr.getModuleCount(), 2
    size = count + 2 * border
    cells = "".join(
        f"M{start + border} {row + border}h{length}v1h-{length}z"
        for row in range(count)
        for start, length in _dark_runs([qr.isDark(row, col) for col in range(count)])
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/><path d="{cells}" fill="#000000"/></svg>'
    )


def _dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a row."""
    runs: list[tuple[int, int]] = []
    start = None
    for col, dark in enumerate([*row, False]):
        if dark and start is None:
            start = col
        elif not dark and start is not None:
            runs.append((start, col - start))
            start = None
    return runs


def marks_svg(marks: tuple[str, ...]) -> str:
    """The page background for unapproved or training records: a banner across the top and faint text
    from corner to corner. Drawn as the page background, so the PDF marks it as an artefact; the marks
    are also said in words at the top of the record."""
    training = any("TRAINING" in m for m in marks)
    banner, banner_text = ("#FFB81C", "#212B32") if training else ("#D5281B", "#FFFFFF")
    width, height = PAGE_WIDTH_PT, PAGE_HEIGHT_PT
    banner_height = BANNER_MM * 72 / 25.4
    angle = math.degrees(math.atan2(height, width))
    room = math.hypot(width, height) * 0.68
    size = min(56.0, min(room / (0.62 * len(m)) for m in marks))
    lines = "".join(
        f'<text x="0" y="{((len(marks) - 1) / 2 - i) * -size * 1.3 + size / 3:.1f}">{_xml(m)}</text>'
        for i, m in enumerate(marks)
    )
    font = 'font-family="Liberation Sans, Arial, sans-serif" font-weight="bold" text-anchor="middle"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}" height="{height:.2f}" '
        f'viewBox="0 0 {width:.2f} {height:.2f}">'
        f'<rect width="{width:.2f}" height="{banner_height:.2f}" fill="{banner}"/>'
        f'<text x="{width / 2:.2f}" y="{banner_height - 9:.2f}" {font} font-size="11" fill="{banner_text}">'
        f"{_xml('   ·   '.join(marks))}</text>"
        f'<g transform="translate({width / 2:.2f} {height / 2:.2f}) rotate({-angle:.2f})" {font} '
        f'font-size="{size:.1f}" fill="#D5281B" fill-opacity="0.11">{lines}</g></svg>'
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _items(
    blocks: Iterable[Block], levels: dict[int, int], figures: dict[str, bytes] | None
) -> tuple[Item, ...]:
    return tuple(_item(block, levels, figures) for block in blocks)


def _item(block: Block, levels: dict[int, int], figures: dict[str, bytes] | None) -> Item:
    """levels: each heading's level in the outline (blocks.outline_levels), its H1 to H6 tag."""
    kind = type(block).__name__
    if isinstance(block, Heading):
        return Item(kind, block, tag_level=levels[id(block)])
    if isinstance(block, Figure):
        if figures is None:
            return Item(kind, block, image_src=data_uri(block.png, "image/png"))
        url = f"{FIGURE_SCHEME}figure-{len(figures) + 1}.png"
        figures[url] = block.png
        return Item(kind, block, image_src=url)
    if isinstance(block, CoverFacts):
        return Item(kind, block, qr_src=data_uri(qr_svg(block.verify_url), "image/svg+xml"))
    if isinstance(block, Verification):
        return Item(kind, block, qr_src=data_uri(qr_svg(block.url), "image/svg+xml"))
    if isinstance(block, Group):
        return Item(kind, block, children=_items(block.blocks, levels, figures))
    return Item(kind, block)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
