"""Training in a real browser: a trainer creates a session; a trainee joins with the code (after a wrong one),
reads the brief, practises a short assessment on the ordinary wizard (marked as training on every page),
submits it for feedback and reads it; the trainer sees the progress. Every page passes axe (WCAG 2.2 AA)
and is saved as a screenshot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.conftest import REFERENCE_DIR
from tests.reference_cache import copy_of_reference

BANNER = "Training \u2013 practice only"
FLEETWOOD = "Closing the minor injuries unit in Fleetwood"


@pytest.fixture(scope="session")
def training_reference(live_server: LiveServer) -> Iterator[Path]:
    """The real reference data in the live server's data directory (practice areas are profiled for real)."""
    from hia_service.reference.snapshot import current_snapshot_id

    data_dir = Path(live_server.app.config["HIA_DATA_DIR"])
    if not current_snapshot_id(data_dir):  # the wizard's browser test may have loaded it already
        copy_of_reference(REFERENCE_DIR, data_dir)
    yield data_dir


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _check(page: Page, name: str) -> None:
    axe_check(page)
    screenshot(page, name)


def _create_session(page: Page) -> str:
    sign_in_as(page, "trainer")
    page.get_by_role("link", name="Training").first.click()
    _check(page, "training-trainer-index")
    page.get_by_role("link", name="Create a training session").click()
    page.get_by_role("button", name="Create session").click()  # nothing filled in
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name for the training session")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select at least one scenario")
    _check(page, "training-new-session-errors")
    held = date.today() + timedelta(days=3)
    page.get_by_label("Name of the session").fill("Urgent care team practice")
    page.locator("#held_on-day").fill(str(held.day))
    page.locator("#held_on-month").fill(str(held.month))
    page.locator("#held_on-year").fill(str(held.year))
    page.get_by_label(FLEETWOOD).check()
    page.get_by_role("button", name="Create session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Urgent care team practice")
    _check(page, "training-session-new")
    code = page.locator("#join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    _sign_out(page)
    return code


def test_a_trainee_joins_practises_and_reads_feedback(
    page: Page, live_server: LiveServer, training_reference: Path
) -> None:
    code = _create_session(page)

    sign_in_as(page, "trainee")
    expect(page.locator("body")).to_contain_text("Your account is for training only")
    page.get_by_role("link", name="Go to training").click()
    page.get_by_role("link", name="Join a session with a code").click()
    page.get_by_label("Join a training session").fill("ABCD-2345")
    page.get_by_role("button", name="Join session").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("That join code is not right")
    expect(page.locator("#code-error")).to_be_visible()
    _check(page, "training-join-wrong-code")
    page.get_by_label("Join a training session").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Join session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Urgent care team practice")
    _check(page, "training-practise")

    page.get_by_role("link", name=FLEETWOOD).click()
    expect(page.locator("body")).to_contain_text("52% of people living within 3 km of central Fleetwood")
    _check(page, "training-brief")
    page.get_by_role("button", name="Start or continue this practice").click()

    # The ordinary task list, with the training banner; the area is already profiled from the real data.
    expect(page.locator("#training-banner")).to_contain_text(BANNER)
    expect(page.locator(".nhsuk-caption-l").first).to_contain_text("TRN-")
    _check(page, "training-task-list")
    page.get_by_role("link", name="Protected characteristics").click()
    expect(page.locator("#training-banner")).to_contain_text("not part of the record")
    page.get_by_label("Negative").first.check()
    page.get_by_label("Age: what evidence supports this?").fill(
        "Wyre has more people over 65 than England; older people rely on the unit."
    )
    page.locator("textarea[id^='pc.age.mitigation']").first.fill(
        "Same-day minor injury care at GP practices."
    )
    _check(page, "training-wizard-step")
    expect(page).to_have_url(re.compile(r"/pc$"))  # every protected characteristic on one page
    assessment_url = page.url.rsplit("/", 1)[0]
    page.get_by_role("button", name="Save and come back later").click()  # the other groups wait
    expect(page.locator(".nhsuk-task-list")).to_be_visible()

    page.goto(assessment_url + "/area")
    expect(page.locator("#training-banner")).to_be_visible()
    expect(page.locator("#core20-headline")).to_contain_text("most deprived")
    _check(page, "training-area")

    page.goto(page.url.rsplit("/", 1)[0] + "/check-answers")
    expect(page.locator("#training-banner")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    _check(page, "training-check-answers")
    page.get_by_role("button", name="Submit for feedback").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback on your practice")
    expect(page.locator("#training-banner")).to_be_visible()
    # Age named, rated negative and evidenced in the trainee's own words; what it changes was not said.
    expect(page.locator("#group-pc-age")).to_contain_text("Age: named as affected")
    expect(page.locator("#group-pc-age")).to_contain_text("Age: says what changes (access)")
    expect(page.get_by_role("heading", name="What you missed").first).to_be_visible()
    expect(page.locator("#rating-comparison")).to_contain_text("Model rating")
    page.get_by_text("Model answer: Evidence and data gaps").click()
    expect(page.locator("body")).to_contain_text("IoD2025 deprivation profile at neighbourhood (LSOA) level")
    _check(page, "training-feedback")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it as a PDF").click()
    assert download.value.suggested_filename.startswith("practice-TRN-")
    _sign_out(page)

    sign_in_as(page, "trainer")
    page.get_by_role("link", name="Training").first.click()
    page.get_by_role("link", name="Urgent care team practice").first.click()
    expect(page.locator("body")).to_contain_text("1 practice started, 1 submitted")
    expect(page.locator("#most-missed")).to_be_visible()
    _check(page, "training-session-progress")


def test_a_new_join_code_is_made_only_after_saying_what_happens_to_the_old_one(page: Page) -> None:
    old = _create_session(page)
    sign_in_as(page, "trainer")
    page.get_by_role("link", name="Training").first.click()
    page.get_by_role("link", name="Urgent care team practice").first.click()
    page.get_by_role("link", name="Make a new join code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to make a new join code?"
    )
    expect(page.locator("main")).to_contain_text(f"the code {old} stops working at once")
    expect(page.locator("main")).to_contain_text("trainees who have already joined stay in the session")
    _check(page, "training-new-code-confirm")
    page.get_by_role("link", name="No, keep the code I have").click()
    expect(page.locator("#join-code")).to_have_text(old)  # nothing changed
    page.get_by_role("link", name="Make a new join code").click()
    page.get_by_role("button", name="Yes, make a new join code").click()
    expect(page.get_by_role("status")).to_contain_text("The old code no longer works")
    new = page.locator("#join-code").inner_text()
    assert new != old and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", new)
