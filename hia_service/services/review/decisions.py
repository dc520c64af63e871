"""Governance review of a submitted assessment: start, comment, return to the author, approve, and record
the decision that followed.

Every action checks permission with can(), moves the status with workflow.apply(), writes an
AssessmentEvent and an audit entry, and is refused if the assessment changed after the reviewer opened it
(`expected_lock` is the lock version the page was rendered with; the database's optimistic lock catches the
race between two reviewers pressing a button at the same moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hia_service.auth.permissions import Action, can
from hia_service.data import assessments as store
from hia_service.data import review as review_store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Assessment, AssessmentVersion, DecisionRecord, ReviewComment, User
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.workflow import Event, Status, TransitionNotAllowed, apply
from hia_service.services import rules
from hia_service.services.assessments import notices
from hia_service.services.assessments.authoring import assessment_for, require_complete
from hia_service.services.documents.on_approval import on_approved
from hia_service.services.errors import (
    ChangedSinceOpenedError,
    PermissionDeniedError,
    ServiceError,
    StateTransitionError,
)
from hia_service.services.review import followup
from hia_service.services.review.feedback import GENERAL_SECTION, reviewer_comments

UK = ZoneInfo("Europe/London")
COMMENT_MAX = 5000
EARLIEST_DECISION_DAYS = 365  # before the assessment was started: earlier is a mistyped year
CONDITIONS_MAX = 2000  # a few paragraphs: what must happen for the approval to stand
OUTCOMES = {
    "proceed": "Go ahead as proposed",
    "proceed_with_mitigations": "Go ahead with the mitigations in the action plan",
    "pause": "Paused or deferred for more evidence",
    "do_not_proceed": "Not to go ahead",
}

NOT_NOW = {
    Event.START_REVIEW: "Only a submitted assessment can have its review started. This one is '{status}'.",
    Event.RETURN: "Only an assessment under review can be returned to its author. This one is '{status}'.",
    Event.APPROVE: "Only an assessment under review can be approved. This one is '{status}'.",
    Event.RECORD_DECISION: "Record the decision once the assessment is approved. This one is '{status}'.",
}


class InvalidInput(ServiceError):
    """Several fields need correcting; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


@dataclass(frozen=True)
class DecisionInput:
    decided_on: Any  # {"day", "month", "year"} from the form, or "YYYY-MM-DD"
    forum: str
    outcome: str
    summary: str


def start_review(user: User, assessment_id: int, expected_lock: int | None) -> Assessment:
    assessment = _for_review(user, assessment_id, expected_lock)
    before = _state(assessment)
    _move(assessment, Event.START_REVIEW)
    version = review_store.latest_version(assessment.id)
    _record(user, assessment, Event.START_REVIEW, before, version=version)
    return assessment


def add_comment(
    user: User, assessment_id: int, section_id: str, body: str, version_number: int | None
) -> ReviewComment:
    """A reviewer's comment on one section of the version under review (or "general")."""
    assessment = _for_review(user, assessment_id, None)
    version = _version_under_review(assessment, version_number)
    body = _required_text(body, "comment", "Enter your comment")
    sections = {s.id for s in rules.framework(version.framework_version).sections} | {GENERAL_SECTION}
    if section_id not in sections:
        raise ServiceError("Choose a section of the assessment to comment on", field="section")
    comment = review_store.add_comment(version, section_id, body, user)
    record_audit_event(
        "review_comment_added",
        actor=user,
        organisation_id=assessment.organisation_id,
        subject=("assessment", assessment.id),
        details={"reference": assessment.reference, "version": version.number, "section": section_id},
        after_hash=content_hash({"section": section_id, "body": body}),
    )
    return comment


def return_to_author(user: User, assessment_id: int, comment: str, expected_lock: int | None) -> Assessment:
    """Send the assessment back with a comment; the author revises it and submits a new version."""
    comment = _required_text(comment, "comment", "Enter what the author needs to change")
    assessment = _for_review(user, assessment_id, expected_lock)
    before = _state(assessment)
    _allowed(assessment, Event.RETURN)
    version = _version_under_review(assessment, None)
    _move(assessment, Event.RETURN)
    review_store.save_version_review(version, status=Status.RETURNED.value, **_reviewed_by(user))
    _record(user, assessment, Event.RETURN, before, version=version, comment=comment)
    notes = [notices.SectionNote(c.section_title, c.body) for c in reviewer_comments(assessment, version)]
    notices.tell_author_returned(assessment, version, user, comment, notes)
    return assessment


