"""Scoring 1.10: severity weighed by what a proposal takes away and from whom. A closure, a move or fewer
sites that harms a group where people have greater need is high until an action answers the harm (not
known yet: medium), and what the evidence says of the service's users counts as well as the area."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain import evidence_text
from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, not_assessed
from hia_service.domain.scoring.model import level_index
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_scoring_1_5 import fired, rate
from tests.unit.scoring.test_scoring_1_9 import own_evidence

GOOD = {"owner": "Outpatient services manager", "due": "2027-04-01"}
MEASURE = "Did-not-attend rate by age and disability, quarterly"


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.10")


@pytest.fixture(scope="module")
def earlier(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.9")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def pool_closure(framework: Framework, kind: str = "estates", **impacts: str) -> dict[str, Any]:
    answers = own_evidence(framework, kind, **impacts)
    answers["proposal.title"] = "Decommissioning of the hydrotherapy pool"
    answers["proposal.summary"] = "Close the hydrotherapy pool at the Royal Infirmary from April 2027."
    return answers


def answer_harm(answers: dict[str, Any], groups: str) -> dict[str, Any]:
    plan = {"action": "Sessions at the leisure centre pool with transport", "answers": groups, **GOOD}
    return {**answers, "actions.plan": [{**plan, "measure": MEASURE}]}


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("82% of attendances at the estate sessions come from Core20 postcodes", 4.1),
        ("64% of users live in the most deprived fifth of neighbourhoods", 3.2),
        ("Core20 postcodes account for 45% of referrals.", 2.25),
        ("Patients from Core20 areas make up about 52% of the list", 2.6),
        ("30% of the caseload live in IMD deciles 1-2", 1.5),
        ("21% of patients live in the most deprived decile", 2.1),  # a tenth of everyone lives there
        ("only 8% of users live in Core20 areas", 0.4),
        # Not a statement about who uses the service:
        ("Core20 is the most deprived 20% of the national population", None),
        ("We serve people who live in the 20% most deprived areas.", None),
        ("The Core20PLUS5 approach: 31% of patients are over 65", None),
        ("45% of patients are over 65", None),
        # What people there are like, not who lives there:
        ("36% of people in Core20 areas smoke", None),
        ("36% of Core20 residents have diabetes", None),
    ],
)
def test_what_the_evidence_says_of_the_users_deprivation(text: str, times: float | None) -> None:
    assert evidence_text.stated_deprived_share([text]) == times


def test_a_closure_harming_a_group_where_need_is_greater_is_high_until_answered(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    honest = pool_closure(framework, **{"pc.disability": "negative", "pc.age": "negative"})
    before = rate(honest, area(1.3), framework, earlier)
    assert (before.inherent, before.residual) == ("medium", "medium")  # the gap 1.10 closes
    now = rate(honest, area(1.3), framework, rules)
    assert now.inherent == "high" and "combined.closure_harms_group" in fired(now)
    answered = rate(answer_harm(honest, "disabled and older patients"), area(1.3), framework, rules)
    assert (answered.inherent, answered.residual) == ("high", "medium")
    # By its kind, too.
    closure = rate(
        pool_closure(framework, "closure", **{"pc.disability": "negative"}), area(1.3), framework, rules
    )
    assert closure.inherent == "high" and "combined.closure_harms_group" in fired(closure)


@pytest.mark.parametrize(
    ("where", "high"),
    [
        (area(1.0), False),  # an average area: real but limited, as before
        (area(0.3), False),
        (area(1.1), True),  # more deprived than the nation
        (area(0.9, rural=0.6), True),  # mostly rural
        (area(0.9, barriers=0.45), True),  # far from services
    ],
)
def test_where_need_is_greater_decides(
    rules: ScoringRules, framework: Framework, where: dict[str, Any], high: bool
) -> None:
    rating = rate(pool_closure(framework, **{"pc.disability": "negative"}), where, framework, rules)
    assert ("combined.closure_harms_group" in fired(rating)) is high, sorted(fired(rating))


def test_a_closure_for_a_short_stated_time_is_not_weighed_as_one(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = pool_closure(framework, **{"pc.disability": "negative"})
    answers["proposal.summary"] = "Close the hydrotherapy pool for two weeks in March for retiling."
    rating = rate(answers, area(1.3), framework, rules)
    assert "combined.closure_harms_group" not in fired(rating), sorted(fired(rating))


def test_the_users_deprivation_counts_where_the_area_is_average(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "business_case", **{"core20.access": "negative"})
    answers["proposal.summary"] = "Move the outpatient sessions from the estate to the new hub."
    answers["core20.access.evidence"] = "Outpatient data 2026: 82% of attendances come from Core20 postcodes."
    assert rate(answers, area(0.9), framework, earlier).inherent == "medium"
    now = rate(answers, area(0.9), framework, rules)
    assert now.inherent == "high" and "deprivation.negative_users_concentrated" in fired(now), sorted(
        fired(now)
    )
    reason = next(
        r.text for d in now.dimensions for r in d.reasons if r.rule_id.endswith("users_concentrated")
    )
    assert "(4.10 times the England share" in reason, reason
    # An action plan is no statement of who uses the service: a target there changes nothing.
    answers["core20.access.evidence"] = "Outpatient data 2026: attendances by postcode, 1,400 a year."
    answers["actions.plan"] = [{"action": "Aim for 82% of attendances from Core20 postcodes", **GOOD}]
    assert "deprivation.negative_users_concentrated" not in fired(rate(answers, area(0.9), framework, rules))


@pytest.mark.parametrize("silence", ["unknown", "neutral"])
def test_silence_about_the_harm_never_rates_below_the_answered_harm(
    rules: ScoringRules, framework: Framework, silence: str
) -> None:
    harmed = {"pc.disability": "negative", "pc.age": "negative"}
    honest = answer_harm(pool_closure(framework, **harmed), "disabled and older patients")
    quiet = pool_closure(framework, **{group: silence for group in harmed})
    for group in harmed if silence == "neutral" else ():
        quiet[f"{group}.evidence"] = ""  # nothing behind the neutral answer
    frank, hushed = (rate(a, area(1.3), framework, rules) for a in (honest, quiet))
    assert level_index(hushed.residual) >= level_index(frank.residual), (hushed.reasons, frank.reasons)


@pytest.mark.parametrize(
    ("kind", "summary"),
    [
        ("relocation", "The phlebotomy clinic moves to Riverside Health Centre, 0.8 miles away."),
        ("hours", "Close the outpatient pharmacy on Saturdays; prescriptions go to community pharmacies."),
        ("service_change", "Move the phlebotomy clinic to Riverside Health Centre on the same bus route."),
    ],
)
def test_a_move_or_fewer_hours_is_weighed_by_the_access_rules_not_as_a_closure(
    rules: ScoringRules, framework: Framework, kind: str, summary: str
) -> None:
    answers = own_evidence(framework, kind, **{"pc.disability": "negative", "pc.age": "negative"})
    answers["proposal.summary"] = summary
    rating = rate(answers, area(1.4), framework, rules)
    assert "combined.closure_harms_group" not in fired(rating), sorted(fired(rating))
    assert rating.inherent == "medium", sorted(fired(rating))


CONTRACTS = {
    # what the contract asks for: whether 1.9 already read it as specific
    "Fill rate and complaints reported monthly by language; AIS-compliant formats; service credits.": False,
    "Video interpreting for Deaf patients within 15 minutes, with remedies for unfilled bookings.": True,
}


@pytest.mark.parametrize(("requirements", "before"), CONTRACTS.items())
def test_a_contract_that_names_language_or_deaf_people_is_specific(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, requirements: str, before: bool
) -> None:
    answers = {**own_evidence(framework, "procurement"), "procurement.requirements": requirements}
    rule = "contract.requirements_not_specific"
    assert rule not in fired(rate(answers, area(1.0), framework, rules))
    assert (rule not in fired(rate(answers, area(1.0), framework, earlier))) is before


@pytest.mark.parametrize(
    "text",
    [
        "One lift stays in service throughout and clinics move to the ground floor. The access group agreed.",
        "Video interpreting in the emergency department is what the Deaf patients' forum wants most.",
        "Large-print letters and a hearing loop, reviewed by the patient panel in October.",
    ],
)
def test_a_group_of_the_people_affected_is_a_source(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, text: str
) -> None:
    answers = own_evidence(framework, "estates")
    answers["pc.disability.evidence"] = text
    assert "pc.disability" in not_assessed(answers, area(1.1), earlier)
    assert "pc.disability" not in not_assessed(answers, area(1.1), rules)


def test_not_knowing_a_change_s_effect_on_a_protected_group_it_reaches_is_medium(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "service_change", **{"pc.age": "unknown"})
    assert rate(answers, area(1.0), framework, earlier).inherent == "low"
    now = rate(answers, area(1.0), framework, rules)
    assert now.inherent == "medium" and "pc.unknown_access_change" in fired(now), sorted(fired(now))
    # Saying nothing for the group (neutral, nothing behind it) is rated no lower.
    quiet = {**own_evidence(framework, "service_change"), "pc.age.evidence": ""}
    assert rate(quiet, area(1.0), framework, rules).inherent == "medium"
    # No change to how patients use the service: nothing to find out about access.
    unchanged = {**answers, "proposal.changes_access": "no"}
    assert "pc.unknown_access_change" not in fired(rate(unchanged, area(1.0), framework, rules))


def test_a_number_in_words_is_a_source(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = {**own_evidence(framework, "workforce"), "who.staff_affected": "yes"}
    answers["workforce.disability.evidence"] = (
        "Five staff have reasonable adjustments in place; all carry over to the merged team unchanged."
    )
    assert "workforce.disability" in not_assessed(answers, area(1.0), earlier)
    assert "workforce.disability" not in not_assessed(answers, area(1.0), rules)


def test_an_action_for_people_from_the_coast_answers_the_harm_to_rural_and_coastal_people(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "relocation", **{"inclusion.rural_coastal": "negative"})
    plan = {"action": "Early supported discharge teams based in Seaford and Eastcliff", **GOOD}
    answers["actions.plan"] = [{**plan, "answers": "patients from the coast", "measure": MEASURE}]
    before, now = (rate(answers, area(1.0, rural=0.6), framework, r) for r in (earlier, rules))
    assert level_index(now.residual) < level_index(now.inherent), sorted(fired(now))
    assert before.residual == before.inherent, sorted(fired(before))  # the gap 1.10 closes


@pytest.mark.parametrize(("names", "answered"), [("low-income patients", True), ("older patients", False)])
def test_an_action_for_people_on_low_incomes_answers_the_harm_to_people_in_deprived_areas(
    rules: ScoringRules, framework: Framework, names: str, answered: bool
) -> None:
    answers = own_evidence(framework, "closure", **{"core20.access": "negative"})
    answers["core20.access.evidence"] = "Walk-in data 2026: 61% of attendances come from Core20 postcodes."
    plan = {"action": "Keep 30 walk-in slots a day at the practice next door", **GOOD}
    answers["actions.plan"] = [{**plan, "answers": names, "measure": "Slot use by IMD quintile, monthly"}]
    rating = rate(answers, area(1.0), framework, rules)
    assert rating.inherent == "high", sorted(fired(rating))
    assert (rating.residual == "medium") is answered, sorted(fired(rating))
