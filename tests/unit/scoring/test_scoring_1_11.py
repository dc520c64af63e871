"""Scoring 1.11: a move with a benefit recorded is rated as a move, whatever kind it is entered as, and more
everyday words name the groups an action answers or a measure is about (one person as well as many; Deaf and
BSL users; "disabled" staff)."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, paper_actions
from hia_service.domain.scoring.actions import harm_names, named_groups, reach_measured
from hia_service.domain.scoring.model import Credit
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_scoring_1_5 import TODAY, fired, rate
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


def credit_of(rules: ScoringRules) -> Credit:
    credit = rules.overall.mitigation.credit
    assert credit is not None
    return credit


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
        ("women in labour and women choosing home birth", "pc.pregnancy_maternity", "1.11"),
        ("births before arrival", "clinical.maternity", "1.11"),
        ("pregnant women", "clinical.maternity", "1.10"),
        ("older people with dementia and their families", "pc.disability", "1.11"),
        ("staff who observe a Sabbath", "pc.religion_belief", "1.11"),
        ("children with diabetes and their parents", "clinical.cyp_diabetes", "1.11"),
    ],
)
def test_everyday_words_name_the_group_an_action_answers(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, text: str, group: str, named_from: str
) -> None:
    def names(version: ScoringRules) -> tuple[str, ...]:
        return named_groups(text, harm_names(framework, credit_of(version), [group]))

    assert names(rules) == (group,)
    assert names(earlier) == ((group,) if named_from == "1.10" else ())


def test_words_that_name_no_group_still_name_none(rules: ScoringRules, framework: Framework) -> None:
    every = harm_names(framework, credit_of(rules), [g.id for _, g in framework.groups()])
    assert named_groups("all patients, by month", every) == ()
    assert named_groups("the whole team", every) == ()


def test_a_measure_about_bsl_users_shows_who_a_change_reaches(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    indicator = {"monitoring.indicators": [{"indicator": "Time to an interpreter for BSL users, monthly"}]}

    def measured(version: ScoringRules) -> bool:
        return reach_measured(indicator, framework, credit_of(version), "actions.plan")

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


TWO_HARMS = {"pc.age": "negative", "inclusion.digital_exclusion": "negative"}
THREE_HARMS = {**TWO_HARMS, "inclusion.communication": "negative"}


def online_first(framework: Framework, offline: str, harms: dict[str, str] = TWO_HARMS) -> dict[str, Any]:
    """Online-first triage at a practice in a deprived area, harms to older and digitally excluded people
    recorded, with a route without the internet as good as online ("yes"), partly or none."""
    answers = own_evidence(framework, "digital", **harms)
    answers.update(
        {
            "proposal.title": "Online-first triage at Marsh Lane Surgery",
            "digital.offline_route": offline,
            "digital.offline_detail": "Phone and reception requests join the same triage list, same hours.",
            "digital.support": "Reception staff complete the online form with anyone who asks.",
        }
    )
    return answers


@pytest.mark.parametrize(("offline", "inherent"), [("yes", "medium"), ("partly", "high"), ("no", "high")])
@pytest.mark.parametrize(("harms", "relative"), [(TWO_HARMS, 2.0), (THREE_HARMS, 1.0)], ids=["two", "three"])
def test_a_digital_route_with_one_as_good_without_the_internet_is_a_limited_harm(
    rules: ScoringRules,
    earlier: ScoringRules,
    framework: Framework,
    offline: str,
    inherent: str,
    harms: dict[str, str],
    relative: float,
) -> None:
    """Two harms in a deprived area (each high there until 1.10), or three harms to people whose access
    changes (high, as many groups, until 1.10), from a digital route: limited when the service can be used
    as well without the internet."""
    answers = online_first(framework, offline, harms)
    assert rate(answers, area(relative), framework, earlier).inherent == "high"
    now = rate(answers, area(relative), framework, rules)
    assert now.inherent == inherent, sorted(fired(now))
    if offline == "yes":
        assert {"pc.negative", "inclusion.negative"} <= fired(now)
        deprived_or_many = {"pc.negative_deprived", "inclusion.negative_deprived"}
        assert not (deprived_or_many | {"combined.access_change_many_negative"}) & fired(now)


def test_the_same_harms_from_another_kind_of_change_in_a_deprived_area_stay_high(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "hours", **{"pc.age": "negative"})
    answers["digital.offline_route"] = "yes"  # a stale answer from a page no longer shown counts for nothing
    now = rate(answers, area(2.0), framework, rules)
    assert now.inherent == "high" and "pc.negative_deprived" in fired(now), sorted(fired(now))


def estate_closure(framework: Framework, measure: str) -> dict[str, Any]:
    """A harm to access in deprived areas, answered by an action that names the people by their estate."""
    answers = own_evidence(framework, "relocation", **{"core20.access": "negative"})
    answers["actions.plan"] = [
        {
            "action": "Free booked taxi to the static unit for every woman invited from the two estates",
            "answers": "women on the Harpur and Lowfield estates",
            "owner": "Screening programme manager",
            "due": "2027-04-01",
            "measure": measure,
        }
    ]
    return answers


@pytest.mark.parametrize(
    ("measure", "answers"),
    [
        ("Uptake by estate, IMD quintile and ethnicity, quarterly", True),
        ("Uptake from the most deprived neighbourhoods against the last round", True),
        ("Uptake by ethnicity, quarterly", False),
        ("Taxis booked, monthly", False),
    ],
)
def test_a_measure_by_deprivation_answers_the_harm_to_deprived_areas(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, measure: str, answers: bool
) -> None:
    plan = estate_closure(framework, measure)
    then = rate(plan, area(1.0), framework, earlier)
    now = rate(plan, area(1.0), framework, rules)
    assert "overall.mitigation.paper" in fired(then)  # 1.10: "does not name a group recorded as harmed"
    assert ("overall.mitigation.paper" not in fired(now)) is answers, sorted(fired(now))
    # The quality check reads the same credit: it never warns about an action the rating credited.
    checks = paper_actions(plan, rules, TODAY)
    assert (not checks) is answers


def letters(framework: Framework, **impacts: str) -> dict[str, Any]:
    answers = own_evidence(framework, "policy", **impacts)
    answers.update(
        {
            "proposal.changes_access": "no",
            "proposal.scope": "organisation",  # a full assessment: the groups it is for are asked about
            "proposal.title": "Outpatient letters in plain English and accessible formats",
            "proposal.summary": "Letters are sent translated, in easy read or large print where the record "
            "says so, as well as in English.",
        }
    )
    return answers


def test_a_change_that_makes_a_service_easier_to_understand_with_its_benefit_recorded_is_assessed(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    better = letters(framework, **{"inclusion.communication": "positive", "ehia_groups.literacy": "positive"})
    assert "described.costs_or_language" in fired(rate(better, area(1.0), framework, earlier))
    now = rate(better, area(1.0), framework, rules)
    assert not fired(now) & {"described.costs_or_language", "described.costs_or_language_concentrated"}
    # Nothing recorded, or a benefit for another group only, is read as before.
    for impacts in ({}, {"pc.age": "positive"}):
        still = rate(letters(framework, **impacts), area(1.0), framework, rules)
        assert "described.costs_or_language" in fired(still), impacts
