"""Scoring: answers + geography profile + versioned rules -> a Rating with reasons.

Public API: score(answers, profile, ruleset, version=None, today=None) -> Rating; Rating, DimensionRating,
Reason, ScoringRules, LEVELS, LEVEL_LABELS; paper_actions(answers, rules, today) -> [ActionCheck] (the
actions that earn no mitigation credit and why, scoring 1.3 on); not_assessed(answers, profile, rules) ->
{group id: answer} (neutral or positive answers not backed by evidence, scoring 1.3 on).
"""

from hia_service.domain.scoring.actions import ActionCheck, paper_actions
from hia_service.domain.scoring.engine import not_assessed, score
from hia_service.domain.scoring.model import (
    LEVEL_LABELS,
    LEVELS,
    DimensionRating,
    Rating,
    Reason,
    ScoringRules,
    Threshold,
)

__all__ = [
    "LEVELS",
    "LEVEL_LABELS",
    "ActionCheck",
    "DimensionRating",
    "Rating",
    "Reason",
    "ScoringRules",
    "Threshold",
    "not_assessed",
    "paper_actions",
    "score",
]
