"""Cumulative impact: which other open or recent assessments of the organisation cover the same
neighbourhoods, how they were rated, and which groups several of them harm."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hia_service.auth.permissions import Action, can
from hia_service.data import assessments as store
from hia_service.data.models import Assessment, User
from hia_service.domain.cumulative import CumulativeView, OtherAssessment, cumulative_view, harmed_again
from hia_service.domain.framework import visible_answers
from hia_service.domain.kept import Kept
from hia_service.services import rules
from hia_service.services.areas import profiles as area_profiles

RECENT = timedelta(days=365)  # a decided assessment still counts for a year after its last change


def cumulative_for(user: User, assessment: Assessment) -> CumulativeView | None:
    """Overlapping assessments and repeated harms, or None when the area is not chosen yet."""
    mine = lsoas_of(assessment)
    if not mine:
        return None
    view, rows = _view(assessment, mine)
    # Each row holds what the permission needs (organisation, author, training): no assessment is loaded.
    viewable = frozenset(o.other.id for o in view.overlaps if can(user, Action.VIEW, rows[o.other.id]))
    return replace(view, viewable=viewable)


def harmed_elsewhere(assessment: Assessment) -> dict[str, tuple[str, ...]]:
    """For the rating: the groups that decisions already taken for the same neighbourhoods harm, with their
    references (domain/cumulative.py harmed_again). Practice stays apart from the real record."""
    if assessment.is_training:
        return {}
    mine = lsoas_of(assessment)
    if not mine:
        return {}
    view, _ = _view(assessment, mine)
    return harmed_again(view.overlaps)


def cumulative_for_record(assessment: Assessment) -> dict[str, Any] | None:
    """The overlap as the assessment's record states it (JSON for the document snapshot): every overlapping
    assessment of the organisation by reference and title, whoever reads the record. None with no area."""
    mine = lsoas_of(assessment)
    if not mine:
        return None
    view, _ = _view(assessment, mine)
    return {
        "overlaps": [
            {
                "reference": o.other.reference,
                "title": o.other.title,
                "status": o.other.status,
                "rating": o.other.rating,
                "shared": o.shared,
                "share_of_this": round(o.share_of_this, 4),
            }
            for o in view.overlaps
        ],
        "repeated": [{"label": r.label, "references": list(r.references)} for r in view.repeated],
    }


def _view(assessment: Assessment, mine: frozenset[str]) -> tuple[CumulativeView, dict[int, Any]]:
    """The cumulative view, and the candidate rows it was worked out from by id."""
    since = datetime.now(UTC) - RECENT
    others = []
    rows = {
        row.id: row for row in store.overlap_candidate_rows(assessment.organisation_id, assessment.id, since)
    }
    kept = _FOOTPRINTS.since(area_profiles.reference_generation())  # new reference data: areas may differ
    for row in rows.values():
        lsoas, harmed = _footprint(kept, row.id, row.lock_version)
        if lsoas:
            others.append(
                OtherAssessment(row.id, row.reference, row.title, row.status, row.rating, lsoas, harmed)
            )
    return cumulative_view(assessment.reference, mine, negative_groups(assessment), others), rows


# What each other assessment's area and answers come to, kept until the assessment changes (its
# lock_version goes up with every write) or the reference data does: without it every task list and review
# page would load and re-work every assessment of the organisation from the past year.
_FOOTPRINTS: Kept[tuple[int, int], tuple[frozenset[str], Mapping[str, str]]] = Kept(20_000)


def _footprint(
    kept: Kept[tuple[int, int], tuple[frozenset[str], Mapping[str, str]]],
    assessment_id: int,
    lock_version: int,
) -> tuple[frozenset[str], Mapping[str, str]]:
    """(neighbourhoods, negative groups) of that state of the assessment, from `kept` if worked out before."""
    key = (assessment_id, lock_version)
    found = kept.get(key)
    if found is not None:
        return found
    other = store.get_assessment(assessment_id)
    if other is None or other.lock_version != lock_version:  # changed since the list was read
        return frozenset(), {}
    return kept.put(key, (lsoas_of(other), negative_groups(other) if other.area else {}))


def lsoas_of(assessment: Assessment) -> frozenset[str]:
    """The neighbourhoods an assessment's area takes in (any kind of area), or none if it cannot be read."""
    if not assessment.area:
        return frozenset()
    return area_profiles.neighbourhoods(assessment.area, release=assessment.reference_release)


def negative_groups(assessment: Assessment) -> dict[str, str]:
    """Group id -> label for every group the assessment (as it stands) finds a negative impact on."""
    framework = rules.framework(assessment.framework_version)
    answers = visible_answers(framework, assessment.answers or {})
    return {
        group.id: group.label
        for _, group in framework.groups()
        if answers.get(f"{group.id}.impact") == "negative"
    }
