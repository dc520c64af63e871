"""After approval: recording what was decided, by which forum, when, and against the recommendation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.services.review import decisions as review
from tests.integration.review.conftest import form_token

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


@pytest.fixture
def approved(world: Any, make_assessment: Any, act: Any, lock_of: Any) -> int:
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    return assessment_id


def decision_form(token: str, lock: int, day: date, **overrides: str) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "lock_version": lock,
        "outcome": "proceed_with_mitigations",
        "summary": "Approved with the evening clinic kept.",
        "forum": "Trust board",
        "decided_on-day": str(day.day),
        "decided_on-month": str(day.month),
        "decided_on-year": str(day.year),
        **overrides,
    }


def test_the_decision_form_starts_with_the_forum_from_the_assessment(
    client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    login(world["reviewer"])
    page = client.get(f"/review/{approved}/decision")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Record the decision</h1>" in html
    assert 'value="Trust board"' in html
    assert (
        "The assessment recommended: <strong>Go ahead with the mitigations in the action plan</strong>"
        in html
    )


def test_recording_a_decision_taken_after_submission(
    app: Flask, client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any, snapshot: Any
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    response = client.post(
        f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), date.today())
    )
    assert response.status_code == 302 and response.location.endswith(f"/review/{approved}")
    state = snapshot(approved)
    assert state["status"] == "decision_recorded" and state["decisions"] == 1
    assert state["events"][-1] == "record_decision"
    html = client.get(f"/review/{approved}").get_data(as_text=True)
    assert "Go ahead with the mitigations in the action plan" in html and "Trust board" in html
    assert "Matched the recommendation" in html
    assert "Assessed after the decision" not in html
    with app.app_context():
        from hia_service.data.review import get_decision

        record = get_decision(approved)
        assert record.matched_recommendation is True and record.assessed_after_decision is False
        assert record.decided_on == date.today() and record.recommendation == "proceed_with_mitigations"


def test_a_decision_dated_before_the_first_submission_is_flagged_everywhere(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    earlier = date.today() - timedelta(days=30)
    response = client.post(
        f"/review/{approved}/decision",
        data=decision_form(token, lock_of(approved), earlier, outcome="proceed"),
    )
    assert response.status_code == 302
    record_page = client.get(f"/review/{approved}").get_data(as_text=True)
    assert "Assessed after the decision" in record_page
    assert '<dd class="nhsuk-summary-list__value">No</dd>' in record_page  # did not match the recommendation
    assert "Assessed after the decision" in client.get("/review/").get_data(as_text=True)
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert "<h2>Assessed after the decision</h2>" in dashboard
    assert "0% (0 of 1 decision recorded)" in dashboard


def test_a_decision_dated_years_before_the_assessment_is_refused_as_a_mistyped_year(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any, snapshot: Any
) -> None:
    """1900 for 2026 would be recorded for good (a recorded decision cannot be changed) and raise a false
    "assessed after the decision" flag with a re-assessment task: it is refused, naming the earliest date."""
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    typo = date(1900, 1, 1)
    response = client.post(f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), typo))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "a year before this assessment was started: check the year" in html
    assert 'href="#decided_on' in html  # linked from the error summary
    state = snapshot(approved)
    assert state["status"] == "approved" and state["decisions"] == 0


def test_a_planned_decision_date_before_submission_is_flagged_before_any_decision_is_recorded(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    from tests.integration.review.conftest import answers_for

    past = (date.today() - timedelta(days=3)).isoformat()
    answers = answers_for(world["manager"]["email"], **{"proposal.decision_date": past})
    assessment_id = make_assessment(world["manager"], answers=answers)
    login(world["reviewer"])
    assert "Assessed after the decision" in client.get(f"/review/{assessment_id}").get_data(as_text=True)


def test_an_empty_decision_form_lists_every_problem_and_writes_nothing(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any, snapshot: Any
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    before = snapshot(approved)
    response = client.post(
        f"/review/{approved}/decision",
        data={"csrf_token": token, "lock_version": lock_of(approved), "forum": " "},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for anchor, message in (
        ("#outcome", "Select what was decided"),
        ("#summary", "Describe what was decided"),
        ("#forum", "Enter which group or board made the decision"),
        ("#decided_on-day", "Enter the date of the decision"),
    ):
        assert f'href="{anchor}"' in html and message in html
    assert snapshot(approved) == before


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "Date of the decision must be a real date"),
        ("1", "", "2026", "Date of the decision must include a month"),
        ("1", "1", "26", "Date of the decision must include a year with 4 numbers"),
    ],
)
def test_a_date_of_decision_that_is_not_a_real_date_is_refused(
    client: FlaskClient,
    world: Any,
    approved: int,
    login: Any,
    lock_of: Any,
    day: str,
    month: str,
    year: str,
    message: str,
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    data = decision_form(token, lock_of(approved), date.today())
    data.update({"decided_on-day": day, "decided_on-month": month, "decided_on-year": year})
    response = client.post(f"/review/{approved}/decision", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_decision_in_the_future_is_refused(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any, snapshot: Any
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    tomorrow = date.today() + timedelta(days=2)
    response = client.post(
        f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), tomorrow)
    )
    assert response.status_code == 400
    assert "Date of the decision must be today or in the past" in response.get_data(as_text=True)
    assert snapshot(approved)["decisions"] == 0


def test_the_author_may_record_the_decision_but_a_colleague_may_not(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any, snapshot: Any
) -> None:
    login(world["manager2"])
    assert client.get(f"/review/{approved}/decision").status_code == 404
    login(world["manager"])
    token = form_token(client, f"/review/{approved}/decision")
    response = client.post(
        f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), date.today())
    )
    assert response.status_code == 302
    assert snapshot(approved)["status"] == "decision_recorded"


def test_a_decision_cannot_be_recorded_before_approval_or_twice(
    client: FlaskClient, world: Any, make_assessment: Any, approved: int, login: Any, lock_of: Any
) -> None:
    submitted = make_assessment(world["manager"])
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    early = client.post(
        f"/review/{submitted}/decision", data=decision_form(token, lock_of(submitted), date.today())
    )
    assert early.status_code == 409
    assert "Record the decision once the assessment is approved. This one is" in early.get_data(as_text=True)
    assert (
        client.post(
            f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), date.today())
        ).status_code
        == 302
    )
    again = client.post(
        f"/review/{approved}/decision", data=decision_form(token, lock_of(approved), date.today())
    )
    assert again.status_code == 409


def test_a_decision_form_opened_before_a_change_is_refused(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any, snapshot: Any
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    stale = lock_of(approved) - 1
    before = snapshot(approved)
    response = client.post(f"/review/{approved}/decision", data=decision_form(token, stale, date.today()))
    assert response.status_code == 409
    assert "after you opened it" in response.get_data(as_text=True)
    assert snapshot(approved) == before


def test_the_decision_page_says_when_it_is_too_early(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    submitted = make_assessment(world["manager"])
    login(world["reviewer"])
    html = client.get(f"/review/{submitted}/decision").get_data(as_text=True)
    assert "You can record the decision once the assessment is approved" in html
    assert '<form method="post"' not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_decision_form_with_a_garbled_lock_is_not_valid_and_keeps_what_was_typed(
    client: FlaskClient, world: Any, approved: int, login: Any, lock_of: Any
) -> None:
    login(world["reviewer"])
    token = form_token(client, f"/review/{approved}/decision")
    data = {**decision_form(token, lock_of(approved), date.today()), "lock_version": "7a"}
    response = client.post(f"/review/{approved}/decision", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form was not valid" in html and 'href="#summary"' in html and "Someone else" not in html
    assert ">Approved with the evening clinic kept.</textarea>" in html
    assert "Record the decision" in client.get(f"/review/{approved}").get_data(as_text=True)  # none recorded
