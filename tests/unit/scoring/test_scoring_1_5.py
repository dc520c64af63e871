"""Scoring 1.5: what a reviewer playing the governance panel found could talk a rating down without the facts
changing, and what 1.5 does about each (the realistic cases are in panel_proposals.yaml)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.framework.screening import with_screening
from hia_service.domain.geography.access import TRAVEL_ANSWER_KEY
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from hia_service.domain.scoring.actions import only_watches
from tests.unit.scoring.conftest import profile
from tests.unit.scoring.test_access_rating import SITES, SPECIFIC, area, closure, travel

TODAY = date(2026, 12, 5)
GOOD = {"owner": "Service manager", "due": "2027-05-01", "measure": "Attendances by age, monthly"}


@pytest.fixture(scope="module")
def new(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.5")


@pytest.fixture(scope="module")
def old(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.4")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def answers_for(framework: Framework, kind: str, evidence: str = SPECIFIC, **impacts: str) -> dict[str, Any]:
    """test_access_rating's closure of this `kind`, engaged, with `evidence` for every group."""
    answers = {**closure(framework, kind, **impacts), "engagement.done": "yes"}
    for _, group in framework.groups():
        answers[f"{group.id}.evidence"] = evidence
    return answers


def rate(
    answers: dict[str, Any], area_json: dict[str, Any], framework: Framework, rules: ScoringRules
) -> Any:
    return score(with_screening(framework, answers, area_json), area_json, rules, today=TODAY)


def fired(rating: Any) -> set[str]:
    return {r.rule_id for d in rating.dimensions for r in d.reasons} | {r.rule_id for r in rating.reasons}


@pytest.mark.parametrize(
    ("text", "watches"),
    [
        ("Keep under review", True),
        ("We will monitor the impact closely", True),
        ("Monitor", True),
        ("", True),
        ("Review transport to the new site", False),
        ("Monitor attendance by deprivation decile and reinstate the bus if it falls", False),
    ],
)
def test_an_action_that_only_watches_is_recognised(new: ScoringRules, text: str, watches: bool) -> None:
    credit = new.overall.mitigation.credit
    assert credit is not None
    assert only_watches(text, credit.vague_words) is watches


def test_measured_travel_harm_cannot_be_answered_away(
    framework: Framework, new: ScoringRules, old: ScoringRules
) -> None:
    """A move that takes the service over 1 km further from most people in deprived neighbourhoods, every
    harm answered "neutral": 1.4 rated it low; 1.5 rates it where an honest record starts."""
    answers = {**answers_for(framework, "relocation"), **SITES, TRAVEL_ANSWER_KEY: travel(0.9)}
    assert rate(answers, area(1.0), framework, old).inherent == "low"
    rating = rate(answers, area(1.0), framework, new)
    assert rating.inherent == "high"
    assert "measured.travel_further_not_recorded" in fired(rating)
    # Recording the harm honestly and answering it rates lower than the silence above.
    honest = {**answers, "core20.access.impact": "negative", "inclusion.low_income.impact": "negative"}
    honest["actions.plan"] = [
        {"action": "A free bus from the estate", "answers": "low income, deprived areas", **GOOD}
    ]
    mitigated = rate(honest, area(1.0), framework, new)
    assert (mitigated.inherent, mitigated.residual) == ("medium", "medium")
    assert "measured.travel_further_not_recorded" not in fired(mitigated)


def test_a_short_move_in_a_rural_area_is_not_a_measured_harm(framework: Framework, new: ScoringRules) -> None:
    """Moving a rural service a few hundred metres (almost nobody travels further) needs no recorded harm."""
    near = travel(0.0)
    near["overall"] = {**near["overall"], "share_further_1km": 0.02}
    answers = {**answers_for(framework, "relocation"), **SITES, TRAVEL_ANSWER_KEY: near}
    rating = rate(answers, area(1.0, rural=0.9, barriers=0.6), framework, new)
    assert not {f for f in fired(rating) if f.startswith("measured.") and f != "measured.default"}
    without_sites = answers_for(framework, "relocation")
    assert "measured.mostly_rural_not_recorded" in fired(
        rate(without_sites, area(1.0, rural=0.9), framework, new)
    )


def test_an_unshown_benefit_is_not_narrowing(
    framework: Framework, new: ScoringRules, old: ScoringRules
) -> None:
    """A new service in an affluent area, "positive" for people experiencing homelessness with no evidence."""
    answers = answers_for(framework, "service_change", **{"inclusion.homelessness": "positive"})
    answers["proposal.changes_access"] = "no"
    answers["inclusion.homelessness.evidence"] = ""
    assert any(
        r.rule_id == "inclusion.positive" for r in rate(answers, profile(0.3), framework, old).narrowing
    )
    rating = rate(answers, profile(0.3), framework, new)
    assert not rating.narrowing
    assert "inclusion_health.benefit_not_shown" in fired(rating)
    answers["inclusion.homelessness.evidence"] = SPECIFIC
    assert any(
        r.rule_id == "inclusion.positive" for r in rate(answers, profile(0.3), framework, new).narrowing
    )


def test_what_holds_a_mitigated_rating_is_named(framework: Framework, new: ScoringRules) -> None:
    """Every harm answered by a credited action, yet uncertain EHIA ratings in a deprived area keep it high:
    the reason names that dimension, not the floor for recorded harm."""
    answers = answers_for(framework, "closure", **{"pc.age": "negative"})
    answers.update({"ehia.access": "uncertain", "ehia.outcomes": "uncertain"})
    answers["actions.plan"] = [
        {"action": "Home visits for housebound patients", "answers": "older people", **GOOD}
    ]
    rating = rate(answers, profile(2.0), framework, new)
    assert rating.residual == "high"
    held = next(r for r in rating.reasons if r.rule_id == "overall.mitigation.held")
    assert "Equality duty and health inequalities ratings" in held.text
    assert "overall.mitigation.at_floor" not in fired(rating)


def test_a_digital_route_without_an_offline_one_is_not_mitigated_by_actions(
    framework: Framework, new: ScoringRules
) -> None:
    answers = answers_for(framework, "digital", **{"inclusion.digital_exclusion": "negative"})
    answers["digital.offline_route"] = "no"
    answers["actions.plan"] = [
        {"action": "Digital champions help people book", "answers": "digitally excluded", **GOOD}
    ]
    assert rate(answers, profile(1.0), framework, new).residual == "medium"
    assert rate(answers, profile(2.0), framework, new).residual == "high"
    answers["digital.offline_route"] = "yes"
    assert rate(answers, profile(2.0), framework, new).residual == "medium"


def test_neutral_everywhere_with_nothing_behind_it(framework: Framework, new: ScoringRules) -> None:
    answers = answers_for(framework, "policy", evidence="")
    answers["proposal.changes_access"] = "no"
    assert rate(answers, profile(0.5), framework, new).inherent == "medium"
    answers["engagement.done"] = "no"
    rating = rate(answers, profile(0.5), framework, new)
    assert rating.inherent == "high" and "evidence.nothing_behind_not_engaged" in fired(rating)
    # One group's evidence is enough for this rule not to hold (others may still apply).
    answers["pc.age.evidence"] = SPECIFIC
    assert "evidence.nothing_behind_not_engaged" not in fired(rate(answers, profile(0.5), framework, new))
