"""The manager's guided assessment in a real browser: sign in, answer, choose the area, resume, submit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.conftest import REFERENCE_DIR
from tests.integration.wizard.test_wizard import _fill_everything

LSOAS = "E01012681\nE01012682\nE01012683"


@pytest.fixture(scope="session")
def reference_loaded(live_server: LiveServer) -> Iterator[Path]:
    """Load the real reference data once into the live server's data directory (about 15 seconds)."""
    from hia_service.reference.loader import load_reference

    data_dir = Path(live_server.app.config["HIA_DATA_DIR"])
    load_reference(REFERENCE_DIR, data_dir)
    yield data_dir


def _fill_proposal(page: Page) -> None:
    page.get_by_label("Service change").check()
    page.get_by_label("Describe the proposal").fill("Move the clinic to <b>Riverside</b>")
    page.get_by_label("What do you want the proposal to achieve?").fill("Shorter journeys")
    page.get_by_label("Which group or board will make the decision?").fill("Board")
    page.locator("#proposal\\.decision_date-day").fill("1")
    page.locator("#proposal\\.decision_date-month").fill("6")
    page.locator("#proposal\\.decision_date-year").fill("27")  # wrong: two-digit year
    page.locator("#proposal\\.lead").fill("Sam Lead")
    page.locator("#proposal\\.directorate").fill("Community")


def test_complete_an_assessment(page: Page, live_server: LiveServer, reference_loaded: Path) -> None:
    sign_in_as(page, "manager")
    page.get_by_role("link", name="Start a new assessment").first.click()
    axe_check(page)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name for the proposal")
    page.get_by_label("What is the proposal called?").fill("Move the phlebotomy clinic")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Not started")
    axe_check(page)
    screenshot(page, "wizard-task-list")
    assessment_id = int(re.search(r"/assessments/(\d+)", page.url).group(1))

    page.get_by_role("link", name="About the proposal").click()
    _fill_proposal(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Year must include 4 numbers")
    expect(page.locator("#proposal\\.directorate")).to_have_value("Community")  # other answers kept
    axe_check(page)
    screenshot(page, "wizard-validation-error")
    page.locator("#proposal\\.decision_date-year").fill("2027")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="The area affected", level=1)).to_be_visible()
    page.get_by_text("Paste neighbourhood (LSOA) codes").click()
    page.locator("#lsoa_codes").fill("E0100000X")
    page.get_by_role("button", name="Use these codes").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.locator("#lsoa_codes")).to_be_visible()  # the chosen method stays open with the message
    page.locator("#lsoa_codes").fill(LSOAS)
    page.get_by_role("button", name="Use these codes").click()
    expect(page.locator("#core20-headline")).to_contain_text(
        "of the people affected live in the most deprived"
    )
    expect(page.locator("img.hia-chart")).to_have_count(2)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.hia-chart')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=20_000,
    )
    axe_check(page)
    screenshot(page, "wizard-area-profile")
    page.get_by_role("link", name="Continue").click()

    page.locator("#who\\.service_users").fill("Adults who need blood tests")
    page.locator("#who\\.staff_affected").check()
    page.locator("#who\\.staff").fill("Phlebotomists move site")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/screening$"))  # framework 1.1: screening comes next
    axe_check(page)

    _fill_everything(live_server.app, assessment_id)
    page.goto(f"/assessments/{assessment_id}/check-answers")
    expect(page.locator("body")).to_contain_text("Move the clinic to <b>Riverside</b>")  # shown as text
    axe_check(page)
    screenshot(page, "wizard-check-answers")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".nhsuk-panel")).to_contain_text("HIA-")
    axe_check(page)
    screenshot(page, "wizard-submitted")
    page.goto(f"/assessments/{assessment_id}/proposal")
    expect(page.locator("body")).to_contain_text("cannot be changed")


def test_resume_after_signing_out_and_keyboard_only(page: Page, live_server: LiveServer) -> None:
    sign_in_as(page, "manager")
    page.goto("/assessments/new")
    page.get_by_label("What is the proposal called?").focus()
    page.keyboard.type("Keyboard only proposal")
    page.keyboard.press("Enter")
    expect(page.locator(".nhsuk-task-list")).to_be_visible()
    page.get_by_role("link", name="Evidence and data gaps").focus()
    page.keyboard.press("Enter")
    page.locator("#evidence\\.sources").focus()
    page.keyboard.type("Local audit")
    page.keyboard.press("Tab")  # to the radio buttons
    page.keyboard.press("ArrowDown")  # selects the second option, "No"
    page.get_by_role("button", name="Save and continue").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/actions$"))
    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, "manager")
    page.get_by_role("link", name="Keyboard only proposal").first.click()
    expect(page).to_have_url(re.compile(r"/evidence$"))
    expect(page.locator("#evidence\\.sources")).to_have_value("Local audit")
    axe_check(page)
