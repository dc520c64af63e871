"""The rating in plain English (issue 19, item 8): the facts and rules that set it, and what would change it,
from what the scoring actually returned (framework 1.1, scoring 1.2)."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rating_explained import explain
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from tests.unit.scoring.conftest import ACTION, profile, sound_answers


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.1")


@pytest.fixture(scope="module")
def scoring(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.2")


def harmed(fw: Framework, plan: list[dict[str, Any]]) -> dict[str, Any]:
    answers = sound_answers(fw, pc__age="negative")
    return answers | {
        "proposal.kind": "service_change",
        "screening.depth": "full",
        "pc.age.mechanism": ["access"],
        "pc.age.mitigation": "Community transport",
        "actions.plan": plan,
    }


def explained(answers: dict[str, Any], scoring: ScoringRules, relative: float = 2.5) -> Any:
    rating = score(answers, profile(relative), scoring).to_dict()
    return rating, explain(rating, answers)


def test_the_facts_and_rule_behind_a_high_rating(fw: Framework, scoring: ScoringRules) -> None:
    rating, explanation = explained(harmed(fw, []), scoring)
    assert rating["overall"] == explanation.rating == "high" and explanation.headline == "Rated high."
    fact = next(f for f in explanation.facts if f.part == "Protected characteristics")
    assert fact.rule == "pc.negative_deprived" and fact.text.startswith("Negative impact on age")
    assert explanation.change == (
        "This would be medium if the action plan had actions for these harms, each with a role as owner, a "
        "due date and a measure that shows how the people harmed fare.",
    )


def test_names_the_actions_that_would_earn_the_lower_rating(fw: Framework, scoring: ScoringRules) -> None:
    plan = [ACTION, {**ACTION, "action": "Community transport for older people", "owner": ""}]
    _, explanation = explained(harmed(fw, plan), scoring)
    assert explanation.change == (
        "This would be medium if action 2 ('Community transport for older people') had an owner and a "
        "due date.",
    )


def test_a_lowered_rating_says_what_it_was_before(fw: Framework, scoring: ScoringRules) -> None:
    rating, explanation = explained(harmed(fw, [ACTION]), scoring)
    assert rating["overall"] == "medium" and rating["before_mitigation"] == "high"
    assert explanation.headline == "Rated medium (high before the action plan)."
    assert explanation.facts[0].text.startswith("Negative impact on age")  # the facts that set "high"
    assert explanation.change == (
        "It would be high without the action plan: it was lowered because of the plan.",
    )


def test_a_part_actions_cannot_lower_is_named() -> None:
    rating = {
        "overall": "high",
        "before_mitigation": "high",
        "dimensions": [
            {"id": "d", "label": "Deprivation", "rating": "high", "mitigable": False, "reasons": []},
            {
                "id": "p",
                "label": "Protected characteristics",
                "rating": "medium",
                "mitigable": True,
                "reasons": [],
            },
        ],
        "reasons": [{"rule": "overall.mitigation.no_actions", "rating": "high", "text": "No actions."}],
    }
    explanation = explain(rating)
    assert explanation is not None
    assert explanation.change == (
        "Actions in the plan cannot lower it: it would be medium only if what is said above about "
        "Deprivation changed, for example with evidence or a different answer.",
    )


def test_a_held_rating_names_the_parts_the_scoring_says_hold_it_once_each() -> None:
    part = {"rating": "high", "mitigable": True, "reasons": [{"rule": "x", "rating": "high", "text": "T."}]}
    rating = {
        "overall": "high",
        "before_mitigation": "high",
        "dimensions": [
            {**part, "id": "p", "label": "Protected characteristics"},
            {**part, "id": "a", "label": "Access and rurality"},
        ],
        "reasons": [
            {
                "rule": "overall.mitigation.held",
                "rating": "high",
                "text": "Held.",
                "values": {"held_by": ["Access and rurality"]},
            }
        ],
    }
    explanation = explain(rating)
    assert explanation is not None
    assert explanation.change == (
        "Actions in the plan cannot lower it: it would be medium only if what is said above about Access and "
        "rurality changed, for example with evidence or a different answer.",
    )


def test_a_medium_rating_with_nothing_harmed_does_not_promise_actions_would_lower_it() -> None:
    rating = {
        "overall": "medium",
        "before_mitigation": "medium",
        "dimensions": [
            {"id": "i", "label": "Inclusion", "rating": "medium", "mitigable": True, "reasons": []}
        ],
        "reasons": [{"rule": "overall.mitigation.no_actions", "rating": "medium", "text": "No actions."}],
    }
    unknown = {"inclusion.migrants.impact": "unknown"}
    assert explain(rating, unknown).change == (  # type: ignore[union-attr]
        "It would be low only if the facts above changed, for example with evidence.",
    )
    harmed = {"pc.age.impact": "negative"}
    assert explain(rating, harmed).change == (  # type: ignore[union-attr]
        "Actions cannot lower it: a harm that has been recorded stays at least a medium risk, however "
        "well it is mitigated.",
    )


def test_low_and_nothing_to_explain(fw: Framework, scoring: ScoringRules) -> None:
    _, explanation = explained(sound_answers(fw), scoring, relative=0.5)
    assert explanation.rating == "low" and explanation.change == ("It is already the lowest rating.",)
    assert explain(None) is None and explain({"overall": "high", "dimensions": []}) is None


def test_a_capped_part_still_shows_the_harm_behind_it(ruleset: RuleSet) -> None:
    """Scoring 1.7 caps a change likely to narrow inequalities that harms one group at medium: what led to the
    rating names the harm as well as the cap."""
    fw13 = ruleset.framework("1.3")
    answers = sound_answers(fw13, pc__disability="negative", core20__access="positive")
    answers |= {"proposal.kind": "relocation", "screening.depth": "full"}
    rating = score(answers, profile(2.5), ruleset.scoring("1.7")).to_dict()
    explanation = explain(rating, answers)
    assert rating["before_mitigation"] == "medium"
    rules = {f.rule for f in explanation.facts if f.part == "Protected characteristics"}
    assert rules == {"pc.negative_deprived", "overall.narrowing_capped"}


@pytest.mark.parametrize("plan", [[], [ACTION]])
def test_no_promise_that_actions_lower_what_an_answer_alone_holds(ruleset: RuleSet, plan: list) -> None:
    """Online only, with no route without the internet, in a deprived area: actions for the harm cannot lower
    it (the access part is rated on that answer), so the explanation must not say they would."""
    fw13 = ruleset.framework("1.3")
    answers = sound_answers(fw13, pc__age="negative", inclusion__low_income="negative")
    answers |= {"proposal.kind": "digital", "digital.offline_route": "no", "screening.depth": "full"}
    answers |= {"pc.age.mitigation": "Help at the library", "actions.plan": plan}
    rating = score(answers, profile(2.5), ruleset.scoring("1.7")).to_dict()
    explanation = explain(rating, answers)
    assert rating["overall"] == "high"
    assert explanation.change[0].startswith("Actions in the plan cannot lower it")
    assert "Access and rurality" in explanation.change[0]
