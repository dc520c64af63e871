"""The manager's guided assessment through the web: start, save, conflicts, submit, privacy, escaping."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from


def _start(client: FlaskClient, title: str = "Move the clinic") -> int:
    page = client.get("/assessments/new")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/assessments/new", data={"title": title, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/assessments/(\d+)", response.headers["Location"]).group(1))


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    html = client.get(url).get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', html).group(1)
    return {"csrf_token": csrf_token_from(html), "lock_version": lock}


PROPOSAL = {
    "proposal.title": "Move the clinic",
    "proposal.kind": "service_change",
    "proposal.changes_access": "yes",
    "proposal.scope": "local",
    "proposal.summary": "Move it",
    "proposal.outcomes": "Better access",
    "proposal.decision_forum": "Board",
    "proposal.decision_date-day": "1",
    "proposal.decision_date-month": "6",
    "proposal.decision_date-year": "2027",
    "proposal.lead": "A Person",
    "proposal.directorate": "Community",
}


def _signed_in_manager(make_user: Any, sign_in: Any) -> dict[str, Any]:
    user = make_user("manager")
    sign_in(user)
    return user


def test_start_lists_it_and_saves_a_page(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    home = client.get("/home").get_data(as_text=True)
    assert "Move the clinic" in home and "Draft" in home
    url = f"/assessments/{assessment_id}/proposal"
    response = client.post(url, data={**_form(client, url), **PROPOSAL})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/area")
    tasks = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "Completed" in tasks
    first = client.get(url).get_data(as_text=True)
    assert re.search(
        r"About the proposal<span class=\"hia-progress\"> &ndash; section 1 of \d+</span>", first
    )
    resume = client.get(f"/assessments/{assessment_id}/resume")
    assert resume.headers["Location"].endswith("/proposal")


def test_validation_error_keeps_other_answers(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    url = f"/assessments/{assessment_id}/proposal"
    data = {
        **_form(client, url),
        **PROPOSAL,
        "proposal.decision_date-month": "13",
        "proposal.lead": "x" * 201,
    }
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "must be a real date" in html
    assert "200 characters or fewer" in html
    assert 'value="Community"' in html  # other answers kept on the page


def test_conflict_is_shown_then_saving_again_keeps_mine(
    client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    url = f"/assessments/{assessment_id}/proposal"
    stale = _form(client, url)
    assert client.post(url, data={**_form(client, url), **PROPOSAL}).status_code == 302
    mine = {**PROPOSAL, "proposal.summary": "My version"}
    response = client.post(url, data={**stale, **mine})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this page" in html and "My version" in html and "Move it" in html
    fresh_lock = re.search(r'name="lock_version" value="(\d+)"', html).group(1)
    again = client.post(url, data={**stale, "lock_version": fresh_lock, **mine})
    assert again.status_code == 302
    assert "My version" in client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)


def test_html_in_answers_is_inert(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client, "<script>alert(1)</script>")
    url = f"/assessments/{assessment_id}/proposal"
    data = {**_form(client, url), **PROPOSAL, "proposal.summary": "<img src=x onerror=alert(1)>"}
    client.post(url, data=data)
    html = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)</script>" not in client.get("/home").get_data(as_text=True)


def _stored_title(app: Flask, assessment_id: int) -> tuple[str, str]:
    """(the assessment's title, its answer to the title question) as stored."""
    from hia_service.data.assessments import get_assessment

    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        return assessment.title, assessment.answers["proposal.title"]


def test_a_title_is_one_line_however_it_is_typed(
    client: FlaskClient, app: Flask, make_user: Any, sign_in: Any
) -> None:
    """Line breaks (a vertical tab or form feed is cleaned into one) and Unicode separators become spaces
    where a title is started and where it is changed: it heads pages and every email about it."""
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client, "Move the clinic\r\nBcc: x@y.nhs.uk\x0b\u2028")
    assert _stored_title(app, assessment_id) == ("Move the clinic Bcc: x@y.nhs.uk",) * 2
    url = f"/assessments/{assessment_id}/proposal"
    typed = "Move the\u2029clinic\x85to \x0cRiverside\n"
    response = client.post(url, data={**_form(client, url), **PROPOSAL, "proposal.title": typed})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _stored_title(app, assessment_id) == ("Move the clinic to Riverside",) * 2


