"""Many writers appending to the audit log at once, each in its own thread, session and connection, on
SQLite and (when HIA_TEST_POSTGRES_URL is set) PostgreSQL: the chain never forks, and re-chaining it
without the service's key is caught."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from hia_service.cli.audit import audit_cli
from hia_service.data.audit import _fields, record_audit_event, verify_audit_log
from hia_service.data.models import AuditEvent
from hia_service.data.transaction import commit, rollback
from hia_service.domain.audit_chain import unkeyed_entry_hash
from hia_service.extensions import db
from tests.integration.review.conftest import acting_as

WRITERS = 12
ROUNDS = 8


def test_many_writers_in_two_organisations_never_fork_the_chain(app: Flask, world: Any) -> None:
    people = [world["manager"], world["other_manager"]] * (WRITERS // 2)
    barrier = threading.Barrier(WRITERS, timeout=60)
    failures: list[BaseException] = []

    def writer(person: dict[str, Any], n: int) -> None:
        with acting_as(app, person) as user:
            for round_ in range(ROUNDS):
                db.session.scalar(select(AuditEvent.id).limit(1))  # a request reads before it writes
                barrier.wait()  # every writer is about to append at the same moment
                try:
                    record_audit_event("answers_saved", actor=user, details={"writer": n, "round": round_})
                    commit()
                except Exception as error:  # reported below rather than lost in the thread
                    rollback()
                    failures.append(error)

    threads = [threading.Thread(target=writer, args=(p, n)) for n, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with app.app_context():
        count, problems = verify_audit_log()
        hashes = list(db.session.scalars(select(AuditEvent.prev_hash)))
    assert count == WRITERS * ROUNDS and problems == []
    assert len(set(hashes)) == len(hashes)  # no two entries follow the same one: no fork


def test_a_log_re_chained_without_the_key_fails_verification(app: Flask, world: Any) -> None:
    with acting_as(app, world["manager"]) as user:
        for n in range(3):
            record_audit_event("answers_saved", actor=user, details={"n": n})
        commit()
    # Someone with the database alters the second entry and re-chains the log as it used to be chained
    # (plain sha256): without HIA_SECRET_KEY they cannot make the keyed links.
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        rows[1].event_type = "nothing_to_see"

        prev = "0" * 64
        links = []
        for row in rows:
            digest = unkeyed_entry_hash(prev, _fields(row))
            links.append((row.id, prev, digest))
            prev = digest
        db.session.rollback()
        with db.engine.begin() as conn:
            for entry_id, prev_hash, digest in links:
                conn.execute(
                    text("UPDATE audit_events SET prev_hash = :p, entry_hash = :h WHERE id = :id"),
                    {"p": prev_hash, "h": digest, "id": entry_id},
                )
            conn.execute(
                text("UPDATE audit_events SET event_type = 'nothing_to_see' WHERE id = :id"),
                {"id": links[1][0]},
            )
    result = app.test_cli_runner().invoke(audit_cli, ["verify"])
    assert result.exit_code == 1
    assert "tampered with: 3 problem(s) in 3 entries" in result.output