def approve(
    user: User, assessment_id: int, expected_lock: int | None, conditions: str | None = None
) -> AssessmentVersion:
    """Approve the version under review, with any conditions of approval, start tracking its action plan,
    and sign its record (which states the conditions)."""
    conditions = check_conditions(conditions)
    assessment = _for_review(user, assessment_id, expected_lock)
    before = _state(assessment)
    _allowed(assessment, Event.APPROVE)
    version = _version_under_review(assessment, None)
    # A version frozen unfinished (the API submitted without the web's gate before it had one) is returned,
    # never approved and signed.
    require_complete(version.framework_version, version.answers, APPROVE_INCOMPLETE)
    _move(assessment, Event.APPROVE)
    review_store.save_version_review(
        version, status=Status.APPROVED.value, approval_conditions=conditions, **_reviewed_by(user)
    )
    items = followup.start_tracking(assessment, version)
    # The log says whether conditions were set; their words are fingerprinted in the after hash, not copied.
    details = {"follow_up_items": len(items), "conditions_set": conditions is not None}
    _record(user, assessment, Event.APPROVE, before, version=version, details=details, conditions=conditions)
    on_approved(version)
    notices.tell_author_approved(assessment, version, user)
    return version


def record_decision(
    user: User, assessment_id: int, entry: DecisionInput, expected_lock: int | None
) -> DecisionRecord:
    """What was decided after approval, by which forum and when; flags a decision taken before the
    assessment was first submitted."""
    assessment = assessment_for(user, assessment_id, Action.RECORD_DECISION)
    _check_unchanged(assessment, expected_lock)
    _allowed(assessment, Event.RECORD_DECISION)
    decided_on, values = check_decision(entry, earliest_decision(assessment))
    version = _approved_version(assessment)
    before = _state(assessment)
    _move(assessment, Event.RECORD_DECISION, decision_date=decided_on)
    first_submitted = first_submitted_on(assessment)
    recommendation = version.answers.get("conclusion.recommendation")
    record = review_store.add_decision(
        assessment_id=assessment.id,
        version_id=version.id,
        decided_on=decided_on,
        recommendation=recommendation,
        matched_recommendation=values["outcome"] == recommendation,
        first_submitted_on=first_submitted,
        assessed_after_decision=decided_on < first_submitted,
        recorded_by_id=user.id,
        **values,
    )
    details = {
        "decided_on": decided_on.isoformat(),
        "assessed_after_decision": record.assessed_after_decision,
    }
    _record(user, assessment, Event.RECORD_DECISION, before, version=version, details=details)
    followup.start_reassessment(assessment, version, decided_on, values["outcome"])
    return record


def earliest_decision(assessment: Assessment) -> date:
    """The earliest decision date taken as real: a year before the assessment was started. A decision taken
    before the assessment is flagged, not refused; one years earlier is far more likely a mistyped year, and
    once recorded it could not be corrected."""
    return local_date(assessment.created_at) - timedelta(days=EARLIEST_DECISION_DAYS)


def check_decision(entry: DecisionInput, earliest: date | None = None) -> tuple[date, dict[str, str]]:
    """The decision's date and fields, or InvalidInput listing every problem at once."""
    errors: dict[str, str] = {}  # in the order the form asks, so the error summary reads the same way
    if entry.outcome not in OUTCOMES:
        errors["outcome"] = "Select what was decided"
    summary = (entry.summary or "").strip()
    if not summary:
        errors["summary"] = "Describe what was decided"
    elif len(summary) > COMMENT_MAX:
        errors["summary"] = f"Description of the decision must be {COMMENT_MAX} characters or fewer"
    forum = (entry.forum or "").strip()
    if not forum:
        errors["forum"] = "Enter which group or board made the decision"
    elif len(forum) > 200:
        errors["forum"] = "Name of the group or board must be 200 characters or fewer"
    iso, problem = parse_date(entry.decided_on, "Date of the decision")
    if problem or iso is None:
        errors["decided_on"] = problem or "Enter the date of the decision"
    elif date.fromisoformat(iso) > datetime.now(UK).date():
        errors["decided_on"] = "Date of the decision must be today or in the past"
    elif earliest is not None and date.fromisoformat(iso) < earliest:
        errors["decided_on"] = (
            f"Date of the decision must be on or after {earliest.day} {earliest:%B %Y}, a year before this "
            "assessment was started: check the year"
        )
    if errors:
        raise InvalidInput(errors)
    return date.fromisoformat(iso), {"forum": forum, "outcome": entry.outcome, "summary": summary}


def first_submitted_on(assessment: Assessment) -> date:
    """The UK date the assessment was first submitted: the moment due regard was on record."""
    first = min(v.submitted_at for v in assessment.versions)
    return local_date(first)


