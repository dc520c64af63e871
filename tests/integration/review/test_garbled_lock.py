"""A review form whose lock version is missing or not a number was cut short or changed on its way: the
page says the form was not valid and keeps what was typed, never that someone else changed the assessment,
and nothing is written. A real stale version is still "someone else changed this"."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integration.review.conftest import form_token

NOT_VALID = "This form was not valid. Copy your note, reload the page and try again."
GARBLED = ["abc", "", "1.5", "-1", "\u0661"]


def post(client: FlaskClient, assessment_id: int, action: str, **data: str) -> Any:
    token = form_token(client, f"/review/{assessment_id}")
    return client.post(f"/review/{assessment_id}/{action}", data={"csrf_token": token, **data})


@pytest.mark.parametrize("garbled", GARBLED)
def test_return_with_a_garbled_lock_keeps_the_comment_and_writes_nothing(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any, garbled: str
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    before = snapshot(assessment_id)
    response = post(client, assessment_id, "return", lock_version=garbled, comment="Add the bus routes.")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert NOT_VALID in page and "Someone else" not in page
    assert ">Add the bus routes.</textarea>" in page
    assert snapshot(assessment_id) == before


@pytest.mark.parametrize("action", ["start", "approve"])
def test_start_and_approve_with_no_lock_are_not_valid_forms(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any, action: str
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    before = snapshot(assessment_id)
    response = post(client, assessment_id, action, conditions="Keep the evening clinic.")
    assert response.status_code == 400 and NOT_VALID in response.get_data(as_text=True)
    assert snapshot(assessment_id) == before


def test_a_comment_with_a_garbled_version_keeps_what_was_typed(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    before = snapshot(assessment_id)
    response = post(client, assessment_id, "comments", section="pc", version="two", body="Say who travels.")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert NOT_VALID in page and ">Say who travels.</textarea>" in page
    assert snapshot(assessment_id) == before


def test_a_stale_lock_is_still_someone_elses_change(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    stale = str(int(lock_of(assessment_id)) - 1)
    response = post(client, assessment_id, "return", lock_version=stale, comment="Add the bus routes.")
    assert response.status_code == 409 and NOT_VALID not in response.get_data(as_text=True)
