import io
import itertools
import zipfile

import docx
import pytest

from hia_service.documents import SnapshotError, build_docx

NOTICE = "Copy for board packs — the signed PDF HIA-2026-0042 v3 is the record"


def _word(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _all_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


@pytest.fixture
def word(snapshot) -> bytes:
    return build_docx(snapshot)


def test_it_is_marked_as_a_copy_of_the_signed_pdf(word):
    document = _word(word)
    assert document.sections[0].header.paragraphs[0].text == NOTICE
    assert document.paragraphs[0].text == NOTICE + "."
    assert document.core_properties.comments == NOTICE
    assert "HIA-2026-0042 v3" in document.sections[0].footer.paragraphs[0].text


def test_it_says_the_same_things_as_the_pdf(word):
    text = _all_text(_word(word))
    for expected in (
        "Close the minor injuries unit at Eastfield Community Hospital",
        (
            "About 4 in 10 of the people affected (41%) live in the most deprived fifth of neighbourhoods in "
            "England: 2.1 times the England share (20%)"
        ),
        "HIGH RISK OF WIDENING INEQUALITIES",
        "People experiencing homelessness",
        "No record of disability for 70% of attendances",
        "Approved by Dr Helen Marsh, Medical Director, on 20 November 2026.",
        "Fund two weekly street health drop-ins at the Mill Lane day centre",
        "31 January 2027",
        "Contains OS data © Crown copyright and database right 2025.",
        "This Word copy is not signed: the signed PDF is the record.",
        "http://127.0.0.1:5000/verify/HIA-2026-0042/3",
    ):
        assert expected in text


def test_markup_in_answers_stays_as_text(snapshot):
    snapshot["answers"]["who.service_users"] = "<script>alert(1)</script> & <w:p/>"
    assert "<script>alert(1)</script> & <w:p/>" in _all_text(_word(build_docx(snapshot)))


def test_the_same_snapshot_gives_the_same_bytes(snapshot, word):
    assert build_docx(snapshot) == word
    with zipfile.ZipFile(io.BytesIO(word)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 23, 10, 0, 0)}


def test_pictures_have_alt_text(word):
    with zipfile.ZipFile(io.BytesIO(word)) as archive:
        body = archive.read("word/document.xml").decode()
    assert 'descr="Bar chart of the share of people affected in each deprivation decile' in body


def test_drafts_and_training_copies_are_marked_in_the_header(snapshot):
    snapshot["status"] = "in_review"
    header = _word(build_docx(snapshot)).sections[0].header.paragraphs[0].text
    assert header.startswith("DRAFT — NOT APPROVED")
    snapshot["status"], snapshot["training"] = "practice", True
    header = _word(build_docx(snapshot)).sections[0].header.paragraphs[0].text
    assert header.startswith("TRAINING — NOT FOR DECISION") and "DRAFT" not in header


def test_the_reference_is_in_the_properties(word):
    properties = _word(word).core_properties
    assert properties.keywords.startswith("HIA-2026-0042; version 3; status approved")
    assert properties.revision == 3


def test_a_broken_snapshot_is_refused(snapshot):
    snapshot["signoff"] = "Dr Marsh"
    with pytest.raises(SnapshotError, match="'signoff' should be a list"):
        build_docx(snapshot)


def test_characters_word_cannot_hold_are_left_out_not_a_failure(snapshot):
    """Stored text from before the service refused them (NUL, bell, escape, a lone surrogate) must not
    make the Word copy fail for good: they are left out, and a pasted vertical tab becomes a line break."""
    snapshot["title"] = "Close the\x00 minor injuries unit\x07"
    snapshot["answers"]["who.service_users"] = "Night\x1b workers\ud800 and\x0bcarers"
    text = _all_text(_word(build_docx(snapshot)))
    assert "Night workers and carers" in text
    assert _word(build_docx(snapshot)).core_properties.title == "Close the minor injuries unit"


def test_headings_use_words_heading_styles_without_skipping_a_level(word):
    styles = [p.style.name for p in _word(word).paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert styles[0] == "Title" and {"Heading 1", "Heading 2"} <= set(styles)
    levels = [int(name.split()[-1]) for name in styles if name.startswith("Heading")]
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_tables_with_column_headings_mark_their_first_row_as_the_header(word):
    tables = _word(word).tables
    decile = next(t for t in tables if t.rows[0].cells[0].text == "Deprivation decile")
    assert decile.rows[0]._tr.trPr.xpath("./w:tblHeader/@w:val") == ["true"]
    assert not decile.rows[1]._tr.xpath("./w:trPr/w:tblHeader")
    facts = next(t for t in tables if t.rows[0].cells[0].text == "Reference")  # names in rows: no header row
    assert not facts.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
