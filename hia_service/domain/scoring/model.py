"""Scoring rules and ratings as frozen values.

Rules come from rules/scoring/<version>.yaml. A rating carries every reason that produced it, so the
wizard, the reviewer, the PDF and training feedback can all say exactly why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hia_service.domain.framework.model import Framework

LEVELS = ("low", "medium", "high")
LEVEL_LABELS = {
    "low": "Low risk of widening inequalities",
    "medium": "Medium risk of widening inequalities",
    "high": "High risk of widening inequalities",
}
THRESHOLD_UNITS = ("ratio", "share", "count", "score", "months")
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
IMPACT_STATES = ("positive", "neutral", "negative", "unknown", "unanswered", "not_assessed", "mitigated")
# A neutral or positive answer without evidence for a group likely to be affected (scoring 1.3 on). Such a
# group's impact is "unknown" for every rule, and it is also counted under this state.
NOT_ASSESSED = "not_assessed"
# A harm that a credited action answers, as the rating after the action plan sees it: no longer a harm to
# rate, but still a harm the author recorded (rules asking whether any harm was recorded count it).
MITIGATED = "mitigated"


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
    # 1.6 on: count only the groups likely to be affected ("likely"), or those the proposal names ("named").
    among: str | None = None
    # 1.9 on: count only these of the dimension's groups (the inclusion health groups, say).
    only: tuple[str, ...] | None = None


@dataclass(frozen=True)
class HarmedAgain:
    """A group harmed here is harmed too by a decision already taken for the same neighbourhoods (1.9 on)."""

    expected: bool


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
class Described:
    """The proposal's title or summary says it does something (1.7 on): `name` is one of DESCRIPTIONS."""

    name: str


@dataclass(frozen=True)
class AnswerMentions:
    """An answer's text names at least one of `words`, as whole words (1.8 on): what a contract requires."""

    question: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ReachMeasured:
    """Whether a monitoring indicator or action measure shows who the proposal reaches (1.8 on)."""

    measured: bool


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
class LikelyAffected:
    """Groups that a condition (the kind of proposal, the profile) marks as likely to be affected."""

    about: str
    when: tuple[Any, ...]  # all must hold
    groups: tuple[str, ...]


@dataclass(frozen=True)
class ClaimRules:
    """When a neutral or positive answer needs evidence, and what counts as evidence (scoring 1.3 on)."""

    min_words: Threshold
    likely_affected: tuple[LikelyAffected, ...]
    generic_phrases: tuple[str, ...]
    source_words: tuple[str, ...]
    names: Mapping[str, str]
    reason: str  # "{answer} for {groups} is not backed by evidence, ..."
    # 1.5 on: a positive answer without evidence is no benefit: neutral for the rules, and never "narrowing".
    benefit_needs_evidence: bool = False
    benefit_reason: str = ""  # "Positive for {groups} is not backed by evidence, ..."
    # 1.9 on: one text given for at least this many groups (the quality check's test of pasting) backs none
    # of them; 0: pasting is only warned of.
    pasted_not_evidence: int = 0
    # 1.9 on: evidence with a figure needs only this many words ("31% are over 65; daytime slots kept").
    min_words_with_figure: Threshold | None = None


@dataclass(frozen=True)
class Credit:
    """What an action needs to earn mitigation credit (scoring 1.3 on)."""

    harm_field: str  # the action plan column naming the harm it answers
    due_within: Threshold  # months after the decision date
    not_owners: tuple[str, ...]  # "TBC", "someone": owners that name nobody
    failures: Mapping[str, str]  # plain-English text for each test an action can fail
    harm_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # extra words naming a group
    not_measures: tuple[str, ...] = ()  # 1.5 on: "ongoing", "monitor": measures that show nothing
    vague_words: tuple[str, ...] = ()  # 1.5 on: "keep under review": an action of only these does nothing
    totals_words: tuple[str, ...] = ()  # 1.6 on: "total", "overall": a measure of everyone at once...
    breakdown_words: tuple[str, ...] = ()  # ...earns credit only when broken down ("by", "quintile")
    # 1.8 on: "by month", "per site": a breakdown word before one of these splits by when or where, not who.
    not_who_words: tuple[str, ...] = ()
    # 1.11 on: words in an action's measure that make it answer a group's harm too ("by IMD quintile" for
    # people in deprived areas, whom an action names by place: "the Northfield estate").
    measure_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


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
    credit: Credit | None = None  # None before 1.3: any action with an owner and a due date counts
    no_harm_answered: str = ""
    unmitigated: str = ""
    paper: str = ""
    # 1.7 on: a change that narrows inequalities and harms at most `narrowing_most_harms` groups is rated no
    # higher than `narrowing_cap` before the action plan, in the parts the plan can lower.
    narrowing_cap: str | None = None
    narrowing_most_harms: int = 0
    narrowing_capped: str = ""
    # 1.8 on: rules whose firing keeps the cap off (the harm is the price of the benefit: a service for an
    # inclusion health group cut to pay for it).
    narrowing_uncapped_by: tuple[str, ...] = ()


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
    claims: ClaimRules | None = None  # None before 1.3: any answer counts as given

    @property
    def framework_version(self) -> str:
        return self.framework.version

    def threshold(self, name: str) -> Threshold:
        return next(t for t in self.thresholds if t.name == name)

    @property
    def reads_harmed_again(self) -> bool:
        """Whether a rule asks about decisions already taken for the same neighbourhoods (1.9 on): only
        then need a caller work them out."""
        return any(_asks_harmed_again(c) for d in self.dimensions for r in d.rules for c in r.when)


def _asks_harmed_again(condition: Any) -> bool:
    match condition:
        case HarmedAgain():
            return True
        case AnyOf(conditions):
            return any(_asks_harmed_again(c) for c in conditions)
        case Not(inner):
            return _asks_harmed_again(inner)
    return False


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

    @property
    def inherent(self) -> str:
        """The rating before mitigation: what the proposal would do without the action plan."""
        return self.before_mitigation or self.overall

    @property
    def residual(self) -> str:
        """The rating after mitigation (the overall rating)."""
        return self.overall

    def dimension(self, dimension_id: str) -> DimensionRating:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "label": self.label,
            "before_mitigation": self.before_mitigation,
            "mitigation_applied": self.mitigation_applied,
            "inherent": self.inherent,
            "inherent_label": LEVEL_LABELS[self.inherent],
            "residual": self.residual,
            "residual_label": LEVEL_LABELS[self.residual],
            "rules_version": self.rules_version,
            "framework_version": self.framework_version,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "reasons": [r.to_dict() for r in self.reasons],
            "narrowing": [r.to_dict() for r in self.narrowing],
        }
