"""The public verification page, as someone holding a copy of a record would use it (no sign-in).

The checks run in the live server's thread; nothing here calls pyHanko in the browser test's own process."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_check, screenshot

UNSIGNED = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_form_is_accessible_and_needs_no_sign_in(page: Page) -> None:
    page.goto("/verify")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check an assessment record")
    expect(page.get_by_label("Upload the PDF")).to_be_visible()
    axe_check(page)
    screenshot(page, "verify-form")


def test_nothing_chosen_or_a_text_file_shows_an_error_linked_to_the_field(page: Page, tmp_path: Path) -> None:
    page.goto("/verify")
    page.get_by_role("button", name="Check the record").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select the PDF file you want to check")
    expect(page).to_have_title(re.compile("^Error: "))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a record")
    page.locator("input[type=file][name=document]").set_input_files(notes)
    page.get_by_role("button", name="Check the record").click()
    expect(summary).to_contain_text("This file is not a PDF")
    summary.get_by_role("link").click()
    expect(page.locator("#document")).to_be_focused()
    axe_check(page)
    screenshot(page, "verify-not-pdf")


def test_an_unsigned_pdf_cannot_be_confirmed(page: Page, tmp_path: Path) -> None:
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(UNSIGNED)
    page.goto("/verify")
    page.locator("input[type=file][name=document]").set_input_files(copy)
    page.get_by_role("button", name="Check the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This record cannot be confirmed")
    expect(page.get_by_text("copy.pdf")).to_be_visible()
    axe_check(page)
    screenshot(page, "verify-not-genuine")


def test_an_unknown_record_link_says_so(page: Page) -> None:
    response = page.goto("/verify/HIA-1999-0001/1")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("This link is not complete")
