"""The register of assessments as CSV, for governance papers and spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from hia_service.data import dashboard as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Assessment, DecisionRecord, User
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.workflow import Status
from hia_service.services.review import followup
from hia_service.services.review.dashboard import more_deprived_than_organisation, submitted_on
from hia_service.services.review.decisions import OUTCOMES, local_date
from hia_service.services.review.record import RATINGS, after_decision, require_reviewer

COLUMNS = (
    ("reference", "Reference"),
    ("title", "Title"),
    ("status", "Status"),
    ("rating", "Rating"),
    ("directorate", "Directorate"),
    ("kind", "Kind of proposal"),
    ("author", "Author"),
    ("versions", "Versions submitted"),
    ("first_submitted", "First submitted"),
    ("approved", "Approved"),
    ("decision_date", "Decision date"),
    ("forum", "Decided by"),
    ("outcome", "What was decided"),
    ("matched", "Decision matched the recommendation"),
    ("after_decision", "Assessed after the decision"),
    ("more_deprived", "Affected population more deprived than the organisation's"),
    ("open_actions", "Open actions"),
    ("overdue_actions", "Overdue actions"),
    ("review_date", "Review date"),
)
# A cell starting with one of these is run as a formula by spreadsheet programs: neutralise it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def register_rows(user: User, *, today: date | None = None) -> list[dict[str, Any]]:
    require_reviewer(user)
    today = today or followup.today_uk()
    decisions = store.decisions_by_assessment(user.organisation_id)
    items = followup.follow_up_list(user, "all", today=today)
    by_assessment: dict[int, list[followup.FollowUpItem]] = {}
    for entry in items.actions + items.reviews:
        by_assessment.setdefault(entry.item.assessment_id, []).append(entry)
    return [
        _row(a, decisions.get(a.id), by_assessment.get(a.id, []))
        for a in store.live_assessments(user.organisation_id)
    ]


def _row(
    a: Assessment, decision: DecisionRecord | None, items: list[followup.FollowUpItem]
) -> dict[str, Any]:
    approved = next((v.reviewed_at for v in reversed(a.versions) if v.status == Status.APPROVED.value), None)
    actions = [i for i in items if i.item.kind == "action"]
    review = next((i.item.due for i in items if i.item.kind == "review"), None)
    profile = a.area_profile
    deprived = more_deprived_than_organisation(profile) if profile is not None else None
    return {
        "reference": a.reference,
        "title": a.title,
        "status": Status(a.status).label,
        "rating": RATINGS.get(a.rating or "", ""),
        "directorate": a.directorate or "",
        "kind": a.kind or "",
        "author": a.author.name or a.author.email,
        "versions": len(a.versions),
        "first_submitted": _iso(submitted_on(a)),
        "approved": _iso(local_date(approved) if approved else None),
        "decision_date": _iso(decision.decided_on if decision else a.decision_date),
        "forum": decision.forum if decision else "",
        "outcome": OUTCOMES.get(decision.outcome, "") if decision else "",
        "matched": _yes_no(decision.matched_recommendation if decision else None),
        "after_decision": _yes_no(after_decision(a, decision)),
        "more_deprived": _yes_no(deprived),
        "open_actions": sum(1 for i in actions if i.item.status == "open"),
        "overdue_actions": sum(1 for i in actions if i.overdue),
        "review_date": _iso(review),
    }


def register_csv(user: User) -> str:
    """The register as CSV (UTF-8 with a byte-order mark so Excel reads accents); the export is audited."""
    rows = register_rows(user)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(row[key]) for key, _ in COLUMNS])
    record_audit_event(
        "register_exported",
        actor=user,
        subject=("register", user.organisation_id),
        details={"format": "csv", "rows": len(rows)},
        after_hash=content_hash(out.getvalue()),
    )
    return out.getvalue()


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")
