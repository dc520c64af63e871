"""Errors in the action plan's boxes in a real browser: every problem is in the error summary at once, and
selecting one moves focus to the box it is about (the NHS.UK error summary pattern)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import axe_check, sign_in_as

ROWS = '[name="actions.plan-rows"]'


def _box(page: Page, row: int, column: str) -> Locator:
    return page.locator(f'[id="actions.plan-{row}-{column}"]')


def test_the_summary_lists_every_problem_and_each_link_focuses_its_box(page: Page) -> None:
    sign_in_as(page, "manager")
    page.goto("/assessments/new")
    page.get_by_label("What is the proposal called?").fill("Move the eye clinic to the hub")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_be_visible()
    started = re.search(r"/assessments/(\d+)", page.url)
    assert started, page.url
    assessment_id = int(started.group(1))
    page.goto(f"/assessments/{assessment_id}/actions")
    first = int(page.locator(ROWS).get_attribute("value") or "1") - 1  # the empty row offered to type into
    _box(page, first, "action").fill("Text reminders")
    _box(page, first, "owner").fill("Sam Lead")
    _box(page, first, "due-day").fill("31")
    _box(page, first, "due-month").fill("2")
    _box(page, first, "due-year").fill("2027")
    page.get_by_role("button", name="Add another action").click()
    second = first + 1
    _box(page, second, "action").fill("Home visits for people who cannot travel")
    _box(page, second, "due-day").fill("1")
    _box(page, second, "due-month").fill("10")
    _box(page, second, "due-year").fill("2027")
    page.get_by_role("button", name="Save and continue").first.click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        [f"Due date for action {first + 1} must be a real date", f"Enter the owner for action {second + 1}"]
    )
    expect(_box(page, second, "owner")).to_have_class("nhsuk-input nhsuk-input--error")
    expect(page.locator(f'[id="actions.plan-{second}-owner-error"]')).to_contain_text(
        f"Enter the owner for action {second + 1}"
    )
    expect(_box(page, first, "owner")).to_have_value("Sam Lead")  # everything typed is still there
    axe_check(page)

    summary.get_by_role("link", name=f"Enter the owner for action {second + 1}").click()
    expect(_box(page, second, "owner")).to_be_focused()
    summary.get_by_role("link", name=f"Due date for action {first + 1} must be a real date").click()
    expect(_box(page, first, "due-day")).to_be_focused()


def test_each_column_of_the_action_plan_has_its_hint_read_with_its_box(page: Page) -> None:
    """The framework's hints for the table's columns (rules/framework), under each label in every row."""
    sign_in_as(page, "manager")
    page.goto("/assessments/new")
    page.get_by_label("What is the proposal called?").fill("Close the walk-in centre at weekends")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_be_visible()
    page.goto(page.url.rstrip("/") + "/actions")
    first = int(page.locator(ROWS).get_attribute("value") or "1") - 1
    page.get_by_role("button", name="Add another action").click()
    owner_hint = "A role, for example: Practice manager"
    measure_hint = "How you will know it has worked, split by the group it is for"
    for row in (first, first + 1):
        expect(_box(page, row, "owner")).to_have_accessible_description(owner_hint)
        expect(_box(page, row, "measure")).to_have_accessible_description(measure_hint)
        expect(_box(page, row, "answers")).to_have_accessible_description(re.compile(r"^Name the group"))
        expect(page.locator(f'[id="actions.plan-{row}"] [role="group"]')).to_have_accessible_description(
            "For example, 27 3 2026"
        )
    _box(page, first + 1, "action").fill("Home visits for people who cannot travel")
    page.get_by_role("button", name="Save and continue").first.click()
    # A problem in the box is read after the hint, as in the design system.
    expect(_box(page, first + 1, "owner")).to_have_accessible_description(
        f"{owner_hint} Error: Enter the owner for action {first + 2}"
    )
    axe_check(page)
