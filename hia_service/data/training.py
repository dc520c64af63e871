"""Queries and writes for training sessions, their trainees and practice assessments. Functions flush."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hia_service.data.models import TrainingMember, TrainingPractice, TrainingSession, User
from hia_service.extensions import db


class DuplicateCodeError(Exception):
    """Another session already has this join code."""


def add_session(**fields: Any) -> TrainingSession:
    session = TrainingSession(**fields)
    db.session.add(session)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DuplicateCodeError from None
    return session


def get_session(session_id: int) -> TrainingSession | None:
    return db.session.get(TrainingSession, session_id)


def session_by_code(code: str) -> TrainingSession | None:
    return db.session.scalar(select(TrainingSession).where(TrainingSession.join_code == code))


def sessions_of_organisation(organisation_id: int) -> list[TrainingSession]:
    query = (
        select(TrainingSession)
        .where(TrainingSession.organisation_id == organisation_id)
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
    )
    return list(db.session.scalars(query))


def sessions_joined(user_id: int) -> list[TrainingSession]:
    query = (
        select(TrainingSession)
        .join(TrainingMember, TrainingMember.session_id == TrainingSession.id)
        .where(TrainingMember.user_id == user_id)
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
    )
    return list(db.session.scalars(query))


def get_member(session_id: int, user_id: int) -> TrainingMember | None:
    query = select(TrainingMember).where(
        TrainingMember.session_id == session_id, TrainingMember.user_id == user_id
    )
    return db.session.scalar(query)


def add_member(session: TrainingSession, user: User) -> TrainingMember:
    member = TrainingMember(session_id=session.id, user_id=user.id)
    db.session.add(member)
    db.session.flush()
    return member


def add_practice(**fields: Any) -> TrainingPractice:
    practice = TrainingPractice(**fields)
    db.session.add(practice)
    db.session.flush()
    return practice


def get_practice(session_id: int, user_id: int, scenario_id: str) -> TrainingPractice | None:
    query = select(TrainingPractice).where(
        TrainingPractice.session_id == session_id,
        TrainingPractice.user_id == user_id,
        TrainingPractice.scenario_id == scenario_id,
    )
    return db.session.scalar(query)


def practice_of_assessment(assessment_id: int) -> TrainingPractice | None:
    return db.session.scalar(select(TrainingPractice).where(TrainingPractice.assessment_id == assessment_id))


def practices_in_session(session_id: int) -> list[TrainingPractice]:
    query = (
        select(TrainingPractice)
        .where(TrainingPractice.session_id == session_id)
        .order_by(TrainingPractice.user_id, TrainingPractice.scenario_id)
    )
    return list(db.session.scalars(query))


def mark_submitted(practice: TrainingPractice, at: datetime) -> None:
    practice.submitted_at = at
    db.session.flush()
