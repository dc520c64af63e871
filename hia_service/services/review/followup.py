"""Follow-up after approval: the action plan tracked to completion, the monitoring review date, reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hia_service.auth.permissions import Action, can
from hia_service.auth.roles import Role
from hia_service.data import followup as store
from hia_service.data.assessments import ConcurrentChangeError
from hia_service.data.audit import record_audit_event
from hia_service.data.models import ActionItem, Assessment, AssessmentVersion, User
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.reassessment import reassessment_reasons
from hia_service.services.errors import (
    ChangedSinceOpenedError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    StateTransitionError,
)

UK = ZoneInfo("Europe/London")
PLAN_QUESTION = "actions.plan"
REVIEW_DATE_QUESTION = "monitoring.review_date"
REVIEW_OWNER_QUESTION = "monitoring.review_owner"
REVIEW_ACTION = (
    "Review this assessment: check the real effects of the change on the groups you were concerned about"
)
NOTE_MAX = 3000
SHOW = ("open", "overdue", "done", "all")
REASSESS_KIND = "reassess"  # look at the assessment again: the decision moved or changed after approval
REASSESS_WITHIN = timedelta(days=28)


def today_uk() -> date:
    return datetime.now(UK).date()


@dataclass(frozen=True)
class FollowUpItem:
    item: ActionItem
    overdue: bool
    can_complete: bool
    can_view_assessment: bool = True


@dataclass(frozen=True)
class FollowUpList:
    actions: list[FollowUpItem]
    reviews: list[FollowUpItem]
    show: str
    overdue_count: int


def start_tracking(assessment: Assessment, version: AssessmentVersion) -> list[ActionItem]:
    """Copy the approved version's action plan (and its review date) into items that can be marked done."""
    rows = [r for r in version.answers.get(PLAN_QUESTION) or [] if isinstance(r, dict)]
    items = [
        _item(
            assessment, version, "action", n, r.get("action"), r.get("owner"), r.get("due"), r.get("measure")
        )
        for n, r in enumerate(rows, start=1)
    ]
    review_date = version.answers.get(REVIEW_DATE_QUESTION)
    if review_date:
        owner = version.answers.get(REVIEW_OWNER_QUESTION)
        items.append(_item(assessment, version, "review", 0, REVIEW_ACTION, owner, review_date, None))
    return store.add_items(items) if items else []


def start_reassessment(
    assessment: Assessment, version: AssessmentVersion, decided_on: date, outcome: str
) -> list[ActionItem]:
    """A follow-up item to look at the assessment again when the decision moved or differed from what was
    assessed (owned by the author, due within REASSESS_WITHIN); nothing when it matched."""
    reasons = reassessment_reasons(version.answers, decided_on, outcome)
    due = (today_uk() + REASSESS_WITHIN).isoformat()
    items = [
        _item(assessment, version, REASSESS_KIND, n, reason, assessment.author.name, due, None)
        for n, reason in enumerate(reasons, start=1)
    ]
    return store.add_items(items) if items else []


def _item(
    assessment: Assessment,
    version: AssessmentVersion,
    kind: str,
    position: int,
    action: Any,
    owner: Any,
    due: Any,
    measure: Any,
) -> dict[str, Any]:
    owner_text = str(owner).strip()[:200] if owner else None
    colleague = store.find_colleague(assessment.organisation_id, owner_text) if owner_text else None
    return {
        "assessment_id": assessment.id,
        "version_id": version.id,
        "kind": kind,
        "position": position,
        "action": str(action or "").strip() or "(no description)",
        "owner": owner_text,
        "owner_id": colleague.id if colleague else None,
        "due": _date_or_none(due),
        "measure": str(measure).strip() if measure else None,
    }


