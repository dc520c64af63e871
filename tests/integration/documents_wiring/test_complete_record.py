"""The record's snapshot carries the cumulative-impact overlap and the reviewer's decision with its conditions
of approval and the comments left on the version, built by the services from what is stored (issue 22,
item 5)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.documents_wiring.conftest import version_of

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture
def with_engine(app: Flask, reference_data_dir: Path) -> Iterator[Flask]:
    """The app reading the session's real reference snapshot, so areas resolve to their neighbourhoods."""
    original = app.config["HIA_DATA_DIR"]
    app.config["HIA_DATA_DIR"] = str(reference_data_dir)
    yield app
    app.config["HIA_DATA_DIR"] = original


def test_an_approved_record_states_the_overlap_and_the_reviewers_decision(
    with_engine: Flask, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.data.assessments import get_version
    from hia_service.services.documents import records as documents
    from hia_service.services.review import decisions as review

    first = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    make_assessment(world["manager2"], "Move the phlebotomy clinic", submit=False)
    act(world["reviewer"], review.start_review, first, None)
    act(
        world["reviewer"], review.add_comment, first, "general", "Report travel times after six months.", None
    )
    act(world["reviewer"], review.approve, first, None)
    with with_engine.app_context():
        version = get_version(first, 1)
        assert version is not None
        snapshot = documents.snapshot_for(version)
    (overlap,) = snapshot["cumulative"]["overlaps"]
    assert (overlap["title"], overlap["shared"], overlap["share_of_this"]) == (
        "Move the phlebotomy clinic",
        3,
        1.0,
    )
    review_part = snapshot["review"]
    assert review_part["decision"] == "approved"
    assert review_part["reviewer"]
    assert review_part["comments"] == [
        {"section": "General", "text": "Report travel times after six months."}
    ]


CONDITIONS = (
    "Approved on condition that the evening clinic is kept until the review in March.\n"
    "Report travel times to the board after six months."
)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_signed_record_and_the_word_copy_state_the_conditions_of_approval(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, login: Any
) -> None:
    """Conditions set at approval are in the snapshot, the PDF signed and stored at that moment (read back
    with poppler's pdftotext) and the Word copy, under their own heading after the reviewer's decision."""
    from hia_service.data.assessments import get_version
    from hia_service.services.documents import records as documents
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, None, CONDITIONS)
    with app.app_context():
        version = get_version(assessment_id, 1)
        assert version is not None
        assert documents.snapshot_for(version)["review"]["conditions"] == CONDITIONS
    pdf = version_of(app, assessment_id)["pdf"]
    read = subprocess.run(
        [PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, timeout=60, check=True
    ).stdout.decode()
    login(world["manager"])
    word_file = client.get(f"/documents/{assessment_id}/v1.docx")
    assert word_file.status_code == 200
    word = docx.Document(io.BytesIO(word_file.data))
    word_text = "\n".join(p.text for p in word.paragraphs)
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings.index("Conditions of approval") == headings.index("The reviewer's decision") + 1
    for text in (_words(read), _words(word_text)):
        decision = text.index("The reviewer's decision")
        conditions = text.index("Conditions of approval", decision)
        for line in CONDITIONS.splitlines():
            assert text.index(line, conditions) > conditions, line  # in full under the decision
        assert "No conditions were set." not in text
    # and on the PDF's cover, so a reader of page 1 knows the approval is conditional
    cover = _words(read)[: _words(read).index("The reviewer's decision")]
    assert "Conditions of approval " + _words(CONDITIONS) in cover


def test_a_record_approved_without_conditions_says_none_were_set(
    app: Flask, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, None)
    pdf = version_of(app, assessment_id)["pdf"]
    read = subprocess.run(
        [PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, timeout=60, check=True
    ).stdout.decode()
    assert "Conditions of approval No conditions were set." in _words(read)


def test_the_map_marks_the_site_of_a_radius_area_and_no_other(with_engine: Flask) -> None:
    from hia_service.services.areas import profiles

    with with_engine.app_context():
        x, y, radius = profiles.map_site(
            {"type": "point_radius", "latitude": 53.8175, "longitude": -3.0357, "radius_km": 2}
        )
        assert profiles.map_site({"type": "lsoa_codes", "codes": ["E01012671"]}) is None
    assert abs(x - 331_500) < 1_000 and abs(y - 436_000) < 1_000  # Blackpool, on the British National Grid
    assert radius == 2000
