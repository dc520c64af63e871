"""What the reviewer asked the author to change: the reason given when the assessment was returned, and the
comments on each section of the version returned. The author sees them on the task list and beside the
questions of each section commented on, for as long as the assessment is returned to them; once it is
submitted again, the reviewer sees what changed since and which comments' sections changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hia_service.data import review as review_store
from hia_service.data.models import Assessment, AssessmentEvent, AssessmentVersion, User
from hia_service.domain.workflow import Event, Status
from hia_service.services import rules
from hia_service.services.assessments import wizard
from hia_service.services.review.changes import ChangesSince, changes_since

GENERAL_SECTION = "general"  # a comment on the assessment as a whole, not on one section
GENERAL_TITLE = "The assessment as a whole"


@dataclass(frozen=True)
class ReviewerComment:
    section_id: str
    section_title: str
    page_id: str | None  # the first page of the section in the wizard; None for a general comment
    body: str
    by: str
    at: datetime

    @property
    def general(self) -> bool:
        return self.section_id == GENERAL_SECTION


@dataclass(frozen=True)
class ReturnFeedback:
    """The reviewer's decision on the version last returned: who, when, why, and their comments."""

    version_number: int
    returned_by: str
    returned_at: datetime
    reason: str
    comments: tuple[ReviewerComment, ...]  # general ones first, then in the order of the sections

    def for_section(self, section_id: str) -> tuple[ReviewerComment, ...]:
        return tuple(c for c in self.comments if c.section_id == section_id)

    @property
    def general(self) -> tuple[ReviewerComment, ...]:
        return self.for_section(GENERAL_SECTION)

    @property
    def on_sections(self) -> tuple[ReviewerComment, ...]:
        return tuple(c for c in self.comments if not c.general)

    @property
    def section_ids(self) -> frozenset[str]:
        return frozenset(c.section_id for c in self.on_sections)


def return_feedback(user: User, assessment: Assessment) -> ReturnFeedback | None:
    """What the reviewer asked `user` to change, while the assessment is returned to them; None for anyone
    else and at any other time (once resubmitted, the comments are no longer outstanding)."""
    if assessment.author_id != user.id or assessment.status != Status.RETURNED.value:
        return None
    return _feedback(assessment, review_store.latest_version(assessment.id))


@dataclass(frozen=True)
class SinceReturn:
    """For the reviewer of a version submitted after a return: the return, and what changed since."""

    returned: ReturnFeedback
    number: int  # the version submitted after it
    changes: ChangesSince[ReviewerComment]


UNDER_REVIEW = (Status.SUBMITTED.value, Status.IN_REVIEW.value)


def since_return(assessment: Assessment) -> SinceReturn | None:
    """What changed between the version last returned and the one now waiting for review; None unless the
    version under review was submitted straight after a return."""
    versions = list(assessment.versions)
    if assessment.status not in UNDER_REVIEW or len(versions) < 2:
        return None
    returned, current = versions[-2], versions[-1]
    feedback = _feedback(assessment, returned)
    if feedback is None:
        return None
    changes = changes_since(
        (rules.framework(returned.framework_version), returned.answers),
        (rules.framework(current.framework_version), current.answers),
        feedback.comments,
    )
    return SinceReturn(feedback, current.number, changes)


def _feedback(assessment: Assessment, version: AssessmentVersion | None) -> ReturnFeedback | None:
    returned = _return_of(assessment.events, version)
    if version is None or returned is None:
        return None
    return ReturnFeedback(
        version_number=version.number,
        returned_by=_name(returned.actor),
        returned_at=returned.at,
        reason=returned.comment or "",
        comments=reviewer_comments(assessment, version),
    )


def _return_of(events: list[AssessmentEvent], version: AssessmentVersion | None) -> AssessmentEvent | None:
    if version is None or version.status != Status.RETURNED.value:
        return None
    returns = [e for e in events if e.event == Event.RETURN.value and e.version_number == version.number]
    return returns[-1] if returns else None


def reviewer_comments(assessment: Assessment, version: AssessmentVersion) -> tuple[ReviewerComment, ...]:
    """The comments on one version: general ones first, then by section in the framework's order."""
    # Pages are the assessment's (the wizard the author edits in); titles are the version's, as commented on.
    pages = rules.framework(assessment.framework_version)
    sections = rules.framework(version.framework_version).sections
    order = {GENERAL_SECTION: -1} | {s.id: n for n, s in enumerate(sections)}
    titles = {GENERAL_SECTION: GENERAL_TITLE} | {s.id: s.title for s in sections}
    found = [
        ReviewerComment(
            section_id=c.section_id,
            section_title=titles.get(c.section_id, c.section_id),
            page_id=None
            if c.section_id == GENERAL_SECTION
            else wizard.page_of_question(pages, None, c.section_id),
            body=c.body,
            by=_name(c.author),
            at=c.created_at,
        )
        for c in version.comments
    ]
    return tuple(sorted(found, key=lambda c: order.get(c.section_id, len(order))))


def _name(user: User) -> str:
    return user.name or user.email
