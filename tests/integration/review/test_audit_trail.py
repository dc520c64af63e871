"""The audit trail: sign-ins, state changes, comments and exports are recorded, chained, visible to reviewers,
and `hia audit verify` finds any entry that was altered, inserted or deleted."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from hia_service.cli.audit import audit_cli
from hia_service.data.models import AuditEvent
from hia_service.domain.audit_chain import GENESIS, chain_key, entry_hash
from hia_service.extensions import db
from hia_service.services.review import decisions as review
from tests.conftest import csrf_token_from
from tests.integration.review.conftest import form_token

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


def entries(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def types_of(app: Flask) -> list[str]:
    return [e.event_type for e in entries(app)]


def test_sign_in_failed_sign_in_and_sign_out_are_audited(
    app: Flask, client: FlaskClient, world: Any, login: Any
) -> None:
    person = world["reviewer"]
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    wrong = client.post(
        "/sign-in", data={"email": person["email"], "password": "wrong-password!", "csrf_token": token}
    )
    unknown = client.post(
        "/sign-in", data={"email": "nobody@rxa.nhs.uk", "password": "whatever-it-is", "csrf_token": token}
    )
    assert (
        wrong.status_code == unknown.status_code == 401
    )  # the request rolled back, the audit entries did not
    login(person)
    token = form_token(client, "/home")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    rows = entries(app)
    assert [e.event_type for e in rows] == ["sign_in_failed", "sign_in_failed", "signed_in", "signed_out"]
    failed_known, failed_unknown, signed_in, signed_out = rows
    assert failed_known.actor_id == person["id"] and failed_known.details["reason"] == "wrong password"
    assert failed_unknown.actor_id is None and "nobody" not in str(failed_unknown.details)
    assert len(failed_unknown.details["email_sha256"]) == 64
    assert signed_in.actor_id == signed_out.actor_id == person["id"]


def test_state_changes_comments_and_exports_are_chained_with_hashes(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, lock_of(assessment_id))
    act(world["reviewer"], review.add_comment, assessment_id, "pc", "More on disability, please.", 1)
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    login(world["reviewer"])
    assert client.get("/dashboard/register.csv").status_code == 200
    rows = entries(app)
    kinds = [e.event_type for e in rows]
    for expected in (
        "assessment_started",
        "answers_saved",
        "submitted_for_review",
        "assessment_start_review",
        "review_comment_added",
        "assessment_approve",
        "signed_in",
        "register_exported",
    ):
        assert expected in kinds
    approval = next(e for e in rows if e.event_type == "assessment_approve")
    assert approval.actor_id == world["reviewer"]["id"] and approval.subject_id == str(assessment_id)
    assert approval.before_hash and approval.after_hash and approval.before_hash != approval.after_hash
    assert rows[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in itertools.pairwise(rows))


def test_reviewers_see_the_assessments_history_on_its_page(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    act(
        world["reviewer2"],
        review.return_to_author,
        assessment_id,
        "Add the evidence.",
        lock_of(assessment_id),
    )
    login(world["reviewer"])
    html = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    history = html[html.index('<h2 id="history">History</h2>') :]
    assert "Submitted for review (version 1)" in history and "Returned to author (version 1)" in history
    assert "Add the evidence." in history
    assert "Audit trail (" in history and "Answers saved" in history and "Area chosen" in history
    assert world["reviewer2"]["name"] in history


@pytest.fixture
def chain(app: Flask, world: Any, make_assessment: Any, act: Any, lock_of: Any) -> list[int]:
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, lock_of(assessment_id))
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    return [e.id for e in entries(app)]


def verify(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(audit_cli, ["verify", *args])


def raw(app: Flask, sql: str, **params: Any) -> None:
    """Tamper with the table directly, as someone with database access could (bypassing the ORM guard)."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_verify_passes_an_intact_log_and_prints_its_head(app: Flask, chain: list[int]) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"Checked {len(chain)} entries: the chain is intact." in result.output
    head = entries(app)[-1]
    assert f"Latest entry {head.id}, hash {head.entry_hash}" in result.output
    assert verify(app, "--head", head.entry_hash).exit_code == 0


def test_verify_names_an_altered_entry(app: Flask, chain: list[int]) -> None:
    target = chain[2]
    raw(app, "UPDATE audit_events SET event_type = 'nothing_to_see' WHERE id = :id", id=target)
    result = verify(app)
    assert result.exit_code == 1
    assert f"Entry {target}: its content does not match its hash: it was altered" in result.output
    assert "tampered with: 1 problem(s)" in result.output


def test_verify_names_the_entry_after_a_deleted_one(app: Flask, chain: list[int]) -> None:
    raw(app, "DELETE FROM audit_events WHERE id = :id", id=chain[3])
    result = verify(app)
    assert result.exit_code == 1
    assert f"Entry {chain[4]}: does not follow the entry before it" in result.output


def test_verify_names_the_entry_after_an_inserted_one(app: Flask, chain: list[int]) -> None:
    # A forged entry slipped in before the first, with a hash that is right for its own content.
    rows = entries(app)
    fields = {
        "at": "2026-01-01T00:00:00.000000Z",
        "organisation_id": rows[0].organisation_id,
        "actor_id": None,
        "event_type": "forged",
        "subject_type": None,
        "subject_id": None,
        "details": {},
        "before_hash": None,
        "after_hash": None,
    }
    raw(
        app,
        "INSERT INTO audit_events (id, at, organisation_id, event_type, details, prev_hash, entry_hash) "
        "VALUES (0, :at, :org, 'forged', '{}', :prev, :hash)",
        at="2026-01-01 00:00:00",
        org=rows[0].organisation_id,
        prev=GENESIS,
        hash=entry_hash(GENESIS, fields, chain_key(app.config["SECRET_KEY"])),
    )
    result = verify(app)
    assert result.exit_code == 1
    assert (
        f"Entry {chain[0]}: does not follow the entry before it: an entry was deleted or inserted"
        in result.output
    )


def test_verify_with_a_noted_head_notices_entries_deleted_from_the_end(app: Flask, chain: list[int]) -> None:
    head = entries(app)[-1].entry_hash
    raw(app, "DELETE FROM audit_events WHERE id = :id", id=chain[-1])
    assert verify(app).exit_code == 0  # without an anchor, a shortened chain still links up
    result = verify(app, "--head", head)
    assert result.exit_code == 1
    assert f"The entry with hash {head} is missing" in result.output
