"""Who read what: the audit entry of a web page that shows a live assessment's content (its answers on the
review record, one version, a comparison of two, checking the answers, a question page).

These are audited the way the API audits a read (services/accounts/api_calls.py): an "assessment_viewed"
entry with the time of the view, written after the page's own transaction with the next batch
(HIA_API_AUDIT_BATCH_SECONDS), so a page view adds no commit of its own. Practice (training) assessments are
not audited: they hold made-up scenarios, never an organisation's records. Downloads of a version's PDF or
Word copy are audited with the download, as before (services/documents/records.py, "document_downloaded").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from hia_service.data.audit import audit_event
from hia_service.data.models import Assessment, AuditEvent, User
from hia_service.services.accounts.api_calls import record_read

VIEWED = "assessment_viewed"


@dataclass(frozen=True)
class Viewer:
    """Who looked, as the audit log keeps them (no database row is held until the batch is written)."""

    id: int
    organisation_id: int


@dataclass(frozen=True)
class AssessmentView:
    """One page showing one assessment's content to one person."""

    viewer: Viewer
    organisation_id: int  # the assessment's: its organisation's audit log has the entry
    assessment_id: int
    reference: str
    page: str
    path: str
    at: datetime
    version: int | None = None

    def as_audit_event(self) -> AuditEvent:
        details: dict[str, object] = {"reference": self.reference, "page": self.page, "path": self.path}
        if self.version is not None:
            details["version"] = self.version
        return audit_event(
            VIEWED,
            actor=self.viewer,
            organisation_id=self.organisation_id,
            subject=("assessment", self.assessment_id),
            details=details,
            at=self.at,
        )


def assessment_view(
    user: User, assessment: Assessment, page: str, path: str, *, version: int | None = None
) -> AssessmentView | None:
    """The view to audit once the page has been sent; None for a practice assessment."""
    if assessment.is_training:
        return None
    return AssessmentView(
        viewer=Viewer(user.id, user.organisation_id),
        organisation_id=assessment.organisation_id,
        assessment_id=assessment.id,
        reference=assessment.reference,
        page=page,
        path=path,
        at=datetime.now(UTC),
        version=version,
    )


def record_view(view: AssessmentView) -> None:
    """Audit a page that was shown, after the request's own commit: batched with the API's reads."""
    record_read(view)
