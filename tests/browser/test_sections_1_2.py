"""Framework 1.2's new pages in a real browser (issue 19, item 8): the workforce pack once staff are affected,
health scrutiny in engagement, and the other options considered. Accessible (axe) and screenshotted."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.browser.test_due_regard import _new
from tests.browser.test_wizard import reference_loaded  # noqa: F401 (session fixture)


def test_workforce_scrutiny_and_options_pages(
    page: Page,
    live_server: LiveServer,
    reference_loaded: Path,  # noqa: F811
) -> None:
    sign_in_as(page, "manager")
    assessment_id = _new(page, "Twelve-hour shifts for ward nurses")
    page.goto(f"/assessments/{assessment_id}/who")
    page.locator('[name="who.service_users"]').fill("Inpatients on four medical wards")
    page.locator('input[name="who.staff_affected"][value="yes"]').check()
    page.locator('[name="who.staff"]').fill("180 ward nurses move from 7.5-hour to 12-hour shifts")
    page.get_by_role("button", name="Save and continue").click()

    page.goto(f"/assessments/{assessment_id}/workforce")
    expect(page.get_by_text("Race Equality Standard (WRES) data", exact=False).first).to_be_visible()
    axe_check(page)
    screenshot(page, "sections-workforce-first-page")
    # An old one-group page id (a bookmark) opens the page that now holds the group, at the group.
    page.goto(f"/assessments/{assessment_id}/workforce.marriage_civil_partnership")
    expect(page).to_have_url(re.compile(r"/workforce-2#workforce\.marriage_civil_partnership$"))
    expect(page.get_by_text("protected only in employment", exact=False).first).to_be_visible()
    axe_check(page)

    page.goto(f"/assessments/{assessment_id}/engagement")
    expect(page.locator('input[name="engagement.scrutiny"][value="consulted"]')).to_be_hidden()
    page.locator('input[name="engagement.substantial"][value="yes"]').check()
    expect(page.locator('input[name="engagement.scrutiny"][value="consulted"]')).to_be_visible()
    axe_check(page)
    screenshot(page, "sections-engagement-scrutiny")

    page.goto(f"/assessments/{assessment_id}/conclusion")
    expect(page.get_by_text("What other options did you consider", exact=False).first).to_be_visible()
    axe_check(page)
    screenshot(page, "sections-options-considered")
