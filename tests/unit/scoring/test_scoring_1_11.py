"""Scoring 1.11: a move with a benefit recorded is rated as a move, whatever kind it is entered as, and more
everyday words name the groups an action answers or a measure is about (one person as well as many; Deaf and
BSL users; "disabled" staff)."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules
from hia_service.domain.scoring.actions import harm_names, named_groups, reach_measured
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_scoring_1_5 import fired, rate
from tests.unit.scoring.test_scoring_1_9 import own_evidence

CLOSURE_RULES = {"described.closure_under_another_kind", "described.closure_under_another_kind_concentrated"}


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.11")


@pytest.fixture(scope="module")
def earlier(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.10")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def practice_move(framework: Framework, summary: str, **impacts: str) -> dict[str, Any]:
    """A GP practice's move entered as an estates decision, each group's evidence its own."""
    answers = own_evidence(framework, "estates", **impacts)
    answers["proposal.title"] = "Castle Street Surgery: new premises"
    answers["proposal.summary"] = summary
    answers["monitoring.indicators"] = [{"indicator": "Appointments kept by age and disability, quarterly"}]
    return answers


MOVES = "The practice moves 400 metres into the new Riverside Health Centre; the old surgery closes."
CLOSES = "Close the Castle Street branch surgery in May 2027; its patients go to the main surgery."


@pytest.mark.parametrize("relative", [1.0, 1.8])
def test_a_move_with_a_benefit_recorded_is_rated_as_a_move(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, relative: float
) -> None:
    better = practice_move(framework, MOVES, **{"pc.disability": "positive", "pc.age": "positive"})
    before = rate(better, area(relative), framework, earlier)
    assert fired(before) & CLOSURE_RULES  # the gap 1.11 closes: read as a closure nobody assessed
    now = rate(better, area(relative), framework, rules)
    assert not fired(now) & CLOSURE_RULES, sorted(fired(now))
    assert (now.inherent, now.residual) == ("low", "low"), sorted(fired(now))
    # The same move entered as a relocation rates the same.
    relocation = rate({**better, "proposal.kind": "relocation"}, area(relative), framework, rules)
    assert (relocation.inherent, relocation.residual) == (now.inherent, now.residual)


def test_a_move_with_nothing_recorded_or_a_closure_is_still_read_as_before(
    rules: ScoringRules, framework: Framework
) -> None:
    nothing = rate(practice_move(framework, MOVES), area(1.8), framework, rules)
    assert "described.closure_under_another_kind_concentrated" in fired(nothing)
    assert nothing.inherent == "high"
    # A benefit recorded does not hide a closure with no move named.
    closes = practice_move(framework, CLOSES, **{"pc.disability": "positive"})
    closed = rate(closes, area(1.8), framework, rules)
    assert "described.closure_under_another_kind_concentrated" in fired(closed), sorted(fired(closed))
    assert closed.inherent == "high"
    elsewhere = rate(closes, area(1.0), framework, rules)
    assert "described.closure_under_another_kind" in fired(elsewhere)


@pytest.mark.parametrize(
    ("text", "group", "named_from"),
    [
        ("limited-English, migrant and Deaf patients", "inclusion.migrants", "1.11"),
        ("a refugee family new to the area", "inclusion.migrants", "1.11"),
        ("migrants and refugees", "inclusion.migrants", "1.10"),
        ("Deaf BSL users", "inclusion.communication", "1.11"),
        ("people with hearing loss", "pc.disability", "1.11"),
        ("any prisoner on release", "inclusion.justice", "1.11"),
        ("each veteran referred", "inclusion.armed_forces", "1.11"),
        ("a care leaver", "inclusion.looked_after", "1.11"),
        ("ethnic minority and disabled ward managers", "workforce.disability", "1.11"),
        ("disabled staff", "workforce.disability", "1.10"),
        ("global majority nurses", "workforce.race", "1.11"),
        ("older members of the team", "workforce.age", "1.11"),
    ],
)
def test_everyday_words_name_the_group_an_action_answers(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, text: str, group: str, named_from: str
) -> None:
    def names(version: ScoringRules) -> tuple[str, ...]:
        credit = version.overall.mitigation.credit
        assert credit is not None
        return named_groups(text, harm_names(framework, credit, [group]))

    assert names(rules) == (group,)
    assert names(earlier) == ((group,) if named_from == "1.10" else ())


def test_words_that_name_no_group_still_name_none(rules: ScoringRules, framework: Framework) -> None:
    credit = rules.overall.mitigation.credit
    assert credit is not None
    every = harm_names(framework, credit, [g.id for _, g in framework.groups()])
    assert named_groups("all patients, by month", every) == ()
    assert named_groups("the whole team", every) == ()


def test_a_measure_about_bsl_users_shows_who_a_change_reaches(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    indicator = {"monitoring.indicators": [{"indicator": "Time to an interpreter for BSL users, monthly"}]}

    def measured(version: ScoringRules) -> bool:
        credit = version.overall.mitigation.credit
        assert credit is not None
        return reach_measured(indicator, framework, credit, "actions.plan")

    assert not measured(earlier)  # the gap 1.11 closes
    assert measured(rules)


def test_an_action_for_migrant_patients_answers_the_harm_to_migrants(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "service_change", **{"inclusion.migrants": "negative"})
    answers["actions.plan"] = [
        {
            "action": "Face-to-face interpreting by right at the refugee drop-in",
            "answers": "limited-English, migrant and Deaf patients",
            "owner": "ICB head of contracting",
            "due": "2027-04-01",
            "measure": "Face-to-face requests met by language, monthly",
        }
    ]
    then = rate(answers, area(1.0), framework, earlier)
    now = rate(answers, area(1.0), framework, rules)
    assert "overall.mitigation.paper" in fired(then)  # "does not name a group recorded as harmed"
    assert "overall.mitigation.paper" not in fired(now), sorted(fired(now))
    assert "overall.mitigation.at_floor" in fired(now)  # credited; a real harm stays at least medium
