"""What reviewers (and authors) read: the review queue, an assessment's record with its versions and
history, one frozen version, and the differences between two versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hia_service.auth.permissions import Action, can
from hia_service.auth.roles import Role
from hia_service.data import assessments as assessment_store
from hia_service.data import review as review_store
from hia_service.data.audit import audit_history
from hia_service.data.models import (
    Assessment,
    AssessmentEvent,
    AssessmentVersion,
    AuditEvent,
    DecisionRecord,
    User,
)
from hia_service.domain.workflow import Status
from hia_service.services import rules
from hia_service.services.assessments.authoring import assessment_for
from hia_service.services.assessments.viewing import VIEWED
from hia_service.services.errors import NotFoundError, PermissionDeniedError, ServiceError
from hia_service.services.organisation import choices
from hia_service.services.review import followup
from hia_service.services.review.answers import Difference, SectionAnswers, answer_sections, compare
from hia_service.services.review.decisions import (
    OUTCOMES,
    can_review,
    first_submitted_on,
    why_not_reviewer,
)
from hia_service.services.review.feedback import GENERAL_SECTION, SinceReturn, since_return

QUEUE_STATUSES = (
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.RETURNED,
    Status.APPROVED,
    Status.DECISION_RECORDED,
)
RATINGS = {"low": "Low", "medium": "Medium", "high": "High"}
AUDIT_LABELS = {
    "assessment_started": "Assessment started",
    "answers_saved": "Answers saved",
    "area_chosen": "Area chosen",
    "submitted_for_review": "Submitted for review",
    "assessment_start_review": "Review started",
    "review_comment_added": "Review comment added",
    "assessment_return": "Returned to author",
    "assessment_approve": "Approved",
    "assessment_record_decision": "Decision recorded",
    "action_completed": "Action marked as done",
    "pdf_downloaded": "Record downloaded",
}


@dataclass(frozen=True)
class QueueFilters:
    statuses: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    directorate: str | None = None
    decision_from: date | None = None
    decision_to: date | None = None
    search: str | None = None


@dataclass(frozen=True)
class QueueRow:
    assessment: Assessment
    submitted_on: date | None
    versions: int
    assessed_after_decision: bool


QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    directorates: list[str]
    filters: QueueFilters
    total: int  # how many match the filters, over all pages
    page: int  # 1-based; a page past the end shows the last page
    page_size: int = QUEUE_PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def review_queue(user: User, filters: QueueFilters, page: int = 1) -> Queue:
    """One page of the organisation's assessments that have reached review; drafts stay with their authors.

    Filtered, counted and paged by the database, so the queue has no cap however long it grows.
    """
    require_reviewer(user)
    statuses = tuple(s for s in filters.statuses if s in {x.value for x in QUEUE_STATUSES})
    query = review_store.QueueQuery(
        statuses=statuses or tuple(s.value for s in QUEUE_STATUSES),
        ratings=tuple(r for r in filters.ratings if r in RATINGS),
        directorate=filters.directorate or None,
        decision_from=filters.decision_from,
        decision_to=filters.decision_to,
        search=filters.search or None,
    )
    total = review_store.count_queue(user.organisation_id, query)
    # Someone following an old link, or typing a number, past the end sees the last page, not nothing.
    page = min(max(page, 1), max(1, -(-total // QUEUE_PAGE_SIZE)))
    found = review_store.list_queue(
        user.organisation_id, query, offset=(page - 1) * QUEUE_PAGE_SIZE, limit=QUEUE_PAGE_SIZE
    )
    directorates = choices.filter_options(
        user.organisation_id, "directorate", review_store.list_directorates(user.organisation_id)
    )
    return Queue([_queue_row(a) for a in found], directorates, filters, total, page, QUEUE_PAGE_SIZE)


def visible_assessments(
    user: User, *, training: bool, status: str | None, search: str | None, page: int, per_page: int
) -> tuple[list[Assessment], int]:
    """What the API lists: your own assessments, and for reviewers every one of the organisation's that
    reached review. One page of them, newest change first, and how many there are in all.

    A page past the last is an error a client can act on (the first page always exists, even when empty);
    it is found from the count before any rows are asked for, so no page number reaches the database.
    """
    query = assessment_store.VisibleQuery(
        user_id=user.id,
        organisation_id=user.organisation_id,
        queue_statuses=tuple(s.value for s in QUEUE_STATUSES) if user.role_enum is Role.REVIEWER else (),
        training=training,
        status=status,
        search=search,
    )
    total = assessment_store.count_visible(query)
    last = max(1, -(-total // per_page))
    if page > last:
        raise ServiceError(f"There is no page {page}: the last page is {last}.", field="page")
    return assessment_store.list_visible(query, offset=(page - 1) * per_page, limit=per_page), total


def _queue_row(assessment: Assessment) -> QueueRow:
    submitted = first_submitted_on(assessment) if assessment.versions else None
    return QueueRow(assessment, submitted, len(assessment.versions), after_decision(assessment, None))


def after_decision(assessment: Assessment, decision: DecisionRecord | None) -> bool:
    """Was the decision (recorded, or else planned) dated before the assessment was first submitted?"""
    if decision is not None:
        return decision.assessed_after_decision
    if assessment.decision_date is None or not assessment.versions:
        return False
    return assessment.decision_date < first_submitted_on(assessment)


def require_reviewer(user: User) -> None:
    if user.role_enum is not Role.REVIEWER:
        raise PermissionDeniedError("Only governance reviewers can use the review queue.")


@dataclass(frozen=True)
class HistoryEntry:
    at: Any
    what: str
    who: str
    detail: str = ""
    before_hash: str | None = None
    after_hash: str | None = None


@dataclass
class RecordPage:
    assessment: Assessment
    version: AssessmentVersion | None
    sections: list[SectionAnswers]
    comments: dict[str, list[Any]]
    events: list[HistoryEntry]
    audit: list[HistoryEntry]
    decision: DecisionRecord | None
    follow_up: list[followup.FollowUpItem]
    can_review: bool
    can_record_decision: bool
    assessed_after_decision: bool
    first_submitted_on: date | None
    return_comment: str | None = None
    review_refused: str | None = None  # why this reviewer may not review it (they wrote it)
    section_titles: dict[str, str] = field(default_factory=dict)
    since_return: SinceReturn | None = None  # for reviewers, when the version follows a return

    @property
    def versions(self) -> list[AssessmentVersion]:
        return list(self.assessment.versions)

    @property
    def status(self) -> Status:
        return Status(self.assessment.status)

    @property
    def reviewable(self) -> bool:
        return self.can_review and self.status in (Status.SUBMITTED, Status.IN_REVIEW)

    @property
    def decision_outcome(self) -> str | None:
        return OUTCOMES.get(self.decision.outcome) if self.decision else None

    @property
    def recommendation(self) -> str | None:
        if self.version is None:
            return None
        return OUTCOMES.get(self.version.answers.get("conclusion.recommendation") or "")


def record_page(user: User, assessment_id: int) -> RecordPage:
    """An assessment's record: its latest submitted version, comments, decision, follow-up and history."""
    assessment = _live_record(user, assessment_id)
    version = review_store.latest_version(assessment.id)
    decision = review_store.get_decision(assessment.id)
    framework = rules.framework(version.framework_version if version else assessment.framework_version)
    return RecordPage(
        assessment=assessment,
        version=version,
        sections=answer_sections(framework, version.answers) if version else [],
        comments=_comments_by_section(version),
        events=_events(assessment.events),
        # What was done to it, not who read it: the page's own views would crowd that out.
        audit=_audit_entries(audit_history("assessment", assessment.id, excluding=(VIEWED,))),
        decision=decision,
        follow_up=followup.items_for_assessment(user, assessment),
        can_review=can_review(user, assessment),
        review_refused=why_not_reviewer(user, assessment),
        can_record_decision=can(user, Action.RECORD_DECISION, assessment),
        assessed_after_decision=after_decision(assessment, decision),
        first_submitted_on=first_submitted_on(assessment) if assessment.versions else None,
        return_comment=_last_return_comment(assessment.events),
        section_titles={s.id: s.title for s in framework.sections} | {GENERAL_SECTION: "General"},
        since_return=since_return(assessment) if can_review(user, assessment) else None,
    )


