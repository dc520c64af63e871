"""Bad input on the wizard's pages: dates in the wrong format or order, over-long rows, markup that must stay
text all the way to the PDF. Each is refused (or shown) with a clear message and nothing saved is lost."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.wizard.test_wizard import PROPOSAL, _fill_everything, _form, _start

HOSTILE = '<script>alert("x")</script> <b>Riverside</b> & <font size=40>big</font>'


@pytest.fixture
def assessment_id(client: FlaskClient, make_user: Any, sign_in: Any) -> int:
    sign_in(make_user("manager"))
    found = _start(client)
    url = f"/assessments/{found}/proposal"
    assert client.post(url, data={**_form(client, url), **PROPOSAL}).status_code == 302
    return found


def _answers(app: Flask, assessment_id: int) -> dict[str, Any]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        answers = dict(db.session.get(Assessment, assessment_id).answers)
        db.session.rollback()
        return answers


def _post(client: FlaskClient, url: str, data: dict[str, str]) -> tuple[int, str]:
    response = client.post(url, data={**_form(client, url), **data})
    return response.status_code, response.get_data(as_text=True)


def _error_shown(html: str, message: str) -> None:
    """In the NHS.UK error summary and beside the question."""
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert summary and message in summary.group(0), html[:3000]
    assert re.search(
        r'class="nhsuk-error-message"[^>]*>\s*<span[^>]*>Error:</span>\s*' + re.escape(message), html
    )


MONITORING = {
    "monitoring.indicators-rows": "1",
    "monitoring.indicators-0-indicator": "Did-not-attend rate by deprivation quintile",
    "monitoring.review_owner": "Sam Lead",
}


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2028", "Review date must be a real date"),
        ("1", "6", "28", "Review date must include a year with 4 numbers"),
        ("1", "", "2028", "Review date must include a month"),
        ("first", "June", "2028", "Review date must be a real date"),
    ],
)
def test_a_date_in_the_wrong_format(
    app: Flask, client: FlaskClient, assessment_id: int, day: str, month: str, year: str, message: str
) -> None:
    date = {"monitoring.review_date-day": day, "monitoring.review_date-month": month}
    status, html = _post(
        client,
        f"/assessments/{assessment_id}/monitoring",
        {**MONITORING, **date, "monitoring.review_date-year": year},
    )
    assert status == 400
    _error_shown(html, message)
    assert 'value="Sam Lead"' in html and f'value="{year}"' in html  # what was typed stays on the page
    assert "monitoring.review_owner" not in _answers(app, assessment_id)


def test_a_review_date_before_the_decision_date(app: Flask, client: FlaskClient, assessment_id: int) -> None:
    before = {
        "monitoring.review_date-day": "1",
        "monitoring.review_date-month": "3",
        "monitoring.review_date-year": "2027",
    }
    status, html = _post(client, f"/assessments/{assessment_id}/monitoring", {**MONITORING, **before})
    assert status == 400
    _error_shown(html, "Review date must be after the decision date (1 June 2027)")
    assert 'value="Sam Lead"' in html and 'value="2027"' in html
    assert "monitoring.review_date" not in _answers(app, assessment_id)
    after = {**before, "monitoring.review_date-year": "2028"}
    status, _ = _post(client, f"/assessments/{assessment_id}/monitoring", {**MONITORING, **after})
    assert status == 302
    assert _answers(app, assessment_id)["monitoring.review_date"] == "2028-03-01"


def test_moving_the_decision_after_the_review_is_refused(
    app: Flask, client: FlaskClient, assessment_id: int
) -> None:
    review = {
        "monitoring.review_date-day": "1",
        "monitoring.review_date-month": "3",
        "monitoring.review_date-year": "2028",
    }
    assert _post(client, f"/assessments/{assessment_id}/monitoring", {**MONITORING, **review})[0] == 302
    later = {**PROPOSAL, "proposal.decision_date-year": "2029", "proposal.directorate": "Planned care"}
    status, html = _post(client, f"/assessments/{assessment_id}/proposal", later)
    assert status == 400
    _error_shown(html, "Decision date must be before the review date (1 March 2028)")
    assert 'value="Planned care"' in html
    stored = _answers(app, assessment_id)
    assert stored["proposal.decision_date"] == "2027-06-01" and stored["proposal.directorate"] == "Community"


def test_an_over_long_action_is_refused_and_kept_on_the_page(
    app: Flask, client: FlaskClient, assessment_id: int
) -> None:
    from hia_service.domain.framework.validation import CELL_MAX_LENGTH

    long_action = "Run an evening clinic. " * (CELL_MAX_LENGTH["long_text"] // 20)
    row = {
        "actions.plan-rows": "1",
        "actions.plan-0-action": long_action,
        "actions.plan-0-owner": "Sam Lead",
        "actions.plan-0-due-day": "1",
        "actions.plan-0-due-month": "9",
        "actions.plan-0-due-year": "2027",
    }
    status, html = _post(client, f"/assessments/{assessment_id}/actions", row)
    assert status == 400
    _error_shown(html, f"Action for action 1 must be {CELL_MAX_LENGTH['long_text']} characters or fewer")
    assert long_action.strip() in html and 'value="Sam Lead"' in html
    assert not _answers(app, assessment_id).get("actions.plan")


def test_markup_in_answers_is_plain_text_in_the_pdf(
    app: Flask, client: FlaskClient, assessment_id: int
) -> None:
    status, _ = _post(
        client, f"/assessments/{assessment_id}/proposal", {**PROPOSAL, "proposal.summary": HOSTILE}
    )
    assert status == 302
    _fill_everything(app, assessment_id)
    check = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in check or "&lt;script&gt;" in check
    assert "<script>alert" not in check and "<b>Riverside</b>" not in check
    submitted = client.post(
        f"/assessments/{assessment_id}/check-answers", data={"csrf_token": csrf_token_from(check)}
    )
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]

    pdf = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert HOSTILE in flat  # every character as typed: no tag read as markup, none dropped


def test_an_error_does_not_hide_a_change_made_in_another_tab(client: FlaskClient, assessment_id: int) -> None:
    url = f"/assessments/{assessment_id}/proposal"
    stale = _form(client, url)  # this tab opened the page...
    assert (
        client.post(url, data={**_form(client, url), **PROPOSAL, "proposal.lead": "Other Tab"}).status_code
        == 302
    )
    mine = {**PROPOSAL, "proposal.lead": "This Tab"}
    wrong = client.post(
        url, data={**stale, **mine, "proposal.decision_date-year": "27"}
    )  # ...then typed a mistake
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "must include a year with 4 numbers" in html
    assert f'name="lock_version" value="{stale["lock_version"]}"' in html  # still the version this tab read
    fixed = client.post(url, data={**stale, **mine, "csrf_token": csrf_token_from(html)})
    assert fixed.status_code == 409
    assert "Someone else changed this page" in fixed.get_data(as_text=True)
    assert "Other Tab" in fixed.get_data(as_text=True)


def test_a_tampered_row_count_is_refused_not_a_server_error(
    app: Flask, client: FlaskClient, assessment_id: int
) -> None:
    status, html = _post(client, f"/assessments/{assessment_id}/evidence", {"evidence.gaps-rows": "lots"})
    assert status == 400 and "There is a problem" in html
    assert "evidence.sources" not in _answers(app, assessment_id)


@pytest.mark.parametrize("lock", ["³", "٣", "abc"])
def test_a_page_with_a_lock_version_that_is_no_number_says_what_is_wrong(
    app: Flask, client: FlaskClient, assessment_id: int, lock: str
) -> None:
    """ "³" and "٣" are digits to str.isdigit but no number to int(): found by fuzzing the forms (a 500)."""
    wrong = {"monitoring.review_date-day": "31", "monitoring.review_date-month": "2"}
    status, html = _post(
        client,
        f"/assessments/{assessment_id}/monitoring",
        {**MONITORING, **wrong, "monitoring.review_date-year": "2028", "lock_version": lock},
    )
    assert status == 400
    _error_shown(html, "Review date must be a real date")
    assert "monitoring.review_owner" not in _answers(app, assessment_id)
