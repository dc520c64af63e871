"""The time-out warning: shown before the idle time-out, usable by keyboard, and the sign-in page after it.

The browser's clock is Playwright's, moved on by hand; the service's clock is real, so when the page's time
runs out the service has not yet timed the session out itself, and the page's own time-out must do it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as


@pytest.fixture
def warning_seconds(live_server: LiveServer) -> Iterator[int]:
    """A warning of 5 minutes (not the default 2), to show the page takes its timings from configuration."""
    config = live_server.app.config
    before = config["HIA_SESSION_WARNING_SECONDS"]
    config["HIA_SESSION_WARNING_SECONDS"] = 300
    yield 300
    config["HIA_SESSION_WARNING_SECONDS"] = before


def _home_with_a_fake_clock(page: Page) -> None:
    sign_in_as(page, "manager")
    page.clock.install()
    page.goto("/home")
    page.get_by_role("link", name="Your assessments").first.focus()


def test_the_warning_comes_two_minutes_before_the_time_out_and_stay_signed_in_keeps_the_session(
    page: Page,
) -> None:
    _home_with_a_fake_clock(page)
    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    page.clock.run_for("27:50")
    expect(dialog).to_be_hidden()
    page.clock.run_for("00:15")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_description(
        "For your security, we will sign you out in 1 minute 55 seconds if you do not do anything. "
        "Anything you have not saved will be lost."
    )
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    axe_check(page)
    screenshot(page, "session-timeout-warning")
    page.keyboard.press("Tab")  # modal: the page behind cannot be reached
    expect(dialog.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    with page.expect_response("**/session/alive") as alive:
        page.keyboard.press("Enter")
    assert alive.value.status == 204
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("link", name="Your assessments").first).to_be_focused()  # back where it was
    page.clock.run_for("27:50")  # the clock started again from "Stay signed in"
    expect(dialog).to_be_hidden()
    page.clock.run_for("00:15")
    expect(dialog).to_be_visible()
    with page.expect_response("**/session/alive"):
        page.keyboard.press("Escape")  # taken as "Stay signed in"
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page).to_have_url("/home")


def test_when_the_time_runs_out_the_page_goes_to_the_signed_out_page(page: Page) -> None:
    _home_with_a_fake_clock(page)
    page.clock.run_for("28:05")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.clock.run_for("02:00")
    page.wait_for_url("**/sign-in?next=/home")
    expect(page.get_by_role("status")).to_have_text(
        "You were signed out because you had not done anything for 30 minutes. Sign in again to carry on."
    )
    page.goto("/home")
    expect(page.get_by_role("status")).to_have_text("Sign in to see this page")  # signed out in the service


def test_sign_out_in_the_warning_signs_out(page: Page) -> None:
    _home_with_a_fake_clock(page)
    page.clock.run_for("28:05")
    page.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/sign-in")
    expect(page.get_by_role("status")).to_have_text("You have signed out")


def test_the_warning_time_comes_from_configuration(page: Page, warning_seconds: int) -> None:
    _home_with_a_fake_clock(page)
    dialog = page.get_by_role("dialog")
    page.clock.run_for("24:55")
    expect(dialog).to_be_hidden()
    page.clock.run_for("00:10")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("we will sign you out in 4 minutes 55 seconds")


def test_without_javascript_nothing_shows_and_the_pages_work(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_as(page, "manager")
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_text("You're about to be signed out")).to_be_hidden()
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url("/sign-in")
    finally:
        context.close()


def test_a_session_already_ended_elsewhere_goes_to_the_sign_in_page(page: Page) -> None:
    """Signed out in another tab: the page has no session (nor CSRF token) left to end, so it goes straight
    to the sign-in page rather than to an error."""
    _home_with_a_fake_clock(page)
    other = page.context.new_page()
    other.goto("/home")
    other.get_by_role("button", name="Sign out").click()
    expect(other).to_have_url("/sign-in")
    page.clock.run_for("30:05")
    page.wait_for_url("**/sign-in?next=%2Fhome")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
