"""The public pages pass WCAG 2.2 AA checks (axe-core) and are recorded as screenshots."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_check, screenshot


def test_start_page_is_accessible(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Assess the health inequalities impact of a decision"
    )
    axe_check(page)
    screenshot(page, "start")


def test_sign_in_page_is_accessible(page: Page) -> None:
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page).to_have_title(re.compile(r"^Sign in\W"))
    axe_check(page)
    screenshot(page, "sign-in")


def test_start_page_leads_to_sign_in(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()  # a link styled and announced as a button
    expect(page).to_have_url("/sign-in")
