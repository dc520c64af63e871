"""build_pdf: the assessment record for board papers, A4, in the NHS.UK style, as a tagged PDF.

The blocks become HTML and a print stylesheet (templates/documents/record_pdf.*), which WeasyPrint lays
out as a tagged PDF: PDF/UA-1 (ISO 14289-1) for screen readers and PDF/A-2a for keeping. ReportLab's
open-source toolkit, which drew the record before, cannot write a structure tree (only the commercial
ReportLab PLUS tags PDFs), so a screen reader got an unstructured stream.

Output is deterministic: the snapshot's own date, fixed file identifiers derived from the content, and no
random ids mean that rendering the same frozen version twice gives the same bytes.
"""

import base64
import binascii
import io
import logging
from collections.abc import Mapping
from dataclasses import replace
from functools import cache, partial
from typing import Any

from PIL import Image, UnidentifiedImageError
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.html import UA_COUNTER_STYLE

from hia_service.domain.branding import LogoError, check_logo

from .blocks import Block
from .charts import decile_chart_png
from .content import assessment_blocks
from .errors import SnapshotError
from .metadata import DocumentInfo, SignatureBox
from .pdf_html import PAGE_HEIGHT_PT, TEMPLATES, Logo, Page, data_uri, record_html
from .pdf_tagging import finish
from .snapshot import check_snapshot, document_info, generated_at, snapshot_profile
from .wording import marks

log = logging.getLogger(__name__)
# What WeasyPrint's pdf/ua-1 and pdf/a-2a variants both set; pdf_tagging.finish adds the rest of each.
PDF_OPTIONS = {"pdf_version": "1.7", "pdf_tags": True, "pdf_identifier": True}
_PX_TO_PT = 0.75  # CSS pixels (1/96 in) to PDF points (1/72 in)


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
    info = document_info(snapshot)
    return render_blocks(blocks, _page(snapshot, info), info, snapshot)


def render_blocks(blocks: list[Block], page: Page, info: DocumentInfo, snapshot: Mapping[str, Any]) -> bytes:
    """Lay out blocks on NHS-styled A4 pages (separate from build_pdf so benchmarks can time layout alone)."""
    document = RecordHTML(string=record_html(blocks, page)).render()
    box = signature_box(document) if info.approved and not info.training else None
    created = generated_at(snapshot)
    metadata = document.metadata
    metadata.keywords = [replace(info, signature_box=box).to_keywords()]
    metadata.created = metadata.modified = created.isoformat(timespec="seconds")
    metadata.lang = "en-GB"
    return bytes(document.write_pdf(finisher=partial(finish, created=created), **PDF_OPTIONS))


class RecordHTML(HTML):
    """WeasyPrint's HTML with the user-agent stylesheet cut down to the elements the record uses."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_record_ua()]


@cache
def _record_ua() -> CSS:
    return CSS(filename=str(TEMPLATES / "record_ua.css"), counter_style=UA_COUNTER_STYLE)


def signature_box(document: Document) -> SignatureBox | None:
    """Where the empty signature space landed: page index and rectangle in PDF points (origin bottom left)."""
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():  # WeasyPrint's laid-out boxes; no public API for this
            element = getattr(box, "element", None)
            if element is None or element.get("id") != "signature-space" or box.element_tag != "div":
                continue
            x, y = box.border_box_x() * _PX_TO_PT, box.border_box_y() * _PX_TO_PT
            width, height = box.border_width() * _PX_TO_PT, box.border_height() * _PX_TO_PT
            return SignatureBox(index, x, PAGE_HEIGHT_PT - y - height, x + width, PAGE_HEIGHT_PT - y)
    return None


def _page(snapshot: Mapping[str, Any], info: DocumentInfo) -> Page:
    organisation = snapshot["organisation"]
    return Page(
        title=snapshot["title"],
        organisation=organisation["name"],
        label=info.label,
        marks=marks(training=info.training, approved=info.approved),
        logo=_logo(organisation.get("logo_png")) or _svg_logo(organisation.get("logo_svg")),
        address=organisation.get("address") or None,
    )


def _decoded(value: bytes | str, what: str) -> bytes:
    try:
        return value if isinstance(value, bytes) else base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnapshotError(f"The organisation's {what} should be base64 text in JSON.") from error


def _logo(value: bytes | str | None) -> Logo | None:
    """The organisation's PNG logo, checked to be a readable image."""
    if not value:
        return None
    data = _decoded(value, "logo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise SnapshotError("The organisation's logo should be a PNG image (base64 text in JSON).") from error
    return Logo.fitted(data_uri(data, "image/png"), width, height)


def _svg_logo(value: bytes | str | None) -> Logo | None:
    """The SVG logo, only when it passes the same check as an upload (no scripts, no
    references outside the file); otherwise the record goes without it and the log says why."""
    if not value:
        return None
    data = _decoded(value, "SVG logo")
    try:
        checked = check_logo(data)
        if checked.kind != "svg":
            raise LogoError("it is not an SVG")
    except LogoError as error:
        log.warning("SVG logo left off the PDF: it fails the logo check (%s)", error)
        return None
    return Logo.fitted(data_uri(data, "image/svg+xml"), checked.width, checked.height)
