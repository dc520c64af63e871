"""An admin sets up the organisation in a real browser; a manager then sees it in the wizard."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from hia_service.documents.signing import create_dev_certificate
from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.browser.test_wizard import reference_loaded  # noqa: F401 (session fixture)

PASSPHRASE = "browser test passphrase"


def _png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), (0, 94, 184)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_admin_sets_up_the_organisation(
    page: Page,
    live_server: LiveServer,
    reference_loaded: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIA_SIGNING_PASSPHRASE", PASSPHRASE)
    sign_in_as(page, "admin")
    page.get_by_role("link", name="Settings").first.click()
    expect(page.locator("h1")).to_have_text("Organisation settings")
    axe_check(page)
    screenshot(page, "settings-index-empty")

    page.get_by_role("link", name="Change the population served").click()
    page.get_by_label("Names of the areas you serve").fill("blackpool, WYRE")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Use these areas").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select at least one area")
    axe_check(page)
    screenshot(page, "settings-population-error")
    page.get_by_label("Blackpool (Local authority, E06000009)").check()
    page.get_by_role("button", name="Use these areas").click()
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text("live in Core20 areas")

    page.get_by_role("link", name="Change name and address").click()
    page.get_by_label("Address (optional)").fill("Riverside House, 1 Quay Street, Blackpool FY1 1AA")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Change logo").click()
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"GIF89a" + b"\0" * 40)
    page.get_by_label("Logo file (PNG or SVG)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("neither, whatever its name says")
    axe_check(page)
    screenshot(page, "settings-logo-error")
    page.get_by_label("Logo file (PNG or SVG)").set_input_files(str(_png(tmp_path / "good.png")))
    page.get_by_role("button", name="Upload the logo").click()

    page.get_by_role("link", name="Change signing certificate").click()
    p12 = tmp_path / "org.p12"
    create_dev_certificate(p12, PASSPHRASE, "Demo Trust signing", days=20)
    page.get_by_label("Certificate file (PKCS#12: .p12 or .pfx)").set_input_files(str(p12))
    page.get_by_label("Passphrase of the certificate file").fill(PASSPHRASE)
    page.get_by_role("button", name="Upload the certificate").click()
    expect(page.locator("#certificate-warning")).to_contain_text("expires soon")

    page.get_by_role("link", name="Change directorates and teams").click()
    page.get_by_label("Name").fill("Planned care")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("table")).to_contain_text("Planned care")
    axe_check(page)
    screenshot(page, "settings-list")

    page.goto("/settings/framework")
    page.get_by_label("Add a local group").fill("people living in former coalfield communities")
    page.get_by_role("button", name="Add the group").click()
    page.locator("#guidance-inclusion").fill("Use the 2024 coalfield needs assessment for these groups.")
    page.get_by_role("button", name="Save guidance for Inclusion health and PLUS groups").click()
    axe_check(page)
    screenshot(page, "settings-framework")

    page.goto("/settings/")
    expect(page.locator("#certificate-summary")).to_contain_text("Demo Trust signing")
    axe_check(page)
    screenshot(page, "settings-index")

    # The manager of the same organisation meets all of it in the wizard.
    page.context.clear_cookies()
    sign_in_as(page, "manager")
    page.get_by_role("link", name="Start a new assessment").first.click()
    page.get_by_label("What is the proposal called?").fill("Close the Grimethorpe clinic")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Local groups")
    url = page.url
    page.goto(f"{url}/proposal")
    expect(page.locator("datalist#proposal\\.directorate-suggestions option")).to_have_count(1)
    page.goto(f"{url}/area")
    page.get_by_text("Paste neighbourhood (LSOA) codes").click()
    page.locator("#lsoa_codes").fill("E01012681\nE01012682\nE01012683")
    page.get_by_role("button", name="Use these codes").click()
    expect(page.locator("#core20-headline")).to_contain_text("of the people we serve and")
    axe_check(page)
    screenshot(page, "wizard-area-with-organisation")
    page.goto(f"{url}/inclusion")
    expect(page.locator("#local-guidance")).to_contain_text("coalfield needs assessment")
    page.goto(f"{url}/local-groups")
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select the impact on people living")
    axe_check(page)
    screenshot(page, "wizard-local-groups-error")
