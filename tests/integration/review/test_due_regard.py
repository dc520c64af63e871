"""Due regard through the real services and pages (issue 12): cumulative impact on the geography step and
the review record, re-assessment when the decision moves after approval, and screening outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.services.assessments import authoring as assessments
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import AREA, PROFILE, answers_for, form_token
from tests.integration.review.test_decisions import decision_form

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


@pytest.fixture
def with_engine(app: Flask, reference_data_dir: Path) -> Iterator[Flask]:
    """The app reading the session's real reference snapshot, so areas resolve to their LSOAs."""
    original = app.config["HIA_DATA_DIR"]
    app.config["HIA_DATA_DIR"] = str(reference_data_dir)
    yield app
    app.config["HIA_DATA_DIR"] = original


def test_overlapping_assessments_and_repeated_harms_are_shown(
    with_engine: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    first = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    second = make_assessment(world["manager2"], "Move the phlebotomy clinic", submit=False)
    elsewhere = make_assessment(world["other_manager"], "Another trust's change")
    login(world["reviewer"])
    html = client.get(f"/review/{first}").get_data(as_text=True)
    assert "Other assessments covering the same neighbourhoods" in html
    assert "Move the phlebotomy clinic" in html and "Another trust" not in html
    assert "3 (100% of this area)" in html  # the three LSOAs of AREA
    assert 'id="repeated-harms"' in html and "<strong>Age</strong>: negative impact in 2 assessments" in html
    assert f'href="/review/{second}"' in html  # a reviewer may open it
    login(world["manager2"])
    page = client.get(f"/assessments/{second}/area").get_data(as_text=True)
    assert "Close the walk-in centre on Sundays" in page
    assert f'href="/review/{first}"' not in page  # another manager's record: listed, not linked
    assert elsewhere  # made, and never shown to RXA


def test_an_assessment_that_moves_away_stops_overlapping_at_once(
    with_engine: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    """What each other assessment comes to is kept between page views, until that assessment changes."""
    first = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    second = make_assessment(world["manager2"], "Move the phlebotomy clinic", submit=False)
    login(world["reviewer"])
    assert "Move the phlebotomy clinic" in client.get(f"/review/{first}").get_data(as_text=True)
    login(world["manager2"])
    token = form_token(client, f"/assessments/{second}/area")
    moved = client.post(
        f"/assessments/{second}/area",
        data={"csrf_token": token, "method": "lsoa_codes", "lsoa_codes": "E01012001\nE01012002"},
    )
    assert moved.status_code == 302, moved.get_data(as_text=True)
    login(world["reviewer"])
    html = client.get(f"/review/{first}").get_data(as_text=True)
    assert "Move the phlebotomy clinic" not in html
    assert "Other assessments covering the same neighbourhoods" not in html


def test_no_overlap_no_panel(
    with_engine: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    only = make_assessment(world["manager"])
    login(world["reviewer"])
    assert "Other assessments covering" not in client.get(f"/review/{only}").get_data(as_text=True)


def _approve(world: Any, make_assessment: Any, act: Any, lock_of: Any, **answers: Any) -> int:
    assessment_id = make_assessment(
        world["manager"], answers=answers_for(world["manager"]["email"], **answers)
    )
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    return assessment_id


def _rating_of(app: Flask, person: dict[str, Any], assessment_id: int) -> dict[str, str]:
    """The rating the check-answers page shows now, as {rule id: reason}, and its reference."""
    from tests.integration.review.conftest import acting_as

    with acting_as(app, person) as user:
        assessment = assessments.assessment_for(user, assessment_id)
        rated = assessments.current_rating(assessment)
    reasons = {r["rule"]: r["text"] for d in rated["rating"]["dimensions"] for r in d["reasons"]}
    return {"inherent": rated["rating"]["before_mitigation"], **reasons}


def _reference(app: Flask, assessment_id: int) -> str:
    from hia_service.data.assessments import get_assessment

    with app.app_context():
        found = get_assessment(assessment_id)
        assert found is not None
        return found.reference


def test_a_group_harmed_again_by_a_decision_already_taken_raises_the_rating(
    with_engine: Flask, world: Any, make_assessment: Any, act: Any, lock_of: Any
) -> None:
    """Who is hit twice (scoring 1.9): an approved decision for the same neighbourhoods that harms older
    people raises a new proposal's rating for them, and says which decision; drafts, practice and another
    organisation's decisions do not."""
    later = make_assessment(world["manager2"], "Move the phlebotomy clinic", submit=False)
    make_assessment(world["manager"], "A draft that harms older people too", submit=False)
    theirs = make_assessment(world["other_manager"], "Another trust's decision")
    act(world["other_reviewer"], review.approve, theirs, lock_of(theirs))
    make_assessment(world["manager"], "Practice", training=True)
    before = _rating_of(with_engine, world["manager2"], later)
    assert "combined.harmed_again" not in before
    earlier = _approve(world, make_assessment, act, lock_of)
    after = _rating_of(with_engine, world["manager2"], later)
    assert after["inherent"] == "high", after
    assert after["combined.harmed_again"].startswith(
        "Negative impact on age, as from a decision already taken"
    )
    assert f"({_reference(with_engine, earlier)})" in after["combined.harmed_again"]


def test_a_moved_decision_date_asks_for_reassessment(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    approved = _approve(world, make_assessment, act, lock_of)  # decision planned in two months
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    client.post(f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), date.today()))
    html = client.get(f"/review/{approved}").get_data(as_text=True)
    assert 'id="reassess"' in html and "Re-assess this proposal" in html
    assert f"The decision was taken on {date.today().day} " in html
    with app.app_context():
        from hia_service.data.models import ActionItem
        from hia_service.extensions import db

        items = db.session.query(ActionItem).filter_by(assessment_id=approved, kind="reassess").all()
        assert len(items) == 1 and items[0].owner == world["manager"]["name"] and items[0].due > date.today()


def test_a_decision_as_assessed_needs_no_reassessment(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    approved = _approve(
        world, make_assessment, act, lock_of, **{"proposal.decision_date": date.today().isoformat()}
    )
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    client.post(f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), date.today()))
    assert 'id="reassess"' not in client.get(f"/review/{approved}").get_data(as_text=True)


def test_a_changed_outcome_asks_for_reassessment(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    approved = _approve(
        world, make_assessment, act, lock_of, **{"proposal.decision_date": date.today().isoformat()}
    )
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    form = decision_form(token, lock_of(approved), date.today(), outcome="proceed")
    client.post(f"/review/{approved}/decision", data=form)
    html = client.get(f"/review/{approved}").get_data(as_text=True)
    assert "The decision was to proceed, but the assessment recommended" in html


LOW_PROFILE = {**PROFILE, "core20_share": 0.1, "relative_core20": 0.5}


def test_screening_short_then_not_required_is_submitted_and_stored(
    app: Flask, client: FlaskClient, world: Any, act: Any, login: Any
) -> None:
    user = world["manager"]
    policy = {
        "proposal.kind": "policy",
        "proposal.changes_access": "no",
        "proposal.scope": "local",
        "screening.relevance": "yes",
    }
    assessment_id = act(user, lambda u, t: assessments.start_assessment(u, t).id, "Change the invoice filing")
    act(user, assessments.save_page, assessment_id, list(policy), policy, None)
    act(user, assessments.set_area, assessment_id, low_area())
    login(user)
    tasks = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    # not required, 3 left out of a short one, 3 packs (staff too), and the distance to the service
    assert tasks.count("Not needed") == 8
    screening = client.get(f"/assessments/{assessment_id}/screening").get_data(as_text=True)
    assert "What screening found: Short assessment" in screening
    assert "not more than 20% for England" in screening
    act(
        user,
        assessments.save_page,
        assessment_id,
        ["screening.relevance"],
        {"screening.relevance": "no"},
        None,
    )
    page = client.get(f"/assessments/{assessment_id}/screening").get_data(as_text=True)
    assert "What screening found: Assessment not required" in page
    required = {
        "proposal.summary": "Internal", "proposal.outcomes": "Tidy", "proposal.decision_forum": "Finance",
        "proposal.decision_date": "2027-01-01", "proposal.lead": "A Lead", "proposal.directorate": "Finance",
        "who.service_users": "None", "who.staff_affected": "no",
        "not_required.reasons": "No patient or member of staff is affected",
        "not_required.evidence": "Asked the finance team", "not_required.declaration": ["confirmed"],
    }  # fmt: skip
    act(user, assessments.save_page, assessment_id, list(required), required, None)
    check = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    assert "Why is an assessment not required?" in check and "Protected characteristics" not in check
    response = client.post(
        f"/assessments/{assessment_id}/check-answers",
        data={"csrf_token": form_token(client, f"/assessments/{assessment_id}/check-answers")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        from hia_service.data.assessments import get_assessment

        stored = get_assessment(assessment_id)
        version = stored.versions[-1]
        assert version.answers["screening.depth"] == "not_required"
        assert version.framework_version == "1.3" and version.rating["overall"] == "low"
        assert version.quality == []  # nothing to fix in sections that were not asked
    login(world["reviewer"])
    record = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "Assessment not required" in record and "No patient or member of staff is affected" in record


def test_changing_the_kind_moves_a_short_assessment_to_full(app: Flask, world: Any, act: Any) -> None:
    user = world["manager"]
    assessment_id = act(user, lambda u, t: assessments.start_assessment(u, t).id, "Review the booking policy")
    act(user, assessments.set_area, assessment_id, low_area())
    act(user, assessments.save_page, assessment_id, ["proposal.kind"], {"proposal.kind": "policy"}, None)
    with app.app_context():
        from hia_service.data.assessments import get_assessment

        assert get_assessment(assessment_id).answers["screening.depth"] == "short"
    act(user, assessments.save_page, assessment_id, ["proposal.kind"], {"proposal.kind": "digital"}, None)
    with app.app_context():
        assert get_assessment(assessment_id).answers["screening.depth"] == "full"


def low_area() -> object:
    """LOW_PROFILE as if resolved from AREA (these tests run without reference data)."""
    from hia_service.domain.geography.area_profile import AreaProfile
    from hia_service.services.areas.profiles import ResolvedArea

    return ResolvedArea(AREA, AreaProfile.from_json(LOW_PROFILE))
