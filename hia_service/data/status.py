"""Small read-only queries for the health check."""

from __future__ import annotations

from sqlalchemy import select

from hia_service.data.models import ReferenceDataset
from hia_service.extensions import db


def current_reference_releases() -> list[str]:
    query = select(ReferenceDataset.release).where(ReferenceDataset.is_current).distinct()
    return sorted(db.session.scalars(query))
