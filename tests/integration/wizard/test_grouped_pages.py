"""Related questions share a page (issue 20 item 2): every group of a section on one page (or one page per
category), old one-group page ids sent to the group on the page that now holds it, and an error on one group
showing the whole page again with everything typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.wizard.test_wizard import PROPOSAL, _form, _start

PC_GROUPS = (
    "pc.age",
    "pc.disability",
    "pc.gender_reassignment",
    "pc.pregnancy_maternity",
    "pc.race",
    "pc.religion_belief",
    "pc.sex",
    "pc.sexual_orientation",
)


@pytest.fixture
def assessment_id(client: FlaskClient, make_user: Any, sign_in: Any) -> int:
    sign_in(make_user("manager"))
    return _start(client)


def _html(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _stored(app: Flask, assessment_id: int) -> dict[str, Any]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        return {**row.answers, "current_section": row.current_section}


def _set(app: Flask, assessment_id: int, current_section: str | None = None, **answers: Any) -> None:
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        row.answers = {**row.answers, **answers}
        if current_section:
            row.current_section = current_section
        commit()


def test_the_protected_characteristics_share_one_page_with_a_heading_each(
    client: FlaskClient, assessment_id: int
) -> None:
    html = _html(client.get(f"/assessments/{assessment_id}/pc"))
    assert "<h1>Protected characteristics</h1>" in html
    for group_id in PC_GROUPS:
        assert f'id="{group_id}"' in html, group_id  # the group's heading, where old links land
        assert f'name="{group_id}.impact"' in html and f'name="{group_id}.evidence"' in html
        # The mitigation is revealed under "Negative" (works without JavaScript: the boxes are in the page).
        assert f'id="conditional-{group_id}.impact-3"' in html
    assert html.index('id="pc.age"') < html.index('id="pc.race"') < html.index('id="pc.sexual_orientation"')
    assert re.search(r"section \d+ of \d+</span>", html)  # one page in its section: no "page x of n"


def test_inclusion_groups_are_two_pages_by_category_with_page_x_of_n(
    client: FlaskClient, assessment_id: int, app: Flask
) -> None:
    _set(app, assessment_id, **{"screening.depth": "full"})
    first = _html(client.get(f"/assessments/{assessment_id}/inclusion"))
    second = _html(client.get(f"/assessments/{assessment_id}/inclusion-2"))
    assert "<h1>Inclusion health groups</h1>" in first and "page 1 of 2" in first
    assert "<h1>PLUS groups</h1>" in second and "page 2 of 2" in second
    assert (
        'name="inclusion.homelessness.impact"' in first
        and 'name="inclusion.homelessness.impact"' not in second
    )
    assert f'href="/assessments/{assessment_id}/inclusion"' in second  # back to the first page


def test_an_error_on_one_group_shows_the_whole_page_with_everything_typed(
    client: FlaskClient, assessment_id: int, app: Flask
) -> None:
    url = f"/assessments/{assessment_id}/pc"
    typed = {f"{g}.impact": "neutral" for g in PC_GROUPS if g != "pc.race"}
    typed |= {f"{g}.evidence": f"Evidence typed for {g}" for g in PC_GROUPS}
    typed |= {"pc.sex.impact": "negative", "pc.sex.mitigation": "Women-only sessions"}
    response = client.post(url, data={**_form(client, url), **typed})  # pc.race's impact left out
    html = _html(response)
    assert response.status_code == 400
    assert 'href="#pc.race.impact"' in html and "Select the likely impact for race" in html.replace(
        "Race", "race"
    )
    for group_id in PC_GROUPS:
        assert f"Evidence typed for {group_id}" in html, group_id
    assert "Women-only sessions" in html
    assert 'id="pc.sex.impact-3" name="pc.sex.impact" type="radio" value="negative" checked' in html
    assert "pc.sex.impact" not in _stored(app, assessment_id)  # nothing saved on an error
    fixed = client.post(url, data={**_form(client, url), **typed, "pc.race.impact": "unknown"})
    assert fixed.status_code == 302
    stored = _stored(app, assessment_id)
    assert stored["pc.sex.mitigation"] == "Women-only sessions" and stored["pc.race.impact"] == "unknown"
    assert stored["pc.age.evidence"] == "Evidence typed for pc.age" and stored["current_section"] == "pc"


def test_save_and_come_back_later_on_a_grouped_page_keeps_a_half_done_page(
    client: FlaskClient, assessment_id: int, app: Flask
) -> None:
    url = f"/assessments/{assessment_id}/pc"
    later = {"action": "later", "pc.age.impact": "negative", "pc.disability.evidence": "Half an answer"}
    assert client.post(url, data={**_form(client, url), **later}).status_code == 302
    stored = _stored(app, assessment_id)
    assert stored["pc.age.impact"] == "negative" and stored["pc.disability.evidence"] == "Half an answer"
    resumed = client.get(f"/assessments/{assessment_id}/resume")
    assert resumed.headers["Location"].endswith(f"/assessments/{assessment_id}/pc")


def test_an_old_page_id_goes_to_its_group_on_the_page_that_holds_it(
    client: FlaskClient, assessment_id: int, app: Flask
) -> None:
    _set(app, assessment_id, current_section="pc.race")  # where someone left off before this release
    resumed = client.get(f"/assessments/{assessment_id}/resume")
    assert resumed.headers["Location"].endswith(f"/assessments/{assessment_id}/pc.race")
    moved = client.get(resumed.headers["Location"])
    assert moved.status_code == 302 and moved.headers["Location"].endswith(
        f"/assessments/{assessment_id}/pc#pc.race"
    )
    kept = client.get(f"/assessments/{assessment_id}/core20.outcomes?return_to=check-answers")
    assert kept.headers["Location"].endswith("/core20?return_to=check-answers#core20.outcomes")
    assert client.get(f"/assessments/{assessment_id}/pc.nothing").status_code == 404


def test_a_form_from_an_old_one_group_page_saves_that_group_only(
    client: FlaskClient, assessment_id: int, app: Flask
) -> None:
    """A tab opened before the release posts one group: the other groups' answers are left as they were."""
    _set(app, assessment_id, **{"pc.age.impact": "positive", "pc.age.evidence": "Survey of 400 patients"})
    form = _form(client, f"/assessments/{assessment_id}/pc")
    response = client.post(
        f"/assessments/{assessment_id}/pc.race", data={**form, "pc.race.impact": "neutral"}
    )
    assert response.status_code == 302
    stored = _stored(app, assessment_id)
    assert stored["pc.race.impact"] == "neutral"
    assert stored["pc.age.impact"] == "positive" and stored["pc.age.evidence"] == "Survey of 400 patients"


def test_check_answers_change_links_go_to_the_question_on_its_grouped_page(
    client: FlaskClient, assessment_id: int, app: Flask
) -> None:
    url = f"/assessments/{assessment_id}/proposal"
    client.post(url, data={**_form(client, url), **PROPOSAL})
    _set(app, assessment_id, **{"pc.race.impact": "negative", "pc.race.evidence": "Fewer interpreters"})
    html = _html(client.get(f"/assessments/{assessment_id}/check-answers"))
    assert f'href="/assessments/{assessment_id}/pc?return_to=check-answers#pc.race.impact"' in html
    assert f'href="/assessments/{assessment_id}/pc?return_to=check-answers#pc.race.evidence"' in html
    page = _html(client.get(f"/assessments/{assessment_id}/pc?return_to=check-answers"))
    assert 'id="pc.race.impact"' in page and 'id="pc.race.evidence"' in page  # the anchors exist
