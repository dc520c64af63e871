"""Scoring: answers + geography profile + versioned rules -> a Rating with reasons.

Public API: score(answers, profile, ruleset, version=None) -> Rating; Rating, DimensionRating, Reason,
ScoringRules, LEVELS, LEVEL_LABELS.
"""

from hia_service.domain.scoring.engine import score
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
    "DimensionRating",
    "Rating",
    "Reason",
    "ScoringRules",
    "Threshold",
    "score",
]
