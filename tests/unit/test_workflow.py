import pytest

from hia_service.domain.workflow import Event, Status, TransitionNotAllowed, allowed_events, apply


@pytest.mark.parametrize(
    ("status", "event", "after"),
    [
        (Status.DRAFT, Event.SUBMIT, Status.SUBMITTED),
        (Status.RETURNED, Event.SUBMIT, Status.SUBMITTED),
        (Status.SUBMITTED, Event.START_REVIEW, Status.IN_REVIEW),
        (Status.IN_REVIEW, Event.RETURN, Status.RETURNED),
        (Status.IN_REVIEW, Event.APPROVE, Status.APPROVED),
        (Status.APPROVED, Event.RECORD_DECISION, Status.DECISION_RECORDED),
    ],
)
def test_allowed_moves(status: Status, event: Event, after: Status) -> None:
    assert apply(event, status) is after


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (Status.DRAFT, Event.APPROVE),
        (Status.APPROVED, Event.SUBMIT),
        (Status.APPROVED, Event.RETURN),
        (Status.DECISION_RECORDED, Event.APPROVE),
        (Status.RETURNED, Event.APPROVE),
    ],
)
def test_illegal_moves_say_why(status: Status, event: Event) -> None:
    with pytest.raises(TransitionNotAllowed, match=f"'{status.label.lower()}' cannot be"):
        apply(event, status)


def test_only_drafts_and_returned_assessments_are_editable() -> None:
    assert [s for s in Status if s.editable_by_author] == [Status.DRAFT, Status.RETURNED]


def test_allowed_events_lists_reviewer_choices() -> None:
    assert set(allowed_events(Status.IN_REVIEW)) == {Event.RETURN, Event.APPROVE}
