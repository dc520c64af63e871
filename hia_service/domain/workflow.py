"""The assessment's life: statuses, the events that move it, and which moves are allowed. Pure."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    DECISION_RECORDED = "decision_recorded"
    # Training only: a practice assessment goes to its feedback page, never to governance review.
    SUBMITTED_FOR_FEEDBACK = "submitted_for_feedback"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def editable_by_author(self) -> bool:
        return self in (Status.DRAFT, Status.RETURNED)


# The governance statuses: what the dashboard and register count (practice is never among them).
LIVE_STATUSES = tuple(s for s in Status if s is not Status.SUBMITTED_FOR_FEEDBACK)

STATUS_LABELS = {
    Status.DRAFT: "Draft",
    Status.SUBMITTED: "Submitted for review",
    Status.IN_REVIEW: "In review",
    Status.RETURNED: "Returned to author",
    Status.APPROVED: "Approved",
    Status.DECISION_RECORDED: "Decision recorded",
    Status.SUBMITTED_FOR_FEEDBACK: "Submitted for feedback",
}


class Event(StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    RETURN = "return"
    APPROVE = "approve"
    RECORD_DECISION = "record_decision"
    SUBMIT_FOR_FEEDBACK = "submit_for_feedback"

    @property
    def past_tense(self) -> str:
        return EVENT_PAST_TENSE[self]


EVENT_PAST_TENSE = {
    Event.SUBMIT: "Submitted for review",
    Event.START_REVIEW: "Review started",
    Event.RETURN: "Returned to author",
    Event.APPROVE: "Approved",
    Event.RECORD_DECISION: "Decision recorded",
    Event.SUBMIT_FOR_FEEDBACK: "Submitted for feedback",
}

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.DRAFT, Event.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Event.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Event.START_REVIEW): Status.IN_REVIEW,
    (Status.SUBMITTED, Event.RETURN): Status.RETURNED,
    (Status.IN_REVIEW, Event.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Event.APPROVE): Status.APPROVED,
    (Status.IN_REVIEW, Event.APPROVE): Status.APPROVED,
    (Status.APPROVED, Event.RECORD_DECISION): Status.DECISION_RECORDED,
    (Status.DRAFT, Event.SUBMIT_FOR_FEEDBACK): Status.SUBMITTED_FOR_FEEDBACK,
}


class TransitionNotAllowed(Exception):
    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(
            f"An assessment that is '{status.label.lower()}' cannot be {event.past_tense.lower()}"
        )
        self.status = status
        self.event = event


def apply(event: Event, status: Status) -> Status:
    """The status after `event`, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionNotAllowed(status, event) from None


def allowed_events(status: Status) -> list[Event]:
    return [event for (source, event) in TRANSITIONS if source == status]
