"""Provenance of the loaded reference data: which files, which bytes, when.

Functions flush; callers commit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from hia_service.data.models import ReferenceDataset
from hia_service.extensions import db


def record_reference_load(snapshot_id: str, datasets: list[dict[str, Any]]) -> None:
    """Record a load: older rows stop being current, one new row per file. Recording the snapshot that is
    already current changes nothing, so loading the same files twice leaves one set of rows."""
    current = current_reference_datasets()
    if current and {row.snapshot_id for row in current} == {snapshot_id} and len(current) == len(datasets):
        return
    for row in current:
        row.is_current = False
    loaded_at = datetime.now(UTC)
    for dataset in datasets:
        db.session.add(
            ReferenceDataset(**dataset, snapshot_id=snapshot_id, loaded_at=loaded_at, is_current=True)
        )
    db.session.flush()


def current_reference_datasets() -> list[ReferenceDataset]:
    """The rows of the current load, in dataset order."""
    query = (
        select(ReferenceDataset).where(ReferenceDataset.is_current.is_(True)).order_by(ReferenceDataset.id)
    )
    return list(db.session.scalars(query))
