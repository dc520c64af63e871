"""The manager's guided assessment in a real browser, page by page, with nothing put into the database behind
the browser's back: sign in, start, choose the area by uploading a file, answer every page the framework has
(read at test time, so new sections are covered), check, submit; then resume, validation, keyboard-only,
and two tabs on one page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hia_service.services.assessments.authoring import TITLE_QUESTION
from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.browser.wizard_filler import (
    HOSTILE,
    Answers,
    fill_page,
    fill_page_by_keyboard,
    framework_pages,
    page_id_of,
    tab_to,
)
from tests.conftest import REFERENCE_DIR
from tests.reference_cache import copy_of_reference

# Real Blackpool postcodes (Code-Point Open) for a patient list, and a square around Blackpool's centre.
PATIENT_LIST = b"postcode\nFY1 1AN\nFY1 1AP\nFY1 1AQ\nFY1 1BA\nFY1 1BN\nFY1 1BP\n"
BLACKPOOL = [[-3.060, 53.805], [-3.025, 53.805], [-3.025, 53.830], [-3.060, 53.830], [-3.060, 53.805]]
NAVIGATION_MS = 15_000  # a save on a busy shared machine; a real failure still shows as an error, not a wait
MAX_PAGES = 150  # a loop guard: the journey must reach "check your answers" well before this


@pytest.fixture(scope="session")
def reference_loaded(live_server: LiveServer) -> Iterator[Path]:
    """The real reference snapshot in the live server's data directory (a copy of the on-disk cache)."""
    data_dir = Path(live_server.app.config["HIA_DATA_DIR"])
    copy_of_reference(REFERENCE_DIR, data_dir)
    yield data_dir


def _start(page: Page, title: str) -> int:
    page.goto("/assessments/new")
    page.get_by_label("What is the proposal called?").fill(title)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_be_visible()
    return int(re.search(r"/assessments/(\d+)", page.url).group(1))


def _images_loaded(page: Page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.hia-chart')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=20_000,
    )


def _expect_profile(page: Page) -> None:
    """The chart, the table behind it, the map and the Core20 headline in words."""
    # Two wordings: against England alone, or also against the people the organisation serves once an admin
    # has set that up (the settings browser test does, for the demo organisation this session shares).
    expect(page.locator("#core20-headline")).to_contain_text(
        re.compile(
            r"of the people affected \(\d+%\) live in the most deprived fifth of neighbourhoods in England"
            r"(: |, against \d+% of the people we serve)"
        )
    )
    expect(page.locator("img.hia-chart")).to_have_count(2)
    _images_loaded(page)
    table = page.locator("table.nhsuk-table", has_text="People affected by deprivation decile")
    expect(table.locator("tbody tr")).to_have_count(10)


def _upload(page: Page, summary: str, field: str, name: str, data: bytes, button: str) -> None:
    if page.locator("details", has=page.get_by_text(summary)).get_attribute("open") is None:
        page.get_by_text(summary).click()  # after an error the chosen way is open already
    page.locator(f"#{field}").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": data}]
    )
    page.get_by_role("button", name=button).click()


def _save(page: Page) -> None:
    """Save and continue; the page must move on (an error summary here is a failure, with its text)."""
    before = page.url
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state(timeout=NAVIGATION_MS)
    if page.url == before:
        problem = page.locator(".nhsuk-error-summary, .nhsuk-warning-callout")
        raise AssertionError(f"{before} did not save: {problem.all_inner_texts()}")


