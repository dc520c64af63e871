"""Follow-up questions on the wizard pages: nested in the radio option that reveals them, checked only when
visible given what was just chosen, and hidden when they depend on another page's answer."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hia_service.domain.framework import Condition, Question, Section
from hia_service.services.assessments import wizard
from tests.integration.wizard.test_wizard import _form, _start


def _stored(app: Flask, assessment_id: int) -> dict[str, Any]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        return dict(db.session.get(Assessment, assessment_id).answers)


def _conditional_block(html: str, block_id: str) -> str:
    """The markup of one radio option's conditional block (up to the next option or the end of the radios)."""
    start = html.rindex("<div", 0, html.index(f'id="{block_id}"'))
    following = [html.find(mark, start) for mark in ('class="nhsuk-radios__item"', "</fieldset>")]
    return html[start : min(i for i in following if i > 0)]


def _other_groups(group_id: str = "pc.age") -> dict[str, str]:
    """Impacts for the other groups on the grouped page, so "Save and continue" is only about this one."""
    from hia_service.domain.rules import load_framework

    section = load_framework().section(group_id.split(".")[0])
    return {f"{g.id}.impact": "neutral" for g in section.groups if g.id != group_id}


def _manager(client: FlaskClient, make_user: Any, sign_in: Any) -> int:
    sign_in(make_user("manager"))
    return _start(client)


def test_mitigation_sits_inside_the_negative_and_unknown_options(
    client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    assessment_id = _manager(client, make_user, sign_in)
    html = client.get(f"/assessments/{assessment_id}/pc").get_data(as_text=True)
    # Impact options in order: positive (no suffix), neutral -2, negative -3, unknown -4.
    negative = _conditional_block(html, "conditional-pc.age.impact-3")
    unknown = _conditional_block(html, "conditional-pc.age.impact-4")
    assert 'name="pc.age.mitigation"' in negative and "nhsuk-radios__conditional--hidden" in negative
    assert 'name="pc.age.mitigation--unknown"' in unknown
    assert 'data-aria-controls="conditional-pc.age.impact-3"' in html
    assert 'id="conditional-pc.age.impact"' not in html and 'id="conditional-pc.age.impact-2"' not in html
    outside = html.replace(negative, "").replace(unknown, "")
    assert "pc.age.mitigation" not in outside.replace('"conditional-pc.age.impact', "")  # nowhere else
    assert 'name="pc.age.evidence"' in html  # unconditional questions still shown


def test_positive_impact_saves_without_a_mitigation(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    assessment_id = _manager(client, make_user, sign_in)
    url = f"/assessments/{assessment_id}/pc"
    # Without JavaScript every box is on show: words typed under another option are not kept.
    data = {
        **_form(client, url),
        **_other_groups(),
        "pc.age.impact": "positive",
        "pc.age.mitigation": "Not needed",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = _stored(app, assessment_id)
    assert stored["pc.age.impact"] == "positive" and "pc.age.mitigation" not in stored


def test_negative_impact_keeps_the_mitigation_from_its_own_box_or_any_typed(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    assessment_id = _manager(client, make_user, sign_in)
    url = f"/assessments/{assessment_id}/pc"
    data = {
        **_form(client, url),
        **_other_groups(),
        "pc.age.impact": "unknown",
        "pc.age.mitigation--unknown": "Survey first",
    }
    assert client.post(url, data=data).status_code == 302
    assert _stored(app, assessment_id)["pc.age.mitigation"] == "Survey first"
    data = {
        **_form(client, url),
        **_other_groups(),
        "pc.age.impact": "unknown",
        "pc.age.mitigation": "Typed in the other box",
    }
    assert client.post(url, data=data).status_code == 302
    assert _stored(app, assessment_id)["pc.age.mitigation"] == "Typed in the other box"
    html = client.get(url).get_data(as_text=True)
    assert _conditional_block(html, "conditional-pc.age.impact-4").count("Typed in the other box") == 1
    assert "nhsuk-radios__conditional--hidden" not in _conditional_block(html, "conditional-pc.age.impact-4")


def test_a_missing_mitigation_is_an_error_only_if_the_framework_requires_it(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    from hia_service.services import rules

    with app.app_context():
        required = rules.framework().question("pc.age.mitigation").required
    assessment_id = _manager(client, make_user, sign_in)
    url = f"/assessments/{assessment_id}/pc"
    response = client.post(url, data={**_form(client, url), **_other_groups(), "pc.age.impact": "negative"})
    assert response.status_code == (400 if required else 302)
    too_long = {
        **_form(client, url),
        **_other_groups(),
        "pc.age.impact": "unknown",
        "pc.age.mitigation--unknown": "x" * 3001,
    }
    html = client.post(url, data=too_long).get_data(as_text=True)
    assert 'href="#pc.age.mitigation--unknown"' in html  # the error links to the box on show
    assert 'id="pc.age.mitigation--unknown-error"' in html


def test_a_required_follow_up_is_checked_only_when_revealed(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    assessment_id = _manager(client, make_user, sign_in)
    url = f"/assessments/{assessment_id}/who"
    base = {"who.service_users": "Adults who need blood tests"}
    response = client.post(url, data={**_form(client, url), **base, "who.staff_affected": "yes"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#who.staff"' in html
    assert "nhsuk-radios__conditional--hidden" not in _conditional_block(
        html, "conditional-who.staff_affected"
    )
    response = client.post(url, data={**_form(client, url), **base, "who.staff_affected": "no"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _stored(app, assessment_id)["who.staff_affected"] == "no"


def _question(qid: str, *conditions: Condition) -> Question:
    return Question(qid, "long_text", qid, qid, condition=conditions)


def test_a_condition_on_another_page_is_settled_by_the_stored_answers() -> None:
    gate = Condition("elsewhere.done", ("yes",))
    section = Section("s", "S", questions=(_question("s.note", gate), _question("s.always")))
    current = wizard.Page("s", section, "S", section.questions)
    assert [q.id for q in wizard.page_questions(current, {"elsewhere.done": "no"})] == ["s.always"]
    assert [q.id for q in wizard.page_questions(current, {"elsewhere.done": "yes"})] == ["s.note", "s.always"]
    assert wizard.follow_ups(current) == {}


def test_follow_up_copies_get_their_own_names() -> None:
    parent = Question("s.impact", "impact", "Impact", "impact")
    child = _question("s.why", Condition("s.impact", ("negative", "unknown")))
    current = wizard.Page("s", Section("s", "S", questions=(parent, child)), "S", (parent, child))
    follow_up = wizard.follow_ups(current)["s.why"]
    assert [follow_up.field_id(v) for v in ("negative", "unknown", None)] == [
        "s.why",
        "s.why--unknown",
        "s.why",
    ]
    assert wizard.page_questions(current, {}) == (parent,)
    assert re.fullmatch(r"s\.why--\w+", wizard.error_anchors(current, {"s.impact": "unknown"})["s.why"])
