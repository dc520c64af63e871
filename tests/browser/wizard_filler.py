"""Answer a wizard page in the browser from the framework itself, so new sections and questions (framework
1.1's screening, EHIA ratings...) are answered without editing the tests.

`fill_page` answers each question of the page that the browser shows, by its type; `fill_page_by_keyboard`
does the same with Tab, Space and typing only. Questions come from `services.wizard.pages()`, read at
test time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask
from playwright.sync_api import Locator, Page

# Real postcodes (not on any patient list here) for "Distance to the service": the site now, and the next.
SITE_POSTCODES = {"access.current_site": "FY1 4AA", "access.proposed_site": "FY3 8NR"}
HOSTILE = '<script>window.hiaPwned = true</script><b>Riverside</b> & "friends"'


@dataclass
class Answers:
    """What the filler typed, so a test can look for it later; dates rise so every "after" rule holds."""

    first_date: date = field(default_factory=lambda: date.today() + timedelta(days=60))
    typed: dict[str, str] = field(default_factory=dict)
    hostile_in: str | None = None  # the question given HOSTILE as its answer
    _dates: Iterator[int] = field(default_factory=itertools.count)

    def next_date(self) -> date:
        return self.first_date + timedelta(days=30 * next(self._dates))

    def text_for(self, question: Any, suffix: str = "") -> str:
        if self.hostile_in is None and question.type == "long_text":
            self.hostile_in = question.id
            return HOSTILE
        if "postcode" in question.label.lower():  # a site's postcode (Code-Point Open, Blackpool)
            return SITE_POSTCODES.get(question.id, "FY1 4AA")
        text = f"{question.label.rstrip('?')}: example answer{suffix}"
        return text[: question.max_length] if question.max_length else text


def framework_pages(app: Flask) -> dict[str, Any]:
    """The wizard's pages for the current framework, by page id."""
    from hia_service.services import rules
    from hia_service.services.assessments import wizard

    with app.app_context():
        return {p.id: p for p in wizard.pages(rules.framework())}


def page_id_of(url: str) -> str:
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


def _visible(locator: Locator) -> list[Locator]:
    return [item for item in locator.all() if item.is_visible()]


def _boxes(page: Page, name: str) -> list[Locator]:
    """The visible boxes for a text question: its own id, or the copy under the radio option chosen."""
    return _visible(page.locator(f'[name="{name}"], [name^="{name}--"]'))


def _fill_box(box: Locator, text: str) -> None:
    if box.evaluate("e => e.tagName") == "SELECT":
        box.select_option(index=1)  # a list of choices (directorates, sites...): take the first real one
    else:
        box.fill(text)


def _fill_date(page: Page, name: str, when: date) -> bool:
    day = page.locator(f'[name="{name}-day"]')
    if not day.count() or not day.is_visible():
        return False
    day.fill(str(when.day))
    page.locator(f'[name="{name}-month"]').fill(str(when.month))
    page.locator(f'[name="{name}-year"]').fill(str(when.year))
    return True


def choice_for(question: Any) -> str | None:
    """Negative for impacts (it reveals the mitigation box); otherwise the first option the framework names
    (None for a type that brings its own options, such as a rating: the first one on the page is taken)."""
    if question.type == "impact":
        return "negative"
    return question.options[0].value if question.options else None


def _radio(page: Page, question: Any) -> Locator | None:
    """The radio to choose for a question, whatever its type, if the page shows radios for it."""
    value = choice_for(question)
    chosen = f'[value="{value}"]' if value is not None else ""
    radio = page.locator(f'input[type="radio"][name="{question.id}"]{chosen}').first
    return radio if radio.count() and radio.is_visible() else None


def fill_page(
    page: Page, questions: tuple[Any, ...], answers: Answers, overrides: dict[str, str] | None = None
) -> None:
    """Answer every question on show, in framework order (a radio before what it reveals)."""
    overrides = overrides or {}
    for question in questions:
        kind = question.type
        radio = _radio(page, question)
        if radio is not None:  # choices, impacts, ratings and any later type shown as radios
            radio.check()
        elif kind == "multi_choice":
            for box in _visible(page.locator(f'input[type="checkbox"][name="{question.id}"]')):
                box.check()
        elif kind in ("text", "long_text", "person"):
            for box in _boxes(page, question.id):
                text = overrides.get(question.id) or answers.text_for(question)
                _fill_box(box, text)
                answers.typed[question.id] = text
        elif kind == "date":
            _fill_date(page, question.id, answers.next_date())
        elif kind in ("actions", "table"):
            _fill_first_row(page, question, answers)


def _fill_first_row(page: Page, question: Any, answers: Answers) -> None:
    for column in question.fields:
        name = f"{question.id}-0-{column.id}"
        if column.type == "date":
            _fill_date(page, name, answers.next_date())
            continue
        for box in _visible(page.locator(f'[name="{name}"]')):
            _fill_box(box, f"{column.label}: example for {question.row_label or 'row'} 1")


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def fill_page_by_keyboard(page: Page, questions: tuple[Any, ...], answers: Answers) -> None:
    """The same answers as fill_page, with Tab, Space and typing only: no clicks, no arrow keys."""
    for question in questions:
        kind = question.type
        if _radio(page, question) is not None:
            tab_to(page, f'input[type="radio"][name="{question.id}"]')
            page.keyboard.press("Space")  # Tab lands on the first option; Space chooses it
        elif kind == "multi_choice":
            for box in _visible(page.locator(f'input[type="checkbox"][name="{question.id}"]')):
                tab_to(page, f'[id="{box.get_attribute("id")}"]')
                page.keyboard.press("Space")
        elif kind in ("text", "long_text", "person"):
            for box in _boxes(page, question.id):
                text = answers.text_for(question, " (typed)")
                tab_to(page, f'[id="{box.get_attribute("id")}"]')
                page.keyboard.type(text)
                answers.typed[question.id] = text
        elif kind == "date" and page.locator(f'[name="{question.id}-day"]').is_visible():
            when = answers.next_date()
            for part, value in (("day", when.day), ("month", when.month), ("year", when.year)):
                tab_to(page, f'[name="{question.id}-{part}"]')
                page.keyboard.type(str(value))
        elif kind in ("actions", "table"):
            raise AssertionError("choose a page without tables for the keyboard pass")
