"""The service's users beside its catchment on the area page, and at follow-up the users before and after the
change (issue 20, item 4): lists profiled with the real engine, kept as figures only, never as postcodes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.users import EARLIER_USERS_KEY, USERS_ANSWER_KEY, stored_users
from tests.integration.wizard import test_area_bad_input as area_step
from tests.integration.wizard.test_area_bad_input import _post_area, _stored, _upload
from tests.integration.wizard.test_wizard import _form

saved = area_step.saved  # an assessment with its proposal page answered and three Blackpool LSOAs as its area


@pytest.fixture(scope="module")
def by_decile(real_engine: GeographyEngine) -> dict[int, list[str]]:
    """A few real LSOA codes from each decile, most deprived (1) to least (10)."""
    table = real_engine.release()
    found: dict[int, list[str]] = {d: [] for d in range(1, 11)}
    for code, decile in zip(table.codes.tolist(), table.imd_decile.tolist(), strict=True):
        if str(code).startswith("E01") and len(found[int(decile)]) < 5:
            found[int(decile)].append(str(code))
    return found


def patient_list(counts: dict[str, int]) -> bytes:
    return ("lsoa,count\n" + "".join(f"{code},{n}\n" for code, n in counts.items())).encode()


def test_the_area_page_sets_the_services_users_beside_the_area(
    area_app: Flask, client: FlaskClient, saved: int, by_decile: dict[int, list[str]]
) -> None:
    users = {by_decile[10][0]: 80, by_decile[1][0]: 20}  # mostly from the least deprived tenth
    data = {"method": "service_users", "users_file": _upload("users.csv", patient_list(users))}
    response = _post_area(client, saved, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = _stored(area_app, saved)["answers"][USERS_ANSWER_KEY]
    assert stored["population"] == 100 and stored["core20_share"] == pytest.approx(0.2)
    page = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    assert "20% of the service&#39;s users live in the most deprived fifth" in page
    assert 'id="users-table"' in page and "Most deprived fifth (Core20)" in page


def test_the_page_says_how_many_users_the_figures_come_from_and_how_many_were_left_out(
    area_app: Flask, client: FlaskClient, saved: int, by_decile: dict[int, list[str]]
) -> None:
    text = patient_list({by_decile[1][0]: 30, by_decile[5][0]: 70}) + b"E01999999,4\nW01999999,1\n"
    response = _post_area(client, saved, {"method": "service_users", "users_file": _upload("u.csv", text)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _stored(area_app, saved)["answers"][USERS_ANSWER_KEY]["left_out"] == 5
    page = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    assert "Worked out from 100 patients placed in a neighbourhood. 5 entries in the list could" in page


def test_a_users_list_mostly_not_placed_is_refused_and_keeps_the_old_one(
    area_app: Flask, client: FlaskClient, saved: int, by_decile: dict[int, list[str]]
) -> None:
    """1 patient placed of 61 is a wrong file, not a picture of who uses the service."""
    good = _upload("users.csv", patient_list({by_decile[1][0]: 30, by_decile[5][0]: 70}))
    assert _post_area(client, saved, {"method": "service_users", "users_file": good}).status_code == 302
    text = patient_list({by_decile[1][0]: 1}) + b"".join(b"E0199%04d,1\n" % n for n in range(60))
    response = _post_area(client, saved, {"method": "service_users", "users_file": _upload("u.csv", text)})
    assert response.status_code == 400
    assert "Only 1 of the 61 entries in the list could be placed in a neighbourhood" in response.get_data(
        as_text=True
    )
    assert _stored(area_app, saved)["answers"][USERS_ANSWER_KEY]["population"] == 100  # the list before


def test_the_users_figures_and_the_typed_answer_to_who_uses_the_service_keep_each_other(
    area_app: Flask, client: FlaskClient, saved: int, by_decile: dict[int, list[str]]
) -> None:
    """The figures were kept under the question's own key: a list replaced what was typed, and saving the
    page again replaced the list."""
    typed = "Adults with COPD from the three estates north of the town centre"
    url = f"/assessments/{saved}/who"
    answer = {"who.service_users": typed, "who.staff_affected": "no"}
    assert client.post(url, data={**_form(client, url), **answer}).status_code == 302
    users = _upload("users.csv", patient_list({by_decile[1][0]: 30, by_decile[5][0]: 70}))
    assert _post_area(client, saved, {"method": "service_users", "users_file": users}).status_code == 302
    assert client.post(url, data={**_form(client, url), **answer}).status_code == 302  # saved again
    answers = _stored(area_app, saved)["answers"]
    assert answers["who.service_users"] == typed
    assert answers[USERS_ANSWER_KEY]["population"] == 100
    page = client.get(url).get_data(as_text=True)
    assert "three estates north of the town centre" in page and "core20_share" not in page


def test_figures_kept_under_the_earlier_key_are_still_read() -> None:
    """Versions recorded before the figures had a key of their own (migration 0013 moved the drafts')."""
    figures = {"name": "users", "lsoa_count": 2, "population": 100.0, "core20_share": 0.3}
    assert stored_users({EARLIER_USERS_KEY: figures}) == stored_users({USERS_ANSWER_KEY: figures})
    assert stored_users({EARLIER_USERS_KEY: figures}) is not None
    assert stored_users({EARLIER_USERS_KEY: "Adults with COPD"}) is None  # the typed answer


def test_a_users_list_that_cannot_be_read_is_refused_and_keeps_the_old_one(
    area_app: Flask, client: FlaskClient, saved: int
) -> None:
    data = {"method": "service_users", "users_file": _upload("users.csv", b"name\nnobody\n")}
    response = _post_area(client, saved, data)
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert USERS_ANSWER_KEY not in _stored(area_app, saved)["answers"]


def test_follow_up_shows_whether_the_most_deprived_patients_stopped_coming(
    area_app: Flask, client: FlaskClient, by_decile: dict[int, list[str]], sign_in: Any
) -> None:
    from hia_service.data.transaction import commit
    from hia_service.services.assessments import authoring, service_users
    from hia_service.services.review import decisions as review
    from tests.integration.review.conftest import acting_as, add_people, create_assessment, missing_required

    people = add_people(area_app, {"author": ("manager", "RXA"), "checker": ("reviewer", "RXA")})
    assessment_id = create_assessment(area_app, people["author"], submit=False)
    before = {by_decile[1][0]: 50, by_decile[2][0]: 10, by_decile[9][0]: 40}  # 60% from the Core20 fifth
    with acting_as(area_app, people["author"]) as user:
        listed = _request(before)
        service_users.set_service_users(user, assessment_id, listed)
        commit()
    with acting_as(area_app, people["author"]) as user:  # finish, submit and approve, as people would
        rest = missing_required(authoring.assessment_for(user, assessment_id))
        authoring.save_page(user, assessment_id, list(rest), rest, None)
        authoring.submit_for_review(user, assessment_id)
        commit()
    with acting_as(area_app, people["checker"]) as user:
        review.start_review(user, assessment_id, None)
        review.approve(user, assessment_id, None)
        commit()
    sign_in(people["checker"])
    url = f"/follow-up/assessments/{assessment_id}/users"
    assert client.get(url).status_code == 200
    after = {by_decile[1][0]: 10, by_decile[9][0]: 90}  # 10% from the Core20 fifth now
    response = _post_multipart(client, url, {"users_file": _upload("now.csv", patient_list(after))})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "fell from 60% to 10% (50 percentage points)" in html and "Find out why" in html
    # Shown, not stored: the approved version still holds only the list recorded before the change.
    with acting_as(area_app, people["checker"]):
        from hia_service.data.assessments import get_assessment

        version = get_assessment(assessment_id).versions[-1]
        assert version.answers[USERS_ANSWER_KEY]["core20_share"] == pytest.approx(0.6)
        assert by_decile[1][0] not in json.dumps(version.answers[USERS_ANSWER_KEY])


def _request(counts: dict[str, int]) -> Any:
    from hia_service.services.areas.profiles import AreaRequest

    codes = list(counts)
    return AreaRequest(
        {"type": "lsoa_codes", "codes": codes, "counts": [counts[c] for c in codes]}, "patient_list"
    )


def _post_multipart(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    from tests.conftest import csrf_token_from
    from tests.integration.wizard.test_area_bad_input import _post_multipart as post

    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return post(client, url, {**data, "csrf_token": token})
