"""Screening: how deep an assessment must go (full, short) or whether none is needed, and why.

The rule itself is data (`screening:` in the framework file); this reads it against the answers and the
geography profile. The result is stored as the answer to the screening question so that section conditions
(a short assessment skips some sections; "not required" skips the rest) work like any other condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hia_service.domain.framework.conditions import condition_holds
from hia_service.domain.framework.model import Framework
from hia_service.domain.geography.area_profile import ProfileLike, as_area_profile

FULL = "full"
SHORT = "short"
NOT_REQUIRED = "not_required"
PENDING = "pending"
RESULT_LABELS = {
    FULL: "Full assessment",
    SHORT: "Short assessment",
    NOT_REQUIRED: "Assessment not required",
    PENDING: "Not decided yet",
}


@dataclass(frozen=True)
class Baseline:
    """What the Core20 share of the people affected is compared with."""

    name: str  # "your organisation's population" or "England"
    core20_share: float


@dataclass(frozen=True)
class ScreeningResult:
    depth: str  # full, short, not_required or pending
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return RESULT_LABELS[self.depth]


def baseline_of(given: ProfileLike | None) -> Baseline | None:
    """The organisation's own population when the profile has it, otherwise the nation (England)."""
    profile = as_area_profile(given)
    if profile is None:
        return None
    organisation = profile.baseline.organisation
    served = _share(organisation.core20_share) if organisation else None
    if served is not None:
        return Baseline("your organisation's population", served)
    nation = profile.baseline.nation
    share = _share(nation.core20_share) if nation else None
    return Baseline(profile.nation_name, share) if share is not None else None


def screen(
    framework: Framework, answers: Mapping[str, Any], given: ProfileLike | None
) -> ScreeningResult | None:
    """The screening result, or None for a framework without screening (1.0)."""
    profile = as_area_profile(given)
    rule = framework.screening
    if rule is None:
        return None
    reasons: list[str] = []
    kind = answers.get(rule.kind_question)
    if kind in rule.full_kinds:
        label = framework.question(rule.kind_question).option_label(str(kind)).lower()
        reasons.append(f"It is a {label}: this kind of proposal always needs a full assessment.")
    # Framework 1.2 on: people, not only place. Access changes, organisation-wide decisions and staff
    # effects need a full assessment wherever the people affected live.
    reasons += [t.reason for t in rule.full_answers if condition_holds(t.condition, answers)]
    area_type = str(profile.area.get("type") or "") if profile is not None else ""
    if rule.full_area_types and area_type in rule.full_area_types:
        reasons.append(rule.full_area_reason)
    share = _share(profile.core20_share) if profile else None
    baseline = baseline_of(profile)
    above = share is not None and baseline is not None and share > baseline.core20_share
    if rule.core20_above_baseline and above and share is not None and baseline is not None:
        reasons.append(
            f"{share:.0%} of the people affected live in the most deprived fifth of areas (Core20), more "
            f"than {baseline.core20_share:.0%} for {baseline.name}."
        )
    if reasons:
        return ScreeningResult(FULL, tuple(reasons))
    if rule.core20_above_baseline and (share is None or baseline is None):
        return ScreeningResult(
            PENDING,
            (
                "Choose the area affected first: a short assessment is only possible when the people "
                "affected are not more deprived than the baseline.",
            ),
        )
    kind_text = "The kind of proposal does not call for a full assessment"
    if rule.full_answers:
        # Recorded so a reviewer can see why the short route was open: nothing that touches people applied.
        kind_text = (
            "No plausible effect on patients' access or on staff: the kind of proposal does not call for a "
            "full assessment, patients will use every service as they do today, staff are not affected and "
            "the decision is not for a whole organisation"
        )
    if rule.core20_above_baseline and share is not None and baseline is not None:
        kind_text += (
            f", and {share:.0%} of the people affected live in Core20 areas, not more than "
            f"{baseline.core20_share:.0%} for {baseline.name}"
        )
    if condition_holds(rule.not_required, answers):
        return ScreeningResult(
            NOT_REQUIRED,
            (
                kind_text + ".",
                "You said the proposal could not affect anyone's access to services, experience "
                "of care or health outcomes, so an assessment is not required. Record your reasons.",
            ),
        )
    return ScreeningResult(SHORT, (kind_text + ": a short assessment is enough.",))


def with_screening(
    framework: Framework, answers: Mapping[str, Any], profile: ProfileLike | None
) -> dict[str, Any]:
    """The answers with the screening result stored as the screening question's answer."""
    result = screen(framework, answers, profile)
    if result is None or framework.screening is None:
        return dict(answers)
    return {**answers, framework.screening.question: result.depth}


def _share(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)