def _show_a_validation_error_then_fix_it(page: Page, pages: dict[str, Any], answers: Answers) -> None:
    """On the first page with a date: a two-digit year is refused in the summary and inline, answers kept."""
    current = pages[page_id_of(page.url)]
    date_question = next(q for q in current.questions if q.type == "date")
    fill_page(page, current.questions, answers)
    year = page.locator(f'[name="{date_question.id}-year"]')
    filled = year.input_value()
    year.fill("27")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("must include a year with 4 numbers")
    expect(page.locator(f'[id="{date_question.id}-error"]')).to_contain_text(
        "must include a year with 4 numbers"
    )
    kept = next(q for q in current.questions if q.id in answers.typed)
    expect(page.locator(f'[name="{kept.id}"]')).to_have_value(answers.typed[kept.id])  # nothing lost
    axe_check(page)
    screenshot(page, "wizard-validation-error")
    summary.get_by_role("link").first.click()  # the summary's link takes the person to the box that is wrong
    expect(page.locator(f'[id="{date_question.id}-year"]')).to_be_focused()
    year.fill(filled)


def _answer_every_page(page: Page, live_server: LiveServer, choose_area: Any) -> Answers:
    """From the first page to "check your answers", answering whatever each page shows."""
    pages = framework_pages(live_server.app)
    answers = Answers()
    validation_shown = revealed_shot = False
    for _ in range(MAX_PAGES):
        page_id = page_id_of(page.url)
        if page_id == "check-answers":
            return answers
        current = pages[page_id]
        expect(page.locator("h1")).to_have_text(current.title)
        if current.is_area:
            choose_area(page)
            axe_check(page)
            screenshot(page, "wizard-area-profile")
            page.get_by_role("link", name="Continue").click()
            continue
        if not validation_shown and any(q.type == "date" for q in current.questions):
            _show_a_validation_error_then_fix_it(page, pages, answers)
            validation_shown = True
        else:
            fill_page(page, current.questions, answers)
        axe_check(page)
        if (
            not revealed_shot
            and page.locator(".nhsuk-radios__conditional:not(.nhsuk-radios__conditional--hidden)").count()
        ):
            screenshot(page, "wizard-page-with-follow-up")
            revealed_shot = True
        _save(page)
    raise AssertionError(f"no 'check your answers' after {MAX_PAGES} pages")


def _answer_local_groups(page: Page) -> None:
    """An organisation's own groups are a task of their own, outside the framework's pages: answered when the
    task list shows them (the settings browser test adds one for the demo organisation)."""
    task = page.locator(".nhsuk-task-list__link", has_text="Local groups")
    if not task.count():
        return
    task.click()
    expect(page.get_by_role("heading", name="Local groups", level=1)).to_be_visible()
    expect(page.locator('input[type="radio"]').first).to_be_visible()
    for name in {r.get_attribute("name") for r in page.locator('input[type="radio"]').all()}:
        page.locator(f'input[type="radio"][name="{name}"]').first.check()
    for box in page.locator("textarea").all():
        box.fill("Example notes on this local group")
    axe_check(page)
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator(".nhsuk-task-list")).to_be_visible()


def _by_patient_list(page: Page) -> None:
    page.get_by_text("Paste neighbourhood (LSOA) codes").click()
    page.locator("#lsoa_codes").fill("E0100000X")  # not a code: refused beside the box
    page.get_by_role("button", name="Use these codes").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.locator("#lsoa_codes-error")).to_be_visible()
    _upload(page, "Upload a patient list", "patient_file", "patients.csv", PATIENT_LIST, "Upload the list")
    _expect_profile(page)
    expect(page.locator("body")).not_to_contain_text("FY1 1AN")  # postcodes are never shown or stored


