"""Tables on wizard pages with JavaScript switched off (issue 20 item 3): "Add another" and "Remove" are
plain submit buttons, everything typed comes back, and Enter in a box still saves and continues."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS, LiveServer, sign_in_as
from tests.browser.test_phone import complete_draft

ROWS = '[name="monitoring.indicators-rows"]'


@pytest.fixture
def no_script_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    yield context.new_page()
    context.close()


def _box(page: Page, row: int) -> object:
    return page.locator(f'[name="monitoring.indicators-{row}-indicator"]')


def test_add_and_remove_rows_without_javascript(no_script_page: Page, live_server: LiveServer) -> None:
    page = no_script_page
    assessment_id = complete_draft(live_server, f"Move the eye clinic {uuid.uuid4().hex[:6]}")
    sign_in_as(page, "manager")
    page.goto(f"/assessments/{assessment_id}/monitoring")
    shown = int(page.locator(ROWS).get_attribute("value") or "0")
    last = shown - 1  # the empty row offered to type into
    _box(page, last).fill("Did-not-attend rate by deprivation fifth")
    page.get_by_role("button", name="Add another indicator").click()
    expect(page.locator(ROWS)).to_have_value(str(shown + 1))
    expect(_box(page, last)).to_have_value("Did-not-attend rate by deprivation fifth")
    _box(page, last + 1).fill("Travel time for the most deprived fifth")
    page.get_by_role("button", name=f"Remove indicator {last + 1}").click()
    expect(page.locator(ROWS)).to_have_value(str(shown))
    expect(_box(page, last)).to_have_value("Travel time for the most deprived fifth")
    _box(page, last).press("Enter")  # the form's default button: save and continue, not a row button
    expect(page).not_to_have_url(f"{live_server.url}/assessments/{assessment_id}/monitoring")
    page.goto(f"/assessments/{assessment_id}/monitoring")
    expect(_box(page, last)).to_have_value("Travel time for the most deprived fifth")
