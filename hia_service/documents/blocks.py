"""A neutral description of the document's content, drawn by both the PDF and the Word renderers.

Building the content once keeps the signed PDF and the Word copy saying exactly the same thing.
All text here is plain text: each renderer escapes it for its own format.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = sub-section, 3 = question


@dataclass(frozen=True)
class Para:
    text: str
    style: Literal["body", "lead", "small", "answer", "unanswered"] = "body"


@dataclass(frozen=True)
class Callout:
    """A highlighted panel: the recommendation, the Core20 headline, a warning."""

    title: str
    text: str
    kind: Literal["info", "warning", "headline"] = "info"


@dataclass(frozen=True)
class RatingTag:
    rating: str  # high | medium | low
    label: str  # "High risk of widening inequalities"
    summary: str


@dataclass(frozen=True)
class Facts:
    """Key-value rows, like the NHS.UK summary list."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width
    caption: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    png: bytes = field(repr=False)
    caption: str
    alt_text: str
    width_fraction: float = 1.0


@dataclass(frozen=True)
class BarChart:
    """The deprivation chart as its figures: the PDF draws it (in vectors, no picture to make); the Word
    copy is given the chart as a picture instead (a Figure)."""

    affected: tuple[float, ...]  # % of the people affected in each decile, 1 (most deprived) to 10
    national: tuple[float, ...]  # % of the nation's people in each decile
    nation: str
    caption: str
    alt_text: str


@dataclass(frozen=True)
class CoverFacts:
    """The cover sheet's key facts, beside the QR code that leads to the verification page."""

    rows: tuple[tuple[str, str], ...]
    verify_url: str


@dataclass(frozen=True)
class Verification:
    """The QR code and link to the public verification page."""

    url: str


@dataclass(frozen=True)
class SignatureSpace:
    """Where the organisation's digital signature appears (signed PDFs) or why there is none."""

    will_be_signed: bool
    note: str
    panel: tuple[str, ...] = ()  # what the signature panel says (signed PDFs): signer, record, how to check


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Group:
    """Blocks that must stay on one page (the sign-off table with the signature)."""

    blocks: tuple["Block", ...]


Block = (
    Heading
    | Para
    | Callout
    | RatingTag
    | Facts
    | CoverFacts
    | Table
    | Bullets
    | Figure
    | BarChart
    | Verification
    | SignatureSpace
    | PageBreak
    | Group
)


def outline_levels(blocks: "Iterable[Block]") -> "Iterator[tuple[Block, int]]":
    """Each block with its heading level in the document outline (0 for blocks that are not headings).

    A heading is never more than one level below the one before it, as PDF/UA and Word's navigation pane
    expect: a question straight under a section is level 2 in the outline, though it looks like a
    question. The title (level 0) is level 1. Headings inside groups count in document order."""
    last = [0]

    def walk(items: "Iterable[Block]") -> "Iterator[tuple[Block, int]]":
        for block in items:
            if isinstance(block, Heading):
                last[0] = max(1, min(block.level, last[0] + 1))
                yield block, last[0]
            else:
                yield block, 0
                if isinstance(block, Group):
                    yield from walk(block.blocks)

    return walk(blocks)
