"""The signed record is a tagged PDF a screen reader can use (PDF/UA-1) and an archive can keep (PDF/A-2a):
read back with pikepdf and poppler, after signing, because signing must not undo any of it."""

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pikepdf
import pytest

from hia_service.documents import verify_pdf

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture(scope="module")
def pdf(signed_pdf) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(io.BytesIO(signed_pdf)) as document:
        yield document


def _elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _elements(kid)


def _tree(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return list(_elements(pdf.Root.StructTreeRoot))


def _tags(pdf: pikepdf.Pdf) -> list[str]:
    return [str(element.S) for element in _tree(pdf)]


def test_the_record_has_a_structure_tree_with_headings_lists_tables_and_links(pdf):
    tags = _tags(pdf)
    assert tags[0] == "/Document"
    for tag in ("/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD", "/Figure", "/Link"):
        assert tag in tags, tag
    assert pdf.Root.MarkInfo.Marked is True


def test_headings_never_skip_a_level(pdf):
    levels = [int(tag[2]) for tag in _tags(pdf) if re.fullmatch(r"/H\d", tag)]
    assert levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in pairwise(levels))


def _table_attribute(element: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    """key from the element's Table attributes (A is one attribute dictionary or an array of them)."""
    attributes = element.get("/A")
    listed = [attributes] if isinstance(attributes, pikepdf.Dictionary) else list(attributes or [])
    for item in listed:
        if isinstance(item, pikepdf.Dictionary) and item.get("/O") == "/Table" and key in item:
            return item[key]
    return None


def test_header_cells_say_whether_they_head_a_column_or_a_row(pdf):
    scopes = [str(_table_attribute(e, "/Scope")) for e in _tree(pdf) if e.S == "/TH"]
    assert scopes and set(scopes) == {"/Column", "/Row"}  # table heads, and the facts' names
    data_cells = [e for e in _tree(pdf) if e.S == "/TD"]
    assert all(len(_table_attribute(cell, "/Headers") or ()) >= 1 for cell in data_cells)  # tied to headers
    names = pdf.Root.StructTreeRoot.IDTree.Names
    ids = {bytes(names[i]) for i in range(0, len(names), 2)}
    headers = {bytes(h) for cell in data_cells for h in _table_attribute(cell, "/Headers")}
    assert headers <= ids  # every header a data cell names is in the tree's index of ids


def test_figures_have_text_alternatives_that_state_the_figures(pdf):
    alternatives = [str(e.Alt) for e in _tree(pdf) if e.S == "/Figure"]
    assert all(alternatives)
    chart = next(a for a in alternatives if a.startswith("Bar chart"))
    assert "Decile 1 (most deprived): 24% against 10%" in chart
    assert "decile 10 (least deprived): 4% against 10%" in chart
    assert any("QR code" in a for a in alternatives)


def test_the_language_title_and_pdf_ua_identification_are_set(pdf):
    assert str(pdf.Root.Lang) == "en-GB"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title).startswith("Close the minor injuries unit")
    with pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "A")
        assert xmp["dc:title"].startswith("Close the minor injuries unit")
    assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"


def test_every_font_is_embedded_with_a_unicode_map(pdf):
    fonts = [font for page in pdf.pages for font in page.Resources.Font.values()]
    assert fonts
    for font in fonts:
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
        assert "/ToUnicode" in font, font.BaseFont


def test_running_headers_and_footers_are_artefacts_outside_the_tree(pdf):
    root = pdf.Root.StructTreeRoot
    in_tree = {element.objgen for element in _tree(pdf)}
    parent_tree = root.ParentTree.Nums
    for index in range(0, len(parent_tree), 2):
        entries = parent_tree[index + 1]
        if isinstance(entries, pikepdf.Array):
            assert all(e is None or e.objgen in in_tree for e in entries)  # nothing tagged is left out
    for page in pdf.pages:
        artefacts = [
            operands
            for operands, operator in pikepdf.parse_content_stream(page)
            if operator == pikepdf.Operator("BDC") and operands[0] == "/Artifact"
        ]
        assert any(o[1].get("/Type") == "/Pagination" for o in artefacts)


def test_page_one_reads_in_the_order_of_the_summary(signed_pdf, tmp_path):
    path = tmp_path / "record.pdf"
    path.write_bytes(signed_pdf)
    text = subprocess.run(
        [PDFTOTEXT, "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    text = " ".join(text.split())
    order = [
        "Northshire NHS Foundation Trust",
        "Close the minor injuries unit at Eastfield",
        "The minor injuries unit at Eastfield is open 8am to 8pm",
        "Reference HIA-2026-0042 v3",
        "Sign-off Approved by Dr Helen Marsh",
        "Check this document is genuine",
        "Recommendation Proceed with mitigations",
        "Overall rating HIGH RISK OF WIDENING INEQUALITIES",
        "Who is affected About 4 in 10 of the people affected",
        "Key impacts and what we will do about them",
        "Age Negative Extend community nursing visits",
        "Positive impacts for: Carers.",
    ]
    positions = [text.find(phrase) for phrase in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at == -1]
    assert positions == sorted(positions)


def test_one_changed_byte_anywhere_in_the_signed_range_is_detected(signed_pdf, org_cert):
    assert verify_pdf(signed_pdf, [org_cert.pem]).genuine
    for where in (len(signed_pdf) // 4, len(signed_pdf) // 2):
        altered = bytearray(signed_pdf)
        altered[where] ^= 0x01
        assert not verify_pdf(bytes(altered), [org_cert.pem]).genuine


@pytest.fixture(autouse=True)
def _poppler_is_installed():
    assert Path(PDFTOTEXT).exists(), "poppler-utils (pdftotext) is needed for these tests"


def test_pdffonts_finds_every_font_of_the_signed_file_embedded(signed_pdf, tmp_path):
    """Annotation appearances too: the signature once brought an unembedded Courier the page fonts hid."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    pdffonts = shutil.which("pdffonts") or "/usr/bin/pdffonts"
    listing = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True)
    lines = listing.stdout.splitlines()
    rows = [line for line in lines[2:] if line.strip()]
    assert rows
    for row in rows:
        # columns: name, type (one or more words), encoding, emb, sub, uni, object id
        emb, _sub, uni = row.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), row


def test_the_signature_panel_is_the_records_own_text(signed_pdf, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    last_page = " ".join(text.stdout.split("\f")[-2].split())
    assert "Digitally signed by Northshire NHS Foundation Trust" in last_page
    assert "Record HIA-2026-0042 v3" in last_page
