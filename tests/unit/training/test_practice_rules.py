"""The pure rules behind practice: its own workflow step (submitted for feedback, never reviewed) and what a
training-only account may do with live and training records."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hia_service.auth.permissions import Action, can
from hia_service.domain.workflow import (
    LIVE_STATUSES,
    Event,
    Status,
    TransitionNotAllowed,
    allowed_events,
    apply,
)


@dataclass
class Person:
    id: int
    organisation_id: int
    role: str


@dataclass
class Record:
    organisation_id: int
    author_id: int
    is_training: bool = False


TRAINEE = Person(7, 10, "trainee")
TRAINER = Person(4, 10, "trainer")
REVIEWER = Person(3, 10, "reviewer")


def test_a_draft_practice_is_submitted_for_feedback() -> None:
    assert apply(Event.SUBMIT_FOR_FEEDBACK, Status.DRAFT) is Status.SUBMITTED_FOR_FEEDBACK
    assert Status.SUBMITTED_FOR_FEEDBACK.label == "Submitted for feedback"


@pytest.mark.parametrize(
    "event", [Event.START_REVIEW, Event.RETURN, Event.APPROVE, Event.SUBMIT, Event.SUBMIT_FOR_FEEDBACK]
)
def test_nothing_moves_a_practice_on_from_feedback(event: Event) -> None:
    with pytest.raises(TransitionNotAllowed, match="'submitted for feedback' cannot be"):
        apply(event, Status.SUBMITTED_FOR_FEEDBACK)
    assert allowed_events(Status.SUBMITTED_FOR_FEEDBACK) == []
    assert not Status.SUBMITTED_FOR_FEEDBACK.editable_by_author


def test_feedback_is_not_a_governance_status() -> None:
    assert Status.SUBMITTED_FOR_FEEDBACK not in LIVE_STATUSES
    assert set(LIVE_STATUSES) | {Status.SUBMITTED_FOR_FEEDBACK} == set(Status)


@pytest.mark.parametrize("action", list(Action))
def test_a_trainee_can_do_nothing_to_a_live_record(action: Action) -> None:
    assert not can(TRAINEE, action, Record(10, 1))
    assert not can(TRAINEE, action, Record(10, TRAINEE.id))  # even one that names them as author


def test_a_trainee_works_on_their_own_practice_only() -> None:
    own, someone_elses = Record(10, TRAINEE.id, True), Record(10, 8, True)
    assert can(TRAINEE, Action.EDIT, own) and can(TRAINEE, Action.EXPORT, own)
    assert not can(TRAINEE, Action.VIEW, someone_elses)
    assert can(TRAINER, Action.VIEW, own) and not can(TRAINER, Action.EXPORT, own)
    assert not can(REVIEWER, Action.VIEW, own) and not can(REVIEWER, Action.REVIEW, own)
    assert not can(Person(9, 99, "trainer"), Action.VIEW, own)
