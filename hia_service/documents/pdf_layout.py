"""Content blocks -> what templates/documents/record.typ lays out: one JSON document and the files beside it.

Typst makes the tagged PDF from it: headings, lists, tables with header cells, figures with their text
alternative and links are Typst's own elements, so the structure tree says what each part is. All text goes
over as JSON strings, which the template places as text: nothing typed into an assessment can act as markup.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode import qrencoder

from .blocks import (
    BarChart,
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
    outline_levels,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "documents"
TEMPLATE = TEMPLATES / "record.typ"
PAGE_WIDTH_PT, PAGE_HEIGHT_PT = 595.2756, 841.8898  # A4
SUBJECT = "Health inequalities impact assessment"
BANNER_MM = 9
FIGURE_PREFIX = "figure-"  # the files record_document names for figures
SIGNATURE_MM = (120.0, 30.0)  # the signature space's width and height, as record.typ draws it
_HEADER_CHARACTERS = 118  # what fits on one line of the running header (8pt Liberation Sans, 174 mm)
# A run of this many characters with nowhere to break (an email address, a link) gets places to break
# after its punctuation, and failing that every so many characters, so it stays inside its table cell.
_LONG_RUN = re.compile(r"\S{24,}")
_BREAK = "\u200b"  # zero width space: a place to break that shows nothing and is not copied as text


@dataclass(frozen=True)
class Logo:
    """The organisation's logo, with its kind and the size it is drawn at in the band (mm)."""

    data: bytes
    kind: str  # "png" | "svg"
    width_mm: float
    height_mm: float

    @classmethod
    def fitted(cls, data: bytes, kind: str, width: float, height: float) -> "Logo":
        """At most 16 mm high and 50 mm wide, keeping its shape."""
        scale = min(16 / height, 50 / width) if width > 0 and height > 0 else 0.0
        return cls(data, kind, round(width * scale, 2), round(height * scale, 2))


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
    def top_margin_mm(self) -> int:
        return self.banner_mm + 16

    @property
    def header_text(self) -> str:
        return _one_line(f"{SUBJECT}: {self.title}", _HEADER_CHARACTERS)

    @property
    def footer_status(self) -> str:
        return " · ".join(self.marks) or "Approved. Digitally signed by the organisation"


def record_document(
    blocks: Sequence[Block], page: Page, keywords: str, files: dict[str, bytes]
) -> dict[str, Any]:
    """The record as the JSON record.typ reads; each file it names (figures, QR codes, the logo) is put
    in files under that name."""
    levels = {id(block): level for block, level in outline_levels(blocks) if level}
    logo = None
    if page.logo is not None:
        name = _add(files, f"logo.{page.logo.kind}", page.logo.data)
        logo = {"image": name, "width_mm": page.logo.width_mm, "height_mm": page.logo.height_mm}
    return {
        "page": {
            "title": page.title,
            "organisation": page.organisation,
            "subject": page.subject,
            "keywords": [keywords],
            "label": page.label,
            "marks": list(page.marks),
            "training": any("TRAINING" in mark for mark in page.marks),
            "banner_mm": page.banner_mm,
            "top_margin_mm": page.top_margin_mm,
            "header": page.header_text,
            "footer_left": f"{page.label}  ·  {SUBJECT}",
            "footer_organisation": page.organisation,
            "footer_status": page.footer_status,
            "logo": logo,
            "address": page.address,
            "signature_mm": list(SIGNATURE_MM),
        },
        "blocks": _blocks(blocks, levels, files),
    }


def _blocks(blocks: Iterable[Block], levels: dict[int, int], files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [_block(block, levels, files) for block in blocks]


def _block(block: Block, levels: dict[int, int], files: dict[str, bytes]) -> dict[str, Any]:
    """levels: each heading's level in the outline (blocks.outline_levels), its H1 to H6 tag."""
    match block:
        case Heading(text, level):
            return {"kind": "heading", "text": text, "level": level, "outline": levels[id(block)]}
        case Para(text, style):
            return {"kind": "para", "text": text, "style": style}
        case Callout(title, text, kind):
            return {"kind": "callout", "title": title, "text": text, "style": kind}
        case RatingTag(rating, label, summary):
            return {"kind": "rating", "rating": rating, "label": label, "summary": summary}
        case Facts(rows):
            return {"kind": "facts", "rows": [[key, breakable(value)] for key, value in rows]}
        case CoverFacts(rows, url):
            qr = _add(files, "qr-cover.svg", qr_svg(url).encode())
            rows_ = [[key, breakable(value)] for key, value in rows]
            return {"kind": "cover", "rows": rows_, "qr": qr, "url": url, "url_text": breakable(url)}
        case Table(header, rows, widths, caption):
            return {
                "kind": "table",
                "header": list(header),
                "rows": [[breakable(cell) for cell in row] for row in rows],
                "widths": list(widths),
                "caption": caption,
            }
        case Bullets(items):
            return {"kind": "bullets", "items": list(items)}
        case Figure(png, caption, alt_text, width_fraction):
            name = _add(files, f"{FIGURE_PREFIX}{len(files) + 1}.png", png)
            return {
                "kind": "figure",
                "image": name,
                "caption": caption,
                "alt": alt_text,
                "width": width_fraction,
            }
        case BarChart():
            return bar_chart(block)
        case Verification(url):
            qr = _add(files, "qr-verification.svg", qr_svg(url).encode())
            return {"kind": "verification", "url": url, "url_text": breakable(url), "qr": qr}
        case SignatureSpace(will_be_signed, note, panel):
            return {"kind": "signature", "will_be_signed": will_be_signed, "note": note, "panel": list(panel)}
        case PageBreak():
            return {"kind": "page-break"}
        case Group(children):
            return {"kind": "group", "blocks": _blocks(children, levels, files)}
    raise TypeError(f"No layout for a {type(block).__name__} block")


def bar_chart(chart: BarChart) -> dict[str, Any]:
    """What record.typ draws the deprivation chart from: bars in % of the axis's top, the axis's ticks and
    the labels, all worked out here so the template only places them."""
    highest = max(*chart.affected, *chart.national, 1.0)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if highest * 1.2 / s <= 6)
    top = highest * 1.2
    return {
        "kind": "chart",
        "affected": [value / top for value in chart.affected],
        "national": [value / top for value in chart.national],
        "labels": [f"{value:.0f}%" for value in chart.affected],
        "ticks": [[tick / top, str(tick)] for tick in range(0, int(top) + 1, step)],
        "nation": chart.nation,
        "caption": chart.caption,
        "alt": chart.alt_text,
    }


def _add(files: dict[str, bytes], name: str, data: bytes) -> str:
    files[name] = data
    return f"/{name}"


def breakable(text: str) -> str:
    """text with somewhere to break inside any long unbroken run (an email address, a link): after its
    punctuation, and every 16 characters of a run that has none."""

    def places(match: re.Match[str]) -> str:
        run = re.sub(r"([./@_\-?&=:])(?=\S)", rf"\1{_BREAK}", match[0])
        return _BREAK.join(_chunks(part, 16) for part in run.split(_BREAK))

    return _LONG_RUN.sub(places, text)


def _chunks(text: str, size: int) -> str:
    return _BREAK.join(text[at : at + size] for at in range(0, len(text), size)) if len(text) > size else text


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


@lru_cache(maxsize=64)
def qr_svg(url: str) -> str:
    """The verification link as a QR code (error correction M, 2-module quiet zone), one SVG path with a
    rectangle per run of dark modules in a row. Kept: a record prints its link twice, and reportlab takes
    about 10 ms to encode it."""
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
