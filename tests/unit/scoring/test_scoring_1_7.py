"""Scoring 1.7: the answers cannot contradict the proposal's own words. A closure entered as another kind of
proposal, or parking charges answered as "no change to how patients use a service", with no harm recorded,
is rated as a change whose effects were not assessed; honest answers never trigger it."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules
from hia_service.domain.scoring.facts import described_in_proposal
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_scoring_1_5 import answers_for, fired, rate

CRISIS = "Close the Riverside crisis suite and move it to the Northgate site, 14 miles away"
PARKING = "New patient and visitor parking charges at Sunderland Royal Hospital"
INTERPRETING = "Re-let the face-to-face interpreting contract at 30% lower cost"
GOOD_ACTION = {
    "action": "Free parking permits for people on low incomes and their carers",
    "answers": "people on low incomes",
    "owner": "Head of estates",
    "due": "2027-05-01",
    "measure": "Permits issued and missed appointments by deprivation quintile",
}


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.7")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def entered(
    framework: Framework, title: str, kind: str, changes_access: str = "yes", **impacts: str
) -> dict[str, Any]:
    """A proposal with every group answered neutral with specific evidence unless `impacts` says otherwise."""
    answers = answers_for(framework, "closure", **impacts)
    answers.update(
        {"proposal.title": title, "proposal.kind": kind, "proposal.changes_access": changes_access}
    )
    return answers


@pytest.mark.parametrize(
    ("title", "summary", "said"),
    [
        (CRISIS, "", {"closes_or_moves", "closes", "moves"}),  # 1.10 on: "closes"; 1.11 on: "moves"
        (PARKING, "", {"costs_or_language"}),
        ("Interpreting contract", INTERPRETING, {"costs_or_language"}),
        ("Closing the gap in diabetes care", "Care closer to home for frail people", set()),
        ("Free parking for patients having chemotherapy", "", set()),
        ("Resurface the staff parking", "", set()),
    ],
)
def test_what_the_title_or_summary_says_the_proposal_does(title: str, summary: str, said: set[str]) -> None:
    assert described_in_proposal({"proposal.title": title, "proposal.summary": summary}) == said


def test_a_closure_entered_as_a_service_change_is_rated_as_a_closure_not_assessed(
    ruleset: RuleSet, rules: ScoringRules, framework: Framework
) -> None:
    answers = entered(framework, CRISIS, "service_change")
    earlier = rate(answers, area(2.0), framework, ruleset.scoring("1.6"))
    now = rate(answers, area(2.0), framework, rules)
    assert earlier.inherent == "low"  # the gap 1.7 closes
    assert now.dimension("described").rating == "high"
    assert "described.closure_under_another_kind_concentrated" in fired(now)
    # Actions cannot answer a harm the answers do not record: only changing the answers lowers it.
    planned = rate({**answers, "actions.plan": [GOOD_ACTION]}, area(2.0), framework, rules)
    assert (planned.inherent, planned.residual) == ("high", "high")


def test_the_same_closure_in_a_less_deprived_area_is_medium(
    rules: ScoringRules, framework: Framework
) -> None:
    now = rate(entered(framework, CRISIS, "policy"), area(1.0), framework, rules)
    assert now.dimension("described").rating == "medium"
    assert "described.closure_under_another_kind" in fired(now)


@pytest.mark.parametrize(
    ("kind", "impacts"),
    [
        ("relocation", {}),  # the right kind: the closure and move rules apply instead
        ("closure", {}),
        ("hours", {}),  # closing on some days is a change of hours
        ("service_change", {"pc.age": "negative"}),  # harm recorded: rated by it
        ("service_change", {"inclusion.migrants": "unknown"}),  # honestly not known
    ],
)
def test_honest_answers_do_not_trigger_it(
    rules: ScoringRules, framework: Framework, kind: str, impacts: dict[str, str]
) -> None:
    now = rate(entered(framework, CRISIS, kind, **impacts), area(2.0), framework, rules)
    assert now.dimension("described").rating == "low"


def test_words_that_are_not_a_closure_do_not_trigger_it(rules: ScoringRules, framework: Framework) -> None:
    answers = entered(framework, "Closing the gap: care closer to home", "service_change")
    assert rate(answers, area(2.0), framework, rules).dimension("described").rating == "low"


@pytest.mark.parametrize(
    ("title", "relative", "rating"),
    [(PARKING, 2.0, "high"), (INTERPRETING, 2.0, "high"), (PARKING, 1.0, "medium")],
)
def test_charges_or_interpreting_answered_as_no_change_to_access(
    rules: ScoringRules, framework: Framework, title: str, relative: float, rating: str
) -> None:
    answers = entered(framework, title, "estates", changes_access="no")
    now = rate(answers, area(relative), framework, rules)
    assert now.dimension("described").rating == rating
    assert now.inherent == rating


@pytest.mark.parametrize(
    ("title", "kind", "changes_access"),
    [
        (PARKING, "estates", "yes"),  # answered honestly
        ("Change the staff parking permits", "workforce", "no"),
        ("Resurface the staff parking", "estates", "no"),
        ("Free parking for patients having chemotherapy", "estates", "no"),
    ],
)
def test_charges_answered_honestly_or_not_about_patients_do_not_trigger_it(
    rules: ScoringRules, framework: Framework, title: str, kind: str, changes_access: str
) -> None:
    answers = entered(framework, title, kind, changes_access=changes_access)
    assert rate(answers, area(2.0), framework, rules).dimension("described").rating == "low"


def test_honesty_about_charges_costs_no_more_than_silence(rules: ScoringRules, framework: Framework) -> None:
    silent = rate(entered(framework, PARKING, "estates", changes_access="no"), area(2.0), framework, rules)
    honest = entered(framework, PARKING, "estates", **{"inclusion.low_income": "negative"})
    honest["actions.plan"] = [GOOD_ACTION]
    rated = rate(honest, area(2.0), framework, rules)
    order = ["low", "medium", "high"]
    assert order.index(rated.residual) < order.index(silent.residual)
    assert order.index(rated.inherent) <= order.index(silent.inherent)


def test_a_change_that_narrows_inequalities_with_one_harm_is_at_most_medium_before_the_plan(
    ruleset: RuleSet, rules: ScoringRules, framework: Framework
) -> None:
    gains = {"core20.access": "positive", "inclusion.low_income": "positive"}
    one = answers_for(framework, "relocation", **gains, **{"pc.disability": "negative"})
    two = answers_for(
        framework, "relocation", **gains, **{"pc.disability": "negative", "inclusion.carers": "negative"}
    )
    assert rate(one, area(2.5), framework, ruleset.scoring("1.6")).inherent == "high"
    capped = rate(one, area(2.5), framework, rules)
    assert capped.inherent == "medium"
    assert "overall.narrowing_capped" in fired(capped)
    assert "(disability)" in capped.dimension("protected_characteristics").reasons[-1].text
    assert rate(two, area(2.5), framework, rules).inherent == "high"  # more than one group harmed
    # Without the narrowing (no evidenced gain in deprived areas) one harm stays high.
    alone = answers_for(framework, "relocation", **{"pc.disability": "negative"})
    assert rate(alone, area(2.5), framework, rules).inherent == "high"


def test_an_equal_route_without_the_internet_is_not_held_to_the_likely_affected_standard(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = answers_for(framework, "digital")
    answers["inclusion.communication.evidence"] = "Phone bookings can use interpreters as now, every weekday."
    answers["digital.offline_detail"] = "The phone line keeps its hours and walk-in stays."
    equal = rate({**answers, "digital.offline_route": "yes"}, area(1.8), framework, rules)
    partly = rate({**answers, "digital.offline_route": "partly"}, area(1.8), framework, rules)
    assert "evidence.claims_not_assessed_deprived" not in fired(equal)
    assert "evidence.claims_not_assessed_deprived" in fired(partly)
