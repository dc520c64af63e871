"""What the PDF says about itself: reference, version, status, and where the signature goes.

The facts travel in the standard document-information /Keywords (mirrored in the XMP as pdf:Keywords) in a
fixed, human-readable form ("HIA-2026-0042; version 3; status approved; training no; signature box ...").
The signer reads them to refuse training and draft documents, and the verifier reads them to say which
assessment version a file is. Once signed they are covered by the signature like every other byte.
"""

import re
from dataclasses import dataclass
from typing import Any

# Numbers are bounded: int() refuses strings of over 4,300 digits, and a doctored PDF's keywords can hold any.
_PATTERN = re.compile(
    r"^(?P<reference>[A-Za-z0-9-]+); version (?P<version>\d{1,9}); status (?P<status>[a-z_]+); "
    r"training (?P<training>yes|no)(?:; signature box (?P<box>\d{1,9}(?: -?\d{1,9}(?:\.\d{1,9})?){4}))?$"
)


@dataclass(frozen=True)
class SignatureBox:
    """Where the visible signature goes: 0-based page index and a rectangle in PDF points."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class DocumentInfo:
    reference: str
    version: int
    status: str
    training: bool
    signature_box: SignatureBox | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    @property
    def label(self) -> str:
        """How people refer to the document: "HIA-2026-0042 v3"."""
        return f"{self.reference} v{self.version}"

    def to_keywords(self) -> str:
        text = (
            f"{self.reference}; version {self.version}; status {self.status}; "
            f"training {'yes' if self.training else 'no'}"
        )
        if self.signature_box is not None:
            b = self.signature_box
            text += f"; signature box {b.page} {b.x1:.2f} {b.y1:.2f} {b.x2:.2f} {b.y2:.2f}"
        return text


def parse_keywords(keywords: str | None) -> DocumentInfo | None:
    """The DocumentInfo written by build_pdf, or None when the keywords are not ours."""
    match = _PATTERN.match((keywords or "").strip())
    if match is None:
        return None
    box = None
    if match["box"]:
        page, *coords = match["box"].split()
        box = SignatureBox(int(page), *(float(c) for c in coords))
    return DocumentInfo(
        reference=match["reference"],
        version=int(match["version"]),
        status=match["status"],
        training=match["training"] == "yes",
        signature_box=box,
    )


def read_document_info(reader: Any) -> DocumentInfo | None:
    """DocumentInfo from a pyHanko PdfFileReader's /Info dictionary, or None if absent or not ours."""
    try:
        keywords = reader.trailer_view["/Info"].get("/Keywords")
    except (KeyError, AttributeError, TypeError):
        return None
    return parse_keywords(str(keywords)) if keywords is not None else None
