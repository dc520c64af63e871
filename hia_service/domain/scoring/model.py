"""Scoring rules and ratings as frozen values.

Rules come from rules/scoring/<version>.yaml. A rating carries every reason that produced it, so the
wizard, the reviewer, the PDF and training feedback can all say exactly why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hia_service.domain.framework.model import Framework

LEVELS = ("low", "medium", "high")
LEVEL_LABELS = {
    "low": "Low risk of widening inequalities",
    "medium": "Medium risk of widening inequalities",
    "high": "High risk of widening inequalities",
}
THRESHOLD_UNITS = ("ratio", "share", "count", "score")
COMPARISONS = {
    "at_least": lambda a, b: a >= b,
    "more_than": lambda a, b: a > b,
    "at_most": lambda a, b: a <= b,
    "below": lambda a, b: a < b,
}
# Numbers from the geography profile that rules may compare (see facts.py for where each comes from).
PROFILE_FIELDS = (
    "core20_share",
    "nation_core20_share",
    "organisation_core20_share",
    "relative_core20",
    "mean_imd_score",
    "concentration_index",
    "population",
)
IMPACT_STATES = ("positive", "neutral", "negative", "unknown", "unanswered")


def level_index(level: str) -> int:
    return LEVELS.index(level)


def highest(levels: list[str] | tuple[str, ...], default: str = "low") -> str:
    return max(levels, key=level_index, default=default)


@dataclass(frozen=True)
class Threshold:
    name: str  # "" for a plain number written in a rule
    value: float
    unit: str = "count"
    about: str = ""

    def display(self) -> str:
        if self.unit == "share":
            return f"{self.value * 100:g}%"
        return f"{self.value:g}"


# --- conditions (each one `holds(facts)`; see conditions.py) -----------------------------------------


@dataclass(frozen=True)
class ImpactCount:
    """How many of the dimension's groups have one of `states`, compared with one or two thresholds.

    Two comparisons make a range, e.g. at least 1 and below `many_negative`.
    """

    states: tuple[str, ...]
    comparisons: tuple[tuple[str, Threshold], ...]


@dataclass(frozen=True)
class ProfileCompare:
    field: str
    comparison: str
    threshold: Threshold


@dataclass(frozen=True)
class ProfileMissing:
    missing: bool


@dataclass(frozen=True)
class AnswerIn:
    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    condition: Any


@dataclass(frozen=True)
class Rule:
    id: str
    rating: str
    reason: str  # template, e.g. "Negative impact on {negative_groups} ..."
    when: tuple[Any, ...]  # all must hold
    narrows: bool = False  # recognised as narrowing inequalities


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    group_ids: tuple[str, ...]
    default_rating: str
    default_reason: str
    rules: tuple[Rule, ...]
    mitigable: bool = True  # may the action plan lower the overall rating below this dimension's rating?
    section_ids: tuple[str, ...] = ()  # the framework sections it covers


@dataclass(frozen=True)
class Mitigation:
    question: str
    steps_down: int
    floor: str
    applied: str
    incomplete: str
    no_actions: str
    held: str
    at_floor: str


@dataclass(frozen=True)
class OverallRules:
    reason: str
    mitigation: Mitigation


@dataclass(frozen=True)
class ScoringRules:
    """One version of the scoring rules, bound to the framework version it was written for."""

    version: str
    title: str
    framework: Framework
    thresholds: tuple[Threshold, ...]
    dimensions: tuple[Dimension, ...]
    overall: OverallRules

    @property
    def framework_version(self) -> str:
        return self.framework.version

    def threshold(self, name: str) -> Threshold:
        return next(t for t in self.thresholds if t.name == name)


# --- results --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule_id: str
    rating: str
    text: str
    values: tuple[tuple[str, Any], ...] = ()  # the figures quoted in the text, for machines
    narrows: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "rating": self.rating,
            "text": self.text,
            "values": dict(self.values),
            "narrows": self.narrows,
        }


@dataclass(frozen=True)
class DimensionRating:
    id: str
    label: str
    rating: str
    reasons: tuple[Reason, ...]
    mitigable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "rating": self.rating,
            "mitigable": self.mitigable,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class Rating:
    overall: str
    dimensions: tuple[DimensionRating, ...]
    reasons: tuple[Reason, ...]
    narrowing: tuple[Reason, ...]
    rules_version: str
    framework_version: str
    before_mitigation: str = field(default="")
    mitigation_applied: bool = False

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.overall]

    def dimension(self, dimension_id: str) -> DimensionRating:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "label": self.label,
            "before_mitigation": self.before_mitigation,
            "mitigation_applied": self.mitigation_applied,
            "rules_version": self.rules_version,
            "framework_version": self.framework_version,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "reasons": [r.to_dict() for r in self.reasons],
            "narrowing": [r.to_dict() for r in self.narrowing],
        }
