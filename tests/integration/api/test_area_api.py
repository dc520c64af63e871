"""PUT /api/v1/assessments/{id}/area stores the area with its profile; nothing else writes who.geography."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.integration.api.conftest import Api


def _answer_saves(app: Flask) -> int:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        query = db.select(db.func.count()).where(AuditEvent.event_type == "answers_saved")
        return int(db.session.scalar(query) or 0)


def _read(api: Api, assessment_id: int) -> dict[str, Any]:
    response = api.get(f"/assessments/{assessment_id}", as_="manager")
    assert response.status_code == 200
    return response.get_json()


def test_a_radius_round_a_postcode_is_stored_with_its_profile_and_the_postcode_as_given(
    area_app: Flask, api: Api, draft: int
) -> None:
    body = {
        "area": {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 2},
        "inputs": {"place": "Hub"},
    }
    response = api.call("PUT", f"/assessments/{draft}/area", "manager", json=body)
    assert response.status_code == 200, response.get_json()
    stored = _read(api, draft)
    assert stored["area"]["type"] == "point_radius" and "postcode" not in stored["area"]
    assert stored["area"]["centre"].startswith("TS1")
    profile = stored["profile"]
    assert profile["lsoa_count"] > 0 and profile["release"] == "IoD2025"
    assert profile["provenance"]["method"] == "api"
    assert profile["provenance"]["inputs"]["place"] == "Hub"
    assert profile["provenance"]["checksum"]
    assert stored["answers"]["who.geography"] == stored["area"]


def test_an_unusable_area_is_refused_and_nothing_is_stored(area_app: Flask, api: Api, draft: int) -> None:
    before = _read(api, draft)
    body = {"area": {"type": "lsoa_codes", "codes": ["NOT-A-CODE"]}}
    response = api.call("PUT", f"/assessments/{draft}/area", "manager", json=body)
    assert response.status_code == 400
    assert response.get_json()["detail"]
    after = _read(api, draft)
    assert after["area"] == before["area"] and after["profile"] == before["profile"]


@pytest.mark.parametrize("radius", ["ten", "2", None, True, [], {"km": 2}, -1, 0, 101])
def test_a_radius_that_is_not_a_usable_number_is_refused_with_its_field(
    area_app: Flask, api: Api, draft: int, radius: object
) -> None:
    area = {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": radius}
    before = _read(api, draft)
    for response in (
        api.post("/area-profiles", "manager", json={"area": area}),
        api.call("PUT", f"/assessments/{draft}/area", "manager", json={"area": area}),
    ):
        assert response.status_code == 400, response.get_json()
        problem = response.get_json()
        assert list(problem["errors"]) == ["area.radius_km"]
        assert "radius" in problem["detail"] and "(field:" not in problem["detail"]
        assert all("(field:" not in said for said in problem["errors"]["area.radius_km"])
    after = _read(api, draft)
    assert after["area"] == before["area"] and after["profile"] == before["profile"]


def test_a_distance_round_a_postcode_in_another_nation_is_refused_as_that(area_app: Flask, api: Api) -> None:
    """Not "no neighbourhood within 5 km": a circle round Edinburgh can never be profiled with an index for
    England, however large; with the index for Wales a Cardiff postcode is profiled."""
    for postcode, nation in (("EH1 1AD", "Scotland"), ("CF10 1EP", "Wales")):
        area = {"type": "point_radius", "postcode": postcode, "radius_km": 5}
        response = api.post("/area-profiles", "manager", json={"area": area})
        assert response.status_code == 400, response.get_json()
        problem = response.get_json()
        assert problem["detail"] == (
            f"{postcode} is in {nation}. The deprivation figures used here (IoD2025) cover England only."
        )
        assert list(problem["errors"]) == ["area.postcode"]
    welsh = {"type": "point_radius", "postcode": "CF10 1EP", "radius_km": 5}
    answered = api.post("/area-profiles", "manager", json={"area": welsh, "release": "WIMD2019"})
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["lsoa_count"] > 0


def test_a_distance_too_short_to_reach_a_neighbourhood_says_so_of_the_postcode(
    area_app: Flask, api: Api
) -> None:
    area = {"type": "point_radius", "postcode": "LA2 8AB", "radius_km": 0.3}
    problem = api.post("/area-profiles", "manager", json={"area": area}).get_json()
    assert problem["status"] == 400 and list(problem["errors"]) == ["area.radius_km"]
    assert problem["detail"].startswith(
        "No neighbourhood in England has its centre within 0.3 km of LA2 8AB."
    )


def test_the_area_cannot_be_written_as_an_answer(app: Flask, api: Api, draft: int) -> None:
    saves_before, before = _answer_saves(app), _read(api, draft)
    body = {"answers": {"who.geography": {"type": "lad", "codes": ["E06000009"]}}, "lock_version": 1}
    response = api.call("PUT", f"/assessments/{draft}/answers/who", "manager", json=body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]["answers"]
    assert "PUT /api/v1/assessments/{id}/area" in errors["who.geography"][0]
    after = _read(api, draft)
    assert after["answers"]["who.geography"] == before["answers"]["who.geography"] == before["area"]
    assert after["profile"] == before["profile"]
    assert _answer_saves(app) == saves_before  # nothing was saved, so nothing is recorded as saved


def test_other_organisations_cannot_set_the_area(area_app: Flask, api: Api, draft: int) -> None:
    before = _read(api, draft)
    body = {"area": {"type": "lad", "codes": ["E06000009"]}}
    response = api.call("PUT", f"/assessments/{draft}/area", "other_manager", json=body)
    assert response.status_code == 404
    assert _read(api, draft)["profile"] == before["profile"]


def test_area_profiles_give_the_rural_mix_and_barriers_with_the_provenance(area_app: Flask, api: Api) -> None:
    body = {"area": {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 2}}
    response = api.post("/area-profiles", "manager", json=body)
    assert response.status_code == 200, response.get_json()
    profile = response.get_json()
    assert profile["rurality"]["classes"] and profile["barriers"]
    assert profile["provenance"]["method"] == "api" and profile["provenance"]["release"] == profile["release"]


def test_area_profiles_summarise_the_places_touched_unless_asked_for_full_detail(
    area_app: Flask, api: Api
) -> None:
    body = {"area": {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 10}}
    summary = api.post("/area-profiles", "manager", json=body)
    full = api.post("/area-profiles?detail=full", "manager", json=body)
    assert summary.status_code == full.status_code == 200
    brief, whole = summary.get_json(), full.get_json()
    assert set(brief) == set(whole)  # every key is still there
    assert brief["baseline"]["nation"] == whole["baseline"]["nation"]
    for kind in ("local_authorities", "icbs"):
        assert [p["code"] for p in brief["baseline"][kind]] == [p["code"] for p in whole["baseline"][kind]]
        assert all(set(p) == {"code", "name", "population", "core20_share"} for p in brief["baseline"][kind])
        assert all("population_by_decile" in p for p in whole["baseline"][kind])
    assert {k: v for k, v in brief.items() if k != "baseline"} == {
        k: v for k, v in whole.items() if k != "baseline"
    }
    assert len(summary.data) < len(full.data)
    assert api.post("/area-profiles?detail=everything", "manager", json=body).status_code == 422


def test_the_detail_parameter_is_in_the_openapi_description(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"]["/api/v1/area-profiles"]["post"]["parameters"]
    detail = next(p for p in parameters if p["name"] == "detail")
    assert detail["in"] == "query" and detail["schema"]["enum"] == ["summary", "full"]
    assert "full" in detail["description"]
