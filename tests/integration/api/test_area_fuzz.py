"""Area definitions fuzzed through POST /api/v1/area-profiles: every area type with any JSON value in each of
its fields (text, numbers out of range or not finite, lists, objects, nothing). Each is answered with a
profile or a problem saying why; never a 500."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st

from hia_service.geography import AREA_TYPES
from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.api.conftest import Api, json_values

FIELDS = (
    "codes",
    "counts",
    "postcode",
    "postcodes",
    "radius_km",
    "latitude",
    "longitude",
    "method",
    "geojson",
)
USABLE = {  # a usable value of each field, so that one unusable field is met on its own
    "codes": ["E01012681"],
    "postcode": "TS1 2AA",
    "postcodes": ["TS1 2AA"],
    "radius_km": 2,
    "latitude": 54.57,
    "longitude": -1.23,
    "method": "centroid",
}
values = json_values(["E01012681", "TS1 2AA", "E54000061", "1e309", "NaN", "-0", "2 km"])


@st.composite
def areas(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from([*AREA_TYPES, "", "nonsense"]))
    area: dict[str, Any] = {"type": kind}
    for field in FIELDS:
        how = draw(st.sampled_from(["usable", "fuzzed", "missing"]))
        if how == "usable" and field in USABLE:
            area[field] = USABLE[field]
        elif how == "fuzzed":
            area[field] = draw(values)
    return area


def test_fuzzed_area_definitions_get_a_profile_or_a_problem_never_an_error(
    area_app: Flask, api: Api, no_rate_limit: None
) -> None:
    @fuzz_settings(150)
    @given(area=areas())
    @example(area={"type": "point_radius", "postcode": "TS1 2AA", "radius_km": "ten"})
    @example(area={"type": "point_radius", "postcode": "TS1 2AA", "radius_km": None})
    @example(area={"type": "point_radius", "latitude": "54", "longitude": -1.23, "radius_km": 2})
    def attempt(area: dict[str, Any]) -> None:
        tried("api: area definition")
        response = api.post("/area-profiles", "manager", json={"area": area})
        answer: Any = response.get_json()
        assert response.status_code in (200, 400, 422), (area, response.status_code, answer)
        if response.status_code == 200:
            assert answer["lsoa_count"] > 0
        else:
            assert answer.get("detail"), (area, answer)  # and "errors" by field, where one field is at fault

    attempt()