def _live_record(user: User, assessment_id: int) -> Assessment:
    """The governance record of a live assessment; practice (training) is never one, even for its author."""
    assessment = assessment_for(user, assessment_id, Action.VIEW)
    if assessment.is_training:
        raise NotFoundError("We could not find that assessment. It may belong to someone else.")
    return assessment


def _comments_by_section(version: AssessmentVersion | None) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for comment in version.comments if version else []:
        grouped.setdefault(comment.section_id, []).append(comment)
    return grouped


def _last_return_comment(events: list[AssessmentEvent]) -> str | None:
    returns = [e for e in events if e.event == "return"]
    return returns[-1].comment if returns else None


def _events(events: list[AssessmentEvent]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            at=e.at,
            what=e.description + (f" (version {e.version_number})" if e.version_number else ""),
            who=e.actor.name or e.actor.email,
            detail=e.comment or "",
        )
        for e in events
    ]


def _audit_entries(entries: list[AuditEvent]) -> list[HistoryEntry]:
    names = review_store.user_names({e.actor_id for e in entries if e.actor_id})
    return [
        HistoryEntry(
            at=e.at,
            what=AUDIT_LABELS.get(e.event_type, e.event_type.replace("_", " ").capitalize()),
            who=names.get(e.actor_id, "The service") if e.actor_id else "The service",
            before_hash=e.before_hash,
            after_hash=e.after_hash,
        )
        for e in entries
    ]


@dataclass(frozen=True)
class VersionPage:
    assessment: Assessment
    version: AssessmentVersion
    sections: list[SectionAnswers]
    comments: dict[str, list[Any]]
    section_titles: dict[str, str]


def version_page(user: User, assessment_id: int, number: int) -> VersionPage:
    """One frozen version exactly as it was submitted, labelled with its own framework version."""
    assessment = _live_record(user, assessment_id)
    version = _version(assessment, number)
    framework = rules.framework(version.framework_version)
    titles = {s.id: s.title for s in framework.sections} | {GENERAL_SECTION: "General"}
    return VersionPage(
        assessment,
        version,
        answer_sections(framework, version.answers),
        _comments_by_section(version),
        titles,
    )


@dataclass(frozen=True)
class Comparison:
    assessment: Assessment
    before: AssessmentVersion
    after: AssessmentVersion
    differences: list[Difference]


def comparison(user: User, assessment_id: int, before: int | None, after: int | None) -> Comparison:
    """The answers that changed between two versions (by default the last two)."""
    assessment = _live_record(user, assessment_id)
    count = len(assessment.versions)
    if count < 2:
        raise NotFoundError("There is only one version of this assessment, so there is nothing to compare.")
    old = _version(assessment, before if before is not None else count - 1)
    new = _version(assessment, after if after is not None else count)
    differences = compare(
        (rules.framework(old.framework_version), old.answers),
        (rules.framework(new.framework_version), new.answers),
    )
    return Comparison(assessment, old, new, differences)


def _version(assessment: Assessment, number: int) -> AssessmentVersion:
    version = next((v for v in assessment.versions if v.number == number), None)
    if version is None:
        raise NotFoundError(f"Version {number} of this assessment does not exist.")
    return version
