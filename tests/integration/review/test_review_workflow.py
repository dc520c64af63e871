"""A reviewer's work through the pages: the queue, comments, returning, a new version, approving."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.services.assessments import authoring as assessments
from hia_service.services.errors import PermissionDeniedError, ServiceError, StateTransitionError
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import acting_as, answers_for, form_token

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


def test_the_queue_shows_submitted_assessments_with_status_and_rating(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    submitted = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    make_assessment(world["manager"], "A draft nobody should review yet", submit=False)
    make_assessment(world["other_manager"], "Another trust's assessment")
    make_assessment(world["manager"], "A training exercise", training=True)
    login(world["reviewer"])
    page = client.get("/review/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Review queue</h1>" in html
    assert "Close the walk-in centre on Sundays" in html
    assert f'href="/review/{submitted}"' in html
    assert "Submitted for review" in html
    assert re.search(r'nhsuk-tag--(?:red|yellow|green)"\s*>\s*(?:High|Medium|Low) risk', html)
    for hidden in ("A draft nobody should review yet", "Another trust's assessment", "A training exercise"):
        assert hidden not in html
    assert "1 assessment<" in html


def test_the_queue_filters_by_status_rating_directorate_decision_date_and_search(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any, act: Any, lock_of: Any
) -> None:
    manager = world["manager"]["email"]
    first = make_assessment(
        world["manager"],
        "Evening clinics",
        answers=answers_for(manager, **{"proposal.decision_date": "2030-06-30"}),
    )
    second = make_assessment(
        world["manager2"],
        "New patient letters",
        answers=answers_for(
            world["manager2"]["email"],
            **{"proposal.directorate": "Estates", "proposal.decision_date": "2030-09-01"},
        ),
    )
    act(world["reviewer"], review.approve, second, lock_of(second))
    with app.app_context():
        from hia_service.data.assessments import get_assessment

        reference = get_assessment(second).reference
    login(world["reviewer"])

    def titles(query: str) -> set[str]:
        html = client.get(f"/review/?{query}").get_data(as_text=True)
        return {t for t in ("Evening clinics", "New patient letters") if t in html}

    assert titles("") == {"Evening clinics", "New patient letters"}
    assert titles("status=approved") == {"New patient letters"}
    assert titles("status=submitted&status=in_review") == {"Evening clinics"}
    assert titles("directorate=Estates") == {"New patient letters"}
    assert titles("decision_from-day=1&decision_from-month=8&decision_from-year=2030") == {
        "New patient letters"
    }
    assert titles("decision_to-day=1&decision_to-month=7&decision_to-year=2030") == {"Evening clinics"}
    assert titles(f"q={reference.lower()}") == {"New patient letters"}
    assert titles("q=evening") == {"Evening clinics"}
    assert titles("q=100%25") == set()
    with app.app_context():
        from hia_service.data.assessments import get_assessment

        rating = get_assessment(first).rating
    assert "Evening clinics" in titles(f"rating={rating}")


def test_a_date_filter_that_is_not_a_real_date_is_explained_in_an_error_summary(
    client: FlaskClient, world: Any, login: Any
) -> None:
    login(world["reviewer"])
    page = client.get("/review/?decision_from-day=31&decision_from-month=2&decision_from-year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "There is a problem" in html and 'href="#decision_from-day"' in html
    assert "Decision date from must be a real date" in html
    assert "<title>Error: " in html


def test_the_review_page_shows_answers_profile_rating_reasons_and_quality_warnings(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    html = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "What kind of proposal is it?" in html and "Service change" in html  # label and option label
    assert "Age: what is the likely impact?" in html and "Negative" in html
    assert "Keep a morning walk-in session" in html  # the action plan as a table
    assert "15 January 2020" in html  # dates in words
    assert "60%" in html and "(England: 20%)" in html and "Three times the England share (20%)" in html
    assert "Rating for each part of the assessment" in html
    assert "Quality checks" in html
    assert "Framework 1.3" in html  # the current framework (rules/current.yaml)
    assert "Start review" in html and "Return to author" in html and "Approve version 1" in html


def test_comments_are_added_per_section_and_kept_with_the_version(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    url = f"/review/{assessment_id}"
    token = form_token(client, url)
    response = client.post(
        f"{url}/comments",
        data={
            "csrf_token": token,
            "section": "pc",
            "version": "1",
            "body": "Say more about disabled people.",
        },
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/review/{assessment_id}#section-pc")
    html = client.get(url).get_data(as_text=True)
    assert "Say more about disabled people." in html
    assert snapshot(assessment_id)["comments"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"section": "pc", "version": "1", "body": "   "}, "Enter your comment"),
        ({"section": "no-such-section", "version": "1", "body": "Hello"}, "Choose a section"),
        (
            {"section": "pc", "version": "7", "body": "Hello"},
            "Version 1 has been submitted since you opened version 7",
        ),
    ],
)
def test_a_bad_comment_is_refused_with_a_message_and_nothing_is_written(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any, data: Any, message: str
) -> None:
    assessment_id = make_assessment(world["manager"])
    before = snapshot(assessment_id)
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    response = client.post(f"/review/{assessment_id}/comments", data={"csrf_token": token, **data})
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 409)
    assert "There is a problem" in html and message in html
    assert snapshot(assessment_id)["comments"] == before["comments"] == 0


def test_returning_needs_a_comment_and_writes_nothing_without_one(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any, lock_of: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    before = snapshot(assessment_id)
    response = client.post(
        f"/review/{assessment_id}/return",
        data={"csrf_token": token, "lock_version": lock_of(assessment_id), "comment": "  "},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#return_comment"' in html and "Enter what the author needs to change" in html
    assert snapshot(assessment_id) == before


def test_return_revise_resubmit_then_compare_and_read_the_earlier_version(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any, act: Any, lock_of: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    response = client.post(
        f"/review/{assessment_id}/return",
        data={
            "csrf_token": token,
            "lock_version": lock_of(assessment_id),
            "comment": "Add evidence on disability.",
        },
    )
    assert response.status_code == 302 and response.location.endswith(f"/review/{assessment_id}")

    # The author sees why, changes an answer and submits version 2.
    login(world["manager"])
    author_view = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "Returned to author" in author_view and "Add evidence on disability." in author_view
    # A harm to disabled people brings framework 1.2's reasonable adjustments questions, to be answered.
    changes = {
        "pc.disability.impact": "negative",
        "proposal.directorate": "Estates",
        "adjustments.needed": "Home visits for people who cannot travel",
        "adjustments.how": "Flagged on the record and checked monthly",
    }
    with acting_as(app, world["manager"]) as user:
        assert assessments.save_page(user, assessment_id, list(changes), changes, None).saved
        assessments.submit_for_review(user, assessment_id)
        from hia_service.data.transaction import commit

        commit()

    login(world["reviewer"])
    diff = client.get(f"/review/{assessment_id}/compare").get_data(as_text=True)
    assert "What changed between version 1 and version 2" in diff
    assert "Disability: what is the likely impact?" in diff
    assert (
        "Which directorate or team is it from?" in diff and "Community services" in diff and "Estates" in diff
    )
    assert "4 answers changed" in diff
    first = client.get(f"/review/{assessment_id}/versions/1")
    assert first.status_code == 200
    first_html = first.get_data(as_text=True)
    assert "Community services" in first_html and "Returned to author" in first_html
    assert client.get(f"/review/{assessment_id}/versions/3").status_code == 404


def test_approving_starts_tracking_the_action_plan_and_review_date(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    response = client.post(
        f"/review/{assessment_id}/approve", data={"csrf_token": token, "lock_version": lock_of(assessment_id)}
    )
    assert response.status_code == 302
    state = snapshot(assessment_id)
    assert state["status"] == "approved" and state["versions"] == [(1, "approved")]
    assert state["events"] == ["submit", "approve"]
    assert state["items"] == 3  # two actions and the review
    html = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "Record the decision" in html and "Approve version" not in html


def test_approving_a_changed_assessment_is_refused_clearly_and_writes_nothing(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, act: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    opened_at = lock_of(assessment_id)
    act(world["reviewer2"], review.start_review, assessment_id, opened_at)  # a colleague acts first
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    before = snapshot(assessment_id)
    response = client.post(
        f"/review/{assessment_id}/approve", data={"csrf_token": token, "lock_version": opened_at}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert (
        "changed this assessment" in html
        and "after you opened it" in html
        and "Nothing you did has been saved" in html
    )
    assert "It is now &#39;in review&#39;" in html
    assert snapshot(assessment_id) == before


def test_a_lost_return_keeps_the_comment_the_reviewer_typed(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, act: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    opened_at = lock_of(assessment_id)
    act(world["reviewer2"], review.approve, assessment_id, opened_at)
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    response = client.post(
        f"/review/{assessment_id}/return",
        data={"csrf_token": token, "lock_version": opened_at, "comment": "My long careful comment"},
    )
    assert response.status_code == 409
    assert snapshot(assessment_id)["status"] == "approved"
    assert "changed this assessment" in response.get_data(as_text=True)


def test_reviewers_cannot_act_on_another_organisations_assessment(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["other_manager"])
    login(world["reviewer"])
    token = form_token(client, "/review/")
    before = snapshot(assessment_id)
    for action, data in (
        ("approve", {}),
        ("return", {"comment": "No"}),
        ("start", {}),
        ("comments", {"section": "pc", "version": "1", "body": "Hi"}),
    ):
        response = client.post(
            f"/review/{assessment_id}/{action}",
            data={"csrf_token": token, "lock_version": lock_of(assessment_id), **data},
        )
        assert response.status_code == 404, action
        assert "could not find that assessment" in response.get_data(as_text=True)
    assert snapshot(assessment_id) == before


def test_a_reviewer_may_not_review_their_own_assessment(
    app: Flask, world: Any, make_assessment: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["reviewer"])
    before = snapshot(assessment_id)
    with (
        acting_as(app, world["reviewer"]) as user,
        pytest.raises(PermissionDeniedError, match="another reviewer"),
    ):
        review.approve(user, assessment_id, lock_of(assessment_id))
    assert snapshot(assessment_id) == before


def test_a_reviewer_sees_why_they_cannot_review_their_own_and_every_action_is_refused(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["reviewer"])
    login(world["reviewer"])
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "another reviewer in your organisation needs to review it" in page
    assert "Approve version" not in page and "Return to author" not in page
    token = form_token(client, f"/review/{assessment_id}")
    before = snapshot(assessment_id)
    for action, data in (("start", {}), ("approve", {}), ("return", {"comment": "Fine by me"})):
        response = client.post(
            f"/review/{assessment_id}/{action}",
            data={"csrf_token": token, "lock_version": lock_of(assessment_id), **data},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 403, action
        assert "There is a problem" in html and "another reviewer in your organisation" in html
    assert snapshot(assessment_id) == before
    login(world["reviewer2"])  # any other reviewer may
    assert "Approve version 1" in client.get(f"/review/{assessment_id}").get_data(as_text=True)


def test_a_version_cannot_be_approved_twice_or_returned_after_approval(
    app: Flask, world: Any, make_assessment: Any, act: Any, lock_of: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    with acting_as(app, world["reviewer2"]) as user:
        with pytest.raises(
            StateTransitionError,
            match=r"Only an assessment under review can be approved\. This one is 'approved'",
        ):
            review.approve(user, assessment_id, lock_of(assessment_id))
        with pytest.raises(StateTransitionError, match="Only an assessment under review can be returned"):
            review.return_to_author(user, assessment_id, "Too late", lock_of(assessment_id))
        with pytest.raises(ServiceError, match="Enter what the author needs to change"):
            review.return_to_author(user, assessment_id, "", lock_of(assessment_id))


class _Signing:
    def __init__(self, fails: bool = False) -> None:
        self.calls: list[tuple[int, str]] = []
        self.fails = fails

    def on_approved(self, version: Any) -> None:
        self.calls.append((version.number, version.status))
        if self.fails:
            raise ServiceError("The signing certificate could not be read.")


def test_approval_signs_the_record_of_the_version_it_approved(
    world: Any, make_assessment: Any, act: Any, lock_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    signing = _Signing()
    monkeypatch.setattr(review, "on_approved", signing.on_approved)
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    assert signing.calls == [(1, "approved")]


def test_approval_that_cannot_be_signed_is_not_recorded(
    world: Any, make_assessment: Any, act: Any, lock_of: Any, snapshot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    signing = _Signing(fails=True)
    monkeypatch.setattr(review, "on_approved", signing.on_approved)
    assessment_id = make_assessment(world["manager"])
    with pytest.raises(ServiceError, match="signing certificate"):
        act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    assert signing.calls == [(1, "approved")]
    assert snapshot(assessment_id)["status"] == "submitted"


def test_a_long_queue_goes_on_to_further_pages_rather_than_stopping(
    app: Flask, world: Any, make_assessment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.review import record
    from hia_service.services.review.record import QueueFilters, review_queue

    for title in ("One", "Two", "Three"):
        make_assessment(world["manager"], title)
    monkeypatch.setattr(record, "QUEUE_PAGE_SIZE", 2)
    with acting_as(app, world["reviewer"]) as user:
        first, second = (review_queue(user, QueueFilters(), page) for page in (1, 2))
        titles = [[row.assessment.title for row in queue.rows] for queue in (first, second)]
    assert titles == [["Three", "Two"], ["One"]]
    assert (first.total, first.pages, second.page) == (3, 2, 2)
