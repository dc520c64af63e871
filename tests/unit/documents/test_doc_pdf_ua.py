"""The record is laid out with a user-agent stylesheet cut down to the elements it uses
(templates/documents/record_ua.css). Its pages must come out as they would with WeasyPrint's full one, and
the record must not start using an element the short sheet leaves out. Also: what the layout must keep
inside its boxes."""

import re
import subprocess
from pathlib import Path
from typing import Any

from weasyprint import HTML

from hia_service.documents.charts import decile_chart_png
from hia_service.documents.content import assessment_blocks
from hia_service.documents.pdf import PDF_OPTIONS, RecordHTML, _page
from hia_service.documents.pdf_html import TEMPLATES, record_html
from hia_service.documents.sample import example_geometries
from hia_service.documents.snapshot import document_info, snapshot_profile

# Elements whose user-agent styles the short sheet carries (plus a few that never show).
COVERED = {
    "a", "b", "body", "caption", "col", "colgroup", "div", "em", "figcaption", "figure", "h1",
    "h2", "h3", "head", "header", "html", "i", "img", "li", "link", "meta", "ol", "p", "section",
    "span", "strong", "style", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "u",
    "ul",
}  # fmt: skip


def _record(snapshot: dict[str, Any]) -> str:
    from hia_service.documents.charts import decile_map_png

    profile = snapshot_profile(snapshot)
    assert profile is not None
    blocks = assessment_blocks(
        snapshot,
        chart_png=decile_chart_png(profile),
        map_png=decile_map_png(example_geometries(count=40)),
    )
    return record_html(blocks, _page(snapshot, document_info(snapshot)))


def _pages(pdf: bytes, folder: Path, name: str) -> list[bytes]:
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(folder / f"{name}.pdf"), str(folder / name)], check=True
    )
    return [p.read_bytes() for p in sorted(folder.glob(f"{name}-*.png"))]


def test_pages_are_the_same_as_with_weasyprints_full_stylesheet(
    snapshot: dict[str, Any], tmp_path: Path
) -> None:
    snapshot["status"] = "submitted"  # a draft too: its marks are drawn as the page background
    html = _record(snapshot)
    full = _pages(HTML(string=html).write_pdf(**PDF_OPTIONS), tmp_path, "full")
    short = _pages(RecordHTML(string=html).write_pdf(**PDF_OPTIONS), tmp_path, "short")
    assert len(full) > 3
    assert short == full


def test_the_record_uses_only_elements_the_short_stylesheet_covers(snapshot: dict[str, Any]) -> None:
    sources = [_record(snapshot), (TEMPLATES / "record_pdf.html").read_text(encoding="utf-8")]
    # (a tag whose name the template works out, <h{{ level }}>, is one of h1 to h3)
    used = {tag.lower() for source in sources for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)(?!\{)", source)}
    assert {"table", "th", "img", "li"} <= used
    assert used - COVERED == set(), "add the element's user-agent rules to record_ua.css"


def test_a_long_unbroken_word_stays_inside_its_table_cell(snapshot: dict[str, Any]) -> None:
    """An action owner's email (no spaces to break at) once ran over the next column of the action plan."""
    from weasyprint.formatting_structure import boxes

    email = "someone.with.a.long.name@northshire-community-health.nhs.example"
    actions = snapshot["answers"]["actions.plan"]
    for action in actions:
        action["owner"] = email
    html = record_html(
        assessment_blocks(snapshot, chart_png=b"", map_png=None), _page(snapshot, document_info(snapshot))
    )
    cells = 0
    for page in RecordHTML(string=html).render().pages:
        for cell in page._page_box.descendants():
            if not isinstance(cell, boxes.TableCellBox) or email[:10] not in _text(cell):
                continue
            cells += 1
            right = cell.content_box_x() + cell.width
            for line in (b for b in cell.descendants() if isinstance(b, boxes.LineBox)):
                assert line.position_x + line.width <= right + 0.5
    assert cells >= len(actions)


def _text(box: Any) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox))
