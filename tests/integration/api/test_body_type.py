"""A body that is not JSON (curl's default form encoding, text/plain) is refused as such, not read as no body
with every field reported missing though it was sent."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import Api


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"title": "Close the clinic"}', "text/plain"),
        ("title=Close the clinic", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_sent_as_anything_but_json_is_refused_by_its_type(
    api: Api, data: str, content_type: str
) -> None:
    response = api.post("/assessments", "manager", data=data, content_type=content_type)
    assert response.status_code == 415, response.get_data(as_text=True)[:500]
    assert response.content_type == "application/problem+json"
    detail = response.json["detail"]
    assert "Content-Type: application/json" in detail and content_type in detail
    assert "Missing data" not in response.get_data(as_text=True)


def test_json_and_an_empty_body_are_read_as_before(api: Api) -> None:
    created = api.post("/assessments", "manager", json={"title": "Close the clinic on Sundays"})
    assert created.status_code == 201, created.get_data(as_text=True)[:500]
    # No body at all is not a body of the wrong type: the fields are reported missing, as ever.
    empty = api.post("/assessments", "manager", content_type="text/plain")
    assert empty.status_code == 422 and "title" in empty.get_data(as_text=True)
