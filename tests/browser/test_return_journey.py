"""The return loop in a real browser, on a desktop and on a 320 px phone, as each person sees it (issue 20
items 1 and 10): the manager submits; the reviewer comments and returns it; the manager sees why, on the task
list and beside the section concerned, changes the answer and submits again; the reviewer sees what changed
since the return and which comments were acted on, and approves; the manager sees it approved. Every page
passes axe, and on the phone none scrolls sideways."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.browser.phone import DESKTOP, PHONE, assert_fits
from tests.browser.test_phone import complete_draft
from tests.browser.test_wizard import reference_loaded  # noqa: F401 (the area's map needs it)

REASON = "Say who leads the clinic after the move."
ON_PROPOSAL = "The lead is a team, not a person: name the lead clinician."
ON_ACTIONS = "Add an action for people who cannot travel."
NEW_LEAD = "Dr Ann Lee, lead clinician"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


class Journey:
    """One browser page that signs in as each person in turn and checks every page it lands on."""

    def __init__(self, page: Page, device: str) -> None:
        self.page, self.device = page, device

    def as_person(self, role: str) -> None:
        self.page.context.clear_cookies()
        sign_in_as(self.page, role)

    def looked_at(self, name: str) -> None:
        """Axe on the page; at phone width, no sideways scrolling; a screenshot for people to look at."""
        if self.device == "phone":
            assert_fits(self.page)
        axe_check(self.page)
        screenshot(self.page, f"return-journey-{self.device}-{name}")

    def flash(self) -> Any:
        return self.page.locator(".hia-flash")


def _submit(journey: Journey, assessment_id: int, version: int) -> None:
    page = journey.page
    page.goto(f"/assessments/{assessment_id}")
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you submit")
    journey.looked_at(f"check-answers-{version}")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment submitted for review")
    expect(page.get_by_text(f"Version {version} has been frozen")).to_be_visible()
    journey.looked_at(f"submitted-{version}")


def _comment(page: Page, section: str, body: str) -> None:
    page.locator("summary", has_text=f"Comment on this section: {section}").click()
    page.get_by_label(f"Your comment on the section: {section}").fill(body)
    form = page.locator("form", has=page.get_by_label(f"Your comment on the section: {section}"))
    form.get_by_role("button", name="Add comment").click()
    expect(page.locator(".hia-flash")).to_contain_text("Comment added")


def _review_and_return(journey: Journey, assessment_id: int, title: str) -> None:
    page = journey.page
    journey.as_person("reviewer")
    page.goto("/review/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    journey.looked_at("review-1")
    _comment(page, "About the proposal", ON_PROPOSAL)
    _comment(page, "Mitigations and action plan", ON_ACTIONS)
    page.get_by_label("What does the author need to change?").fill(REASON)
    page.get_by_role("button", name="Return to author").click()
    expect(journey.flash()).to_contain_text("Returned to the author with your comments")
    journey.looked_at("returned")


def _answer_the_comments(journey: Journey, assessment_id: int) -> None:
    page = journey.page
    journey.as_person("manager")
    page.goto(f"/assessments/{assessment_id}")
    returned = page.locator("#returned")
    expect(returned).to_contain_text("Returned to you for changes")
    expect(returned.locator("#return-reason")).to_have_text(REASON)
    expect(returned.locator("#returned-section-comments")).to_contain_text(ON_PROPOSAL)
    expect(returned.locator("#returned-section-comments")).to_contain_text(ON_ACTIONS)
    journey.looked_at("task-list-returned")
    returned.get_by_role("link", name="About the proposal").click()
    beside = page.locator("#section-comments")
    expect(beside).to_contain_text("The reviewer's comments on this section")
    expect(beside).to_contain_text(ON_PROPOSAL)
    expect(beside).not_to_contain_text(ON_ACTIONS)  # only this section's comments beside its questions
    journey.looked_at("proposal-with-comments")
    page.locator('[name="proposal.lead"]').fill(NEW_LEAD)
    page.get_by_role("button", name="Save and continue").click()
    expect(page).not_to_have_url(re.compile(r"/proposal$"))


def _review_the_changes_and_approve(journey: Journey, assessment_id: int) -> None:
    page = journey.page
    journey.as_person("reviewer")
    page.goto(f"/review/{assessment_id}")
    expect(page.locator("#since-return")).to_have_text("What changed since version 1 was returned")
    comments = page.locator("#comments-since-return")
    proposal_row = comments.locator("tr", has_text=ON_PROPOSAL)
    expect(proposal_row).to_contain_text("Changed since your comment")
    expect(comments.locator("tr", has_text=ON_ACTIONS)).to_contain_text("Not changed")
    changed = page.locator("#answers-since-return")
    expect(changed).to_contain_text(NEW_LEAD)
    journey.looked_at("review-2-changes")
    start = page.get_by_role("button", name="Start review")
    if start.count():
        start.click()
    page.get_by_role("button", name="Approve version 2").click()
    expect(journey.flash()).to_contain_text("Assessment approved")
    journey.looked_at("approved")


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_return_resubmit_and_approve_as_each_person_sees_it(
    page: Page,
    live_server: LiveServer,
    reference_loaded: Any,  # noqa: F811
    device: str,
) -> None:
    title = f"Move the eye clinic to the hub {uuid.uuid4().hex[:6]}"
    assessment_id = complete_draft(live_server, title)
    page.set_viewport_size(VIEWPORTS[device])
    journey = Journey(page, device)
    journey.as_person("manager")
    _submit(journey, assessment_id, 1)
    _review_and_return(journey, assessment_id, title)
    _answer_the_comments(journey, assessment_id)
    _submit(journey, assessment_id, 2)
    _review_the_changes_and_approve(journey, assessment_id)
    journey.as_person("manager")
    page.goto(f"/assessments/{assessment_id}")
    expect(page.locator(".nhsuk-tag", has_text="Approved").first).to_be_visible()
    expect(page.locator("#returned")).to_have_count(0)  # the return banner goes once it is approved
    journey.looked_at("manager-approved")
