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
