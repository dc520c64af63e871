"""The governance dashboard: the organisation's portfolio of assessments in figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hia_service.data import dashboard as store
from hia_service.data.models import Assessment, User
from hia_service.domain.geography.area_profile import ProfileLike, as_area_profile
from hia_service.domain.workflow import LIVE_STATUSES, Status
from hia_service.services import rules
from hia_service.services.review import followup
from hia_service.services.review.decisions import first_submitted_on, local_date
from hia_service.services.review.followup import FollowUpItem
from hia_service.services.review.record import RATINGS, after_decision, require_reviewer

WAITING_DAYS = 14  # a submitted assessment untouched for longer than this is waiting too long
NOT_GIVEN = "Not given yet"


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    share: float  # of the total the breakdown is out of


@dataclass(frozen=True)
class Portfolio:
    total: int
    by_status: list[Count]
    by_rating: list[Count]
    by_directorate: list[Count]
    by_kind: list[Count]
    decisions: int
    decisions_assessed_first: int
    assessed_after_decision: list[Assessment]
    overdue_actions: list[FollowUpItem]
    overdue_reviews: list[FollowUpItem]
    waiting: list[Assessment]
    with_profile: int
    more_deprived: int
    today: date

    @property
    def share_assessed_first(self) -> float | None:
        return self.decisions_assessed_first / self.decisions if self.decisions else None

    @property
    def share_more_deprived(self) -> float | None:
        return self.more_deprived / self.with_profile if self.with_profile else None

    def breakdown(self, name: str) -> list[Count]:
        return {
            "status": self.by_status,
            "rating": self.by_rating,
            "directorate": self.by_directorate,
            "kind": self.by_kind,
        }[name]


BREAKDOWNS = {
    "status": "Assessments by status",
    "rating": "Assessments by rating",
    "directorate": "Assessments by directorate",
    "kind": "Assessments by kind of proposal",
}


def portfolio(user: User, *, today: date | None = None) -> Portfolio:
    require_reviewer(user)
    today = today or followup.today_uk()
    assessments = store.live_assessments(user.organisation_id)
    decisions = store.decisions_by_assessment(user.organisation_id)
    items = followup.follow_up_list(user, "overdue", today=today)
    profiled = [p for p in (a.area_profile for a in assessments) if p is not None]
    return Portfolio(
        total=len(assessments),
        by_status=_by_status(assessments),
        by_rating=_count(assessments, lambda a: a.rating, RATINGS),
        by_directorate=_count(assessments, lambda a: a.directorate, {}),
        by_kind=_count(assessments, lambda a: a.kind, _kind_labels()),
        decisions=len(decisions),
        decisions_assessed_first=sum(1 for d in decisions.values() if not d.assessed_after_decision),
        assessed_after_decision=[a for a in assessments if after_decision(a, decisions.get(a.id))],
        overdue_actions=items.actions,
        overdue_reviews=items.reviews,
        waiting=_waiting(assessments, today),
        with_profile=sum(1 for p in profiled if more_deprived_than_organisation(p) is not None),
        more_deprived=sum(1 for p in profiled if more_deprived_than_organisation(p)),
        today=today,
    )


def more_deprived_than_organisation(given: ProfileLike) -> bool | None:
    """Is the affected population more deprived than the organisation's own (its Core20 share is higher)?

    Compared with the organisation's population when the profile has it; otherwise with England, through
    relative_core20 (the area's Core20 share divided by England's). None when the profile cannot say.
    """
    profile = as_area_profile(given)
    if profile is None:
        return None
    organisation, own_share = profile.baseline.organisation, profile.core20_share
    if organisation is not None and organisation.core20_share is not None and own_share is not None:
        return own_share > organisation.core20_share
    relative = profile.relative_core20
    return None if relative is None else relative > 1


def _by_status(assessments: list[Assessment]) -> list[Count]:
    counts = Counter(a.status for a in assessments)
    total = len(assessments) or 1
    return [
        Count(s.value, s.label, counts.get(s.value, 0), counts.get(s.value, 0) / total) for s in LIVE_STATUSES
    ]


def _count(assessments: list[Assessment], key: Any, labels: dict[str, str]) -> list[Count]:
    counts = Counter(key(a) or None for a in assessments)
    total = len(assessments) or 1
    order: list[str] = [k for k in labels if k in counts] + sorted(k for k in counts if k and k not in labels)
    rows = [Count(k, labels.get(k, k), counts[k], counts[k] / total) for k in order]
    if counts.get(None):
        rows.append(Count("", NOT_GIVEN, counts[None], counts[None] / total))
    return rows


def _kind_labels() -> dict[str, str]:
    question = rules.framework().question("proposal.kind")
    return {option.value: option.label for option in question.options}


def _waiting(assessments: list[Assessment], today: date) -> list[Assessment]:
    limit = today - timedelta(days=WAITING_DAYS)
    waiting = [
        a
        for a in assessments
        if a.status in (Status.SUBMITTED.value, Status.IN_REVIEW.value)
        and a.versions
        and local_date(a.versions[-1].submitted_at) < limit
    ]
    return sorted(waiting, key=lambda a: a.versions[-1].submitted_at)


def submitted_on(assessment: Assessment) -> date | None:
    return first_submitted_on(assessment) if assessment.versions else None
