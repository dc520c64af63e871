"""The public link printed on a record (its QR code) shows only what checks that approved, signed record:
it carries a random key, so records cannot be found by counting through references, and nothing about
drafts or other organisations' unapproved work is shown."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient


def _link(app: Flask, assessment_id: int, number: int = 1) -> str:
    from hia_service.data.assessments import get_version
    from hia_service.services.documents import records as documents

    with app.app_context():
        version = get_version(assessment_id, number)
        assert version is not None
        url = documents.snapshot_for(version)["verify_url"]
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def _reference(app: Flask, assessment_id: int) -> str:
    from hia_service.data.assessments import get_assessment

    with app.app_context():
        return get_assessment(assessment_id).reference


def test_a_link_without_its_key_shows_nothing(
    app: Flask, client: FlaskClient, world: Any, approved: int, make_assessment: Any
) -> None:
    unapproved = make_assessment(world["other_manager"], "Merge the two night-time rotas")  # RYB, submitted
    reference = _reference(app, approved)
    assert _reference(app, unapproved) == reference  # references repeat across organisations
    link = _link(app, approved)
    assert link.startswith(f"/verify/{reference}/1/") and "?" not in link
    for old_style in (
        f"/verify/{reference}/1",
        f"/verify/{reference}/1?org=RXA",
        f"/verify/{reference}/1?org=RYB",
    ):
        response = client.get(old_style)
        page = response.get_data(as_text=True)
        assert response.status_code == 404, old_style
        assert "This link is not complete" in page
        assert "Close the walk-in centre" not in page and "Merge the two" not in page
        assert "Submitted" not in page and "Not approved" not in page
    guessed = client.get(link[:-4] + "AAAA")
    assert guessed.status_code == 404 and "Close the walk-in centre" not in guessed.get_data(as_text=True)
    shown = client.get(link)
    assert shown.status_code == 200 and "Close the walk-in centre on Sundays" in shown.get_data(as_text=True)


def test_the_link_of_an_unapproved_version_shows_nothing_about_it(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any
) -> None:
    submitted = make_assessment(world["other_manager"], "Merge the two night-time rotas")
    response = client.get(_link(app, submitted))
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Merge the two" not in page and "Submitted" not in page and "In review" not in page
    assert "no approved, signed record" in page
