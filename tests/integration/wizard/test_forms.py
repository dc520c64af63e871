"""Forms people can use (issue 20 item 3): "Save and come back later" on every page keeps whatever is typed
without errors; every table adds and removes rows without JavaScript; nothing typed is lost on an error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.wizard.test_bad_input import _answers
from tests.integration.wizard.test_wizard import PROPOSAL, _form, _start

TABLE_PAGES = {  # page -> (table question, a choice that shows it, if any)
    "intersection": ("intersection.impacts", {"intersection.considered": "yes"}),
    "evidence": ("evidence.gaps", {"evidence.gaps_exist": "yes"}),
    "actions": ("actions.plan", {}),
    "monitoring": ("monitoring.indicators", {}),
    "conclusion": ("conclusion.options", {}),
}


@pytest.fixture
def assessment_id(client: FlaskClient, make_user: Any, sign_in: Any) -> int:
    sign_in(make_user("manager"))
    return _start(client)


def _post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**_form(client, url), **data})


def _html(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _rows_shown(html: str, question_id: str) -> int:
    found = re.search(rf'name="{re.escape(question_id)}-rows" value="(\d+)"', html)
    assert found, html[:2000]
    return int(found.group(1))


def test_first_page_saved_half_filled_with_no_errors(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    url = f"/assessments/{assessment_id}/proposal"
    half = {"proposal.title": "Move the clinic", "proposal.summary": "Half an idea so far", "action": "later"}
    response = _post(client, url, half)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}")
    tasks = _html(client.get(response.headers["Location"]))
    assert "Your answers have been saved. You can come back to this page from the task list." in tasks
    assert re.search(r"About the proposal.*?In progress", tasks, re.S), tasks
    answers = _answers(app, assessment_id)
    assert answers["proposal.summary"] == "Half an idea so far" and answers.get("proposal.kind") is None
    again = _html(client.get(url))
    assert "Half an idea so far" in again and "nhsuk-error-summary" not in again


def test_save_and_continue_still_asks_for_what_is_missing(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    url = f"/assessments/{assessment_id}/proposal"
    response = _post(client, url, {"proposal.summary": "Half an idea so far", "action": "continue"})
    html = _html(response)
    assert response.status_code == 400
    assert "nhsuk-error-summary" in html and "Half an idea so far" in html
    assert "proposal.summary" not in _answers(app, assessment_id)


def test_an_impossible_date_waits_on_the_page_and_the_rest_is_saved(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    url = f"/assessments/{assessment_id}/proposal"
    typed = {
        "proposal.lead": "Sam Lead",
        "proposal.decision_date-day": "31",
        "proposal.decision_date-month": "2",
        "proposal.decision_date-year": "2027",
        "action": "later",
    }
    response = _post(client, url, typed)
    html = _html(response)
    assert response.status_code == 200
    assert "Your other answers have been saved" in html and "must be a real date" in html
    assert 'name="proposal.decision_date-day" type="text" inputmode="numeric" value="31"' in html
    answers = _answers(app, assessment_id)
    assert answers["proposal.lead"] == "Sam Lead" and answers.get("proposal.decision_date") is None


def test_a_row_half_filled_is_kept_for_later_and_holds_up_the_section(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    url = f"/assessments/{assessment_id}/actions"
    row = {"actions.plan-rows": "2", "actions.plan-0-action": "Run a pop-up clinic", "action": "later"}
    assert _post(client, url, row).status_code == 302
    saved = _answers(app, assessment_id)["actions.plan"]
    assert len(saved) == 1 and saved[0]["action"] == "Run a pop-up clinic" and saved[0]["owner"] is None
    tasks = _html(client.get(f"/assessments/{assessment_id}"))
    assert re.search(r"Action plan.*?In progress", tasks, re.S) or "In progress" in tasks
    continued = _post(client, url, {**row, "action": "continue", "actions.plan-rows": "1"})
    assert continued.status_code == 400
    assert "Enter the owner for action 1" in _html(continued)


def test_add_another_row_without_javascript_keeps_what_was_typed(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    url = f"/assessments/{assessment_id}/actions"
    page = _html(client.get(url))
    assert _rows_shown(page, "actions.plan") == 1
    assert 'name="add_row" value="actions.plan"' in page and "Add another action" in page
    typed = {
        "actions.plan-rows": "1",
        "actions.plan-0-action": "Run a pop-up clinic",
        "add_row": "actions.plan",
    }
    response = _post(client, url, typed)
    html = _html(response)
    assert response.status_code == 200 and "nhsuk-error-summary" not in html
    assert _rows_shown(html, "actions.plan") == 2
    assert "Run a pop-up clinic" in html and "Action 2" in html
    assert 'name="remove_row" value="actions.plan:1"' in html
    assert "actions.plan" not in _answers(app, assessment_id)  # a row button saves nothing


def test_remove_takes_out_that_row_only(client: FlaskClient, assessment_id: int) -> None:
    url = f"/assessments/{assessment_id}/monitoring"
    typed = {
        "monitoring.indicators-rows": "3",
        "monitoring.indicators-0-indicator": "First indicator",
        "monitoring.indicators-1-indicator": "Second indicator",
        "monitoring.indicators-2-indicator": "Third indicator",
        "monitoring.review_owner": "Sam Lead",
        "remove_row": "monitoring.indicators:1",
    }
    html = _html(_post(client, url, typed))
    assert _rows_shown(html, "monitoring.indicators") == 2
    assert "Second indicator" not in html
    assert 'name="monitoring.indicators-1-indicator" type="text" value="Third indicator"' in html
    assert 'value="Sam Lead"' in html  # the rest of the page as typed


def test_an_error_shows_the_rows_as_typed_without_adding_blank_ones(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    url = f"/assessments/{assessment_id}/actions"
    typed = {
        "actions.plan-rows": "2",
        "actions.plan-0-action": "Run a pop-up clinic",
        "actions.plan-1-action": "Text reminders",
        "actions.plan-1-owner": "Sam Lead",
    }
    response = _post(client, url, typed)
    html = _html(response)
    assert response.status_code == 400
    assert _rows_shown(html, "actions.plan") == 2
    assert "Run a pop-up clinic" in html and "Text reminders" in html and "Sam Lead" in html


@pytest.mark.parametrize("page_id", sorted(TABLE_PAGES))
def test_every_table_adds_and_removes_rows(client: FlaskClient, assessment_id: int, page_id: str) -> None:
    question_id, shown_by = TABLE_PAGES[page_id]
    url = f"/assessments/{assessment_id}/{page_id}"
    added = _html(_post(client, url, {**shown_by, f"{question_id}-rows": "1", "add_row": question_id}))
    assert _rows_shown(added, question_id) == 2
    remove = {**shown_by, f"{question_id}-rows": "2", "remove_row": f"{question_id}:0"}
    removed = _html(_post(client, url, remove))
    assert _rows_shown(removed, question_id) == 1


def test_every_page_offers_save_and_come_back_later(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    from hia_service.services import rules
    from hia_service.services.assessments import wizard

    _post(client, f"/assessments/{assessment_id}/proposal", PROPOSAL)
    with app.app_context():
        page_ids = [p.id for p in wizard.pages(rules.framework()) if not p.is_area]
    for page_id in page_ids:
        html = _html(client.get(f"/assessments/{assessment_id}/{page_id}"))
        assert 'name="action" value="later">Save and come back later</button>' in html, page_id
        saved = _post(client, f"/assessments/{assessment_id}/{page_id}", {"action": "later"})
        assert saved.status_code == 302, (page_id, _html(saved)[:2000])


def test_check_answers_by_section_with_long_answers_folded_and_exact_change_links(
    client: FlaskClient, app: Flask, assessment_id: int
) -> None:
    long_summary = " ".join(f"word{n}" for n in range(120))
    _post(client, f"/assessments/{assessment_id}/proposal", {**PROPOSAL, "proposal.summary": long_summary})
    html = _html(client.get(f"/assessments/{assessment_id}/check-answers"))
    assert 'class="nhsuk-contents-list"' in html and 'href="#section-proposal"' in html
    folded = re.search(r"<details class=\"nhsuk-details[^>]*>.*?</details>", html, re.S)
    assert folded and "Show all 120 words" in folded.group(0) and "word119" in folded.group(0)
    assert "word0 word1" in html.split("<details")[0]  # the first words stay in view
    assert "Better access" in html and "Show all 2 words" not in html  # short answers are not folded
    change = f"/assessments/{assessment_id}/proposal?return_to=check-answers#proposal.summary"
    assert f'href="{change}"' in html
