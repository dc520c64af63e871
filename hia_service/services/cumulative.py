"""Cumulative impact: which other open or recent assessments of the organisation cover the same
neighbourhoods, how they were rated, and which groups several of them harm."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hia_service.auth.permissions import Action, can
from hia_service.data import assessments as store
from hia_service.data.models import Assessment, User
from hia_service.domain.cumulative import CumulativeView, OtherAssessment, cumulative_view
from hia_service.domain.framework import visible_answers
from hia_service.geography import GeographyError
from hia_service.services import geography, rules

RECENT = timedelta(days=365)  # a decided assessment still counts for a year after its last change


def cumulative_for(user: User, assessment: Assessment) -> CumulativeView | None:
    """Overlapping assessments and repeated harms, or None when the area is not chosen yet."""
    mine = lsoas_of(assessment)
    if not mine:
        return None
    since = datetime.now(UTC) - RECENT
    others = [
        OtherAssessment(
            id=other.id,
            reference=other.reference,
            title=other.title,
            status=other.status,
            rating=other.rating,
            lsoas=lsoas_of(other),
            negative_groups=negative_groups(other),
        )
        for other in store.list_overlap_candidates(assessment.organisation_id, assessment.id, since)
    ]
    view = cumulative_view(assessment.reference, mine, negative_groups(assessment), others)
    viewable = frozenset(o.other.id for o in view.overlaps if can(user, Action.VIEW, _by_id(o.other.id)))
    return replace(view, viewable=viewable)


def lsoas_of(assessment: Assessment) -> frozenset[str]:
    """The neighbourhoods an assessment's area takes in (any kind of area), or none if it cannot be read."""
    if not assessment.area:
        return frozenset()
    try:
        counted = geography.engine().small_area_counts(assessment.area, release=assessment.reference_release)
    except (GeographyError, KeyError, ValueError):
        return frozenset()
    return frozenset(str(code) for code in counted["codes"])


def negative_groups(assessment: Assessment) -> dict[str, str]:
    """Group id -> label for every group the assessment (as it stands) finds a negative impact on."""
    framework = rules.framework(assessment.framework_version)
    answers = visible_answers(framework, assessment.answers or {})
    return {
        group.id: group.label
        for _, group in framework.groups()
        if answers.get(f"{group.id}.impact") == "negative"
    }


def _by_id(assessment_id: int) -> Any:
    return store.get_assessment(assessment_id)