def test_complete_an_assessment_page_by_page(
    page: Page, live_server: LiveServer, reference_loaded: Path
) -> None:
    sign_in_as(page, "manager")
    page.get_by_role("link", name="Start a new assessment").first.click()
    page.wait_for_url("**/assessments/new")
    axe_check(page)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name for the proposal")
    page.get_by_label("What is the proposal called?").fill("Move the phlebotomy clinic")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator(".nhsuk-task-list")).to_contain_text("Not started")
    axe_check(page)
    screenshot(page, "wizard-task-list")
    assessment_id = int(re.search(r"/assessments/(\d+)", page.url).group(1))

    page.locator(".nhsuk-task-list__link").first.click()
    answers = _answer_every_page(page, live_server, _by_patient_list)

    expect(page.get_by_role("heading", name="Check your answers before you submit")).to_be_visible()
    expect(page.locator(".nhsuk-warning-callout")).to_have_count(0)  # every section complete
    expect(page.locator("main")).to_contain_text(HOSTILE)  # shown as the text typed, not as markup
    assert page.evaluate("window.hiaPwned") is None
    expect(page.locator("main b", has_text="Riverside")).to_have_count(0)
    axe_check(page)
    screenshot(page, "wizard-check-answers")

    page.goto(f"/assessments/{assessment_id}")
    _answer_local_groups(page)
    expect(page.locator(".nhsuk-task-list")).not_to_contain_text("Not started")
    expect(page.locator(".nhsuk-task-list")).not_to_contain_text("In progress")
    axe_check(page)
    screenshot(page, "wizard-task-list-complete")
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".nhsuk-panel")).to_contain_text("HIA-")
    axe_check(page)
    screenshot(page, "wizard-submitted")

    _expect_read_only(page, live_server, assessment_id, answers)


def _expect_read_only(page: Page, live_server: LiveServer, assessment_id: int, answers: Answers) -> None:
    """Every edit address now answers with the read-only task list; the frozen version holds the answers."""
    for page_id in framework_pages(live_server.app):
        page.goto(f"/assessments/{assessment_id}/{page_id}")
        expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}$"))
        expect(page.locator("main")).to_contain_text("cannot be changed")
        expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)
    expect(page.locator(".nhsuk-task-list__link")).to_have_count(0)
    page.goto(f"/assessments/{assessment_id}/check-answers")
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(page.locator("main").get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    with live_server.app.app_context():
        from hia_service.data.models import Assessment
        from hia_service.extensions import db

        version = db.session.get(Assessment, assessment_id).versions[0]
        assert version.answers[answers.hostile_in] == HOSTILE
        assert "FY1 1AN" not in json.dumps(version.answers) + json.dumps(version.profile)
        assert version.framework_version and version.profile["core20_share"] is not None
        db.session.rollback()


def test_area_from_a_geojson_boundary(page: Page, live_server: LiveServer, reference_loaded: Path) -> None:
    sign_in_as(page, "manager")
    assessment_id = _start(page, "Open a community diagnostic centre in Blackpool")
    page.goto(f"/assessments/{assessment_id}/area")
    boundary = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [BLACKPOOL]}}
        ],
    }
    _upload(page, "Upload a boundary (GeoJSON)", "geojson_file", "boundary.txt", b"{}", "Upload the boundary")
    expect(page.locator("#geojson_file-error")).to_contain_text(".geojson")  # the wrong kind of file
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    axe_check(page)
    data = json.dumps(boundary).encode()
    _upload(
        page, "Upload a boundary (GeoJSON)", "geojson_file", "blackpool.geojson", data, "Upload the boundary"
    )
    _expect_profile(page)
    more = page.locator("details", has_text="More about these figures")  # technical measures one click away
    expect(more).to_contain_text("Neighbourhoods (LSOAs)")
    axe_check(page)
    screenshot(page, "wizard-area-geojson")


def test_resume_after_signing_out(page: Page, live_server: LiveServer) -> None:
    sign_in_as(page, "manager")
    title = "Resume the evening clinic proposal"
    assessment_id = _start(page, title)
    pages = framework_pages(live_server.app)
    first = next(iter(pages.values()))
    page.goto(f"/assessments/{assessment_id}/{first.id}")
    answers = Answers()
    fill_page(page, first.questions, answers, {TITLE_QUESTION: title})
    _save(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, "manager")
    page.get_by_role("link", name=title).first.click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/{re.escape(first.id)}$"))
    kept = next(q for q in first.questions if q.id in answers.typed)
    expect(page.locator(f'[name="{kept.id}"]')).to_have_value(answers.typed[kept.id])
    axe_check(page)


