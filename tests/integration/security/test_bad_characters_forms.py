"""Control characters pasted into a form or typed into an address never cause a server error: forms and
query strings are cleaned at the door, and an address holding one is not found. On SQLite and PostgreSQL
(which cannot store a NUL byte)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from


def _stored_title(app: Flask, assessment_id: int) -> str:
    from hia_service.data.assessments import get_assessment

    with app.app_context():
        return get_assessment(assessment_id).title


def test_control_characters_in_a_form_are_left_out(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("manager"))
    token = csrf_token_from(client.get("/assessments/new").get_data(as_text=True))
    title = "Close the\x00 walk-in\x07 centre\x1b on Sundays"
    response = client.post("/assessments/new", data={"title": title, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assessment_id = int(re.search(r"/assessments/(\d+)", response.headers["Location"]).group(1))
    assert _stored_title(app, assessment_id) == "Close the walk-in centre on Sundays"


@pytest.mark.parametrize("query", ["q=%00", "q=walk%00in", "show=%00open", "from=%00&to=%01"])
def test_control_characters_in_a_query_string_are_not_a_server_error(
    client: FlaskClient, make_user: Any, sign_in: Any, query: str
) -> None:
    sign_in(make_user("reviewer"))
    for path in ("/review/", "/follow-up/", "/assessments/"):
        assert client.get(f"{path}?{query}").status_code < 500, path


@pytest.mark.parametrize("path", ["/verify/HIA-2026-0001%00/1/abc", "/assessments/1%00", "/verify/%01/1"])
def test_an_address_with_a_control_character_is_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404
