"""Scoring 1.6: what a second review playing the governance panel found, beyond the realistic cases in
panel_proposals.yaml: the pieces of the engine that 1.6 adds (which groups a rule counts, measures that only
count totals) and the plain words its reasons use."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from hia_service.domain.scoring.actions import counts_everyone, harm_names
from hia_service.domain.scoring.engine import named_in_proposal
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_scoring_1_5 import answers_for, rate

TODAY = date(2026, 12, 5)
RULES_FILE = Path(__file__).parents[3] / "rules" / "scoring" / "1.6.yaml"


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.6")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


@pytest.mark.parametrize(
    ("measure", "everyone"),
    [
        ("Total appointments offered per month", True),
        ("Overall attendance", True),
        ("Total appointments by IMD quintile", False),
        ("Total appointments for older people", False),  # names the group harmed
        ("Did-not-attend rate for Core20 postcodes", False),
        ("Appointments kept, monthly", False),  # no word of totals: judged by the other tests
    ],
)
def test_a_measure_that_counts_everyone_at_once_earns_no_credit(
    rules: ScoringRules, framework: Framework, measure: str, everyone: bool
) -> None:
    credit = rules.overall.mitigation.credit
    assert credit is not None
    harmed = harm_names(framework, credit, ["pc.age"])
    assert counts_everyone(measure, credit, harmed) is everyone


def test_the_groups_a_proposal_names_are_those_its_title_or_summary_speaks_of(rules: ScoringRules) -> None:
    answers = {
        "proposal.title": "Decommission the street outreach team",
        "proposal.summary": "The team sees rough sleepers and Gypsy and Traveller families on the sites.",
    }
    assert named_in_proposal(answers, rules) >= {"inclusion.homelessness", "inclusion.gypsy_roma_traveller"}
    assert "inclusion.migrants" not in named_in_proposal(answers, rules)
    assert named_in_proposal({"proposal.title": "New MRI scanner"}, rules) == frozenset()


def test_harm_to_a_group_the_proposal_is_not_about_is_not_rated_as_a_cut_to_its_service(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = answers_for(framework, "closure", **{"inclusion.homelessness": "negative"})
    general = rate({**answers, "proposal.title": "Close the Riverside clinic"}, area(), framework, rules)
    aimed = rate({**answers, "proposal.title": "Close the homeless health clinic"}, area(), framework, rules)
    assert "inclusion.service_for_group_harmed" not in fired(general)
    assert "inclusion.service_for_group_harmed" in fired(aimed) and aimed.inherent == "high"


def test_an_honest_not_known_for_a_group_the_change_will_not_reach_costs_no_more_than_neutral(
    rules: ScoringRules, framework: Framework
) -> None:
    base = {**answers_for(framework, "closure"), "proposal.kind": "service_change"}
    neutral = rate(base, area(2.0), framework, rules)
    honest = rate({**base, "inclusion.sex_workers.impact": "unknown"}, area(2.0), framework, rules)
    likely = rate({**base, "inclusion.migrants.impact": "unknown"}, area(2.0), framework, rules)
    assert honest.dimension("inclusion_health").rating == neutral.dimension("inclusion_health").rating
    assert likely.dimension("inclusion_health").rating == "medium"  # walk-in services reach migrants


def test_the_reasons_use_words_not_formulas() -> None:
    """The reasons are read by managers and boards: "2.63 times the England share, at least 1.5", never
    "(relative 2.63 ≥ 1.5)"."""
    text = RULES_FILE.read_text(encoding="utf-8")
    reasons = re.findall(r"reason: (?:>-\n((?:\s{6,}.*\n)+)|(.*))", text)
    written = " ".join(" ".join(part.split()) for found in reasons for part in found)
    assert "≥" not in written and " < " not in written and "(relative" not in written
    assert "times the {nation} share, at least {core20_relative_high}" in written


def test_the_quality_checks_accept_the_words_the_rating_credits(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = answers_for(framework, "closure", **{"pc.age": "negative"})
    answers["conclusion.recommendation"] = "proceed_with_mitigations"
    answers["actions.plan"] = [
        {
            "action": "Free transport to antenatal visits",
            "answers": "young mothers",
            "owner": "Head of midwifery",
            "due": "2027-05-01",
            "measure": "Missed antenatal appointments by postcode",
        }
    ]
    rating = rate(answers, area(), framework, rules)
    assert "overall.mitigation.paper" not in fired(rating)  # the rating credits it for age
    credit = rules.overall.mitigation.credit
    assert credit is not None
    found = {w.id for w in quality_checks(answers, area(), framework, TODAY, credit.harm_names)}
    assert "conclusion.proceed_despite_harm" not in found
    without = {w.id for w in quality_checks(answers, area(), framework, TODAY)}
    assert "conclusion.proceed_despite_harm" in without  # the label's own words alone do not find it


def fired(rating: Any) -> set[str]:
    return {r.rule_id for d in rating.dimensions for r in d.reasons} | {r.rule_id for r in rating.reasons}


def test_score_is_reached_through_the_package(rules: ScoringRules, framework: Framework) -> None:
    assert score(answers_for(framework, "closure"), area(), rules, today=TODAY).rules_version == "1.6"
