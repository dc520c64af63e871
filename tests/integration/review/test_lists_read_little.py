"""Lists of assessments (the home page, 'Your assessments', the API's list) read each row's reference, title,
status and dates, not its answers, area and profile: tens of kB of JSON a row that no list shows."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.api.conftest import issue_token
from tests.integration.api.test_call_overhead import statements_sent
from tests.integration.review.conftest import create_assessment

HEAVY = ("assessments.answers", "assessments.area", "assessments.profile")


def _reads_of_assessments(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and "FROM assessments" in s]


def test_lists_read_no_answers_or_profiles(app: Flask, client: FlaskClient, world: Any, login: Any) -> None:
    for title in ("Close the walk-in centre on Sundays", "Move the phlebotomy clinic"):
        create_assessment(app, world["manager"], title, submit=False)
    login(world["manager"])
    token = issue_token(app, world["manager"])
    for path, headers in (
        ("/home", {}),
        ("/assessments/", {}),
        ("/api/v1/assessments", {"Authorization": f"Bearer {token}"}),
    ):
        with statements_sent(app) as seen:
            response = client.get(path, headers=headers)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "Move the phlebotomy clinic" in text and "Close the walk-in centre" in text
        reads = _reads_of_assessments(seen)
        assert reads, path
        assert not [s for s in reads if any(column in s for column in HEAVY)], (path, reads)
