"""Who travels further (issue 19 item 4): the wizard's site postcodes, worked out with the area, stored
with the answers, shown on the check-answers page; postcodes that cannot be placed are refused on their
question."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.wizard.test_area_bad_input import (  # noqa: F401 (fixtures)
    GOOD_CODES,
    _post_area,
    _stored,
    saved,
)


def _save(client: FlaskClient, assessment_id: int, page_id: str, data: dict[str, Any]) -> Any:
    url = f"/assessments/{assessment_id}/{page_id}"
    html = client.get(url).get_data(as_text=True)
    lock = html.split('name="lock_version" value="')[1].split('"')[0]
    return client.post(url, data={"csrf_token": csrf_token_from(html), "lock_version": lock, **data})


VICTORIA, TOWN_CENTRE = "FY3 8NR", "fy14aa"  # Blackpool Victoria Hospital's postcode; a town-centre one


def test_site_postcodes_give_who_travels_further(area_app: Flask, client: FlaskClient, saved: int) -> None:  # noqa: F811
    response = _save(
        client, saved, "access", {"access.current_site": TOWN_CENTRE, "access.proposed_site": VICTORIA}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _stored(area_app, saved)
    change = stored["answers"]["access.travel_change"]
    assert stored["answers"]["access.current_site"] == "FY1 4AA"  # kept in the usual form
    assert change["current_site"] == "FY1 4AA" and change["proposed_site"] == VICTORIA
    assert change["overall"]["people"] == stored["profile"]["population"]
    assert sum(r["people"] for r in change["by_decile"]) == stored["profile"]["population"]
    assert change["site_km_apart"] > 1  # the hospital is a few km from the town centre
    page = client.get(f"/assessments/{saved}/check-answers").get_data(as_text=True)
    assert "Who travels further" in page and "By deprivation decile of the neighbourhood" in page
    rural = round(stored["profile"]["rurality"]["rural_share"] * 100)
    assert f"{rural}% of the people affected live in rural neighbourhoods" in page
    assert "People affected by rural-urban class" in page
    # Another page leaves the figures as they are; a new site works them out again.
    who = {"who.service_users": "About 3,000 patients a year", "who.staff_affected": "no"}
    assert _save(client, saved, "who", who).status_code == 302
    assert _stored(area_app, saved)["answers"]["access.travel_change"] == change
    moved = _save(
        client, saved, "access", {"access.current_site": "FY1 4AB", "access.proposed_site": VICTORIA}
    )
    assert moved.status_code == 302
    assert _stored(area_app, saved)["answers"]["access.travel_change"]["current_site"] == "FY1 4AB"
    # A new area works the figures out again for its people.
    more = GOOD_CODES + "\nE01012684"
    assert _post_area(client, saved, {"method": "lsoa_codes", "lsoa_codes": more}).status_code == 302
    again = _stored(area_app, saved)
    assert again["answers"]["access.travel_change"]["overall"]["people"] == again["profile"]["population"]
    assert again["profile"]["population"] > stored["profile"]["population"]


@pytest.mark.parametrize(
    ("current", "message"),
    [("ZZ9 9ZZ", "is not in Code-Point Open"), ("NOTAPC", "Enter a full UK postcode")],
)
def test_a_site_postcode_that_cannot_be_placed_is_refused(
    area_app: Flask,
    client: FlaskClient,
    saved: int,  # noqa: F811
    current: str,
    message: str,
) -> None:
    response = _save(
        client, saved, "access", {"access.current_site": current, "access.proposed_site": VICTORIA}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "access.travel_change" not in _stored(area_app, saved)["answers"]
    assert "access.proposed_site" not in _stored(area_app, saved)["answers"]  # nothing stored


def test_only_one_postcode_stores_no_figures(area_app: Flask, client: FlaskClient, saved: int) -> None:  # noqa: F811
    response = _save(client, saved, "access", {"access.current_site": VICTORIA, "access.proposed_site": ""})
    assert response.status_code == 302
    answers: dict[str, Any] = _stored(area_app, saved)["answers"]
    assert answers["access.current_site"] == VICTORIA and "access.travel_change" not in answers


def test_the_reviewer_sees_who_travels_further(
    area_app: Flask,
    client: FlaskClient,
    saved: int,  # noqa: F811
    make_user: Any,
    sign_in: Any,
) -> None:
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from hia_service.services import rules
    from hia_service.services.assessments import authoring
    from tests.integration.review.conftest import missing_required, plain_answer

    sites = {"access.current_site": TOWN_CENTRE, "access.proposed_site": VICTORIA}
    assert _save(client, saved, "access", sites).status_code == 302
    with area_app.app_context():
        author = db.session.get(Assessment, saved).author
        assessment = authoring.assessment_for(author, saved)
        plan = plain_answer(rules.framework(assessment.framework_version).question("actions.plan"))
        assert authoring.save_page(author, saved, ["actions.plan"], {"actions.plan": plan}, None).saved
        rest = missing_required(authoring.assessment_for(author, saved))
        assert authoring.save_page(author, saved, list(rest), rest, None).saved
        authoring.submit_for_review(author, saved)
        commit()
    sign_in(make_user("reviewer"))
    for url in (f"/review/{saved}", f"/review/{saved}/versions/1"):
        page = client.get(url).get_data(as_text=True)
        assert "Who travels further" in page and "By deprivation decile of the neighbourhood" in page, url
        assert "From FY1 4AA to FY3 8NR" in page
        assert "How far the people affected live from services" in page
