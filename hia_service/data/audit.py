"""The audit log: one writer, record_audit_event(), which stores, chains and logs every entry."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select, text, update

from hia_service.data.models import AuditEvent
from hia_service.domain.audit_chain import (
    GENESIS,
    ChainProblem,
    chain_key,
    entry_hash,
    timestamp,
    verify_chain,
)
from hia_service.extensions import db

log = logging.getLogger("hia_service.audit")


class Actor(Protocol):
    """Who did it: a User, or anything that knows their id and organisation (an API call's caller, whom
    the API does not load to audit a read)."""

    @property
    def id(self) -> int: ...

    @property
    def organisation_id(self) -> int: ...


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": timestamp(event.at),
        "organisation_id": event.organisation_id,
        "actor_id": event.actor_id,
        "event_type": event.event_type,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "details": event.details,
        "before_hash": event.before_hash,
        "after_hash": event.after_hash,
    }


def record_audit_event(
    event_type: str,
    *,
    actor: Actor | None,
    organisation_id: int | None = None,
    subject: tuple[str, object] | None = None,
    details: dict[str, Any] | None = None,
    before_hash: str | None = None,
    after_hash: str | None = None,
) -> AuditEvent:
    """Append an entry chained to the last one. Flushes; the request or command commits."""
    event = audit_event(
        event_type,
        actor=actor,
        organisation_id=organisation_id,
        subject=subject,
        details=details,
        before_hash=before_hash,
        after_hash=after_hash,
    )
    return append_audit_events([event])[0]


def audit_event(
    event_type: str,
    *,
    actor: Actor | None,
    organisation_id: int | None = None,
    subject: tuple[str, object] | None = None,
    details: dict[str, Any] | None = None,
    before_hash: str | None = None,
    after_hash: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """An entry not yet chained or stored (append_audit_events does both). `at`: when it happened, if
    before now (an API read audited with its batch a moment later)."""
    return AuditEvent(
        at=at or datetime.now(UTC),
        organisation_id=organisation_id
        if organisation_id is not None
        else getattr(actor, "organisation_id", None),
        actor_id=actor.id if actor else None,
        event_type=event_type,
        subject_type=subject[0] if subject else None,
        subject_id=str(subject[1]) if subject else None,
        details=details or {},
        before_hash=before_hash,
        after_hash=after_hash,
        prev_hash="",
        entry_hash="",
    )


def append_audit_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain entries to the last one, in order, and store them with one look-up and one flush however
    many there are. Flushes; the request or command commits."""
    serialise_writers()
    key = audit_key()
    last = db.session.scalar(select(AuditEvent.entry_hash).order_by(AuditEvent.id.desc()).limit(1))
    for event in events:
        event.prev_hash = last or GENESIS
        event.entry_hash = last = entry_hash(event.prev_hash, _fields(event), key)
        db.session.add(event)
    db.session.flush()
    for event in events:
        log.info(
            "audit",
            extra={
                "fields": {
                    "audit_event": event.event_type,
                    "subject": event.subject_id,
                    "actor_id": event.actor_id,
                }
            },
        )
    return events


def audit_key() -> bytes:
    """The chain's HMAC key, derived from HIA_SECRET_KEY (never stored in the database)."""
    return chain_key(str(current_app.config["SECRET_KEY"]))


AUDIT_LOCK = 724119


def serialise_writers() -> None:
    """Hold the audit chain's write lock until this transaction ends, before reading the last hash: two
    writers that both read the same "last hash" would fork the chain. There is one chain for the whole
    service (backups prove an organisation's entries sit in it), so the lock is the chain's, which also
    serialises each organisation's writers.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: pysqlite runs a SELECT outside any transaction
    until the first write, so the last hash could be read by two writers at once; a write statement (that
    changes nothing) first takes SQLite's single write lock, which other writers wait for (busy timeout)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    elif dialect == "sqlite":
        nothing = update(AuditEvent).where(AuditEvent.id == -1).values(id=AuditEvent.id)
        db.session.execute(nothing.execution_options(synchronize_session=False))


def verify_audit_log() -> tuple[int, list[ChainProblem]]:
    rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    entries = [(row.id, row.prev_hash, row.entry_hash, _fields(row)) for row in rows]
    return len(rows), verify_chain(entries, audit_key())


def audit_history(
    subject_type: str, subject_id: object, *, excluding: tuple[str, ...] = ()
) -> list[AuditEvent]:
    """The entries about one subject, oldest first, without those of the `excluding` event types."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(AuditEvent.id)
    )
    if excluding:
        query = query.where(AuditEvent.event_type.not_in(excluding))
    return list(db.session.scalars(query))
