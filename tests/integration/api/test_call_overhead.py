"""What an API call costs the database (issue 23): a token is checked once in a few seconds, not on every
call; a read writes nothing and commits nothing while it is answered (its audit entry goes with the next
batch, and the token's last-used time at most once a minute); a call that changes something is audited with
the call, as before. Revoking a token works at once in the process that revoked it, and within the
remembered window everywhere else."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from tests.integration.api.conftest import Api, audit_calls, write_waiting_audit
from tests.integration.review.conftest import World, acting_as

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent to the database meanwhile, and COMMIT for each commit (in these tests a
    request's commit releases a SAVEPOINT, which is a statement too)."""
    from hia_service.extensions import db

    seen: list[str] = []

    def on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.strip())

    def on_commit(conn: Any) -> None:
        seen.append("COMMIT")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)


def _waiting(app: Flask) -> int:
    from hia_service.services.accounts.api_calls import waiting_writes

    return len(waiting_writes(app))


def _stored_calls(app: Flask) -> list[tuple[str, str, int]]:
    """The api_call entries in the database now, without writing what waits."""
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.event_type == "api_call"))
        return [(r.details["method"], r.details["path"], r.details["status"]) for r in rows]


def _last_used(app: Flask, person: dict[str, Any]) -> Any:
    from hia_service.data.models import ApiToken
    from hia_service.extensions import db

    with app.app_context():
        query = db.select(ApiToken.last_used_at).where(ApiToken.user_id == person["id"])
        return db.session.scalar(query)


def test_a_read_with_a_checked_token_sends_nothing_to_the_database(app: Flask, api: Api) -> None:
    assert api.get("/rules", "manager").status_code == 200  # the token is checked, then remembered
    with statements_sent(app) as seen:
        again = api.get("/rules", "manager")
    assert again.status_code == 200
    assert seen == []  # no token look-up, no last-used update, no audit entry, no commit
    assert _waiting(app) == 2  # both calls are audited, in the next batch
    write_waiting_audit(app)
    assert _stored_calls(app) == [("GET", "/api/v1/rules", 200)] * 2


def test_a_read_that_needs_no_database_opens_no_transaction(app: Flask, api: Api) -> None:
    from sqlalchemy.orm import Session

    assert api.get("/rules", "manager").status_code == 200  # the token is checked, then remembered
    begun: list[object] = []

    def on_begin(session: Session, transaction: object) -> None:
        begun.append(transaction)

    event.listen(Session, "after_transaction_create", on_begin)
    try:
        assert api.get("/rules", "manager").status_code == 200
    finally:
        event.remove(Session, "after_transaction_create", on_begin)
    assert begun == []  # not even an empty one to commit at the end of the request


def test_an_api_call_is_not_activity_in_a_web_session(
    app: Flask, api: Api, world: World, sign_in: Any
) -> None:
    """A browser's session cookie sent with an API call neither expires nor refreshes that session: the
    call signs in with its token, and answers with its data, not a sign-in page."""
    from datetime import UTC, datetime

    assert sign_in(world["manager"]).status_code == 302
    idle_since = datetime.now(UTC).timestamp() - 31 * 60  # past the 30 minutes a web session may idle
    with api.client.session_transaction() as session:
        session["last_seen"] = idle_since
    answer = api.get("/rules", "manager")
    assert answer.status_code == 200 and answer.is_json
    with api.client.session_transaction() as session:
        assert session["last_seen"] == idle_since


def test_the_first_check_of_a_token_reads_but_writes_nothing(app: Flask, api: Api) -> None:
    api.token_of("manager")
    with statements_sent(app) as seen:
        assert api.get("/rules", "manager").status_code == 200
    assert any(s.upper().startswith("SELECT") and "api_tokens" in s for s in seen)
    assert not [s for s in seen if s.upper().startswith(WRITES)]


def test_an_area_profile_writes_nothing_while_it_is_answered(area_app: Flask, api: Api) -> None:
    body = {"area": {"type": "point_radius", "postcode": "TS1 2AA", "radius_km": 2}}
    assert api.post("/area-profiles", "manager", json=body).status_code == 200
    with statements_sent(area_app) as seen:
        answer = api.post("/area-profiles", "manager", json=body)
    assert answer.status_code == 200
    assert not [s for s in seen if s.upper().startswith(WRITES)]
    assert _stored_calls(area_app) == [] and _waiting(area_app) == 2


