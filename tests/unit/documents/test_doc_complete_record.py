"""The complete record (issue 22, item 5): the cumulative-impact overlap, the reviewer's decision with its
comments and conditions, and the inherent and residual rating, in the PDF and the Word copy alike; older
snapshots without them still render."""

import io

import docx
import pytest
from pypdf import PdfReader

from hia_service.documents import build_docx, build_pdf
from hia_service.documents.blocks import Facts, Group, Heading, Table
from hia_service.documents.content import assessment_blocks

CUMULATIVE = {
    "overlaps": [
        {
            "reference": "HIA-2026-0017",
            "title": "Move phlebotomy to the Eastfield hub",
            "status": "approved",
            "rating": "high",
            "shared": 12,
            "share_of_this": 0.4,
        }
    ],
    "repeated": [{"label": "Older people", "references": ["HIA-2026-0042", "HIA-2026-0017"]}],
}
REVIEW = {
    "decision": "approved",
    "reviewer": "Tom Okafor",
    "date": "16 November 2026",
    "conditions": "Keep the evening clinic open until the review in March.\n"
    "Report travel times to the board.",
    "comments": [{"section": "Action plan", "text": "Report travel times to the board after six months."}],
}


@pytest.fixture
def complete(snapshot):
    snapshot["cumulative"] = CUMULATIVE
    snapshot["review"] = REVIEW
    snapshot["rating"] = {
        **snapshot["rating"],
        "inherent": "high",
        "inherent_label": "High risk of widening inequalities",
        "residual": "medium",
        "residual_label": "Medium risk of widening inequalities",
    }
    return snapshot


def _flat(blocks):
    for block in blocks:
        yield from _flat(block.blocks) if isinstance(block, Group) else [block]


def _blocks(snapshot):
    return list(_flat(assessment_blocks(snapshot, chart_png=None, map_png=None)))


def _headings(snapshot):
    return [b.text for b in _blocks(snapshot) if isinstance(b, Heading)]


def test_the_overlap_names_each_other_assessment_and_what_it_shares(complete):
    blocks = _blocks(complete)
    table = next(b for b in blocks if isinstance(b, Table) and b.header[0] == "Assessment")
    assert table.rows == (
        ("HIA-2026-0017: Move phlebotomy to the Eastfield hub", "Approved", "High", "12 (40% of this area)"),
    )
    assert "Other assessments covering the same neighbourhoods" in _headings(complete)


def test_an_area_with_no_overlap_says_so(complete):
    complete["cumulative"] = {"overlaps": [], "repeated": []}
    texts = [getattr(b, "text", "") for b in _blocks(complete)]
    assert "No other assessment from the past year covers any of the same neighbourhoods." in texts


def test_the_reviewers_decision_and_conditions_come_before_the_sign_off(complete):
    headings = _headings(complete)
    assert headings.index("The reviewer's decision") < headings.index("Sign-off")
    blocks = _blocks(complete)
    table = next(b for b in blocks if isinstance(b, Table) and b.header == ("Section", "Comment"))
    assert table.rows == (("Action plan", "Report travel times to the board after six months."),)
    assert any(getattr(b, "text", "") == "Approved by Tom Okafor on 16 November 2026." for b in blocks)


def _review_part(snapshot):
    """The blocks from the reviewer's decision up to the next section heading."""
    blocks = _blocks(snapshot)
    start = next(
        i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == "The reviewer's decision"
    )
    end = next(
        i for i, b in enumerate(blocks[start + 1 :], start + 1) if isinstance(b, Heading) and b.level == 1
    )
    return blocks[start:end]


def test_the_conditions_of_approval_follow_the_decision_a_paragraph_per_line(complete):
    part = _review_part(complete)
    heading = part.index(Heading("Conditions of approval", level=2))
    assert [getattr(b, "text", None) for b in part[heading - 1 : heading + 3]] == [
        "Approved by Tom Okafor on 16 November 2026.",
        "Conditions of approval",
        "Keep the evening clinic open until the review in March.",
        "Report travel times to the board.",
    ]


def test_an_approval_without_conditions_says_none_were_set(complete):
    complete["review"] = {**REVIEW, "conditions": None}
    part = _review_part(complete)
    heading = part.index(Heading("Conditions of approval", level=2))
    assert part[heading + 1].text == "No conditions were set."


def test_a_returned_version_and_a_record_made_before_conditions_say_nothing_of_them(complete):
    for review in (
        {**REVIEW, "decision": "returned", "conditions": None},
        {k: v for k, v in REVIEW.items() if k != "conditions"},
    ):
        complete["review"] = review
        texts = [getattr(b, "text", "") for b in _review_part(complete)]
        assert not any("ondition" in text for text in texts), texts


def test_the_inherent_and_residual_ratings_are_both_stated(complete):
    facts = [b for b in _blocks(complete) if isinstance(b, Facts)]
    rows = dict(row for f in facts for row in f.rows)
    assert rows["Before the action plan (inherent rating)"] == "High risk of widening inequalities"
    assert rows["After the action plan (residual rating)"] == "Medium risk of widening inequalities"


def test_an_older_snapshot_without_these_keys_still_renders_without_them(snapshot):
    for key in ("cumulative", "review"):
        snapshot.pop(key, None)
    for key in ("inherent", "residual", "inherent_label", "residual_label"):
        snapshot["rating"].pop(key, None)
    headings = _headings(snapshot)
    assert "The reviewer's decision" not in headings
    assert "Other assessments covering the same neighbourhoods" not in headings
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(build_pdf(snapshot))).pages)
    assert "inherent rating" not in text


def test_the_pdf_and_the_word_copy_both_carry_them(complete):
    pdf_text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(build_pdf(complete))).pages
    )
    word = docx.Document(io.BytesIO(build_docx(complete)))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    word_text = " ".join(" ".join([p.text for p in word.paragraphs] + cells).split())
    for text in (
        "Other assessments covering the same neighbourhoods",
        "Move phlebotomy to the Eastfield hub",
        "Older people: HIA-2026-0042, HIA-2026-0017",
        "The reviewer's decision",
        "Report travel times to the board after six months.",
        "Conditions of approval",
        "Keep the evening clinic open until the review in March.",
        "Report travel times to the board.",
        "Before the action plan (inherent rating)",
        "Medium risk of widening inequalities",
    ):
        assert text in pdf_text, text
        assert text in word_text, text
