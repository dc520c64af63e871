"""Browser tests: the real app on a local port, driven by Debian's headless chromium through Playwright.

Fixtures: `live_server` (session), `browser` (session), `browser_log` and `page` (per test).
Helpers to import: `sign_in_as(page, role)`, `axe_check(page)`, `screenshot(page, name)`.
Every `page` fails its test at teardown if the browser reported a Content-Security-Policy violation or an
uncaught script error, so each new browser test checks those for free.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Response,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import REPO_ROOT, make_test_app

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"  # served by Playwright itself; see _inject_axe
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 5_000  # a local page that takes longer than this is a failure, not something to wait for

# Reports each violation to Python as it happens, so none is lost when the page navigates away.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.__hiaCspViolation({
  directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
  sample: e.sample,
}), true);
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser is a browser test (`pytest -m "not browser"` skips them all)."""
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in item.path.parents:
            item.add_marker(pytest.mark.browser)
            # When the browser abandons a static file mid-response (it navigated on), werkzeug's threaded test
            # server leaves the file for the garbage collector; that ResourceWarning is not the app's doing.
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:<port>, no trailing slash
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on a free local port: a fresh SQLite file built by Alembic, with the demo organisation."""
    data_dir = tmp_path_factory.mktemp("live")
    app = make_test_app(f"sqlite:///{data_dir / 'hia.sqlite3'}", data_dir, TESTING=False, SERVER_NAME=None)
    _build_database(app)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        from hia_service.extensions import db

        db.engine.dispose()


def _build_database(app: Flask) -> None:
    from flask_migrate import upgrade

    from hia_service.data.transaction import commit
    from hia_service.services.accounts.demo import seed_demo

    with app.app_context():
        upgrade()  # the schema comes from the migrations, exactly as in production
        seed_demo()
        commit()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed (apt-get install chromium; .ci/run does this)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class BrowserLog:
    """What the browser said while a test ran: console messages, CSP violations and uncaught errors."""

    console: list[ConsoleMessage] = field(default_factory=list)
    csp_violations: list[dict[str, Any]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)

    # Playwright wants real functions as callbacks, not list.append.
    def record_console(self, message: ConsoleMessage) -> None:
        self.console.append(message)

    def record_violation(self, report: dict[str, Any]) -> None:
        self.csp_violations.append(report)

    def record_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def record_response(self, response: Response) -> None:
        # Pages may answer 4xx on purpose (401 after a wrong password); their CSS, JS and images may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.broken_assets.append(f"{response.status} {response.url}")

    def csp_console_messages(self) -> list[str]:
        return [m.text for m in self.console if "Content Security Policy" in m.text]

    def script_console_errors(self) -> list[str]:
        """console.error from scripts; the browser's own "Failed to load resource" lines are not counted."""
        return [
            m.text
            for m in self.console
            if m.type == "error"
            and "Content Security Policy" not in m.text
            and not m.text.startswith("Failed to load resource")
        ]

    def problems(self) -> list[str]:
        return [
            *(f"CSP violation: {json.dumps(v)}" for v in self.csp_violations),
            *(f"CSP console message: {text}" for text in self.csp_console_messages()),
            *(f"Uncaught script error: {error}" for error in self.page_errors),
            *(f"Console error: {text}" for text in self.script_console_errors()),
            *(f"Broken asset: {asset}" for asset in self.broken_assets),
        ]

    def clear(self) -> None:
        """Forget what was recorded (for a test that provokes a violation on purpose)."""
        for records in (self.console, self.csp_violations, self.page_errors, self.broken_assets):
            records.clear()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, browser_log: BrowserLog) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, with relative URLs resolved against the live server."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    _keep_off_the_internet(context, live_server.url)
    context.expose_function("__hiaCspViolation", browser_log.record_violation)
    context.add_init_script(CSP_LISTENER)
    new_page = context.new_page()
    new_page.on("console", browser_log.record_console)
    new_page.on("pageerror", browser_log.record_error)
    new_page.on("response", browser_log.record_response)
    yield new_page
    context.close()
    problems = browser_log.problems()
    assert problems == [], "The browser reported:\n" + "\n".join(problems)


def _keep_off_the_internet(context: BrowserContext, local_url: str) -> None:
    """Abort requests that leave the machine (the NHS web font): tests stay fast and hermetic.

    The browser applies the CSP before a request reaches the network, so a font the policy forbade would still
    be reported as a violation.
    """
    context.route(lambda url: not url.startswith(local_url), lambda route: route.abort())


def sign_in_as(page: Page, role: str) -> str:
    """Sign in as the demo account for `role` (manager, reviewer, trainer, admin); returns its email."""
    from hia_service.services.accounts.demo import DEMO_PASSWORD

    email = f"{role}@demo.hia.nhs.example"
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
    return email


def axe_check(page: Page) -> list[dict[str, Any]]:
    """Run axe-core against WCAG 2.2 AA; fail on any serious or critical violation. Returns the minor ones."""
    # A click that follows a link returns once the navigation has begun; axe needs the new page loaded.
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        _inject_axe(page)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = _without_radio_reveal_state(results["violations"])
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"Accessibility problems on {page.url}:\n" + _describe(blocking)
    return [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]


def _without_radio_reveal_state(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop one known finding: aria-expanded on an NHS.UK radio that reveals a follow-up question.

    nhsuk-frontend (10.6.1, common/index.mjs toggleConditionalInput) sets aria-expanded on such radios, as
    GOV.UK Frontend does. ARIA 1.2 does not list it for role=radio, so axe reports it as critical; the
    design system teams keep it on purpose because NVDA, JAWS and TalkBack announce the reveal with it
    (govuk-frontend #979 and #2823, w3c/aria#1404). Only that attribute, on that element, is forgiven.
    """
    kept = []
    for violation in violations:
        if violation["id"] == "aria-allowed-attr":
            nodes = [n for n in violation["nodes"] if not _is_radio_reveal_state(n)]
            if not nodes:
                continue
            violation = {**violation, "nodes": nodes}
        kept.append(violation)
    return kept


def _is_radio_reveal_state(node: dict[str, Any]) -> bool:
    html = node["html"]
    failed = [
        value
        for check in node["any"] + node["all"] + node["none"]
        for value in ((check.get("data") or {}).get("values") or ["?"])
    ]
    return (
        'class="nhsuk-radios__input"' in html
        and "aria-controls=" in html
        and bool(failed)
        and all(str(item).startswith("aria-expanded=") for item in failed)
    )


def _inject_axe(page: Page) -> None:
    """Load axe as a same-origin script, so the page's strict CSP stays on while axe runs.

    `add_script_tag(path=...)` would inline the file, which the CSP rightly blocks; instead Playwright answers
    a request for AXE_URL on the live server with the file from node_modules (the app never sees it).
    """
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` (make install does)"
    handler = lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript")  # noqa: E731
    page.route(f"**{AXE_URL}", handler)
    page.add_script_tag(url=AXE_URL)
    page.unroute(f"**{AXE_URL}", handler)


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['failureSummary']}".replace("\n", " "))
    return "\n".join(lines)


def screenshot(page: Page, name: str) -> Path | None:
    """With HIA_TEST_SCREENSHOTS=1, save a full-page PNG to tests/artifacts/<name>.png (git-ignored), for
    people to look at, and return its path. Off by default: nothing checks them, and the 84 pages took
    about 45 s of the browser run."""
    if os.environ.get("HIA_TEST_SCREENSHOTS") != "1":
        return None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