def test_a_call_that_changes_something_is_audited_with_the_call(app: Flask, api: Api) -> None:
    api.get("/rules", "manager")
    with statements_sent(app) as seen:
        made = api.post("/assessments", "manager", json={"title": "Move the clinic"})
    assert made.status_code == 201
    assert any(s.upper().startswith("INSERT INTO AUDIT_EVENTS") for s in seen)
    # Stored at once, and the read waiting before it went in the same transaction, in order.
    assert _stored_calls(app) == [("GET", "/api/v1/rules", 200), ("POST", "/api/v1/assessments", 201)]
    assert _waiting(app) == 0


def test_refused_reads_are_audited_in_the_batch_too(app: Flask, api: Api, world: World) -> None:
    assert api.get("/rules").status_code == 401
    assert api.get("/assessments/12345", "manager").status_code == 404
    assert _stored_calls(app) == []
    calls = audit_calls(app)
    assert [(c["path"], c["status"], c["actor_id"]) for c in calls] == [
        ("/api/v1/rules", 401, None),
        ("/api/v1/assessments/12345", 404, world["manager"]["id"]),
    ]


def test_a_batch_is_written_by_a_later_call_once_it_is_due(app: Flask, api: Api) -> None:
    """Without the server's background writer (flask run), the next call after the batch time writes it."""
    app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 0.001
    try:
        api.get("/rules", "manager")
        time.sleep(0.005)  # a call can take under a millisecond: wait until the batch is surely due
        api.get("/rules", "manager")
    finally:
        app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 1.0
    assert len(_stored_calls(app)) >= 1


def test_without_batches_every_read_is_audited_at_once(app: Flask, api: Api) -> None:
    app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 0
    try:
        api.get("/rules", "manager")
    finally:
        app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 1.0
    assert _stored_calls(app) == [("GET", "/api/v1/rules", 200)]


