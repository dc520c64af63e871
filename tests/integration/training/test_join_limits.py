"""Join codes cannot be guessed by brute force: tries are limited per address and per account, refused codes
are audited (without the code tried), and the person sees a plain "Too many attempts" page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import csrf_token_from, make_test_app
from tests.integration.review.conftest import act_as, add_people
from tests.integration.security.conftest import dispose
from tests.integration.training.conftest import PEOPLE, client_for, make_session

GUESSES = ["ABCD-2345", "WXYZ-6789", "HJKM-NPQR"]


@pytest.fixture
def limited(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The backend's database, with 3 join tries a minute."""
    application = make_test_app(database_url, tmp_path, HIA_JOIN_RATE_LIMIT="3/minute")
    yield application
    dispose(application)


@pytest.fixture
def people(app: Flask) -> dict[str, dict[str, Any]]:
    return add_people(app, PEOPLE)


def _from(app: Flask, person: dict[str, Any], address: str) -> FlaskClient:
    client = client_for(app, person)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _join(client: FlaskClient, code: str) -> Any:
    token = csrf_token_from(client.get("/training/join").get_data(as_text=True))
    return client.post("/training/join", data={"csrf_token": token, "code": code})


def _audit(app: Flask) -> list[tuple[str, int | None, str | None, dict[str, Any]]]:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.event_type, e.actor_id, e.subject_id, e.details or {}) for e in rows]


def _joined(app: Flask, person: dict[str, Any]) -> list[int]:
    from hia_service.data.accounts import get_user
    from hia_service.services.training import cohorts as training

    with app.app_context():
        user = get_user(person["id"])
        assert user is not None
        return [s.id for s in training.sessions_joined(user)]


def test_join_tries_are_limited_per_address(limited: Flask, people: dict) -> None:
    session = make_session(limited, people["trainer"])
    guesser = _from(limited, people["trainee"], "192.0.2.10")
    for guess in GUESSES:
        assert _join(guesser, guess).status_code == 400
    refused = _join(guesser, session["code"])  # even the right code, once the tries are used up
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in html and "nhsuk-header" in html
    assert "You have entered too many join codes. Wait 1 minute, then try again. Check the code" in html
    assert int(refused.headers["Retry-After"]) > 0
    assert _joined(limited, people["trainee"]) == []
    # Someone else at the same address (one training room) shares the allowance; elsewhere, not.
    assert _join(_from(limited, people["manager"], "192.0.2.10"), session["code"]).status_code == 429
    assert _join(_from(limited, people["manager"], "192.0.2.11"), session["code"]).status_code == 302
    assert _joined(limited, people["manager"]) == [session["id"]]


def test_join_tries_are_limited_per_account_whatever_the_address(limited: Flask, people: dict) -> None:
    session = make_session(limited, people["trainer"])
    for n, guess in enumerate(GUESSES):  # one account, a new address for every guess
        assert _join(_from(limited, people["trainee"], f"198.51.100.{n}"), guess).status_code == 400
    assert _join(_from(limited, people["trainee"], "198.51.100.99"), session["code"]).status_code == 429
    assert _joined(limited, people["trainee"]) == []


def test_a_page_that_only_shows_the_form_is_not_counted(limited: Flask, people: dict) -> None:
    session = make_session(limited, people["trainer"])
    client = _from(limited, people["trainee"], "192.0.2.30")
    for _ in range(5):
        assert client.get("/training/join").status_code == 200
    assert _join(client, session["code"]).status_code == 302


def test_refused_codes_are_audited_without_the_code(app: Flask, people: dict) -> None:
    from hia_service.services.training import cohorts as training

    ours = make_session(app, people["trainer"])
    theirs = make_session(app, people["other_trainer"], name="RYB cohort")
    client = _from(app, people["trainee"], "203.0.113.40")
    before = len(_audit(app))
    assert _join(client, "ABCD-2345").status_code == 400
    assert _join(client, theirs["code"]).status_code == 400  # a live code, but another organisation's
    assert _join(client, "not a code").status_code == 400  # misshapen: cannot match anything, not audited
    later = ours["expires"].replace(tzinfo=UTC) + timedelta(seconds=1)
    with pytest.raises(training.ServiceError):
        act_as(app, people["trainee"], training.join_session, ours["code"], now=later, address="203.0.113.41")
    assert _join(client, ours["code"]).status_code == 302

    events = _audit(app)[before:]
    trainee = people["trainee"]["id"]
    failed = [
        (actor, subject, details)
        for kind, actor, subject, details in events
        if kind == "training_join_failed"
    ]
    assert failed == [
        (trainee, None, {"training": True, "reason": "wrong code", "address": "203.0.113.40"}),
        (trainee, None, {"training": True, "reason": "wrong code", "address": "203.0.113.40"}),
        (trainee, str(ours["id"]), {"training": True, "reason": "expired code", "address": "203.0.113.41"}),
    ]
    assert events[-1][0] == "training_session_joined"
    text = str(events)
    for code in (theirs["code"], ours["code"], "ABCD2345"):
        assert code not in text and training.show_code(code) not in text
    assert str(theirs["id"]) not in [subject for _, _, subject, _ in events]  # nothing points at theirs