def _keyboard_page(pages: dict[str, Any]) -> Any:
    """The first section page (after the area) of radios, boxes and dates only, with a radio and a box."""
    plain = {"text", "long_text", "person", "choice", "impact", "multi_choice", "date", "profile"}
    firsts: dict[str, str] = {}
    for candidate in pages.values():
        firsts.setdefault(candidate.section.id, candidate.id)
    seen_area = False
    for candidate in pages.values():
        seen_area = seen_area or candidate.is_area
        types = {q.type for q in candidate.questions}
        if (
            seen_area
            and firsts[candidate.section.id] == candidate.id
            and types <= plain
            and types & {"choice", "impact"}
            and types & {"text", "long_text", "person"}
        ):
            return candidate
    raise AssertionError("no page suits a keyboard pass")


def test_keyboard_only_section(page: Page, live_server: LiveServer) -> None:
    sign_in_as(page, "manager")
    assessment_id = _start(page, "Keyboard only proposal")
    pages = framework_pages(live_server.app)
    chosen = _keyboard_page(pages)
    page.goto(f"/assessments/{assessment_id}")  # from here on: Tab, Space, Enter and typing, nothing else
    tab_to(page, f'a.nhsuk-task-list__link[href$="/{chosen.id}"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{re.escape(chosen.id)}$"))
    expect(page.locator("h1")).to_have_text(chosen.title)  # the page itself, not just its address
    answers = Answers()
    fill_page_by_keyboard(page, chosen.questions, answers)
    screenshot(page, "wizard-keyboard-only")
    tab_to(page, 'button[type="submit"].nhsuk-button')
    page.keyboard.press("Enter")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(page).not_to_have_url(re.compile(rf"/{re.escape(chosen.id)}$"), timeout=NAVIGATION_MS)
    page.goto(f"/assessments/{assessment_id}/{chosen.id}")
    for question_id, text in answers.typed.items():
        box = page.locator(f'[name="{question_id}"], [name^="{question_id}--"]').locator("visible=true").first
        expect(box).to_have_value(text)
    for question in chosen.questions:
        if question.type in ("choice", "impact"):
            expect(page.locator(f'input[type="radio"][name="{question.id}"]:checked')).to_have_count(1)
    axe_check(page)


def test_two_tabs_on_one_page_the_later_save_is_told(page: Page, live_server: LiveServer) -> None:
    sign_in_as(page, "manager")
    assessment_id = _start(page, "Two windows proposal")
    pages = framework_pages(live_server.app)
    chosen = next(
        p
        for p in pages.values()
        if not p.is_area and any(q.type == "long_text" and not q.condition for q in p.questions)
    )
    question = next(q for q in chosen.questions if q.type == "long_text" and not q.condition)
    url = f"/assessments/{assessment_id}/{chosen.id}"
    other = page.context.new_page()
    page.goto(url)
    other.goto(url)

    fill_page(other, chosen.questions, Answers(), {question.id: "Saved in the other window"})
    _save(other)
    fill_page(page, chosen.questions, Answers(), {question.id: "Typed in this window"})
    page.get_by_role("button", name="Save and continue").click()
    callout = page.locator(".nhsuk-warning-callout")
    expect(callout).to_contain_text("Someone else changed this page")
    expect(callout).to_contain_text("Saved answer: Saved in the other window")
    expect(callout).to_contain_text("Your answer: Typed in this window")
    expect(page.locator(f'[name="{question.id}"]')).to_have_value("Typed in this window")  # nothing lost
    axe_check(page)
    screenshot(page, "wizard-two-tabs-conflict")
    _save(page)  # saving again keeps this window's answer, knowingly
    other.goto(url)
    expect(other.locator(f'[name="{question.id}"]')).to_have_value("Typed in this window")
    other.close()
