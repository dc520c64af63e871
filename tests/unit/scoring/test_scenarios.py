"""Table-driven scoring scenarios for rules version 1.0: answers + profile -> rating and reasons.

Each row sets some impacts (on top of a sound, all-neutral assessment), a profile, and optionally other
answers,
then states the overall rating, dimension ratings and the rules that must (and must not) fire. Rows named
`..._at_` and `..._below_` sit on either side of a threshold in rules/scoring/1.0.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.scoring import ScoringRules, score
from tests.unit.scoring.conftest import ACTION, profile, sound_answers

AVERAGE = profile(1.0)
NO_PROFILE = None
UNKNOWN_8 = {
    **{f"pc__{g}": "unknown" for g in ("age", "sex")},
    **{f"inclusion__{g}": "unknown" for g in ("carers", "smi", "homelessness", "sex_workers")},
    **{f"clinical__{g}": "unknown" for g in ("maternity", "cancer")},
}
UNKNOWN_7 = {k: v for k, v in UNKNOWN_8.items() if k != "clinical__cancer"}
THREE_PC_NEGATIVE = {"pc__age": "negative", "pc__disability": "negative", "pc__race": "negative"}


@dataclass(frozen=True)
class Scenario:
    id: str
    impacts: dict[str, str]
    profile: dict[str, Any] | None
    overall: str
    dimensions: dict[str, str] = field(default_factory=dict)
    fired: tuple[str, ...] = ()
    not_fired: tuple[str, ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    text: tuple[str, ...] = ()  # fragments that must appear in some reason
    narrowing: tuple[str, ...] = ()


SCENARIOS = [
    Scenario(
        "all_neutral_average_area",
        {},
        AVERAGE,
        "low",
        {
            "deprivation": "low",
            "protected_characteristics": "low",
            "inclusion_health": "low",
            "clinical_areas": "low",
            "evidence": "low",
        },
        fired=("deprivation.default", "protected_characteristics.default", "overall.highest"),
    ),
    Scenario(
        "negative_access_concentrated",
        {"core20__access": "negative"},
        profile(2.05, share=0.41),
        "high",
        {"deprivation": "high"},
        fired=("deprivation.negative_concentrated", "overall.mitigation.no_actions"),
        not_fired=("deprivation.negative",),
        text=(
            "Negative impact on access to services, and 41% of the people affected live in Core20 areas "
            "against 20% in England (relative 2.05 ≥ 1.5).",
        ),
    ),
    Scenario(
        "negative_at_relative_1_5",
        {"core20__outcomes": "negative"},
        profile(1.5),
        "high",
        {"deprivation": "high"},
        fired=("deprivation.negative_concentrated",),
    ),
    Scenario(
        "negative_below_relative_1_5",
        {"core20__outcomes": "negative"},
        profile(1.49),
        "medium",
        {"deprivation": "medium"},
        fired=("deprivation.negative",),
        not_fired=("deprivation.negative_concentrated",),
        text=("Negative impact on health outcomes for people in the most deprived areas.",),
    ),
    Scenario(
        "negative_without_profile",
        {"core20__access": "negative"},
        NO_PROFILE,
        "medium",
        {"deprivation": "medium"},
        fired=("deprivation.negative", "deprivation.no_profile"),
        text=("The geography step is not complete",),
    ),
    Scenario(
        "no_profile_alone_is_medium",
        {},
        NO_PROFILE,
        "medium",
        {"deprivation": "medium"},
        fired=("deprivation.no_profile",),
        not_fired=("deprivation.default",),
    ),
    Scenario(
        "relative_worked_out_from_shares",
        {"core20__access": "negative"},
        {"core20_share": 0.3, "baseline": {"england": {"core20_share": 0.2}}},
        "high",
        {"deprivation": "high"},
        text=("30% of the people affected", "relative 1.50 ≥ 1.5"),
    ),
    Scenario(
        "profile_without_england_baseline",
        {"core20__access": "negative"},
        {"core20_share": 0.3},
        "medium",
        {"deprivation": "medium"},
        fired=("deprivation.negative",),
    ),
    Scenario(
        "unknown_at_relative_1_1",
        {"core20__experience": "unknown"},
        profile(1.1),
        "medium",
        {"deprivation": "medium"},
        fired=("deprivation.unknown_more_deprived",),
        text=("(relative 1.10 ≥ 1.1)",),
    ),
    Scenario(
        "unknown_below_relative_1_1",
        {"core20__experience": "unknown"},
        profile(1.09),
        "low",
        {"deprivation": "low"},
        fired=("deprivation.unknown",),
        not_fired=("deprivation.unknown_more_deprived",),
    ),
    Scenario(
        "positive_concentrated_narrows",
        {"core20__access": "positive"},
        profile(1.5),
        "low",
        {"deprivation": "low"},
        fired=("deprivation.benefit_concentrated",),
        narrowing=("deprivation.benefit_concentrated",),
        text=("likely to narrow inequalities",),
    ),
    Scenario(
        "positive_below_1_5_does_not_narrow",
        {"core20__access": "positive"},
        profile(1.49),
        "low",
        not_fired=("deprivation.benefit_concentrated",),
    ),
    Scenario(
        "positive_below_relative_0_5_reaches_less_deprived",
        {"core20__access": "positive"},
        profile(0.49),
        "low",
        fired=("deprivation.benefit_elsewhere",),
        text=("only 10% of the people affected", "(relative 0.49 < 0.5)"),
    ),
    Scenario(
        "positive_at_relative_0_5",
        {"core20__access": "positive"},
        profile(0.5),
        "low",
        not_fired=("deprivation.benefit_elsewhere",),
    ),
    Scenario(
        "narrowing_does_not_cancel_harm",
        {"core20__access": "positive", "core20__outcomes": "negative"},
        profile(1.6),
        "high",
        {"deprivation": "high"},
        fired=("deprivation.negative_concentrated", "deprivation.benefit_concentrated"),
        narrowing=("deprivation.benefit_concentrated",),
    ),
    Scenario(
        "two_pc_negative",
        {"pc__age": "negative", "pc__sex": "negative"},
        AVERAGE,
        "medium",
        {"protected_characteristics": "medium"},
        fired=("pc.negative",),
        not_fired=("pc.many_negative",),
        text=("Negative impact on age and sex.",),
    ),
    Scenario(
        "three_pc_negative_at_threshold",
        THREE_PC_NEGATIVE,
        AVERAGE,
        "high",
        {"protected_characteristics": "high"},
        fired=("pc.many_negative",),
        not_fired=("pc.negative",),
        text=("Negative impact on 3 protected characteristics (age, disability and race); 3 or more",),
    ),
    Scenario(
        "pc_negative_in_deprived_population",
        {"pc__disability": "negative"},
        profile(1.5),
        "high",
        {"protected_characteristics": "high"},
        fired=("pc.negative_deprived",),
        not_fired=("pc.negative",),
    ),
    Scenario(
        "two_pc_unknown_below_threshold",
        {"pc__age": "unknown", "pc__race": "unknown"},
        AVERAGE,
        "low",
        {"protected_characteristics": "low"},
        fired=("pc.unknown",),
        not_fired=("pc.many_unknown",),
    ),
    Scenario(
        "three_pc_unknown_at_threshold",
        {"pc__age": "unknown", "pc__race": "unknown", "pc__sex": "unknown"},
        AVERAGE,
        "medium",
        {"protected_characteristics": "medium", "evidence": "medium"},
        fired=("pc.many_unknown", "evidence.thin"),
        not_fired=("pc.unknown",),
    ),
    Scenario(
        "pc_not_yet_answered",
        {"pc__religion_belief": ""},
        AVERAGE,
        "medium",
        {"protected_characteristics": "medium"},
        fired=("pc.unanswered",),
        text=("The impact on religion or belief has not been recorded yet.",),
    ),
    Scenario(
        "pc_positive_narrows",
        {"pc__pregnancy_maternity": "positive"},
        AVERAGE,
        "low",
        narrowing=("pc.positive",),
    ),
    Scenario(
        "four_inclusion_unknown_below_threshold",
        {f"inclusion__{g}": "unknown" for g in ("carers", "smi", "homelessness", "sex_workers")},
        AVERAGE,
        "medium",
        {"inclusion_health": "low", "evidence": "medium"},
        fired=("inclusion.unknown",),
        not_fired=("inclusion.many_unknown",),
    ),
    Scenario(
        "five_inclusion_unknown_at_threshold",
        {f"inclusion__{g}": "unknown" for g in ("carers", "smi", "homelessness", "sex_workers", "justice")},
        AVERAGE,
        "medium",
        {"inclusion_health": "medium"},
        fired=("inclusion.many_unknown",),
    ),
    Scenario(
        "inclusion_negative",
        {"inclusion__gypsy_roma_traveller": "negative"},
        AVERAGE,
        "medium",
        {"inclusion_health": "medium"},
        text=("Negative impact on Gypsy, Roma and Traveller communities.",),
    ),
    Scenario(
        "inclusion_negative_in_deprived_population",
        {"inclusion__homelessness": "negative"},
        profile(1.7),
        "high",
        {"inclusion_health": "high"},
        fired=("inclusion.negative_deprived",),
    ),
    Scenario(
        "clinical_negative_in_deprived_population",
        {"clinical__cyp_asthma": "negative"},
        profile(1.6),
        "high",
        {"clinical_areas": "high"},
        fired=("clinical.negative_deprived",),
    ),
    Scenario(
        "clinical_positive_in_deprived_population_narrows",
        {"clinical__hypertension": "positive"},
        profile(1.6),
        "low",
        narrowing=("clinical.benefit_concentrated",),
    ),
    Scenario(
        "two_unknown_overall_below_evidence_threshold",
        {"pc__age": "unknown", "clinical__smi": "unknown"},
        AVERAGE,
        "low",
        {"evidence": "low"},
        not_fired=("evidence.thin",),
    ),
    Scenario(
        "seven_unknown_below_evidence_high",
        UNKNOWN_7,
        AVERAGE,
        "medium",
        {"evidence": "medium"},
        fired=("evidence.thin",),
        not_fired=("evidence.too_little",),
    ),
    Scenario(
        "eight_unknown_at_evidence_high",
        UNKNOWN_8,
        AVERAGE,
        "high",
        {"evidence": "high"},
        fired=("evidence.too_little",),
        not_fired=("evidence.thin",),
    ),
    Scenario(
        "negative_without_engagement",
        {"pc__age": "negative"},
        AVERAGE,
        "medium",
        {"evidence": "medium"},
        fired=("evidence.negative_not_engaged",),
        answers={"engagement.done": "no", "engagement.not_proportionate": "Internal change"},
    ),
    Scenario(
        "mitigation_lowers_high_to_medium",
        THREE_PC_NEGATIVE,
        AVERAGE,
        "medium",
        {"protected_characteristics": "high"},
        fired=("overall.mitigation.applied",),
        answers={"actions.plan": [ACTION, {**ACTION, "action": "Easy read letters"}]},
        text=("Lowered from high to medium because every action in the plan (2 in all)",),
    ),
    Scenario(
        "mitigation_lowers_medium_to_low",
        {"pc__age": "negative"},
        AVERAGE,
        "low",
        fired=("overall.mitigation.applied",),
        answers={"actions.plan": [ACTION]},
    ),
    Scenario(
        "mitigation_ignored_when_an_action_has_no_date",
        THREE_PC_NEGATIVE,
        AVERAGE,
        "high",
        fired=("overall.mitigation.incomplete",),
        answers={"actions.plan": [ACTION, {**ACTION, "due": ""}]},
        text=("1 of the 2 actions have no owner or no due date",),
    ),
    Scenario(
        "mitigation_ignored_when_an_action_has_no_owner",
        {"pc__age": "negative"},
        AVERAGE,
        "medium",
        fired=("overall.mitigation.incomplete",),
        answers={"actions.plan": [{**ACTION, "owner": "  "}]},
    ),
    Scenario(
        "mitigation_ignored_when_a_due_date_is_not_real",
        {"pc__age": "negative"},
        AVERAGE,
        "medium",
        fired=("overall.mitigation.incomplete",),
        answers={"actions.plan": [{**ACTION, "due": "2026-02-30"}]},
    ),
    Scenario(
        "no_actions_means_no_mitigation",
        THREE_PC_NEGATIVE,
        AVERAGE,
        "high",
        fired=("overall.mitigation.no_actions",),
    ),
    Scenario(
        "actions_cannot_lower_an_evidence_rating",
        UNKNOWN_8,
        AVERAGE,
        "high",
        {"evidence": "high"},
        fired=("overall.mitigation.held",),
        answers={"actions.plan": [ACTION]},
        text=("that is the rating for Evidence and engagement",),
    ),
    Scenario(
        "low_rating_needs_no_mitigation", {}, AVERAGE, "low", not_fired=("overall.mitigation.no_actions",)
    ),
]


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 25
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda s: s.id)
def test_scenario(case: Scenario, rules: ScoringRules, framework: Framework) -> None:
    answers = {**sound_answers(framework, **case.impacts), **case.answers}
    rating = score(answers, case.profile, rules)
    reasons = [*rating.reasons, *(r for d in rating.dimensions for r in d.reasons)]
    fired = {r.rule_id for r in reasons}
    assert rating.overall == case.overall, [r.text for r in reasons if r.rating != "low"]
    assert {d: rating.dimension(d).rating for d in case.dimensions} == case.dimensions
    assert set(case.fired) <= fired, fired
    assert not set(case.not_fired) & fired
    for fragment in case.text:
        assert any(fragment in r.text for r in reasons), (fragment, [r.text for r in reasons])
    if case.narrowing or not any(r.narrows for r in reasons):
        assert [r.rule_id for r in rating.narrowing] == list(case.narrowing)
