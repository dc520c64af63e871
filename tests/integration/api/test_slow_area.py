"""A slow area request holds nothing anyone else needs: while one runs (held at the point where the geometry
is worked out), /healthz answers and another organisation's save commits on SQLite and PostgreSQL. On SQLite
that means the request has written nothing before its slow work (no write lock held across it: a token's
last-used time, say, is written afterwards in a batch), or the other save would wait for the lock and fail
with "database is locked"."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from hia_service.services.areas import profiles as area_profiles
from hia_service.services.errors import ServiceError
from tests.integration.api.conftest import issue_token
from tests.integration.review.conftest import create_assessment


def test_while_a_slow_area_request_runs_healthz_answers_and_other_saves_commit(
    app: Flask, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = create_assessment(app, world["manager"], "Open a Saturday clinic", submit=False)
    other = create_assessment(app, world["other_manager"], "Close a ward at night", submit=False)
    token, other_token = issue_token(app, world["manager"]), issue_token(app, world["other_manager"])
    working, finish = threading.Event(), threading.Event()

    def slow_resolve(area: Any) -> Any:
        working.set()
        finish.wait(60)
        raise ServiceError("The boundary is too detailed.", field="method")  # as the real one refuses

    monkeypatch.setattr(area_profiles, "resolve", slow_resolve)
    outcome: dict[str, int] = {}

    def slow_request() -> None:
        body = {"area": {"type": "lad", "codes": ["E06000002"]}}
        headers = {"Authorization": f"Bearer {token}"}
        response = app.test_client().put(f"/api/v1/assessments/{draft}/area", json=body, headers=headers)
        outcome["slow"] = response.status_code

    thread = threading.Thread(target=slow_request)
    thread.start()
    try:
        assert working.wait(60)
        assert app.test_client().get("/healthz").status_code == 200
        client, headers = app.test_client(), {"Authorization": f"Bearer {other_token}"}
        lock = client.get(f"/api/v1/assessments/{other}", headers=headers).get_json()["lock_version"]
        body = {"answers": {"proposal.decision_forum": "Finance committee"}, "lock_version": lock}
        saved = client.put(f"/api/v1/assessments/{other}/answers/proposal", json=body, headers=headers)
        assert saved.status_code == 200, saved.get_json()
        assert thread.is_alive()  # the slow request was still at its slow work throughout
    finally:
        finish.set()
        thread.join(60)
    assert outcome["slow"] == 400
