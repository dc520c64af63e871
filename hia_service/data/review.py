"""Queries and writes for governance review: the queue, comments, decisions and who did what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from hia_service.data.models import (
    Assessment,
    AssessmentVersion,
    DecisionRecord,
    ReviewComment,
    User,
)
from hia_service.extensions import db


@dataclass(frozen=True)
class QueueQuery:
    """What the queue is filtered by; empty values mean "any"."""

    statuses: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    directorate: str | None = None
    decision_from: date | None = None
    decision_to: date | None = None
    search: str | None = None


def count_queue(organisation_id: int, query: QueueQuery) -> int:
    """How many assessments the queue's filters match, counted by the database."""
    statement = _filtered(select(func.count(Assessment.id)).where(*_live(organisation_id)), query)
    return db.session.scalar(statement) or 0


def list_queue(organisation_id: int, query: QueueQuery, *, offset: int, limit: int) -> list[Assessment]:
    """One page of live (not training) assessments of one organisation, newest change first.

    The id breaks ties between rows changed at the same moment, so pages neither repeat nor skip a row.
    """
    statement = _filtered(select(Assessment).where(*_live(organisation_id)), query)
    statement = statement.options(selectinload(Assessment.author), selectinload(Assessment.versions))
    ordered = statement.order_by(Assessment.updated_at.desc(), Assessment.id.desc())
    return list(db.session.scalars(ordered.offset(offset).limit(limit)))


def _live(organisation_id: int) -> tuple[Any, ...]:
    return (Assessment.organisation_id == organisation_id, Assessment.is_training.is_(False))


def _filtered(statement: Select[Any], query: QueueQuery) -> Select[Any]:
    if query.statuses:
        statement = statement.where(Assessment.status.in_(query.statuses))
    if query.ratings:
        statement = statement.where(Assessment.rating.in_(query.ratings))
    if query.directorate:
        statement = statement.where(Assessment.directorate == query.directorate)
    if query.decision_from:
        statement = statement.where(Assessment.decision_date >= query.decision_from)
    if query.decision_to:
        statement = statement.where(Assessment.decision_date <= query.decision_to)
    if query.search:
        like = f"%{escape_like(query.search.strip())}%"
        statement = statement.where(
            or_(Assessment.title.ilike(like, escape="\\"), Assessment.reference.ilike(like, escape="\\"))
        )
    return statement


def escape_like(text: str) -> str:
    # A search for "100%" means the characters, not a wildcard.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_directorates(organisation_id: int) -> list[str]:
    statement = (
        select(Assessment.directorate)
        .distinct()
        .where(
            Assessment.organisation_id == organisation_id,
            Assessment.is_training.is_(False),
            Assessment.directorate.is_not(None),
        )
        .order_by(Assessment.directorate)
    )
    return [name for name in db.session.scalars(statement) if name]


def latest_version(assessment_id: int) -> AssessmentVersion | None:
    statement = (
        select(AssessmentVersion)
        .where(AssessmentVersion.assessment_id == assessment_id)
        .order_by(AssessmentVersion.number.desc())
        .limit(1)
    )
    return db.session.scalar(statement)


def save_version_review(version: AssessmentVersion, **changes: Any) -> AssessmentVersion:
    """Set the review fields (status, reviewer, time) of a version; its frozen content cannot change."""
    for key, value in changes.items():
        setattr(version, key, value)
    db.session.flush()
    return version


def add_comment(version: AssessmentVersion, section_id: str, body: str, author: User) -> ReviewComment:
    comment = ReviewComment(version_id=version.id, section_id=section_id, body=body, author_id=author.id)
    db.session.add(comment)
    db.session.flush()
    return comment


def add_decision(**fields: Any) -> DecisionRecord:
    record = DecisionRecord(**fields)
    db.session.add(record)
    db.session.flush()
    return record


def get_decision(assessment_id: int) -> DecisionRecord | None:
    return db.session.scalar(select(DecisionRecord).where(DecisionRecord.assessment_id == assessment_id))


def user_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
    return {row.id: row.name or row.email for row in rows}
