"""Queries behind the governance dashboard and the register: one organisation's live records at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hia_service.data.models import Assessment, DecisionRecord
from hia_service.extensions import db


def live_assessments(organisation_id: int) -> list[Assessment]:
    """Every live (not training) assessment of the organisation, drafts included, oldest first."""
    statement = (
        select(Assessment)
        .where(Assessment.organisation_id == organisation_id, Assessment.is_training.is_(False))
        .options(selectinload(Assessment.versions), selectinload(Assessment.author))
        .order_by(Assessment.reference)
    )
    return list(db.session.scalars(statement))


def decisions_by_assessment(organisation_id: int) -> dict[int, DecisionRecord]:
    statement = (
        select(DecisionRecord)
        .join(Assessment, Assessment.id == DecisionRecord.assessment_id)
        .where(Assessment.organisation_id == organisation_id, Assessment.is_training.is_(False))
    )
    return {record.assessment_id: record for record in db.session.scalars(statement)}
