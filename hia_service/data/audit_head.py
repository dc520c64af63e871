"""The end of the audit chain, so a check can also notice entries deleted from the end of the log."""

from __future__ import annotations

from sqlalchemy import select

from hia_service.data.models import AuditEvent
from hia_service.extensions import db


def latest_entry() -> tuple[int, str] | None:
    row = db.session.execute(
        select(AuditEvent.id, AuditEvent.entry_hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    first = row.first()
    return (first.id, first.entry_hash) if first else None


def has_entry_hash(entry_hash: str) -> bool:
    return (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.entry_hash == entry_hash.strip()))
        is not None
    )
