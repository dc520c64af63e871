"""An area asked for again is answered from the profile worked out the first time (issue 23), until other
reference data is loaded; a patient list is worked out every time and never kept."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from hia_service.domain.geography.engine import GeographyEngine
from tests.integration.api.conftest import Api


@pytest.fixture
def worked_out(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each area definition the engine profiles from now on (the real engine still does the work)."""
    seen: list[dict[str, Any]] = []
    real = GeographyEngine.profile

    def counted(self: GeographyEngine, area: dict[str, Any], **options: Any) -> dict[str, Any]:
        seen.append(dict(area))
        return real(self, area, **options)

    monkeypatch.setattr(GeographyEngine, "profile", counted)
    return seen


def _profile(api: Api, area: dict[str, Any], role: str = "manager") -> dict[str, Any]:
    response = api.post("/area-profiles", role, json={"area": area})
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def test_the_same_area_asked_again_is_answered_the_same_without_working_it_out_again(
    area_app: Flask, api: Api, worked_out: list[dict[str, Any]]
) -> None:
    circle = {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 4.25}
    first = _profile(api, circle)
    again = _profile(api, dict(reversed(circle.items())))  # the same area, its keys in another order
    assert again == first
    assert len(worked_out) == 1
    wider = _profile(api, {**circle, "radius_km": 4.5})
    assert wider["lsoa_count"] > first["lsoa_count"] and len(worked_out) == 2
    by_code = {"type": "lad", "codes": ["E06000002"]}
    assert _profile(api, by_code) == _profile(api, by_code)
    assert len(worked_out) == 3


def test_a_patient_list_is_worked_out_every_time(
    area_app: Flask, api: Api, worked_out: list[dict[str, Any]]
) -> None:
    patients = {"type": "postcodes", "postcodes": ["TS1 2AA", "TS1 3BA", "TS1 3BA"]}
    first, again = _profile(api, patients), _profile(api, patients)
    assert first == again and first["population"] == 3
    assert len(worked_out) == 2


def test_other_reference_data_loaded_means_the_area_is_worked_out_again(
    area_app: Flask, api: Api, worked_out: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.areas import engine as geography

    circle = {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 3.75}
    first = _profile(api, circle)
    with area_app.app_context():
        loaded = geography.engine()
    # What a reference load leaves: the same figures from another engine object.
    reloaded = GeographyEngine.__new__(GeographyEngine)
    reloaded.__dict__.update(loaded.__dict__)
    monkeypatch.setattr(geography, "engine", lambda: reloaded)
    assert _profile(api, circle) == first
    assert len(worked_out) == 2


def test_a_server_keeping_no_areas_works_each_out_and_makes_no_key_for_it(
    area_app: Flask, api: Api, worked_out: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.areas import engine as geography
    from hia_service.services.areas import profiles

    keys: list[object] = []
    real_key = profiles._request_key
    monkeypatch.setattr(profiles, "_request_key", lambda *given: keys.append(given) or real_key(*given))
    with area_app.app_context():
        engine = geography.engine()
    kept = engine.areas_kept
    circle = {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 3.25}
    try:
        engine.keep_profiles(0)
        assert _profile(api, circle) == _profile(api, circle)
        assert len(worked_out) == 2 and keys == []
    finally:
        engine.keep_profiles(kept)
    assert kept > 0
    _profile(api, circle)
    _profile(api, circle)
    assert len(worked_out) == 3 and len(keys) == 2
