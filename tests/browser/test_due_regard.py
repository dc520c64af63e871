"""Due regard pages in a real browser (issue 12): screening, the EHIA ratings, a table with drop-downs,
and other assessments covering the same neighbourhoods on the geography step. Accessible (axe) and
screenshotted."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.browser.test_wizard import reference_loaded  # noqa: F401 (session fixture)

LSOAS = "E01012681\nE01012682\nE01012683"  # three Blackpool neighbourhoods


def _new(page: Page, title: str) -> int:
    page.goto("/assessments/new")
    page.get_by_label("What is the proposal called?").fill(title)
    page.get_by_role("button", name="Start the assessment").click()
    return int(re.search(r"/assessments/(\d+)", page.url).group(1))


def _choose_area(page: Page, assessment_id: int) -> None:
    page.goto(f"/assessments/{assessment_id}/area")
    page.get_by_text("Paste neighbourhood (LSOA) codes").click()
    page.locator("#lsoa_codes").fill(LSOAS)
    page.get_by_role("button", name="Use these codes").click()
    expect(page.locator("#core20-headline")).to_be_visible()


def test_screening_ratings_and_cumulative_impact(
    page: Page,
    live_server: LiveServer,
    reference_loaded: Path,  # noqa: F811
) -> None:
    sign_in_as(page, "manager")
    first = _new(page, "Close the Sunday walk-in clinic")
    _choose_area(page, first)
    second = _new(page, "Move the phlebotomy clinic")
    _choose_area(page, second)
    expect(page.locator("#cumulative-impact")).to_contain_text("Close the Sunday walk-in clinic")
    expect(page.locator("#overlapping-assessments")).to_contain_text("3 (100% of this area)")
    axe_check(page)
    screenshot(page, "due-regard-area-cumulative")

    page.goto(f"/assessments/{second}/screening")
    expect(page.locator("#screening-result")).to_contain_text("What screening found")
    axe_check(page)
    screenshot(page, "due-regard-screening")
    page.get_by_label("Yes, or I am not sure").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/core20$"))  # all three Core20 groups on one page

    page.goto(f"/assessments/{second}/ehia")
    expect(page.get_by_role("group", name=re.compile("Eliminating discrimination"))).to_contain_text(
        "May support"
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select a rating for eliminating discrimination, harassment and victimisation"
    )
    axe_check(page)
    screenshot(page, "due-regard-ratings-errors")

    page.goto(f"/assessments/{second}/intersection")
    page.get_by_label("Yes").check()
    expect(page.locator("select[name='intersection.impacts-0-mechanism']")).to_be_visible()
    axe_check(page)
    screenshot(page, "due-regard-intersection")

    page.goto(f"/assessments/{second}")
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Not needed")
    axe_check(page)
    screenshot(page, "due-regard-task-list")
