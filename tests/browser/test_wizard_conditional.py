"""Follow-up questions revealed in a real browser: the mitigation box opens under "Negative" and "Not known
yet", closes under "Positive", and the page stays accessible and free of CSP problems."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_check, screenshot, sign_in_as


def _start(page: Page) -> int:
    sign_in_as(page, "manager")
    page.goto("/assessments/new")
    page.get_by_label("What is the proposal called?").fill("Open the clinic on Saturdays")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_be_visible()
    return int(re.search(r"/assessments/(\d+)", page.url).group(1))


def test_choosing_negative_reveals_the_mitigation(page: Page) -> None:
    assessment_id = _start(page)
    page.goto(f"/assessments/{assessment_id}/pc")
    negative_box = page.locator("#pc\\.age\\.mitigation")
    unknown_box = page.locator("#pc\\.age\\.mitigation--unknown")
    expect(negative_box).to_be_hidden()
    expect(unknown_box).to_be_hidden()

    page.locator("#pc\\.age\\.impact-3").check()
    expect(negative_box).to_be_visible()
    negative = page.locator("#pc\\.age\\.impact-3")
    expect(negative).to_have_attribute("aria-controls", "conditional-pc.age.impact-3")
    # nhsuk-frontend's own state for screen readers (see axe_check: the one finding it forgives)
    expect(negative).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#pc\\.age\\.impact-4")).to_have_attribute(
        "aria-expanded", "false"
    )  # "Not known yet"
    axe_check(page)
    screenshot(page, "wizard-conditional-mitigation")

    page.locator("#pc\\.age\\.impact").check()
    expect(negative_box).to_be_hidden()
    page.locator("#pc\\.age\\.impact-4").check()
    expect(unknown_box).to_be_visible()
    expect(negative_box).to_be_hidden()

    page.locator("#pc\\.age\\.impact-3").check()
    negative_box.fill("Keep a weekday evening session for older people who rely on lifts")
    # The other groups on the page are not answered yet: kept for later, so nothing is refused.
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".nhsuk-task-list")).to_be_visible()
    page.goto(f"/assessments/{assessment_id}/pc")
    expect(negative_box).to_be_visible()  # the saved choice opens its box again
    expect(negative_box).to_have_value("Keep a weekday evening session for older people who rely on lifts")


def test_none_of_these_clears_the_other_choices(page: Page) -> None:
    """A contradiction ("none of these" and five changes) once went through to the signed record."""
    assessment_id = _start(page)
    page.goto(f"/assessments/{assessment_id}/determinants")
    transport = page.get_by_label("Transport", exact=False).first
    none = page.get_by_label("None of these")
    transport.check()
    none.check()
    expect(transport).not_to_be_checked()
    transport.check()
    expect(none).not_to_be_checked()
    axe_check(page)
