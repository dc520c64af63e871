"""Who may do what to which assessment: one function, tested wholesale. Pure: no Flask."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from hia_service.auth.roles import Role


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"  # comment, return, approve
    RECORD_DECISION = "record_decision"
    EXPORT = "export"


class Actor(Protocol):
    id: int
    organisation_id: int
    role: str


class Record(Protocol):
    organisation_id: int
    author_id: int
    is_training: bool


def can(user: Actor, action: Action, record: Record) -> bool:
    """Live records: reviewers see all of their organisation's, managers their own; trainers none.
    Training records never reach governance: only their author and trainers see them."""
    if user.organisation_id != record.organisation_id:
        return False
    role = Role(user.role)
    is_author = record.author_id == user.id
    if record.is_training:
        return is_author or (role is Role.TRAINER and action is Action.VIEW)
    if role is Role.REVIEWER:
        return action in (Action.VIEW, Action.REVIEW, Action.RECORD_DECISION, Action.EXPORT) or (
            is_author and action in (Action.EDIT, Action.SUBMIT)
        )
    if role in (Role.MANAGER, Role.ADMIN):
        return is_author and action in (
            Action.VIEW,
            Action.EDIT,
            Action.SUBMIT,
            Action.EXPORT,
            Action.RECORD_DECISION,
        )
    return False
