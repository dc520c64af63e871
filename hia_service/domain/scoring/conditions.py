"""Deciding whether a scoring rule's conditions hold for one assessment."""

from __future__ import annotations

from typing import Any

from hia_service.domain.scoring.facts import Facts, groups_in, harmed_again_groups, mentions
from hia_service.domain.scoring.model import (
    COMPARISONS,
    AnswerIn,
    AnswerMentions,
    AnyOf,
    Described,
    HarmedAgain,
    ImpactCount,
    Not,
    ProfileCompare,
    ProfileMissing,
    ReachMeasured,
)


def holds(condition: Any, facts: Facts, group_ids: tuple[str, ...]) -> bool:
    """True when `condition` is met. A comparison with a number the profile lacks is never met."""
    match condition:
        case ImpactCount(states, comparisons, among, only):
            counted = group_ids if only is None else tuple(g for g in group_ids if g in only)
            count = len(groups_in(facts, counted, states, among))
            return all(COMPARISONS[op](count, threshold.value) for op, threshold in comparisons)
        case ProfileCompare(field, comparison, threshold):
            value = facts.numbers.get(field)
            return value is not None and COMPARISONS[comparison](value, threshold.value)
        case ProfileMissing(missing):
            return missing != facts.profile_present
        case AnswerIn(question, values):
            answer = facts.answers.get(question)
            if isinstance(answer, list | tuple):
                return any(a in values for a in answer)
            return answer in values
        case Described(name):
            return name in facts.described
        case AnswerMentions(question, words):
            return mentions(facts.answers.get(question), words)
        case ReachMeasured(measured):
            return measured == facts.reach_measured
        case HarmedAgain(expected):
            return expected == bool(harmed_again_groups(facts, group_ids))
        case AnyOf(conditions):
            return any(holds(c, facts, group_ids) for c in conditions)
        case Not(inner):
            return not holds(inner, facts, group_ids)
    raise TypeError(f"unknown condition {condition!r}")


def all_hold(conditions: tuple[Any, ...], facts: Facts, group_ids: tuple[str, ...]) -> bool:
    return all(holds(c, facts, group_ids) for c in conditions)
