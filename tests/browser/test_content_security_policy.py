"""The strict Content-Security-Policy holds in a real browser: our one inline script runs by its nonce,
nothing on the key pages is refused, and anything without the nonce is blocked and noticed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserLog, sign_in_as

INLINE_SCRIPT = re.compile(r'<script nonce="([^"]+)">document\.body\.className')


def _header_nonce(policy: str) -> str:
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert match, f"no nonce in the policy: {policy}"
    return match.group(1)


def _nonces_of_a_visit(page: Page, path: str) -> tuple[str, str]:
    response = page.goto(path)
    assert response is not None
    html_match = INLINE_SCRIPT.search(response.text())
    assert html_match, "the NHS.UK template's inline script has no nonce"
    return _header_nonce(response.headers["content-security-policy"]), html_match.group(1)


def test_the_inline_script_runs_by_the_nonce_in_the_header(page: Page) -> None:
    in_header, in_html = _nonces_of_a_visit(page, "/sign-in")
    assert in_html == in_header
    # The inline script marks the body; the design system's module then starts its components.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b.*\bnhsuk-frontend-supported\b"))
    next_header, next_html = _nonces_of_a_visit(page, "/sign-in")
    assert next_html == next_header != in_header  # a fresh nonce for every response


def test_the_key_pages_break_no_rule_of_the_policy(page: Page, browser_log: BrowserLog) -> None:
    for path in ("/", "/a-page-that-does-not-exist", "/sign-in"):
        page.goto(path)
    page.get_by_label("Email address").fill("nobody@demo.hia.nhs.example")
    page.get_by_role("button", name="Sign in").click()  # the error summary, focused by script
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    sign_in_as(page, "admin")
    page.goto("/admin/users")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/sign-in")
    assert browser_log.csp_violations == []
    assert browser_log.csp_console_messages() == []
    assert browser_log.page_errors == []


def test_a_script_or_style_without_the_nonce_is_blocked_and_reported(
    page: Page, browser_log: BrowserLog
) -> None:
    """The control for the test above: were the policy loose or the listener deaf, this would fail."""
    page.goto("/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
        document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">styled</p>');
        }"""
    )
    assert page.evaluate("window.injected") is None
    for _ in range(40):  # reports reach Python asynchronously
        if len(browser_log.csp_violations) >= 2:
            break
        page.wait_for_timeout(25)
    directives = {v["directive"] for v in browser_log.csp_violations}
    assert {"script-src-elem", "style-src-attr"} <= directives, browser_log.csp_violations
    assert any("Content Security Policy" in text for text in browser_log.csp_console_messages())
    browser_log.clear()  # provoked on purpose; the page fixture would otherwise fail the test
