"""Every page of the manager's and the reviewer's journey at 320 CSS pixels wide: no sideways scrolling
(document.documentElement.scrollWidth <= 320), and the main pages pass axe (WCAG 2.2 AA) at that width."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, sign_in_as
from tests.browser.phone import PHONE, assert_fits, sideways_scroll
from tests.browser.test_review import demo_person
from tests.browser.test_wizard import reference_loaded  # noqa: F401 (the map on the area page needs it)
from tests.browser.wizard_filler import framework_pages
from tests.integration.review.conftest import act_as, create_assessment, missing_required

MAIN_MANAGER_PAGES = ("/home", "", "/proposal", "/actions", "/area", "/check-answers")


def complete_draft(live_server: LiveServer, title: str) -> int:
    """An assessment by the demo manager with every required question answered, not yet submitted."""
    from hia_service.services.assessments import authoring as assessments

    manager = demo_person(live_server, "manager")
    assessment_id = create_assessment(live_server.app, manager, title, submit=False)

    def finish(user: Any, found: int) -> Any:
        # A review date after the decision date, so the proposal page can be saved as it stands.
        rest = {
            **missing_required(assessments.assessment_for(user, found)),
            "monitoring.review_date": "2031-01-01",
        }
        return assessments.save_page(user, found, list(rest), rest, None)

    act_as(live_server.app, manager, finish, assessment_id)
    return assessment_id


@pytest.fixture
def draft(live_server: LiveServer, reference_loaded: Any) -> int:  # noqa: F811
    return complete_draft(live_server, f"Move the eye clinic to the hub {uuid.uuid4().hex[:6]}")


def test_every_page_of_the_managers_journey_fits_a_phone(
    page: Page, live_server: LiveServer, draft: int
) -> None:
    page.set_viewport_size(PHONE)
    sign_in_as(page, "manager")
    base = f"/assessments/{draft}"
    urls = ["/home", "/assessments/", "/assessments/new", base]
    urls += [f"{base}/{page_id}" for page_id in framework_pages(live_server.app)]
    urls += [f"{base}/check-answers"]
    problems = []
    for url in urls:
        page.goto(url)
        problem = sideways_scroll(page)
        if problem:
            problems.append(problem)
        if url.removeprefix(base) in MAIN_MANAGER_PAGES:
            axe_check(page)
    assert problems == [], "\n".join(problems)


def test_the_reviewers_pages_fit_a_phone(page: Page, live_server: LiveServer) -> None:
    # A long title, as real ones are.
    title = f"Move community physiotherapy into the new Whitegate Drive health hub {uuid.uuid4().hex[:6]}"
    assessment_id = create_assessment(live_server.app, demo_person(live_server, "manager"), title)
    page.set_viewport_size(PHONE)
    sign_in_as(page, "reviewer")
    problems = []
    for url in ("/home", "/review/", f"/review/{assessment_id}", "/dashboard/", "/follow-up/"):
        response = page.goto(url)
        assert response is not None and response.ok, url
        problem = sideways_scroll(page)
        if problem:
            problems.append(problem)
        axe_check(page)
    assert problems == [], "\n".join(problems)


def test_the_users_list_fits_a_phone_with_every_column_on_screen(page: Page) -> None:
    """Each row stacks into label and value, so a deactivated account's status is never off the screen."""
    page.set_viewport_size(PHONE)
    sign_in_as(page, "admin")
    page.goto("/admin/users")
    assert_fits(page)
    status = page.locator("table.nhsuk-table-responsive tbody tr").first.locator("td").last
    status.scroll_into_view_if_needed()
    expect(status).to_be_in_viewport()
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    axe_check(page)


# Every table in the review page's travel figures, each cell's box, and anything that scrolls on its own.
TRAVEL_TABLES_CUT_OFF = """
() => {
  const edge = document.documentElement.clientWidth + 0.5;
  const parts = document.querySelectorAll('#who-travels-further, #access-profile');
  const found = [];
  for (const part of parts) {
    // Not the column headings of a stacked table: hidden but for screen readers, which read them as usual.
    const shown = ':not(.nhsuk-table-responsive > thead, .nhsuk-table-responsive > thead *)';
    for (const e of part.querySelectorAll(shown)) {
      const box = e.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.right > edge || box.left < -0.5)
        found.push(`${e.tagName} "${e.textContent.trim().slice(0, 40)}" off screen`);
      if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
        found.push(`${e.tagName}.${e.className} scrolls sideways`);
    }
  }
  return found;
}
"""


def test_the_review_pages_travel_tables_are_readable_at_320_px(
    page: Page,
    live_server: LiveServer,
    reference_loaded: Any,  # noqa: F811 (who travels further is worked out from the real files)
) -> None:
    from tests.integration.review.conftest import answers_for

    manager = demo_person(live_server, "manager")
    sites = {
        "proposal.changes_access": "yes",
        "access.current_site": "FY1 4AA",
        "access.proposed_site": "FY3 8NR",
    }
    answers = {**answers_for(manager["email"]), **sites}
    title = f"Move the minor injuries unit to the hospital {uuid.uuid4().hex[:6]}"
    assessment_id = create_assessment(live_server.app, manager, title, answers=answers)
    page.set_viewport_size(PHONE)
    sign_in_as(page, "reviewer")
    page.goto(f"/review/{assessment_id}")
    travel = page.locator("#who-travels-further")
    expect(travel.get_by_role("table")).to_have_count(2)  # by deprivation decile and by how rural
    assert_fits(page)
    assert page.evaluate(TRAVEL_TABLES_CUT_OFF) == []
    # Each row reads as the column's name beside its figure, the last column on screen too.
    first = travel.locator("tbody tr").first
    expect(first.locator("td").last).to_contain_text("More than 5 km further")
    first.locator("td").last.scroll_into_view_if_needed()
    expect(first.locator("td").last).to_be_in_viewport()
    axe_check(page)
