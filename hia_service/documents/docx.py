"""build_docx: the same content as the PDF, as a Word file for board packs. Never signed; marked as a copy.

Word text needs no escaping (python-docx writes it as text nodes), so answers containing tags stay inert.
The zip entries get the snapshot's date, so the same frozen version always gives the same bytes.
"""

import io
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import singledispatch
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from hia_service.domain.safe_text import cleaned_everywhere

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
from .charts import decile_chart_png, shares_chart_png
from .content import assessment_blocks
from .snapshot import check_snapshot, document_info, generated_at, snapshot_profile
from .wording import copy_notice, document_label, marks

TEXT_COLOUR = RGBColor(0x21, 0x2B, 0x32)
SECONDARY = RGBColor(0x4C, 0x62, 0x72)
NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
TEXT_WIDTH_CM = 17.0


def build_docx(
    snapshot: Mapping[str, Any], *, map_png: bytes | None = None, chart_png: bytes | None = None
) -> bytes:
    """Render a frozen assessment version as a Word copy (unsigned). Raises SnapshotError when incomplete."""
    check_snapshot(snapshot)
    # Text stored before the service refused control characters must not make the copy fail for good.
    snapshot = cleaned_everywhere(snapshot)
    profile = snapshot_profile(snapshot)
    if chart_png is None and profile is not None and profile.population_by_decile:
        chart_png = decile_chart_png(profile)
    document = Document()
    _set_up(document, snapshot)
    notice = document.add_paragraph()
    _run(notice, copy_notice(snapshot) + ".", bold=True, colour=NHS_BLUE)
    blocks = assessment_blocks(snapshot, chart_png=chart_png, map_png=map_png)
    for block, level in outline_levels(blocks):
        if isinstance(block, Heading):  # Word's heading styles, never skipping a level (as in the PDF)
            document.add_heading(block.text, level=0 if block.level == 0 else level)
        elif not isinstance(block, Group):  # a group's blocks come next, one by one
            _render(block, document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_dates(buffer.getvalue(), generated_at(snapshot))


def _set_up(document: WordDocument, snapshot: Mapping[str, Any]) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size, normal.font.color.rgb = "Arial", Pt(10.5), TEXT_COLOUR
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        document.styles[name].font.name = "Arial"
        document.styles[name].font.color.rgb = TEXT_COLOUR
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, like the PDF
    section.left_margin = section.right_margin = Cm(2.0)
    _header(section.header.paragraphs[0], snapshot)
    _footer(section.footer.paragraphs[0], snapshot)
    _properties(document, snapshot)


def _header(paragraph: Paragraph, snapshot: Mapping[str, Any]) -> None:
    info = document_info(snapshot)
    warnings = marks(training=info.training, approved=info.approved)
    if warnings:
        _run(paragraph, "   ·   ".join(warnings) + "\n", bold=True, colour=RGBColor(0xD5, 0x28, 0x1B))
    _run(paragraph, copy_notice(snapshot), size=8.5, colour=SECONDARY)


def _footer(paragraph: Paragraph, snapshot: Mapping[str, Any]) -> None:
    _run(paragraph, f"{document_label(snapshot)}  ·  {snapshot['organisation']['name']}  ·  Page ", size=8.5)
    _field(paragraph, "PAGE")
    _run(paragraph, " of ", size=8.5)
    _field(paragraph, "NUMPAGES")


def _properties(document: WordDocument, snapshot: Mapping[str, Any]) -> None:
    props = document.core_properties
    created = generated_at(snapshot)
    props.title = snapshot["title"]
    props.author = props.last_modified_by = snapshot["organisation"]["name"]
    props.subject = f"Health inequalities impact assessment {document_label(snapshot)} (copy)"
    props.keywords = document_info(snapshot).to_keywords()
    props.comments = copy_notice(snapshot)
    props.created = props.modified = created.astimezone(UTC).replace(tzinfo=None)  # python-docx writes UTC
    props.revision = snapshot["version"]


@singledispatch
def _render(block: Block, document: WordDocument) -> None:
    raise TypeError(f"No Word drawing for {type(block).__name__}")


@_render.register
def _(block: Heading, document: WordDocument) -> None:
    document.add_heading(block.text, level=block.level)


@_render.register
def _(block: Para, document: WordDocument) -> None:
    paragraph = document.add_paragraph()
    small = block.style == "small"
    _run(paragraph, block.text, italic=block.style == "unanswered", size=8.5 if small else None,
         colour=SECONDARY if small or block.style == "unanswered" else None)  # fmt: skip


@_render.register
def _(block: Callout, document: WordDocument) -> None:
    paragraph = document.add_paragraph()
    _run(paragraph, block.title + "\n", bold=True, colour=NHS_BLUE)
    _run(paragraph, block.text, bold=block.kind == "headline", size=12 if block.kind == "headline" else None)


@_render.register
def _(block: RatingTag, document: WordDocument) -> None:
    paragraph = document.add_paragraph()
    _run(paragraph, "Overall rating: ", bold=True)
    _run(paragraph, block.label.upper(), bold=True)
    if block.summary:
        _run(paragraph, "\n" + block.summary)


@_render.register
def _(block: Facts, document: WordDocument) -> None:
    _table(document, None, block.rows, (0.3, 0.7), bold_first_column=True)


@_render.register
def _(block: BarChart, document: WordDocument) -> None:
    png = shares_chart_png(block.affected, block.nation, block.national)
    _render(Figure(png, block.caption, block.alt_text), document)


@_render.register
def _(block: CoverFacts, document: WordDocument) -> None:
    _table(document, None, block.rows, (0.3, 0.7), bold_first_column=True)
    _render(Verification(block.verify_url), document)


@_render.register
def _(block: Table, document: WordDocument) -> None:
    _table(document, block.header, block.rows, block.widths)
    if block.caption:
        _render(Para(block.caption, "small"), document)


@_render.register
def _(block: Bullets, document: WordDocument) -> None:
    for item in block.items:
        document.add_paragraph(item, style="List Bullet")


@_render.register
def _(block: Figure, document: WordDocument) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture = paragraph.add_run().add_picture(
        io.BytesIO(block.png), width=Cm(TEXT_WIDTH_CM * block.width_fraction)
    )
    picture._inline.docPr.set("descr", block.alt_text)  # alt text for screen readers
    _render(Para(block.caption, "small"), document)


@_render.register
def _(block: Verification, document: WordDocument) -> None:
    paragraph = document.add_paragraph()
    _run(paragraph, "Check the signed record is genuine at ", size=9)
    _run(paragraph, block.url, size=9, colour=NHS_BLUE)


@_render.register
def _(block: SignatureSpace, document: WordDocument) -> None:
    text = block.note + " This Word copy is not signed: the signed PDF is the record."
    _render(Para(text), document)


@_render.register
def _(block: PageBreak, document: WordDocument) -> None:
    document.add_page_break()


@_render.register
def _(block: Group, document: WordDocument) -> None:
    for child in block.blocks:
        _render(child, document)


def _table(
    document: WordDocument,
    header: tuple[str, ...] | None,
    rows: Iterable[tuple[str, ...]],
    widths: tuple[float, ...],
    *,
    bold_first_column: bool = False,
) -> None:
    rows = list(rows)
    table = document.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    if header:
        _header_row(table.add_row())
    for index, values in enumerate([header, *rows] if header else rows):
        cells = table.rows[0].cells if header and index == 0 else table.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.width = Cm(TEXT_WIDTH_CM * widths[column])
            bold = (header is not None and index == 0) or (bold_first_column and column == 0)
            _run(cell.paragraphs[0], value, bold=bold, size=9.5)
    document.add_paragraph()


def _header_row(row: Any) -> None:
    """Mark a table's first row as its header: screen readers announce it with each cell, and Word
    repeats it at the top of every page the table runs onto."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    colour: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(text)  # python-docx turns "\n" into line breaks
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field such as PAGE, which Word fills in when it lays out the pages."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _fixed_zip_dates(data: bytes, moment: datetime) -> bytes:
    """python-docx stamps zip entries with the current time; use the snapshot's date instead."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(zipfile.ZipInfo(item.filename, date_time=stamp), source.read(item.filename),
                            compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return output.getvalue()