def local_date(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(UK).date()


def check_conditions(conditions: str | None) -> str | None:
    """Conditions of approval as stored: trimmed, None when there are none, refused when too long."""
    text = (conditions or "").replace("\r\n", "\n").strip()  # a browser sends each new line as \r\n
    if len(text) > CONDITIONS_MAX:
        raise ServiceError(
            f"Conditions of approval must be {CONDITIONS_MAX} characters or fewer", field="conditions"
        )
    return text or None


APPROVE_INCOMPLETE = (
    "This version cannot be approved until every section is finished. Return it to the author to finish"
)
OWN_WORK = "You wrote this assessment, so another reviewer in your organisation needs to review it."


def can_review(user: User, assessment: Assessment) -> bool:
    """Whether `user` may act as reviewer here: a reviewer of the organisation who did not write it."""
    return can(user, Action.REVIEW, assessment) and assessment.author_id != user.id


def why_not_reviewer(user: User, assessment: Assessment) -> str | None:
    """The reason to show a reviewer who may not review this one (their own work), or None."""
    return OWN_WORK if can(user, Action.REVIEW, assessment) and assessment.author_id == user.id else None


def _for_review(user: User, assessment_id: int, expected_lock: int | None) -> Assessment:
    assessment = assessment_for(user, assessment_id, Action.REVIEW)
    if assessment.author_id == user.id:
        raise PermissionDeniedError(OWN_WORK)
    _check_unchanged(assessment, expected_lock)
    return assessment


def _check_unchanged(assessment: Assessment, expected_lock: int | None) -> None:
    if expected_lock is not None and expected_lock != assessment.lock_version:
        raise ChangedSinceOpenedError(changed_message(assessment))


def changed_message(assessment: Assessment) -> str:
    status = Status(assessment.status).label.lower()
    last = assessment.events[-1] if assessment.events else None
    who = f"{last.actor.name or last.actor.email} " if last else "Someone "
    when = f" at {local_time(last.at)}" if last else ""
    return (
        f"{who}changed this assessment{when}, after you opened it. It is now '{status}'. "
        "Nothing you did has been saved. Check the latest position below before you try again."
    )


def local_time(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    local = aware.astimezone(UK)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _allowed(assessment: Assessment, event: Event) -> Status:
    try:
        return apply(event, Status(assessment.status))
    except TransitionNotAllowed:
        now = Status(assessment.status).label.lower()
        raise StateTransitionError(NOT_NOW[event].format(status=now)) from None


def _move(assessment: Assessment, event: Event, **changes: Any) -> Status:
    """The status change, written first so a reviewer who lost a race finds out before anything else is
    written."""
    status = _allowed(assessment, event)
    try:
        store.save_assessment(assessment, status=status.value, **changes)
    except store.ConcurrentChangeError:
        raise ChangedSinceOpenedError(changed_message(_reload(assessment.id))) from None
    return status


def _reload(assessment_id: int) -> Assessment:
    assessment = store.get_assessment(assessment_id)
    assert assessment is not None  # assessments are never deleted
    return assessment


def _version_under_review(assessment: Assessment, number: int | None) -> AssessmentVersion:
    version = review_store.latest_version(assessment.id)
    if version is None or version.status != Status.SUBMITTED.value:
        raise StateTransitionError("There is no submitted version of this assessment waiting for review.")
    if number is not None and number != version.number:
        raise ChangedSinceOpenedError(
            f"Version {version.number} has been submitted since you opened version {number}. "
            "Nothing has been saved. Read the new version before you comment."
        )
    return version


def _approved_version(assessment: Assessment) -> AssessmentVersion:
    version = review_store.latest_version(assessment.id)
    if version is None or version.status != Status.APPROVED.value:
        raise StateTransitionError("A decision can only be recorded once the assessment is approved.")
    return version


def _reviewed_by(user: User) -> dict[str, Any]:
    return {"reviewed_by_id": user.id, "reviewed_at": datetime.now(UK)}


def _required_text(text: str | None, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(message, field=field)
    if len(text) > COMMENT_MAX:
        raise ServiceError(f"Comment must be {COMMENT_MAX} characters or fewer", field=field)
    return text


def _state(assessment: Assessment) -> dict[str, Any]:
    return {"status": assessment.status, "lock_version": assessment.lock_version}


def _record(
    user: User,
    assessment: Assessment,
    event: Event,
    before: dict[str, Any],
    *,
    version: AssessmentVersion | None,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
    conditions: str | None = None,
) -> None:
    number = version.number if version else None
    store.add_event(
        assessment,
        event=event.value,
        description=event.past_tense,
        actor=user,
        version_number=number,
        comment=comment,
    )
    after = {"status": assessment.status, "lock_version": assessment.lock_version, "comment": comment}
    if conditions is not None:
        after["conditions"] = conditions
    record_audit_event(
        f"assessment_{event.value}",
        actor=user,
        organisation_id=assessment.organisation_id,
        subject=("assessment", assessment.id),
        details={
            "reference": assessment.reference,
            "version": number,
            "status": assessment.status,
            **(details or {}),
        },
        before_hash=content_hash(before),
        after_hash=content_hash(after),
    )