def test_a_title_of_only_invisible_characters_is_no_title(
    client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    """A zero-width space passed a check that strips only spaces, making a proposal with an invisible name."""
    _signed_in_manager(make_user, sign_in)
    token = csrf_token_from(client.get("/assessments/new").get_data(as_text=True))
    response = client.post("/assessments/new", data={"title": "\u200b\u2060", "csrf_token": token})
    assert response.status_code == 400 and "Enter a name for the proposal" in response.get_data(as_text=True)


def test_another_manager_gets_not_found(
    client: FlaskClient, app: Flask, make_user: Any, sign_in: Any
) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    other = app.test_client()
    page = other.get("/sign-in")
    user = make_user("manager")
    from tests.conftest import TEST_PASSWORD

    token = csrf_token_from(page.get_data(as_text=True))
    other.post("/sign-in", data={"email": user["email"], "password": TEST_PASSWORD, "csrf_token": token})
    for path in ("", "/proposal", "/check-answers"):
        assert other.get(f"/assessments/{assessment_id}{path}").status_code == 404


def test_submit_freezes_a_version_and_blocks_edits(
    client: FlaskClient, app: Flask, make_user: Any, sign_in: Any
) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    check = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    incomplete = client.post(
        f"/assessments/{assessment_id}/check-answers", data={"csrf_token": csrf_token_from(check)}
    )
    assert incomplete.status_code == 400 and "Complete every section" in incomplete.get_data(as_text=True)
    _fill_everything(app, assessment_id)
    response = client.post(
        f"/assessments/{assessment_id}/check-answers", data={"csrf_token": csrf_token_from(check)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nhsuk-panel" in confirmation and "HIA-" in confirmation
    blocked = client.get(f"/assessments/{assessment_id}/proposal", follow_redirects=True)
    assert "cannot be changed" in blocked.get_data(as_text=True)
    with app.app_context():
        from hia_service.data.models import Assessment
        from hia_service.extensions import db

        assert len(db.session.get(Assessment, assessment_id).versions) == 1


def _fill_everything(app: Flask, assessment_id: int) -> None:
    """Answer every required question directly (the browser test answers them page by page)."""
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from hia_service.services import rules

    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        framework = rules.framework(assessment.framework_version)
        answers = dict(assessment.answers)
        for question in framework.questions():
            answers.setdefault(question.id, _an_answer(question))
        assessment.answers = {k: v for k, v in answers.items() if v is not None}
        commit()


def _an_answer(question: Any) -> Any:
    kind = question.type
    if kind == "impact":
        return "neutral"
    if kind in ("choice", "rating"):
        return "yes" if any(o.value == "yes" for o in question.options) else question.options[0].value
    if kind == "multi_choice":  # every choice but "none of these", which rules the others out
        return [o.value for o in question.options if o.value != "none"] or [question.options[0].value]
    if kind == "date":
        return "2027-06-01"
    if kind == "geography":
        return {"type": "lsoa_codes", "codes": ["E01012681"]}
    if kind in ("actions", "table"):
        return [{f.id: _a_cell(f) for f in question.fields}]
    if kind in ("profile", "screening"):
        return None
    return "Some words"


def _a_cell(column: Any) -> str:
    if column.type == "date":
        return "2027-06-01"
    return column.options[0].value if column.type == "choice" else "Something"


def test_the_framework_speaks_on_each_page(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    """Guidance in short, the rest and the duties behind "Help with this question" (framework 1.1)."""
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    proposal = client.get(f"/assessments/{assessment_id}/proposal").get_data(as_text=True)
    short = re.search(r'<p class="nhsuk-body" id="page-guidance">(.*?)</p>', proposal, re.S)
    assert short and short.group(1) == "An assessment is only useful while the decision can still change."
    assert "nhsuk-details" in proposal and "Help with this question" in proposal
    assert "Start it as soon as the proposal is taking shape" in proposal
    assert "The duties this assessment answers" in proposal
    assert "Public sector equality duty (Equality Act 2010, section 149)" in proposal
    age = client.get(f"/assessments/{assessment_id}/pc").get_data(as_text=True)
    assert "Children and young people, working-age adults and older people" in age  # the group's prompt
    assert "is a judgement and needs evidence like any other answer." in age
    link = "https://www.equalityhumanrights.com/equality/equality-act-2010/protected-characteristics"
    assert f'href="{link}"' in age
    assert "Protected characteristics (Equality and Human Rights Commission)" in age
    area = client.get(f"/assessments/{assessment_id}/area").get_data(as_text=True)
    assert "Help with this question" in area and "Fair consultation (the Gunning principles)" in area
