"""A trainee's practice: started from a scenario of their session with the real area profile, answered on
the ordinary wizard (marked as training on every page), submitted for feedback (never for review), and kept
out of every governance view: review queue, register, dashboard, follow-up and document export."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from flask import Flask

from hia_service.domain.workflow import Status
from tests.integration.review.conftest import act_as, add_people, create_assessment
from tests.integration.training.conftest import (
    FLEETWOOD,
    HULL,
    answer_and_submit,
    client_for,
    start_practice,
)

BANNER = "Training \u2013 practice only"


def _row(app: Flask, assessment_id: int) -> Any:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        values = {
            "status": row.status,
            "is_training": row.is_training,
            "reference": row.reference,
            "answers": dict(row.answers),
            "area": row.area,
            "profile": row.profile,
            "rules": (row.framework_version, row.scoring_version),
            "versions": [(v.number, v.status) for v in row.versions],
            "events": [e.event for e in row.events],
        }
        db.session.remove()
    return values


def test_practice_is_prefilled_with_the_scenario_and_its_real_area_profile(
    training_app: Flask, people: dict, cohort: dict
) -> None:
    from hia_service.domain.training import figure_holds

    assessment_id = start_practice(training_app, people["trainee"], cohort["id"])
    row = _row(training_app, assessment_id)
    assert row["is_training"] is True and row["status"] == Status.DRAFT.value
    assert row["reference"].startswith("TRN-")  # practice never takes a number from the live register
    with training_app.app_context():
        from hia_service.services.training import cohorts as training

        scenario = training.scenario(FLEETWOOD)
    assert row["answers"]["proposal.summary"] == scenario.prefill["proposal.summary"]
    # FY7 6HA is stored as a point, never as the postcode; the profile is the engine's, not a copy.
    assert row["area"]["type"] == "point_radius" and "postcode" not in row["area"]
    assert row["profile"]["release"] == "IoD2025" and row["profile"]["population"] > 10_000
    assert figure_holds(scenario.figure, row["profile"])
    # The scenario's own rules, under which its model rating holds, whatever is current for live work.
    assert row["rules"] == (scenario.framework_version, scenario.scoring) == ("1.3", "1.11")


def test_starting_again_returns_to_the_same_practice(training_app: Flask, people: dict, cohort: dict) -> None:
    first = start_practice(training_app, people["trainee"], cohort["id"])
    assert start_practice(training_app, people["trainee"], cohort["id"]) == first
    assert start_practice(training_app, people["trainee"], cohort["id"], HULL) != first


def test_a_scenario_whose_area_does_not_resolve_is_a_clear_error(training_app: Flask) -> None:
    from hia_service.services.errors import ServiceError
    from hia_service.services.training import cohorts as training

    with training_app.app_context():
        good = training.scenario(FLEETWOOD)
        nowhere = dataclasses.replace(good, area={"type": "lsoa_codes", "codes": ["E01999999"]})
        with pytest.raises(ServiceError) as raised:
            training.practice_area(nowhere)
    message = raised.value.message
    assert "Closing the minor injuries unit in Fleetwood" in message and "E01999999" in message
    assert "Tell your trainer" in message


def test_only_members_of_the_session_can_practise_its_scenarios(
    training_app: Flask, people: dict, cohort: dict
) -> None:
    from hia_service.services.errors import NotFoundError
    from hia_service.services.training import cohorts as training

    for outsider in ("reviewer", "other_trainee"):
        with pytest.raises(NotFoundError):
            act_as(training_app, people[outsider], training.start_practice, cohort["id"], FLEETWOOD)
    with pytest.raises(NotFoundError):  # a scenario the trainer did not pick for this session
        act_as(
            training_app, people["trainee"], training.start_practice, cohort["id"], "stroke-unit-lincolnshire"
        )


def test_every_wizard_page_of_a_practice_carries_the_training_banner(
    training_app: Flask, people: dict, cohort: dict
) -> None:
    assessment_id = start_practice(training_app, people["trainee"], cohort["id"])
    client = client_for(training_app, people["trainee"])
    base = f"/assessments/{assessment_id}"
    for url in (base, f"{base}/proposal", f"{base}/area", f"{base}/check-answers", f"{base}/pc-age"):
        response = client.get(url)
        if response.status_code == 404 and url.endswith("pc-age"):
            continue  # page ids follow the framework; the others are fixed
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert BANNER in html and "not part of the record" in html, url
    live = create_assessment(training_app, people["manager"], submit=False)
    manager = client_for(training_app, people["manager"])
    assert BANNER not in manager.get(f"/assessments/{live}").get_data(as_text=True)


def test_submitting_a_practice_goes_to_feedback_never_to_review(
    training_app: Flask, people: dict, cohort: dict
) -> None:
    assessment_id = start_practice(training_app, people["trainee"], cohort["id"])
    client = client_for(training_app, people["trainee"])
    url = f"/assessments/{assessment_id}/check-answers"
    page = client.get(url).get_data(as_text=True)
    assert "Submit for feedback" in page and "Submit for review" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/training/practice/{assessment_id}/feedback")
    row = _row(training_app, assessment_id)
    assert row["status"] == "submitted_for_feedback"
    assert row["versions"] == [(1, "submitted_for_feedback")]
    assert row["events"] == ["submit_for_feedback"]
    # A second submission is refused with a message, not a crash.
    again = client.post(url, data={"csrf_token": token})
    assert again.status_code == 400 and "cannot be submitted for feedback" in again.get_data(as_text=True)


def test_a_practice_cannot_be_submitted_for_review_nor_a_live_one_for_feedback(
    training_app: Flask, people: dict, cohort: dict
) -> None:
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.errors import StateTransitionError

    practice = start_practice(training_app, people["manager"], cohort["id"])
    with pytest.raises(StateTransitionError, match="never for review"):
        act_as(training_app, people["manager"], assessments.submit_for_review, practice)
    live = create_assessment(training_app, people["manager"], submit=False)
    with pytest.raises(StateTransitionError, match="Only practice"):
        act_as(training_app, people["manager"], assessments.submit_for_feedback, live)


def test_training_only_accounts_cannot_start_live_assessments(training_app: Flask, people: dict) -> None:
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.errors import PermissionDeniedError

    for who in ("trainee", "trainer"):
        with pytest.raises(PermissionDeniedError):
            act_as(training_app, people[who], assessments.start_assessment, "A live proposal")
    client = client_for(training_app, people["trainee"])
    page = client.get("/assessments/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/assessments/new", data={"title": "Sneaky", "csrf_token": token})
    assert response.status_code == 400 and "only start practice assessments" in response.get_data(
        as_text=True
    )
    assert _count_assessments(training_app) == 0


def _count_assessments(app: Flask) -> int:
    from sqlalchemy import func, select

    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        count = db.session.scalar(select(func.count(Assessment.id)))
        db.session.remove()
    return count


def test_practice_never_reaches_the_governance_views(training_app: Flask, people: dict, cohort: dict) -> None:
    """A reviewer's queue, the dashboard, the register CSV, follow-up and `hia pdf export` all leave it out,
    even with the same answers as a live assessment that they do show."""
    from hia_service.services.documents import records as documents
    from hia_service.services.errors import NotFoundError
    from hia_service.services.review import dashboard, followup, register
    from hia_service.services.review import decisions as review
    from hia_service.services.review import record as review_record
    from tests.integration.review.conftest import answers_for

    extra = add_people(training_app, {"author": ("manager", "RXA")})["author"]
    live = create_assessment(training_app, extra, "Live proposal about the walk-in centre")
    practice = start_practice(training_app, people["manager"], cohort["id"])
    answers = answers_for(people["manager"]["email"])
    answer_and_submit(training_app, people["manager"], practice, answers)
    practice_ref = _row(training_app, practice)["reference"]
    live_ref = _row(training_app, live)["reference"]

    queued = act_as(
        training_app,
        people["reviewer"],
        lambda user: {
            r.assessment.reference
            for r in review_record.review_queue(user, review_record.QueueFilters()).rows
        },
    )
    assert live_ref in queued and practice_ref not in queued

    csv_text = act_as(training_app, people["reviewer"], register.register_csv)
    assert live_ref in csv_text and practice_ref not in csv_text and "Close the Fleetwood" not in csv_text

    total = act_as(training_app, people["reviewer"], lambda user: dashboard.portfolio(user).total)
    assert total == 1  # the live one only

    def followed(user: Any) -> set[int]:
        items = followup.follow_up_list(user, "all")
        return {entry.item.assessment_id for entry in items.actions + items.reviews}

    assert practice not in act_as(training_app, people["manager"], followed)
    # Follow-up items come from approval, and a practice can never be started, returned or approved.
    for action in (review.start_review, review.approve):
        with pytest.raises(NotFoundError):
            act_as(training_app, people["reviewer"], action, practice, None)

    with training_app.app_context():
        with pytest.raises(NotFoundError):
            documents.export("RXA", practice_ref, 1, "pdf")
        assert documents.export("RXA", live_ref, 1, "pdf").data.startswith(b"%PDF")

    reviewer = client_for(training_app, people["reviewer"])
    for url in (f"/review/{practice}", f"/assessments/{practice}", f"/documents/{practice}/v1.pdf"):
        assert reviewer.get(url).status_code == 404, url


def test_starting_a_scenario_whose_area_does_not_resolve_stores_nothing(
    training_app: Flask, people: dict
) -> None:
    """The page shows the reason and the trainee is left with no half-made practice."""
    from hia_service.services.training import cohorts as training
    from tests.integration.training.conftest import make_session

    with training_app.app_context():
        registry = training.scenarios()
        good = registry[FLEETWOOD]
        registry[FLEETWOOD] = dataclasses.replace(good, area={"type": "lad", "codes": ["E07999999"]})
    try:
        session = make_session(training_app, people["trainer"])
        act_as(training_app, people["trainee"], training.join_session, session["code"])
        client = client_for(training_app, people["trainee"])
        brief = client.get(f"/training/sessions/{session['id']}/scenarios/{FLEETWOOD}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', brief).group(1)
        response = client.post(
            f"/training/sessions/{session['id']}/scenarios/{FLEETWOOD}/start", data={"csrf_token": token}
        )
    finally:
        with training_app.app_context():
            registry[FLEETWOOD] = good
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not be found in the reference data" in html and "E07999999" in html
    assert _count_assessments(training_app) == 0