def _date_or_none(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def is_overdue(item: ActionItem, today: date | None = None) -> bool:
    return item.status == "open" and item.due is not None and item.due < (today or today_uk())


def may_complete(user: User, item: ActionItem) -> bool:
    """The action's owner or the assessment's author marks it done."""
    same_org = user.organisation_id == item.assessment.organisation_id
    return same_org and user.id in (item.assessment.author_id, item.owner_id)


def may_see(user: User, item: ActionItem) -> bool:
    return can(user, Action.VIEW, item.assessment) or (
        user.organisation_id == item.assessment.organisation_id and item.owner_id == user.id
    )


def follow_up_list(user: User, show: str = "open", *, today: date | None = None) -> FollowUpList:
    """Reviewers see the organisation's follow-up; everyone else what they wrote or own."""
    today = today or today_uk()
    show = show if show in SHOW else "open"
    person = None if user.role_enum is Role.REVIEWER else user.id
    items = [
        FollowUpItem(item, is_overdue(item, today), may_complete(user, item))
        for item in store.list_items(user.organisation_id, person_id=person)
    ]
    overdue = sum(1 for i in items if i.overdue)
    chosen = [i for i in items if _shown(i, show)]
    return FollowUpList(
        actions=[i for i in chosen if i.item.kind == "action"],
        reviews=[i for i in chosen if i.item.kind in ("review", REASSESS_KIND)],
        show=show,
        overdue_count=overdue,
    )


def _shown(entry: FollowUpItem, show: str) -> bool:
    if show == "all":
        return True
    if show == "overdue":
        return entry.overdue
    return entry.item.status == show


def items_for_assessment(user: User, assessment: Assessment) -> list[FollowUpItem]:
    today = today_uk()
    return [
        FollowUpItem(item, is_overdue(item, today), may_complete(user, item))
        for item in store.list_items(assessment.organisation_id, assessment_id=assessment.id)
    ]


def item_for(user: User, item_id: int) -> FollowUpItem:
    item = store.get_item(item_id)
    if item is None or item.assessment.is_training or not may_see(user, item):
        raise NotFoundError("We could not find that action. It may belong to another organisation.")
    return FollowUpItem(
        item, is_overdue(item), may_complete(user, item), can(user, Action.VIEW, item.assessment)
    )


def complete(user: User, item_id: int, note: str, expected_lock: int | None) -> ActionItem:
    """Mark an action (or the review) done, with a note of what was done."""
    item = item_for(user, item_id).item
    if not may_complete(user, item):
        raise PermissionDeniedError("Only the action's owner or the assessment's author can mark it as done.")
    if item.status == "done":
        raise StateTransitionError("This action has already been marked as done.")
    note = (note or "").strip()
    if not note:
        raise ServiceError("Enter a note of what was done", field="note")
    if len(note) > NOTE_MAX:
        raise ServiceError(f"Note must be {NOTE_MAX} characters or fewer", field="note")
    if expected_lock is not None and expected_lock != item.lock_version:
        raise ChangedSinceOpenedError(
            "Someone else changed this action after you opened it. Nothing has been saved."
        )
    before = {"status": item.status, "lock_version": item.lock_version}
    try:
        store.complete_item(item, by=user, note=note)
    except ConcurrentChangeError:
        raise ChangedSinceOpenedError(
            "Someone else marked this action at the same moment. Nothing has been saved."
        ) from None
    _audit_completion(user, item, before, note)
    return item


def _audit_completion(user: User, item: ActionItem, before: dict[str, Any], note: str) -> None:
    record_audit_event(
        "action_completed",
        actor=user,
        organisation_id=item.assessment.organisation_id,
        subject=("assessment", item.assessment_id),
        details={"reference": item.assessment.reference, "item": item.id, "kind": item.kind},
        before_hash=content_hash(before),
        after_hash=content_hash({"status": item.status, "note": note}),
    )


@dataclass(frozen=True)
class Reminder:
    """One email: everything a person needs to act on, overdue first."""

    recipient: str
    name: str
    items: list[ActionItem]


def reminders_due(today: date, *, ahead_days: int = 14) -> list[Reminder]:
    """Open items overdue or due within `ahead_days`, grouped by who should act (owner, else author)."""
    people: dict[str, Reminder] = {}
    for item in store.open_items_due_by(today + timedelta(days=ahead_days)):
        person = item.owner_user or item.assessment.author
        if not person.is_active:
            person = item.assessment.author
        entry = people.setdefault(person.email, Reminder(person.email, person.name or person.email, []))
        entry.items.append(item)
    return sorted(people.values(), key=lambda r: r.recipient)


def already_reminded(recipient: str, today: date) -> bool:
    return store.reminded_on(recipient, today)


def note_reminder_sent(reminder: Reminder, today: date) -> bool:
    logged = store.log_reminder(reminder.recipient, today, len(reminder.items))
    if logged:
        record_audit_event(
            "reminder_sent",
            actor=None,
            organisation_id=reminder.items[0].assessment.organisation_id,
            subject=("reminder", reminder.recipient),
            details={"items": [i.id for i in reminder.items], "on": today.isoformat()},
        )
    return logged
