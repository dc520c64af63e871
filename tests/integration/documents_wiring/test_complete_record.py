"""The record's snapshot carries the cumulative-impact overlap and the reviewer's decision with the comments
left on the version, built by the services from what is stored (issue 22, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask


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


def test_the_map_marks_the_site_of_a_radius_area_and_no_other(with_engine: Flask) -> None:
    from hia_service.services.areas import profiles

    with with_engine.app_context():
        x, y, radius = profiles.map_site(
            {"type": "point_radius", "latitude": 53.8175, "longitude": -3.0357, "radius_km": 2}
        )
        assert profiles.map_site({"type": "lsoa_codes", "codes": ["E01012671"]}) is None
    assert abs(x - 331_500) < 1_000 and abs(y - 436_000) < 1_000  # Blackpool, on the British National Grid
    assert radius == 2000
