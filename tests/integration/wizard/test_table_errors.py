"""Errors in a table's boxes (the action plan and every other table): every problem in every row is shown
at once, each in the error summary with a link to its own box and beside that box, with everything typed
kept (NHS.UK error summary and error message pattern)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.wizard.test_bad_input import _answers
from tests.integration.wizard.test_wizard import _form, _start

PLAN = {
    "actions.plan-rows": "3",
    "actions.plan-0-action": "Run an evening clinic",
    "actions.plan-0-owner": "Practice manager",
    "actions.plan-0-due-day": "1",
    "actions.plan-0-due-month": "9",
    "actions.plan-0-due-year": "2027",
    "actions.plan-1-action": "Text reminders",
    "actions.plan-1-owner": "Sam Lead",
    "actions.plan-1-due-day": "31",
    "actions.plan-1-due-month": "2",
    "actions.plan-1-due-year": "2027",
    "actions.plan-2-action": "Home visits for people who cannot travel",
    "actions.plan-2-owner": "",
    "actions.plan-2-due-day": "",
    "actions.plan-2-due-month": "",
    "actions.plan-2-due-year": "",
    "action": "continue",
}
EXPECTED = [  # (the box the summary links to, the message), in page order
    ("actions.plan-1-due-day", "Due date for action 2 must be a real date"),
    ("actions.plan-2-owner", "Enter the owner for action 3"),
    ("actions.plan-2-due-day", "Enter the due date for action 3"),
]


@pytest.fixture
def assessment_id(client: FlaskClient, make_user: Any, sign_in: Any) -> int:
    sign_in(make_user("manager"))
    return _start(client)


def _post(client: FlaskClient, url: str, data: dict[str, str]) -> tuple[int, str]:
    response = client.post(url, data={**_form(client, url), **data})
    return response.status_code, response.get_data(as_text=True)


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert summary, html[:3000]
    return [
        (href, " ".join(text.split()))
        for href, text in re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', summary.group(0), re.S)
    ]


def _row(html: str, table_id: str, index: int) -> str:
    found = re.search(
        rf'<fieldset class="nhsuk-fieldset hia-row" id="{re.escape(table_id)}-{index}">.*?</legend>'
        r".*?(?=<fieldset class=\"nhsuk-fieldset hia-row\"|hia-row__add)",
        html,
        re.S,
    )
    assert found, html[:3000]
    return found.group(0)


def _cell_error(html: str, box_id: str) -> str:
    found = re.search(
        rf'<span class="nhsuk-error-message" id="{re.escape(box_id)}-error">\s*'
        r'<span class="nhsuk-u-visually-hidden">Error:</span>\s*([^<]*)</span>',
        html,
    )
    assert found, f"no error message for {box_id}"
    return found.group(1).strip()


def test_every_problem_in_every_row_is_listed_and_linked_to_its_own_box(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    status, html = _post(client, f"/assessments/{assessment_id}/actions", PLAN)
    assert status == 400
    assert _summary_links(html) == EXPECTED
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []  # every link target is one box, and only one
    for box, _ in EXPECTED:
        assert ids[box] == 1, box

    owner = re.search(r'<input[^>]*\sid="actions\.plan-2-owner"[^>]*>', html)
    assert owner and "nhsuk-input--error" in owner.group(0)
    assert 'aria-describedby="actions.plan-2-owner-hint actions.plan-2-owner-error"' in owner.group(0)
    third = _row(html, "actions.plan", 2)
    owner_group = (
        r'class="nhsuk-form-group nhsuk-form-group--error">\s*<label[^>]*for="actions\.plan-2-owner"'
    )
    assert re.search(owner_group, third)
    assert _cell_error(third, "actions.plan-2-owner") == "Enter the owner for action 3"
    assert _cell_error(third, "actions.plan-2-due") == "Enter the due date for action 3"
    second = _row(html, "actions.plan", 1)
    assert _cell_error(second, "actions.plan-1-due") == "Due date for action 2 must be a real date"
    assert (
        'id="actions.plan-1-due-day" name="actions.plan-1-due-day" type="text" inputmode="numeric" value="31"'
        in second
    )
    assert "nhsuk-error-message" not in _row(html, "actions.plan", 0)
    assert 'id="actions.plan-error"' not in html  # nothing said about the table as a whole, above row 1
    owner_box = re.search(r'<input[^>]*\sid="actions\.plan-1-owner"[^>]*>', html)
    assert owner_box and "nhsuk-input--error" not in owner_box.group(0)  # a box without a problem

    for typed in ("Run an evening clinic", "Practice manager", "Text reminders", "Sam Lead", "Home visits"):
        assert typed in html
    assert not _answers(app, assessment_id).get("actions.plan")


def test_a_row_left_empty_between_others_keeps_its_number(client: FlaskClient, assessment_id: int) -> None:
    """The message names the row as numbered on the page ("Action 3"), not its place among the filled rows."""
    typed = {
        "actions.plan-rows": "3",
        "actions.plan-0-action": "Run an evening clinic",
        "actions.plan-0-owner": "Practice manager",
        "actions.plan-0-due-day": "1",
        "actions.plan-0-due-month": "9",
        "actions.plan-0-due-year": "2027",
        "actions.plan-2-action": "Text reminders",
        "actions.plan-2-due-day": "1",
        "actions.plan-2-due-month": "10",
        "actions.plan-2-due-year": "2027",
    }
    status, html = _post(client, f"/assessments/{assessment_id}/actions", typed)
    assert status == 400
    assert _summary_links(html) == [("actions.plan-2-owner", "Enter the owner for action 3")]
    assert (
        _cell_error(_row(html, "actions.plan", 2), "actions.plan-2-owner") == "Enter the owner for action 3"
    )


def test_other_tables_link_each_box_too(client: FlaskClient, assessment_id: int) -> None:
    typed = {
        "evidence.gaps_exist": "yes",
        "evidence.gaps-rows": "2",
        "evidence.gaps-0-gap": "No ethnicity recorded for 30% of referrals",
        "evidence.gaps-1-plan": "Ask at the next audit",
        "evidence.gaps-1-due-year": "2027",
    }
    status, html = _post(client, f"/assessments/{assessment_id}/evidence", typed)
    assert status == 400
    links = _summary_links(html)
    assert ("evidence.gaps-0-plan", "Enter the plan for gap 1") in links
    assert ("evidence.gaps-1-gap", "Enter the gap for gap 2") in links
    assert ("evidence.gaps-1-due-day", "Due date for gap 2 must include a day") in links
    assert _cell_error(_row(html, "evidence.gaps", 1), "evidence.gaps-1-gap") == "Enter the gap for gap 2"


def test_a_table_with_no_rows_links_to_its_first_box(client: FlaskClient, assessment_id: int) -> None:
    status, html = _post(client, f"/assessments/{assessment_id}/evidence", {"evidence.gaps_exist": "yes"})
    assert status == 400
    assert ("evidence.gaps-0-gap", "Add at least one gap") in _summary_links(html)
    assert 'id="evidence.gaps-0-gap"' in html
    assert 'id="evidence.gaps-error"' in html  # said once, above the table's rows


def test_save_for_later_links_to_the_box_it_could_not_keep(client: FlaskClient, assessment_id: int) -> None:
    typed = {**PLAN, "action": "later"}
    status, html = _post(client, f"/assessments/{assessment_id}/actions", typed)
    assert status == 200
    unsaved = re.search(r'id="unsaved".*?</ul>', html, re.S)
    assert unsaved and 'href="#actions.plan-1-due-day"' in unsaved.group(0)
    assert "Due date for action 2 must be a real date" in unsaved.group(0)