def test_last_used_is_written_in_batches_at_most_once_a_minute(
    app: Flask, api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.accounts import tokens

    api.token_of("manager")
    assert _last_used(app, world["manager"]) is None
    for _ in range(3):
        api.get("/rules", "manager")
    assert _last_used(app, world["manager"]) is None  # no call wrote it
    write_waiting_audit(app)
    first = _last_used(app, world["manager"])
    assert first is not None
    api.get("/rules", "manager")
    write_waiting_audit(app)
    assert _last_used(app, world["manager"]) == first  # within the minute: not written again
    monkeypatch.setattr(tokens, "LAST_USED_EVERY", timedelta(0))  # as if a minute had passed
    api.get("/rules", "manager")
    write_waiting_audit(app)
    assert _last_used(app, world["manager"]) > first


def test_a_token_revoked_in_this_process_is_refused_at_once(app: Flask, api: Api, world: World) -> None:
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.tokens import revoke_token, user_tokens

    assert api.get("/rules", "manager").status_code == 200  # remembered
    with acting_as(app, world["manager"]) as user:
        revoke_token(user, user_tokens(user)[0].id)
        commit()
    refused = api.get("/rules", "manager")
    assert refused.status_code == 401 and "revoked" in refused.json["detail"]


def test_a_token_revoked_elsewhere_is_refused_once_the_window_has_passed(
    app: Flask, api: Api, world: World
) -> None:
    """Another process (a second worker, `hia tokens revoke` on another server) revokes: this process
    trusts what it checked for HIA_API_TOKEN_CACHE_SECONDS, then checks again."""
    from hia_service.data.models import ApiToken
    from hia_service.extensions import db

    assert api.get("/rules", "manager").status_code == 200
    with app.app_context():  # straight to the database, as the other process's revocation arrives here
        db.session.execute(db.update(ApiToken).values(revoked_at=db.func.now()))
        db.session.commit()
    assert api.get("/rules", "manager").status_code == 200  # within the window (5 seconds)
    app.config["HIA_API_TOKEN_CACHE_SECONDS"] = 0  # the window has passed
    try:
        refused = api.get("/rules", "manager")
    finally:
        app.config["HIA_API_TOKEN_CACHE_SECONDS"] = 5.0
    assert refused.status_code == 401 and "revoked" in refused.json["detail"]


def test_a_remembered_token_still_expires_on_time(app: Flask, api: Api, world: World) -> None:
    from hia_service.services.accounts.tokens import ApiCaller, recent_tokens

    assert api.get("/rules", "manager").status_code == 200
    with app.app_context():
        recent = recent_tokens()
        digest = hashlib.sha256(api.token_of("manager").encode()).hexdigest()
        caller = recent.get(digest, 60)
        assert caller is not None
        expired = ApiCaller(**{**caller.__dict__, "expires_at": caller.expires_at - timedelta(days=365)})
        recent.callers.put(digest, expired)
    refused = api.get("/rules", "manager")
    assert refused.status_code == 401 and "expired" in refused.json["detail"]


def test_views_that_act_as_the_person_load_them_and_refuse_a_deactivated_one(
    app: Flask, api: Api, world: World
) -> None:
    from hia_service.data.models import User
    from hia_service.extensions import db

    assert api.get("/assessments", "manager").status_code == 200
    with app.app_context():
        db.session.execute(db.update(User).where(User.id == world["manager"]["id"]).values(is_active=False))
        db.session.commit()
    # The token is still remembered, but a view that acts as the person loads them and finds them gone.
    refused = api.get("/assessments", "manager")
    assert refused.status_code == 401 and "not active" in refused.json["detail"]


def test_rate_limit_headers_come_with_a_refusal_only(app: Flask, api: Api) -> None:
    app.config["HIA_API_RATE_LIMIT"] = "2/minute"
    try:
        allowed = api.get("/rules", "manager")
        api.get("/rules", "manager")
        refused = api.get("/rules", "manager")
    finally:
        app.config["HIA_API_RATE_LIMIT"] = "300/minute"
    assert allowed.status_code == 200 and "X-RateLimit-Remaining" not in allowed.headers
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "2" and refused.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def _read_live_tokens(app: Flask) -> int:
    from hia_service.services.accounts.tokens import read_live_tokens

    with app.app_context():
        return read_live_tokens()


def test_a_token_read_with_the_live_tokens_costs_its_first_call_no_query(
    app: Flask, api: Api, world: World
) -> None:
    """A server process reads every live token at its start and every few seconds (hia_service/server.py):
    a token's first call then checks it from memory."""
    api.token_of("manager")
    api.token_of("reviewer")
    assert _read_live_tokens(app) == 2
    with statements_sent(app) as seen:
        assert api.get("/rules", "manager").status_code == 200
        assert api.get("/rules", "reviewer").status_code == 200
    assert seen == []
    made_since = api.get("/rules", "admin")  # made after the read: checked on its first call, as before
    assert made_since.status_code == 200


def test_tokens_that_would_be_refused_are_left_out_of_the_read_and_refused_as_ever(
    app: Flask, api: Api, world: World
) -> None:
    from hia_service.data.models import ApiToken, User
    from hia_service.extensions import db

    api.token_of("manager")
    api.token_of("reviewer")
    api.token_of("trainer")
    with app.app_context():  # changed by another process, straight in the database
        ids = {key: world[key]["id"] for key in ("manager", "reviewer", "trainer")}
        db.session.execute(
            db.update(ApiToken).where(ApiToken.user_id == ids["manager"]).values(revoked_at=db.func.now())
        )
        db.session.execute(db.update(User).where(User.id == ids["reviewer"]).values(is_active=False))
        token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == ids["trainer"]))
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
    assert _read_live_tokens(app) == 0
    refusals = {key: api.get("/rules", key) for key in ("manager", "reviewer", "trainer")}
    assert {key: answer.status_code for key, answer in refusals.items()} == dict.fromkeys(refusals, 401)
    assert "revoked" in refusals["manager"].json["detail"]
    assert "not active" in refusals["reviewer"].json["detail"]
    assert "expired" in refusals["trainer"].json["detail"]


def test_a_token_revoked_while_the_live_tokens_are_read_is_not_remembered(
    app: Flask, api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.data import tokens as store
    from hia_service.data.models import User
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from hia_service.services.accounts.tokens import revoke_token, user_tokens

    api.token_of("manager")
    real = store.live_token_holders

    def read_while_it_is_revoked(*args: Any) -> Any:
        found = real(*args)  # found live, but revoked before the read is remembered
        user = db.session.get(User, world["manager"]["id"])
        revoke_token(user, user_tokens(user)[0].id)
        commit()
        return found

    monkeypatch.setattr(store, "live_token_holders", read_while_it_is_revoked)
    assert _read_live_tokens(app) == 0
    refused = api.get("/rules", "manager")
    assert refused.status_code == 401 and "revoked" in refused.json["detail"]
