"""Signing in and out as a person would: by keyboard, with mistakes, and by role."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from hia_service.services.accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_check, screenshot, sign_in_as

MANAGER = "manager@demo.hia.nhs.example"
MAX_TABS = 15  # the email field comes after the skip link and the header's links


def _tab_to(page: Page, element_id: str) -> int:
    """Press Tab until the element has focus; returns how many presses that took."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} was not reached in {MAX_TABS} presses of Tab")


def test_sign_in_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/sign-in")
    _tab_to(page, "email")
    page.keyboard.type(MANAGER)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Demo manager")
    axe_check(page)
    screenshot(page, "home-manager")


def test_wrong_password_focuses_the_error_summary_which_links_to_the_field(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("trainer@demo.hia.nhs.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()  # screen readers announce it at once
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Sign in\W"))  # said first by screen readers
    axe_check(page)
    screenshot(page, "sign-in-error")
    link = summary.get_by_role("link", name="Enter a correct email address and password")
    expect(link).to_have_attribute("href", "#email")
    link.click()
    expect(page.get_by_label("Email address")).to_be_focused()


def test_sign_out_ends_the_session(page: Page) -> None:
    sign_in_as(page, "reviewer")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/sign-in")
    expect(page.get_by_role("status")).to_have_text("You have signed out")
    screenshot(page, "signed-out")
    page.goto("/home")
    expect(page).to_have_url("/sign-in?next=%2Fhome")


def test_an_administrator_sees_the_users_page(page: Page) -> None:
    sign_in_as(page, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    expect(page).to_have_url("/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Users in Northshire Demonstration NHS Foundation Trust"
    )
    table = page.get_by_role("table")
    for role in ("manager", "reviewer", "trainer", "admin"):
        expect(table).to_contain_text(f"{role}@demo.hia.nhs.example")
    axe_check(page)
    screenshot(page, "admin-users")


def test_a_manager_has_no_users_link_and_is_refused_the_page(page: Page) -> None:
    sign_in_as(page, "manager")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to see this page")
