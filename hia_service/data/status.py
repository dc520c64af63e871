"""Small read-only queries for the health check."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from hia_service.data.models import ReferenceDataset
from hia_service.extensions import db


def current_reference_releases() -> list[str]:
    query = select(ReferenceDataset.release).where(ReferenceDataset.is_current).distinct()
    return sorted(db.session.scalars(query))


def current_reference_checksum() -> str | None:
    """One checksum over every loaded reference file, to pin a frozen version to the data it used."""
    rows = db.session.execute(
        select(ReferenceDataset.file_name, ReferenceDataset.sha256)
        .where(ReferenceDataset.is_current)
        .order_by(ReferenceDataset.file_name)
    ).all()
    if not rows:
        return None
    return hashlib.sha256("".join(f"{name}:{digest};" for name, digest in rows).encode()).hexdigest()
