"""Queries and writes for follow-up: the approved action plan, review dates and reminder emails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from hia_service.data.assessments import ConcurrentChangeError
from hia_service.data.models import ActionItem, Assessment, ReminderLog, User
from hia_service.extensions import db


def add_items(items: list[dict[str, Any]]) -> list[ActionItem]:
    rows = [ActionItem(**fields) for fields in items]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def find_colleague(organisation_id: int, who: str) -> User | None:
    """The active user whose email or full name is exactly `who` (ignoring case), if there is one."""
    wanted = who.strip().lower()
    if not wanted:
        return None
    statement = select(User).where(
        User.organisation_id == organisation_id,
        User.is_active.is_(True),
        or_(func.lower(User.email) == wanted, func.lower(User.name) == wanted),
    )
    matches = list(db.session.scalars(statement.limit(2)))
    return matches[0] if len(matches) == 1 else None  # two people with the same name: nobody is guessed


def get_item(item_id: int) -> ActionItem | None:
    return db.session.get(ActionItem, item_id)


def list_items(
    organisation_id: int, *, person_id: int | None = None, assessment_id: int | None = None
) -> list[ActionItem]:
    """Items of the organisation's live assessments; with `person_id`, only theirs (author or owner)."""
    statement = (
        select(ActionItem)
        .join(Assessment, Assessment.id == ActionItem.assessment_id)
        .where(Assessment.organisation_id == organisation_id, Assessment.is_training.is_(False))
        .options(selectinload(ActionItem.assessment), selectinload(ActionItem.owner_user))
    )
    if person_id is not None:
        statement = statement.where(or_(Assessment.author_id == person_id, ActionItem.owner_id == person_id))
    if assessment_id is not None:
        statement = statement.where(ActionItem.assessment_id == assessment_id)
    order = (ActionItem.status, ActionItem.due.is_(None), ActionItem.due, ActionItem.id)
    return list(db.session.scalars(statement.order_by(*order)))


def open_items_due_by(day: date) -> list[ActionItem]:
    """Open items of live assessments due on or before `day`, for reminders (every organisation)."""
    statement = (
        select(ActionItem)
        .join(Assessment, Assessment.id == ActionItem.assessment_id)
        .where(ActionItem.status == "open", ActionItem.due <= day, Assessment.is_training.is_(False))
        .options(selectinload(ActionItem.assessment).selectinload(Assessment.author))
        .order_by(ActionItem.due, ActionItem.id)
    )
    return list(db.session.scalars(statement))


def complete_item(item: ActionItem, *, by: User, note: str) -> ActionItem:
    item.status = "done"
    item.completed_by_id = by.id
    item.completed_at = datetime.now(UTC)
    item.completion_note = note
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChangeError from None
    return item


def reminded_on(recipient: str, day: date) -> bool:
    statement = select(ReminderLog.id).where(ReminderLog.recipient == recipient, ReminderLog.sent_on == day)
    return db.session.scalar(statement) is not None


def log_reminder(recipient: str, day: date, item_count: int) -> bool:
    """Note that `recipient` was reminded on `day`; False if another run got there first."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(recipient=recipient, sent_on=day, item_count=item_count))
    except IntegrityError:
        return False
    return True
