"""The population the organisation serves: set by an admin through the page, profiled with the real engine,
added to every new profile of the organisation's assessments (wizard and API), quoted in the Core20 sentence,
and never changing a submitted version."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.review.conftest import acting_as, add_people, create_assessment
from tests.integration.settings.conftest import file, post_form
from tests.integration.wizard.test_wizard import PROPOSAL, _form, _start

BLACKPOOL = "E06000009"
BLACKBURN = "E06000008"
THREE_BLACKPOOL_LSOAS = "E01012681\nE01012682\nE01012683"


def _served(app: Flask, org: str = "RXA") -> dict[str, Any] | None:
    from hia_service.data import accounts
    from hia_service.services.organisation.population import organisation_baseline

    with app.app_context():
        served = organisation_baseline(accounts.get_organisation_by_code(org).id)
        return served.to_json() if served is not None else None


def test_admin_sets_the_population_served_from_local_authority_codes(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    response = post_form(client, "/settings/population", {"method": "area_codes", "area_codes": BLACKPOOL})
    assert response.status_code == 302, response.get_data(as_text=True)
    served = _served(area_app)
    assert served["name"] == "Test organisation RXA"
    assert served["release"] == "IoD2025"
    assert served["lsoa_count"] > 50 and 0.3 < served["core20_share"] <= 1
    page = client.get("/settings/").get_data(as_text=True)
    assert f"{served['core20_share'] * 100:.0f}% live in Core20 areas (IoD2025)" in page


WYRE = "E07000128"


def test_admin_finds_the_areas_served_by_name_in_any_case_without_javascript(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    page = client.get("/settings/population?q=BLACKPOOL,  wyre").get_data(as_text=True)
    assert f'value="lad:{BLACKPOOL}"' in page and f'value="lad:{WYRE}"' in page
    assert "Blackpool" in page and "(Local authority, E06000009)" in page
    icbs = client.get("/settings/population?q=lancashire and south").get_data(as_text=True)
    assert 'value="icb:E54000048"' in icbs and 'value="sub_icb:E38000015"' in icbs
    nothing = client.get("/settings/population?q=Atlantis").get_data(as_text=True)
    assert "No local authority, ICB or Sub-ICB location has a name like that" in nothing


def test_admin_sets_the_population_served_from_the_names_found(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    page = "/settings/population?q=blackpool"
    one = {"method": "named", "q": "blackpool", "area_choice": [f"lad:{BLACKPOOL}"]}
    assert post_form(client, "/settings/population", one, page).status_code == 302
    blackpool = _served(area_app)
    both = {"method": "named", "q": "blackpool, wyre", "area_choice": [f"lad:{BLACKPOOL}", f"lad:{WYRE}"]}
    assert post_form(client, "/settings/population", both, page).status_code == 302
    assert _served(area_app)["population"] > blackpool["population"]


def test_names_of_mixed_kinds_or_none_are_refused(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    cases = [
        ({"area_choice": [f"lad:{BLACKPOOL}", "icb:E54000048"]}, "Select areas of one kind only"),
        ({}, "Select at least one area from the search results"),
        ({"area_choice": ["nowhere:E0"]}, "Select at least one area from the search results"),
    ]
    for data, reason in cases:
        response = post_form(client, "/settings/population", {"method": "named", "q": "blackpool", **data})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert reason in html and "There is a problem" in html
        assert f'value="lad:{BLACKPOOL}"' in html  # the results are still there to choose from
    assert _served(area_app) is None


def test_a_patient_list_of_lsoa_counts_describes_the_population(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    csv = b"lsoa,count\nE01012681,120\nE01012682,30\n"
    response = post_form(
        client, "/settings/population", {"method": "patient_list", "patient_file": file(csv, "patients.csv")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _served(area_app)["population"] == 150


def test_bad_catchments_are_refused_with_a_reason_and_keep_the_old_one(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    post_form(client, "/settings/population", {"method": "area_codes", "area_codes": BLACKPOOL})
    before = _served(area_app)
    cases = [
        ({"method": "area_codes", "area_codes": ""}, "Enter at least one local authority"),
        (
            {"method": "area_codes", "area_codes": "E01012681"},
            "is not a local authority (E06, E07, E08, E09)",
        ),
        ({"method": "area_codes", "area_codes": "E06000009 E54000048"}, "Enter codes of one kind only"),
        ({"method": "area_codes", "area_codes": "E06999999"}, "E06999999"),
        ({"method": "geojson", "geojson_file": file(b"{not json", "area.geojson")}, "GeoJSON"),
        ({}, "Select how you want to describe the people you serve"),
    ]
    for data, reason in cases:
        response = post_form(client, "/settings/population", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert reason in html and "There is a problem" in html, (data, html[:3000])
    assert _served(area_app) == before


def test_new_profiles_compare_with_the_people_we_serve(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    post_form(client, "/settings/population", {"method": "area_codes", "area_codes": BLACKBURN})
    served = _served(area_app)
    sign_in(make_user("manager", org="RXA"))
    assessment_id = _start(client)
    url = f"/assessments/{assessment_id}/proposal"
    assert client.post(url, data={**_form(client, url), **PROPOSAL}).status_code == 302
    area_url = f"/assessments/{assessment_id}/area"
    assert (
        post_form(client, area_url, {"method": "lsoa_codes", "lsoa_codes": THREE_BLACKPOOL_LSOAS}).status_code
        == 302
    )
    page = client.get(area_url).get_data(as_text=True)
    stored = _profile(area_app, assessment_id)
    organisation = stored["baseline"]["organisation"]
    assert organisation == served
    share, england = stored["core20_share"], stored["baseline"]["nation"]["core20_share"]
    expected = (
        f"of the people affected ({share * 100:.0f}%) live in the most deprived fifth of neighbourhoods in "
        f"England, against {served['core20_share'] * 100:.0f}% of the people we serve and "
        f"{england * 100:.0f}% in England."
    )
    assert expected in page


def test_without_a_population_served_the_sentence_compares_with_england_only(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("manager", org="RXA"))
    assessment_id = _start(client)
    area_url = f"/assessments/{assessment_id}/area"
    post_form(client, area_url, {"method": "lsoa_codes", "lsoa_codes": THREE_BLACKPOOL_LSOAS})
    assert "organisation" not in _profile(area_app, assessment_id)["baseline"]
    page = client.get(area_url).get_data(as_text=True)
    assert "live in the most deprived fifth of neighbourhoods in England: " in page
    assert "people we serve" not in page


def _profile(app: Flask, assessment_id: int) -> dict[str, Any]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        profile = db.session.get(Assessment, assessment_id).profile
        db.session.remove()
    return profile


def test_api_profiles_carry_the_tokens_organisations_baseline(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    post_form(client, "/settings/population", {"method": "area_codes", "area_codes": BLACKPOOL})
    served = _served(area_app)
    tokens = {}
    for org in ("RXA", "RXB"):
        user = make_user("manager", org=org)
        with acting_as(area_app, user) as person:
            from hia_service.data.transaction import commit
            from hia_service.services.accounts.tokens import create_token

            tokens[org] = create_token(person, "Board papers", 30)[1]
            commit()
    body = {"area": {"type": "lsoa_codes", "codes": THREE_BLACKPOOL_LSOAS.split()}}
    ours = client.post(
        "/api/v1/area-profiles", json=body, headers={"Authorization": f"Bearer {tokens['RXA']}"}
    )
    theirs = client.post(
        "/api/v1/area-profiles", json=body, headers={"Authorization": f"Bearer {tokens['RXB']}"}
    )
    assert ours.status_code == theirs.status_code == 200, ours.get_data(as_text=True)
    assert ours.json["baseline"]["organisation"] == json.loads(json.dumps(served))
    assert "organisation" not in theirs.json["baseline"]


def test_submitted_versions_keep_the_baseline_they_were_rated_with(area_app: Flask) -> None:
    from hia_service.data.models import AssessmentVersion
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from hia_service.services import rules
    from hia_service.services.areas import profiles as area_profiles
    from hia_service.services.areas.profiles import AreaRequest
    from hia_service.services.organisation import population

    people = add_people(area_app, {"admin": ("admin", "RXA"), "manager": ("manager", "RXA")})

    def serve(code: str) -> None:
        with acting_as(area_app, people["admin"]) as admin:
            population.set_catchment(admin, AreaRequest({"type": "lad", "codes": [code]}))
            commit()

    def new_profile() -> dict[str, Any]:
        with acting_as(area_app, people["manager"]) as manager:
            request = AreaRequest({"type": "lsoa_codes", "codes": THREE_BLACKPOOL_LSOAS.split()})
            profile = area_profiles.profile_of(request)
            return population.with_organisation_baseline(profile, manager.organisation_id).to_json()

    serve(BLACKPOOL)
    first = new_profile()
    assessment_id = create_assessment(area_app, people["manager"], profile=first)
    with area_app.app_context():
        version = db.session.query(AssessmentVersion).filter_by(assessment_id=assessment_id).one()
        frozen = (version.profile, version.rating, version.content_hash)
    serve(BLACKBURN)
    second = new_profile()
    assert (
        second["baseline"]["organisation"]["core20_share"]
        != first["baseline"]["organisation"]["core20_share"]
    )
    with area_app.app_context():
        version = db.session.query(AssessmentVersion).filter_by(assessment_id=assessment_id).one()
        assert (version.profile, version.rating, version.content_hash) == frozen
        assert version.profile["baseline"]["organisation"] == first["baseline"]["organisation"]
        assert version.scoring_version == rules.ruleset().current_scoring_version


def test_the_population_served_is_remembered_for_seconds_and_forgotten_when_set_here(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, monkeypatch: Any
) -> None:
    from hia_service.data import accounts
    from hia_service.data import organisation_settings as store
    from hia_service.extensions import db

    monkeypatch.setitem(area_app.config, "HIA_API_TOKEN_CACHE_SECONDS", 60)
    sign_in(make_user("admin", org="RXA"))
    assert _served(area_app) is None  # remembered: none set
    response = post_form(client, "/settings/population", {"method": "area_codes", "area_codes": BLACKPOOL})
    assert response.status_code == 302
    served = _served(area_app)
    assert served is not None and served["lsoa_count"] > 50  # set in this process: forgotten at once

    with area_app.app_context():  # cleared by another process: straight to the database
        store.save_settings(accounts.get_organisation_by_code("RXA").id, catchment_baseline=None)
        db.session.commit()
    assert _served(area_app) == served  # still remembered here, as a token's check is
    monkeypatch.setitem(area_app.config, "HIA_API_TOKEN_CACHE_SECONDS", 0)
    assert _served(area_app) is None  # read afresh once the seconds are up


def test_every_organisations_population_is_read_at_once_and_then_costs_no_query(
    area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, monkeypatch: Any
) -> None:
    """A server process reads them all at its start and every few seconds (hia_service/server.py), so no
    API call waits for its organisation's. A population set in this process while they were being read is
    not overwritten by that older read."""
    from sqlalchemy import event

    from hia_service.data import accounts
    from hia_service.data import organisation_settings as store
    from hia_service.extensions import db
    from hia_service.services.organisation import population

    monkeypatch.setitem(area_app.config, "HIA_API_TOKEN_CACHE_SECONDS", 60)
    make_user("admin", org="RYB")  # a second organisation, with nothing set
    sign_in(make_user("admin", org="RXA"))
    assert (
        post_form(
            client, "/settings/population", {"method": "area_codes", "area_codes": BLACKPOOL}
        ).status_code
        == 302
    )
    with area_app.app_context():
        population.served_populations().forget()
        assert population.read_served_populations() >= 2
        ids = {code: accounts.get_organisation_by_code(code).id for code in ("RXA", "RYB")}
    sent: list[str] = []
    with area_app.app_context():
        engine = db.engine
    listener = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with area_app.app_context():
            served = population.organisation_baseline(ids["RXA"])
            assert population.organisation_baseline(ids["RYB"]) is None
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert served is not None and served.lsoa_count > 50
    assert sent == []

    # Set here while a read was under way: the older read is not remembered over it.
    real = store.served_baselines

    def read_while_it_is_set() -> list[tuple[int, Any]]:
        found = real()
        population.served_populations().forget(ids["RXA"])  # what saving a population does once committed
        return found

    monkeypatch.setattr(store, "served_baselines", read_while_it_is_set)
    with area_app.app_context():
        assert population.read_served_populations() == 0
        assert population.served_populations().get(ids["RXA"], 60) == (False, None)
    monkeypatch.setitem(area_app.config, "HIA_API_TOKEN_CACHE_SECONDS", 0)
    with area_app.app_context():
        assert population.read_served_populations() == 0  # nothing is remembered at all
