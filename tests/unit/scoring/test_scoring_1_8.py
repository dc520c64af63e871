"""Scoring 1.8: a change meant to reduce inequalities is low only when something will show who it reaches.
A positive impact in a deprived population with no measure broken down, or about the groups it is for, is
medium before and after the action plan; blank monitoring counts as totals, never better."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rating_explained import explain
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules
from hia_service.domain.scoring.actions import counts_everyone, reach_measured
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_scoring_1_5 import answers_for, fired, rate

TOTAL = {"indicator": "Total number of health checks per month", "source": "Van bookings"}
BY_DECILE = {"indicator": "Health checks by deprivation decile and ethnicity", "source": "Van bookings"}
AN_ACTION = {
    "action": "Book van visits in the five most deprived wards first",
    "answers": "people on low incomes",
    "owner": "Outreach manager",
    "due": "2027-05-01",
    "measure": "Health checks per month",
}


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.8")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def van(framework: Framework, *indicators: dict[str, str], **more: Any) -> dict[str, Any]:
    """A health check van for a deprived town: positive for deprived areas and people on low incomes."""
    answers = answers_for(
        framework,
        "service_change",
        core20__access="positive",
        core20__outcomes="positive",
        inclusion__low_income="positive",
    )
    answers.update(
        {"proposal.title": "A health check van in supermarket car parks", "proposal.changes_access": "yes"}
    )
    if indicators:
        answers["monitoring.indicators"] = list(indicators)
    return {**answers, **more}


def test_a_benefit_measured_by_totals_is_medium_and_no_action_lowers_it(
    ruleset: RuleSet, rules: ScoringRules, framework: Framework
) -> None:
    answers = van(framework, TOTAL)
    assert rate(answers, area(2.0), framework, ruleset.scoring("1.7")).inherent == "low"  # the gap 1.8 closes
    now = rate(answers, area(2.0), framework, rules)
    assert (now.inherent, now.residual) == ("medium", "medium")
    assert now.dimension("reach").rating == "medium"
    assert "reach.benefit_not_measured" in fired(now)
    # An action whose measure is another total earns nothing here: only a measure that shows who is reached.
    planned = rate({**answers, "actions.plan": [AN_ACTION]}, area(2.0), framework, rules)
    assert (planned.inherent, planned.residual) == ("medium", "medium")


def test_blank_monitoring_is_rated_as_totals_never_better(rules: ScoringRules, framework: Framework) -> None:
    silent = rate(van(framework), area(2.0), framework, rules)
    honest = rate(van(framework, TOTAL), area(2.0), framework, rules)
    assert (silent.inherent, silent.residual) == (honest.inherent, honest.residual) == ("medium", "medium")


@pytest.mark.parametrize(
    "measured",
    [
        {"monitoring.indicators": [TOTAL, BY_DECILE]},
        {"monitoring.indicators": [{"indicator": "Health checks for people on low incomes"}]},
        {"actions.plan": [{**AN_ACTION, "measure": "Health checks by IMD quintile"}]},
    ],
    ids=["broken-down-indicator", "indicator-about-a-group", "action-measure-broken-down"],
)
def test_a_measure_that_shows_who_is_reached_keeps_the_benefit_low(
    rules: ScoringRules, framework: Framework, measured: dict[str, Any]
) -> None:
    now = rate(van(framework, **measured), area(2.0), framework, rules)
    assert (now.inherent, now.residual) == ("low", "low")
    assert "reach.benefit_not_measured" not in fired(now)


def test_only_a_benefit_in_a_deprived_population_is_held_to_it(
    rules: ScoringRules, framework: Framework
) -> None:
    # A benefit mostly reaching less deprived areas is low for another reason (nobody loses), measured or not.
    elsewhere = rate(van(framework, TOTAL), area(0.4), framework, rules)
    assert elsewhere.inherent == "low"
    assert "reach.benefit_not_measured" not in fired(elsewhere)
    # No benefit claimed: nothing to measure.
    neutral = rate(answers_for(framework, "service_change"), area(2.0), framework, rules)
    assert "reach.benefit_not_measured" not in fired(neutral)


def test_reach_is_read_from_indicators_and_action_measures(rules: ScoringRules, framework: Framework) -> None:
    credit = rules.overall.mitigation.credit
    assert credit is not None

    def measured(answers: dict[str, Any]) -> bool:
        return reach_measured(answers, framework, credit, "actions.plan")

    assert not measured({})
    assert not measured({"monitoring.indicators": [TOTAL, {"indicator": "  "}]})
    assert measured({"monitoring.indicators": [BY_DECILE]})
    assert measured({"actions.plan": [{"measure": "Uptake among older people"}]})
    assert not measured({"actions.plan": [{"measure": "Number of visits"}]})
    # A group's id words ("access", "outcomes") are in many totals: they do not make a measure about it.
    assert not measured({"monitoring.indicators": [{"indicator": "Total access and outcomes recorded"}]})
    assert measured({"monitoring.indicators": [{"indicator": "Visits from the most deprived areas"}]})


def test_the_explanation_says_what_would_lower_it(rules: ScoringRules, framework: Framework) -> None:
    rating = rate(van(framework, TOTAL), area(2.0), framework, rules)
    reason = next(
        r for d in rating.dimensions for r in d.reasons if r.rule_id == "reach.benefit_not_measured"
    )
    assert "no monitoring indicator or action measure" in reason.text
    assert "broken down by deprivation decile" in reason.text
    explained = explain(rating.to_dict())
    assert explained is not None
    assert ("Who the benefit reaches", "reach.benefit_not_measured") in {
        (f.part, f.rule) for f in explained.facts
    }
    # The action plan cannot lower it, so the explanation does not promise that actions would.
    assert any("cannot lower it" in line and "Who the benefit reaches" in line for line in explained.change)


@pytest.mark.parametrize(
    ("measure", "shows"),
    [
        ("Number of screening appointments booked by month", False),
        ("Health checks split by site", False),
        ("Total checks per week, broken down by clinic", False),
        ("Checks by month and by deprivation decile", True),
        ("Checks by ethnicity each quarter", True),
    ],
)
def test_a_split_by_when_or_where_is_still_a_total(
    ruleset: RuleSet, rules: ScoringRules, framework: Framework, measure: str, shows: bool
) -> None:
    credit = rules.overall.mitigation.credit
    assert credit is not None
    assert (
        reach_measured({"monitoring.indicators": [{"indicator": measure}]}, framework, credit, "x") is shows
    )
    # The same words decide an action's credit under 1.8; 1.7 took any "by" as a breakdown, and keeps it.
    total = f"Total {measure[0].lower()}{measure[1:]}"
    assert counts_everyone(total, credit, {}) is not shows
    earlier = ruleset.scoring("1.7").overall.mitigation.credit
    assert earlier is not None and counts_everyone(total, earlier, {}) is False


def test_a_moderately_deprived_population_is_held_to_it_too(
    rules: ScoringRules, framework: Framework
) -> None:
    # Core20 at 1.3 times the national share: more deprived than the country, if not concentrated.
    assert rate(van(framework, TOTAL), area(1.3), framework, rules).inherent == "medium"
    assert rate(van(framework, BY_DECILE), area(1.3), framework, rules).inherent == "low"


SPECIFIED = (
    "Quarterly data on referrals and waits split by deprivation quintile, ethnicity, age and disability; "
    "face-to-face interpreters and British Sign Language at no cost to patients; the Accessible Information "
    "Standard; home visits for people who are housebound."
)


def contract(framework: Framework, requirements: str, recheck: str = "yes", **more: Any) -> dict[str, Any]:
    answers = answers_for(framework, "procurement")
    answers.update(
        {
            "proposal.title": "Re-let the special care dental contract",
            "proposal.kind": "procurement",
            "proposal.changes_access": "yes",
            "procurement.requirements": requirements,
            "procurement.award_recheck": recheck,
            "procurement.award_recheck_date": "2027-01-15",
            "procurement.no_recheck_reason": "The contract is awarded on standard terms.",
        }
    )
    return {**answers, **more}


def test_a_contract_that_requires_data_and_services_for_the_people_affected_is_low(
    rules: ScoringRules, framework: Framework
) -> None:
    rating = rate(contract(framework, SPECIFIED), area(1.6), framework, rules)
    assert rating.dimension("contract").rating == "low"
    assert not {"contract.requirements_not_specific", "contract.no_recheck"} & fired(rating)


@pytest.mark.parametrize(
    "requirements",
    ["Standard NHS contract terms on equality and diversity apply.", "", "The provider will report on KPIs."],
)
def test_requirements_that_name_nothing_for_the_people_affected_are_medium(
    ruleset: RuleSet, rules: ScoringRules, framework: Framework, requirements: str
) -> None:
    answers = contract(framework, requirements)
    rating = rate(answers, area(1.6), framework, rules)
    assert (rating.inherent, rating.residual) == ("medium", "medium")
    assert "contract.requirements_not_specific" in fired(rating)
    assert rate(answers, area(1.6), framework, ruleset.scoring("1.7")).inherent == "low"  # the gap 1.8 closes


def test_no_check_before_the_award_is_medium(rules: ScoringRules, framework: Framework) -> None:
    rating = rate(contract(framework, SPECIFIED, recheck="no"), area(1.6), framework, rules)
    assert rating.dimension("contract").rating == "medium"
    assert "contract.no_recheck" in fired(rating) and "contract.requirements_not_specific" not in fired(
        rating
    )


def test_the_contract_part_is_not_asked_of_other_kinds_of_proposal(
    rules: ScoringRules, framework: Framework
) -> None:
    rating = rate(van(framework, BY_DECILE), area(2.0), framework, rules)
    assert rating.dimension("contract").rating == "low"
    assert {r.rule_id for r in rating.dimension("contract").reasons} == {"contract.skipped"}
