"""What the layout must keep inside its boxes, and how text gets there: long unbroken runs (an email, a link)
are given places to break that show nothing and are never copied as text."""

import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from hia_service.documents import build_pdf
from hia_service.documents.pdf_layout import breakable

ZWSP = "\u200b"


def test_short_words_are_left_as_they_are() -> None:
    text = "Extend community nursing visits for minor wounds to people over 75."
    assert breakable(text) == text


def test_a_long_run_gets_places_to_break_after_its_punctuation_and_says_the_same() -> None:
    email = "someone.with.a.long.name@northshire-community-health.nhs.example"
    broken = breakable(f"Owner: {email}")
    assert broken.replace(ZWSP, "") == f"Owner: {email}"
    assert max(len(part) for part in broken.split(ZWSP)) <= 16
    assert f"someone.{ZWSP}with" in broken


def test_a_long_run_with_no_punctuation_is_broken_every_16_characters() -> None:
    run = "x" * 40
    assert breakable(run).split(ZWSP) == ["x" * 16, "x" * 16, "x" * 8]


def _words(pdf: bytes, folder: Path) -> list[tuple[int, float, float, str]]:
    """(page, left, right, text) of every word poppler finds."""
    path = folder / "record.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    root = ElementTree.fromstring(html.replace("<!DOCTYPE", "<!-- ").replace('.dtd">', '.dtd" -->'))
    words = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page")):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            words.append((number, float(word.get("xMin", 0)), float(word.get("xMax", 0)), word.text or ""))
    return words


def test_a_long_unbroken_word_stays_inside_its_table_cell(snapshot: dict[str, Any], tmp_path: Path) -> None:
    """An action owner's email (no spaces to break at) once ran over the next column of the action plan."""
    email = "someone.with.a.long.name@northshire-community-health.nhs.example"
    actions = snapshot["answers"]["actions.plan"]
    for action in actions:
        action["owner"] = email
    words = _words(build_pdf(snapshot, chart_png=b""), tmp_path)
    due = [(page, left) for page, left, _, text in words if text == "Due"]
    assert due, "the action plan's 'Due date' column"
    page, next_column = due[-1]
    pieces = [(left, right, text) for p, left, right, text in words if p == page and "northshire" in text]
    assert len(pieces) >= len(actions)
    assert all(right <= next_column for _, right, _ in pieces)
    assert not any(ZWSP in text for *_, text in words)


def test_the_text_of_the_record_carries_no_invisible_break_characters(
    plain_pdf: bytes, page_texts: Any
) -> None:
    text = " ".join(page_texts(plain_pdf))
    assert "http://127.0.0.1:5000/verify/HIA-2026-0042/3" in text.replace(" ", "")
    assert ZWSP not in text
