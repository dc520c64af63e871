"""Queries and writes for assessments, their frozen versions and their workflow events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError

from hia_service.data.models import Assessment, AssessmentEvent, AssessmentVersion, User
from hia_service.data.review import escape_like
from hia_service.extensions import db

DECISION_RECORDED = "decision_recorded"  # the workflow's last status: the decision has been taken


class ConcurrentChangeError(Exception):
    """Another writer saved this record after it was read."""


def next_reference(organisation_id: int, year: int, kind: str = "HIA") -> str:
    # Two people starting assessments at the same moment would read the same highest reference and one
    # would fail on the unique constraint (found by the load test). A no-op write to the organisation's row
    # holds its numbering until this transaction ends: a row lock on PostgreSQL, the write lock on SQLite.
    db.session.execute(text("UPDATE organisations SET id = id WHERE id = :org"), {"org": organisation_id})
    prefix = f"{kind}-{year}-"
    last = db.session.scalar(
        select(func.max(Assessment.reference)).where(
            Assessment.organisation_id == organisation_id, Assessment.reference.startswith(prefix)
        )
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def add_assessment(**fields: Any) -> Assessment:
    assessment = Assessment(**fields)
    db.session.add(assessment)
    db.session.flush()
    return assessment


def get_assessment(assessment_id: int) -> Assessment | None:
    return db.session.get(Assessment, assessment_id)


def get_assessment_by_reference(organisation_id: int, reference: str) -> Assessment | None:
    query = select(Assessment).where(
        Assessment.organisation_id == organisation_id, Assessment.reference == reference.strip().upper()
    )
    return db.session.scalar(query)


# Lists show a row's reference, title, status and dates: its answers, area and profile (tens of kB of JSON
# each) are read only if asked for.
_LISTED = (defer(Assessment.answers), defer(Assessment.area), defer(Assessment.profile))


def list_assessments_by_author(user: User, *, training: bool = False) -> list[Assessment]:
    query = (
        select(Assessment)
        .options(*_LISTED)
        .where(Assessment.author_id == user.id, Assessment.is_training.is_(training))
        .order_by(Assessment.updated_at.desc())
    )
    return list(db.session.scalars(query))


def add_assessments(rows: list[dict[str, Any]]) -> None:
    """Insert many assessments in one statement (imports and large test fixtures); every row needs the
    same keys. Defaults (status, lock version, times) are filled in as for one added at a time."""
    if rows:
        db.session.execute(insert(Assessment), rows)


@dataclass(frozen=True)
class VisibleQuery:
    """Which assessments a person may list: theirs (live or training, as asked), and when `queue_statuses`
    is given the organisation's live assessments in those statuses too; narrowed by status and words."""

    user_id: int
    organisation_id: int
    queue_statuses: tuple[str, ...]
    training: bool
    status: str | None = None
    search: str | None = None


def count_visible(query: VisibleQuery) -> int:
    return db.session.scalar(select(func.count(Assessment.id)).where(_visible(query))) or 0


def list_visible(query: VisibleQuery, *, offset: int, limit: int) -> list[Assessment]:
    """One page, newest change first; the id breaks ties between rows changed at the same moment, so
    pages neither repeat nor skip a row."""
    page = (
        select(Assessment)
        .options(*_LISTED)
        .where(_visible(query))
        .order_by(Assessment.updated_at.desc(), Assessment.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(page))


def _visible(query: VisibleQuery) -> ColumnElement[bool]:
    in_queue: ColumnElement[bool] = false()
    if query.queue_statuses and not query.training:
        in_queue = (Assessment.organisation_id == query.organisation_id) & Assessment.status.in_(
            query.queue_statuses
        )
    condition = Assessment.is_training.is_(query.training) & or_(
        Assessment.author_id == query.user_id, in_queue
    )
    if query.status:
        condition = condition & (Assessment.status == query.status)
    if query.search:
        like = f"%{escape_like(' '.join(query.search.split()))}%"
        condition = condition & or_(
            Assessment.title.ilike(like, escape="\\"), Assessment.reference.ilike(like, escape="\\")
        )
    return condition


def list_organisation_assessments(
    organisation_id: int, *, statuses: list[str] | None = None, search: str | None = None
) -> list[Assessment]:
    query = select(Assessment).where(
        Assessment.organisation_id == organisation_id, Assessment.is_training.is_(False)
    )
    if statuses:
        query = query.where(Assessment.status.in_(statuses))
    if search:
        like = f"%{search.strip()}%"
        query = query.where(or_(Assessment.title.ilike(like), Assessment.reference.ilike(like)))
    return list(db.session.scalars(query.order_by(Assessment.updated_at.desc())))


def save_assessment(assessment: Assessment, **changes: Any) -> Assessment:
    """Apply changes and flush; raise ConcurrentChangeError if someone else saved it first."""
    for key, value in changes.items():
        setattr(assessment, key, value)
    assessment.updated_at = datetime.now(UTC)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChangeError from None
    return assessment


def add_version(**fields: Any) -> AssessmentVersion:
    """Add and flush; raise ConcurrentChangeError if another writer added this version number first."""
    version = AssessmentVersion(**fields)
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ConcurrentChangeError from None
    return version


def get_version(assessment_id: int, number: int) -> AssessmentVersion | None:
    query = select(AssessmentVersion).where(
        AssessmentVersion.assessment_id == assessment_id, AssessmentVersion.number == number
    )
    return db.session.scalar(query)


def add_event(
    assessment: Assessment,
    *,
    event: str,
    description: str,
    actor: User,
    version_number: int | None = None,
    comment: str | None = None,
) -> AssessmentEvent:
    entry = AssessmentEvent(
        assessment_id=assessment.id,
        event=event,
        description=description,
        actor_id=actor.id,
        version_number=version_number,
        comment=comment,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def overlap_candidate_rows(organisation_id: int, exclude_id: int, since: datetime) -> list[Any]:
    """The organisation's other real assessments with an area, still open or changed since `since`: the ones
    whose effects could add up with this one's (cumulative impact). Nothing heavy (answers, area, profile)
    is loaded: id, lock_version (which goes up with every write), reference, title, status and rating, for a
    caller that keeps what it worked out from each assessment until it changes; and its organisation,
    author and whether it is practice, which is all a permission check needs."""
    query = select(
        Assessment.id,
        Assessment.lock_version,
        Assessment.organisation_id,
        Assessment.author_id,
        Assessment.is_training,
        Assessment.reference,
        Assessment.title,
        Assessment.status,
        Assessment.rating,
    ).where(
        Assessment.organisation_id == organisation_id,
        Assessment.is_training.is_(False),
        Assessment.id != exclude_id,
        Assessment.area.is_not(None),  # no area, no overlap (an area cleared to JSON null is still read)
        or_(Assessment.status != DECISION_RECORDED, Assessment.updated_at >= since),
    )
    return list(db.session.execute(query.order_by(Assessment.updated_at.desc())))
