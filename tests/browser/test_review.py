"""Governance review in a real browser: the queue, the review page, returning, approving, the decision,
the dashboard and follow-up. Every page passes axe (WCAG 2.2 AA) and is saved as a screenshot."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.integration.review.conftest import act_as, create_assessment


def demo_person(live_server: LiveServer, role: str) -> dict[str, Any]:
    from hia_service.data.accounts import get_user_by_email

    with live_server.app.app_context():
        user = get_user_by_email(f"{role}@demo.hia.nhs.example")
        assert user is not None
        return {"id": user.id, "email": user.email, "name": user.name}


@pytest.fixture
def submitted(live_server: LiveServer) -> tuple[int, str]:
    """A fresh assessment by the demo manager, submitted for review; returns its id and title."""
    title = f"Move the eye clinic to the new hub {uuid.uuid4().hex[:6]}"
    manager = demo_person(live_server, "manager")
    return create_assessment(live_server.app, manager, title), title


def reference_of(live_server: LiveServer, assessment_id: int) -> str:
    from hia_service.data.assessments import get_assessment

    with live_server.app.app_context():
        return get_assessment(assessment_id).reference


def test_the_review_queue_is_accessible_and_searchable(
    page: Page, live_server: LiveServer, submitted: tuple[int, str]
) -> None:
    assessment_id, title = submitted
    sign_in_as(page, "reviewer")
    page.get_by_role("link", name="Review queue").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.get_by_text(title)).to_be_visible()
    axe_check(page)
    screenshot(page, "review-queue")
    page.get_by_label("Search by title or reference number").fill(reference_of(live_server, assessment_id))
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=HIA-"))
    expect(page.locator("caption")).to_have_text("1 assessment")


def test_a_bad_filter_date_shows_the_error_summary(page: Page) -> None:
    sign_in_as(page, "reviewer")
    page.goto("/review/?decision_from-day=40&decision_from-month=1&decision_from-year=2026")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Decision date from must be a real date")
    expect(page).to_have_title(re.compile(r"^Error: Review queue"))
    axe_check(page)
    screenshot(page, "review-queue-error")


def test_review_page_comment_then_approve(
    page: Page, live_server: LiveServer, submitted: tuple[int, str]
) -> None:
    assessment_id, title = submitted
    sign_in_as(page, "reviewer")
    page.goto(f"/review/{assessment_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Rating", exact=True)).to_be_visible()
    axe_check(page)
    screenshot(page, "review-page")
    page.locator("summary", has_text="Comment on this section: About the proposal").click()
    page.get_by_label("Your comment on the section: About the proposal").fill(
        "Say who the lead clinician is."
    )
    page.get_by_role("button", name="Add comment").first.click()
    expect(page.locator(".hia-flash")).to_contain_text("Comment added")
    expect(page.get_by_text("Say who the lead clinician is.")).to_be_visible()
    page.get_by_role("button", name="Start review").click()
    expect(page.locator(".hia-flash")).to_contain_text("Review started")
    conditions = page.get_by_label("Conditions of approval (optional)")
    conditions.fill("Keep the evening clinic until the review in March.")
    # With script the count is live beside the box.
    expect(page.locator(".nhsuk-character-count__status")).to_contain_text("characters remaining")
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.locator(".hia-flash")).to_contain_text("Assessment approved")
    expect(page.get_by_role("link", name="Record the decision")).to_be_visible()
    expect(page.locator("#conditions-of-approval")).to_contain_text(
        "Keep the evening clinic until the review in March."
    )
    axe_check(page)
    screenshot(page, "review-page-approved")


def test_returning_without_a_comment_is_explained_and_then_works(
    page: Page, submitted: tuple[int, str]
) -> None:
    assessment_id, _ = submitted
    sign_in_as(page, "reviewer")
    page.goto(f"/review/{assessment_id}")
    page.get_by_role("button", name="Return to author").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter what the author needs to change")
    summary.get_by_role("link").click()
    expect(page.get_by_label("What does the author need to change?")).to_be_focused()
    axe_check(page)
    screenshot(page, "review-return-error")
    page.get_by_label("What does the author need to change?").fill("Add the travel-time evidence.")
    page.get_by_role("button", name="Return to author").click()
    expect(page.locator(".hia-flash")).to_contain_text("Returned to the author with your comments")


def test_a_section_comment_typed_but_not_added_stops_the_return_and_is_shown(
    page: Page, submitted: tuple[int, str]
) -> None:
    """Each section's comment box is a form of its own: returning the assessment would lose what was typed
    there, while saying "with your comments"."""
    assessment_id, _ = submitted
    sign_in_as(page, "reviewer")
    page.goto(f"/review/{assessment_id}")
    page.locator("summary", has_text="Comment on this section").first.click()
    box = page.locator("textarea[data-hia-section-comment]").first
    section = box.get_attribute("data-hia-section-comment")
    box.fill("Split the attendance indicator by deprivation decile.")
    page.get_by_label("What does the author need to change?").fill("See the comment on the section.")
    page.get_by_role("button", name="Return to author").click()
    warning = page.locator("[data-hia-unsent-message]").first
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"You have typed a comment on {section} that you have not added")
    expect(box).to_be_focused()
    expect(page).to_have_url(re.compile(rf"/review/{assessment_id}$"))  # nothing was sent
    axe_check(page)
    box.fill("")
    page.get_by_role("button", name="Return to author").click()
    expect(page.locator(".hia-flash")).to_contain_text("Returned to the author with your comments")


def second_reviewer(live_server: LiveServer) -> dict[str, Any]:
    from hia_service.data.accounts import get_user_by_email
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.people import create_user

    email = "reviewer.two@demo.hia.nhs.example"
    with live_server.app.app_context():
        user = get_user_by_email(email) or create_user(email, "Second reviewer", "reviewer", "DEMO", None)
        commit()
        return {"id": user.id, "email": email}


def test_a_reviewer_who_lost_the_race_keeps_what_they_typed(
    page: Page, live_server: LiveServer, submitted: tuple[int, str]
) -> None:
    from hia_service.services.review import decisions as review

    assessment_id, _ = submitted
    sign_in_as(page, "reviewer")
    page.goto(f"/review/{assessment_id}")
    page.get_by_label("What does the author need to change?").fill("My careful comment")
    act_as(live_server.app, second_reviewer(live_server), review.approve, assessment_id, None)
    page.get_by_role("button", name="Return to author").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Second reviewer changed this assessment")
    expect(page.get_by_text("What you wrote has not been saved")).to_be_visible()
    expect(page.get_by_text("My careful comment")).to_be_visible()
    axe_check(page)
    screenshot(page, "review-conflict")


def test_recording_the_decision_and_the_compare_page(
    page: Page, live_server: LiveServer, submitted: tuple[int, str]
) -> None:
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.review import decisions as review

    assessment_id, _ = submitted
    reviewer, manager = demo_person(live_server, "reviewer"), demo_person(live_server, "manager")
    act_as(live_server.app, reviewer, review.return_to_author, assessment_id, "Add costs", None)
    changes = {"proposal.directorate": "Planned care"}
    act_as(live_server.app, manager, assessments.save_page, assessment_id, list(changes), changes, None)
    act_as(live_server.app, manager, assessments.submit_for_review, assessment_id)
    sign_in_as(page, "reviewer")
    page.goto(f"/review/{assessment_id}/compare")
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed between version 1 and version 2")
    axe_check(page)
    screenshot(page, "review-compare")
    page.goto(f"/review/{assessment_id}")
    page.get_by_role("button", name="Approve version 2").click()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select what was decided")
    axe_check(page)
    screenshot(page, "review-decision-errors")
    page.get_by_label("Go ahead as proposed").check()
    page.get_by_label("Describe the decision").fill("Agreed by the board.")
    # Before the assessment was first submitted (today), but not so long before it that it reads as a
    # mistyped year (more than a year before the assessment was started is refused).
    earlier = date.today() - timedelta(days=30)
    page.get_by_label("Day").fill(str(earlier.day))
    page.get_by_label("Month").fill(str(earlier.month))
    page.get_by_label("Year").fill(str(earlier.year))
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".hia-flash")).to_contain_text("Decision recorded")
    expect(page.get_by_role("heading", name="Important: Assessed after the decision")).to_be_visible()
    axe_check(page)
    screenshot(page, "review-decision-recorded")


def test_dashboard_and_follow_up_are_accessible(
    page: Page, live_server: LiveServer, submitted: tuple[int, str]
) -> None:
    from hia_service.services.review import decisions as review

    assessment_id, _ = submitted
    act_as(live_server.app, demo_person(live_server, "reviewer"), review.approve, assessment_id, None)
    sign_in_as(page, "reviewer")
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance dashboard")
    chart = page.get_by_alt_text(re.compile("Bar chart of assessments by status"))
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 100  # the PNG really loaded
    axe_check(page)
    screenshot(page, "dashboard")
    page.get_by_role("link", name="Follow-up").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up")
    axe_check(page)
    screenshot(page, "follow-up")
    page.get_by_role("link", name="Keep a morning walk-in session").first.click()
    axe_check(page)
    screenshot(page, "follow-up-item")
