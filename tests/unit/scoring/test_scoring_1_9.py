"""Scoring 1.9: evidence read as a governance panel reads it (one text pasted for several groups backs none of
them; an attribution is a source), fewer sites read as a closure and narrower eligibility as a change to
eligibility, a partly kept route without the internet medium anywhere, and a benefit for rural people low only
when who it reaches is measured."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain import evidence_text
from hia_service.domain.framework import Framework
from hia_service.domain.framework.screening import with_screening
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, not_assessed, score
from hia_service.domain.scoring.model import level_index
from tests.unit.scoring.test_access_rating import area
from tests.unit.scoring.test_panel_proposals import specific
from tests.unit.scoring.test_scoring_1_5 import TODAY, answers_for, fired, rate

PASTED = "Our 2026 audit of 1,200 attendances split by this group shows how they use the service today."


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.9")


@pytest.fixture(scope="module")
def earlier(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.8")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def own_evidence(framework: Framework, kind: str, **impacts: str) -> dict[str, Any]:
    """answers_for's proposal, with every group's evidence its own (its own figures)."""
    answers = answers_for(framework, kind, **impacts)
    for index, (_, group) in enumerate(framework.groups()):
        answers[f"{group.id}.evidence"] = specific(index, group.label)
    return answers


def test_one_text_pasted_for_every_group_backs_none_of_them(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    pasted = answers_for(framework, "hours", evidence=PASTED)
    own = own_evidence(framework, "hours")
    none = answers_for(framework, "hours", evidence="")
    assert rate(pasted, area(1.6), framework, earlier).inherent == "low"  # the gap 1.9 closes
    assert rate(own, area(1.6), framework, rules).inherent == "low"
    now = rate(pasted, area(1.6), framework, rules)
    assert now.inherent == "high" and "evidence.claims_not_assessed" in fired(now), sorted(fired(now))
    # Pasting is never better than giving no evidence at all.
    blank = rate(none, area(1.6), framework, rules)
    assert (now.inherent, now.residual) == (blank.inherent, blank.residual)


def test_the_rating_and_the_quality_check_read_the_same_pasted_groups(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "closure")
    pasted = ("pc.age", "pc.disability", "inclusion.carers", "inclusion.low_income", "core20.access")
    for group in pasted:
        answers[f"{group}.evidence"] = PASTED
    counted = not_assessed(answers, area(2.0), rules)
    assert set(pasted) <= set(counted), counted
    credit = rules.overall.mitigation.credit
    names = credit.harm_names if credit is not None else None
    warnings = quality_checks(answers, area(2.0), framework, TODAY, names, counted, credit)
    assert any(w.id.endswith(".evidence_pasted") for w in warnings), [w.id for w in warnings]
    # Three groups can share a true sentence ("weekday hours are unchanged"): the check asks about it, but it
    # still backs each of them.
    for group in pasted[3:]:
        answers[f"{group}.evidence"] = specific(90 + len(group), group)
    counted = not_assessed(answers, area(2.0), rules)
    assert not set(pasted) & set(counted), counted
    warnings = quality_checks(answers, area(2.0), framework, TODAY, names, counted, credit)
    assert any(w.id.endswith(".evidence_pasted") for w in warnings), [w.id for w in warnings]


@pytest.mark.parametrize(
    "text",
    [
        "The drug and alcohol service confirmed its clients reach the clinic through their key workers.",
        "The Traveller liaison worker checked with families on the county site; their route is not altered.",
        "The learning disability register lists every adult who uses the clinic; adjustments carry over.",
    ],
)
def test_an_attribution_is_a_source(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework, text: str
) -> None:
    answers = own_evidence(framework, "closure")
    answers["inclusion.low_income.evidence"] = text
    assert "inclusion.low_income" in not_assessed(answers, area(2.0), earlier)
    assert "inclusion.low_income" not in not_assessed(answers, area(2.0), rules)


@pytest.mark.parametrize(
    ("text", "reduces"),
    [
        ("Re-procure the wheelchair service with assessment centres reduced from five to two.", True),
        ("Run the service from three sites to one", True),
        ("Fewer clinics, each open longer", True),
        ("Consolidate the three depots onto one site", True),
        ("Reduce waiting times in the clinic", False),
        ("Move clinics to the new hub", False),  # a move: closes_or_moves says so
        ("Consolidate the data returns", False),
        ("Reduce opening from 100 hours a week to 72", False),  # fewer hours, not fewer sites
    ],
)
def test_fewer_sites_is_told_from_other_reductions(text: str, reduces: bool) -> None:
    assert evidence_text.reduces_sites([text]) is reduces


@pytest.mark.parametrize(
    ("text", "restricts"),
    [
        ("Require photo ID and proof of address before registering new patients.", True),
        ("Tighten the referral criteria for bariatric surgery", True),
        ("IVF will only be offered to couples where neither partner has a child", True),
        ("Hearing aids will no longer be funded for mild hearing loss", True),
        ("Extend eligibility to every adult over 40", False),
        ("Women can book maternity care without showing identity documents or proof of address", False),
        ("People with a learning disability will no longer be discharged after a missed appointment", False),
        ("600 more places; previously only offered to adults with a BMI of 30", False),
        ("Patients who miss an appointment will be discharged to their GP after one", True),
        ("Eligibility is unchanged", False),
        ("The service is open to all", False),
    ],
)
def test_narrower_eligibility_is_told_from_wider(text: str, restricts: bool) -> None:
    assert evidence_text.restricts_eligibility([text]) is restricts


def test_fewer_sites_entered_as_a_procurement_with_no_harm_is_a_closure(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "procurement")
    answers["proposal.summary"] = (
        "Re-procure the wheelchair service with assessment centres reduced from five to two."
    )
    answers["procurement.requirements"] = "Data split by age and disability; reasonable adjustments."
    answers["procurement.award_recheck"] = "yes"
    assert rate(answers, area(0.8, rural=0.55), framework, earlier).inherent == "low"  # the gap 1.9 closes
    now = rate(answers, area(0.8, rural=0.55), framework, rules)
    assert (now.inherent, now.residual) == ("high", "high")
    assert "described.fewer_sites_under_another_kind_concentrated" in fired(now)
    assert rate(answers, area(0.8, rural=0.1), framework, rules).inherent == "medium"
    # Fewer offices for staff, answered as no change to how patients use a service, is not a closure; nor is
    # a change whose benefits are recorded.
    staff = {**answers, "proposal.changes_access": "no"}
    assert not {r for r in fired(rate(staff, area(0.8, rural=0.55), framework, rules)) if "fewer_sites" in r}
    better = {**answers, "pc.disability.impact": "positive"}
    assert not {r for r in fired(rate(better, area(0.8, rural=0.55), framework, rules)) if "fewer_sites" in r}
    # Recording the harm honestly is never worse than the silence.
    honest = {**answers, "pc.disability.impact": "negative"}
    assert rate(honest, area(0.8, rural=0.1), framework, rules).inherent in ("medium", "high")
    assert "described.closure_under_another_kind" not in fired(
        rate(honest, area(0.8, rural=0.1), framework, rules)
    )


def test_narrower_eligibility_entered_as_a_policy_with_no_harm_is_rated_as_eligibility(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "policy")
    answers["proposal.changes_access"] = "no"
    answers["proposal.summary"] = "Require photo ID and proof of address before registering new patients."
    assert rate(answers, area(2.5), framework, earlier).inherent == "low"  # the gap 1.9 closes
    concentrated = rate(answers, area(2.5), framework, rules)
    assert (concentrated.inherent, concentrated.residual) == ("high", "high")
    assert "described.eligibility_under_another_kind_concentrated" in fired(concentrated)
    average = rate(answers, area(1.0), framework, rules)
    assert (average.inherent, average.residual) == ("medium", "medium")
    # Entered as what it is, the eligibility rules apply instead, and the described rule is quiet.
    honest = {**answers, "proposal.kind": "eligibility", "inclusion.homelessness.impact": "negative"}
    assert not {
        r for r in fired(rate(honest, area(2.5), framework, rules)) if r.startswith("described.eligib")
    }


def mobile_unit(framework: Framework, indicator: str) -> dict[str, Any]:
    answers = own_evidence(
        framework, "service_change", inclusion__rural_coastal="positive", pc__age="positive"
    )
    answers["proposal.summary"] = "A mobile screening unit visiting villages every fortnight."
    answers["monitoring.indicators"] = [{"indicator": indicator, "source": "Unit bookings"}]
    return answers


def test_a_benefit_for_rural_people_is_low_only_when_who_it_reaches_is_measured(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    totals = mobile_unit(framework, "Number of screens per month")
    rural = area(0.7, rural=0.6)
    assert rate(totals, rural, framework, earlier).inherent == "low"  # the gap 1.9 closes
    now = rate(totals, rural, framework, rules)
    assert (now.inherent, now.residual) == ("medium", "medium")
    assert "reach.rural_benefit_not_measured" in fired(now)
    measured = mobile_unit(framework, "Screening uptake in rural villages, by age")
    assert rate(measured, rural, framework, rules).inherent == "low"
    # Where few people are rural, the benefit is not a targeted one: as before.
    assert rate(totals, area(0.7, rural=0.1), framework, rules).inherent == "low"


def test_a_route_needing_the_internet_for_a_service_aimed_at_an_inclusion_group_is_high(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = {**own_evidence(framework, "digital"), "digital.offline_route": "partly"}
    answers["proposal.summary"] = (
        "Send health check invitations to people with a learning disability by app only."
    )
    assert rate(answers, area(1.0), framework, earlier).inherent == "low"  # the gap 1.9 closes
    now = rate(answers, area(1.0), framework, rules)
    assert (now.inherent, now.residual) == ("high", "high")
    assert "access.online_route_for_named_group" in fired(now)
    # A route as good as today's without the internet takes nothing from them.
    kept = rate({**answers, "digital.offline_route": "yes"}, area(1.0), framework, rules)
    assert "access.online_route_for_named_group" not in fired(kept)
    # A service for everyone is rated as before; so is one that only mentions the group's interpreters.
    everyone = {**answers, "proposal.summary": "Send health check invitations by app only."}
    assert "access.online_route_for_named_group" not in fired(rate(everyone, area(1.0), framework, rules))
    mentions = {**answers, "proposal.summary": "Online pre-op questionnaire; interpreters booked as now."}
    assert "access.online_route_for_named_group" not in fired(rate(mentions, area(1.0), framework, rules))
    # A benefit recorded for the group, shown with evidence, says the route is added for them.
    added = {**answers, "inclusion.learning_disability_autism.impact": "positive"}
    assert "access.online_route_for_named_group" not in fired(rate(added, area(1.0), framework, rules))


def test_discharge_after_a_missed_appointment_is_narrower_eligibility_and_high_where_nobody_was_involved(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "policy")
    answers["proposal.changes_access"] = "no"
    answers["proposal.summary"] = "Patients who miss an appointment will be discharged to their GP after one."
    engaged = rate(answers, area(1.2), framework, rules)
    assert (engaged.inherent, engaged.residual) == ("medium", "medium")
    not_engaged = rate({**answers, "engagement.done": "no"}, area(1.2), framework, rules)
    assert (not_engaged.inherent, not_engaged.residual) == ("high", "high")
    assert "described.eligibility_under_another_kind_concentrated" in fired(not_engaged)


def test_no_route_without_the_internet_for_a_service_for_older_people_is_high_anywhere(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = {**own_evidence(framework, "digital"), "digital.offline_route": "no"}
    answers["proposal.title"] = "Bowel screening kits for people aged 75 and over requested online only"
    assert rate(answers, area(1.0), framework, earlier).inherent == "medium"  # the gap 1.9 closes
    now = rate(answers, area(1.0), framework, rules)
    assert (now.inherent, now.residual) == ("high", "high")
    assert "access.online_route_for_older_or_disabled" in fired(now)
    # Partly kept, the route is medium as for any service: an added route may take nothing away.
    partly = rate({**answers, "digital.offline_route": "partly"}, area(1.0), framework, rules)
    assert "access.online_route_for_older_or_disabled" not in fired(partly)


def test_an_action_names_a_childrens_clinical_area_by_its_own_words(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "hours", clinical__cyp_mental_health="negative")
    answers["actions.plan"] = [
        {
            "action": "A paediatric-trained practitioner on the all-age crisis team overnight",
            "answers": "children and young people in mental health crisis",
            "owner": "CAMHS service manager",
            "due": "2027-05-01",
            "measure": "Overnight under-18 crisis assessments within 4 hours, by age band and IMD quintile",
        }
    ]
    now = rate(answers, area(2.2), framework, rules)
    assert level_index(now.residual) < level_index(now.inherent), sorted(fired(now))


def test_short_evidence_with_a_figure_is_evidence(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "closure")
    answers["pc.age.evidence"] = "31% over 65; daytime slots kept."
    assert "pc.age" in not_assessed(answers, area(2.0), earlier)
    assert "pc.age" not in not_assessed(answers, area(2.0), rules)
    answers["pc.age.evidence"] = "Daytime slots are kept as now."  # no figure, no source: still a claim
    assert "pc.age" in not_assessed(answers, area(2.0), rules)


def test_a_group_harmed_again_by_a_decision_already_taken_is_high_until_an_action_answers_it(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    assert rules.reads_harmed_again and not earlier.reads_harmed_again  # a caller asks only when needed
    answers = own_evidence(framework, "service_change", pc__age="negative")
    answers["proposal.changes_access"] = "yes"
    elsewhere = {"pc.age": ("HIA-2026-0007",), "pc.race": ("HIA-2026-0009",)}
    alone = rate(answers, area(1.0), framework, rules)
    again = score(
        with_screening(framework, answers, area(1.0)),
        area(1.0),
        rules,
        today=TODAY,
        harmed_elsewhere=elsewhere,
    )
    assert alone.inherent == "medium" and again.inherent == "high"
    (reason,) = [r for r in again.dimension("combined").reasons if r.rule_id == "combined.harmed_again"]
    assert reason.text.startswith("Negative impact on age, as from a decision already taken")
    assert "(HIA-2026-0007)" in reason.text
    assert "HIA-2026-0009" not in reason.text  # race is not harmed here
    # 1.8 never reads it.
    before = score(
        with_screening(framework, answers, area(1.0)),
        area(1.0),
        earlier,
        today=TODAY,
        harmed_elsewhere=elsewhere,
    )
    assert before.inherent == "medium"
    # A credited action for the group lowers it, as for any harm.
    planned = {
        **answers,
        "actions.plan": [
            {
                "action": "Keep a morning walk-in session for older people",
                "answers": "older people",
                "owner": "Service manager",
                "due": "2027-05-01",
                "measure": "Attendances by age band",
            }
        ],
    }
    mitigated = score(
        with_screening(framework, planned, area(1.0)),
        area(1.0),
        rules,
        today=TODAY,
        harmed_elsewhere=elsewhere,
    )
    assert (mitigated.inherent, mitigated.residual) == ("high", "medium")


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("Pool room 2 closed 8-22 March 2027 for retiling. Labour ward pool available.", True),
        ("The clinic closes temporarily while the lift is replaced", True),
        ("Closed for two weeks while the roof is repaired", True),
        ("Close the branch surgery", False),
        ("The service will close in March", False),
    ],
)
def test_a_closure_for_a_short_stated_time_is_told_from_a_closure(text: str, short: bool) -> None:
    assert evidence_text.temporary([text]) is short


def test_a_closure_for_days_or_weeks_under_another_kind_is_not_read_as_a_closure(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "estates")
    answers["proposal.summary"] = (
        "Pool room 2 closed 8-22 March 2027 for retiling. Labour ward pool available."
    )
    assert "described.closure_under_another_kind" in fired(rate(answers, area(1.2), framework, earlier))
    assert not {
        r for r in fired(rate(answers, area(1.2), framework, rules)) if r.startswith("described.closure")
    }
    answers["proposal.summary"] = "Close the birth centre pool room for good."
    assert "described.closure_under_another_kind" in fired(rate(answers, area(1.2), framework, rules))


def test_engagement_findings_are_a_source(
    rules: ScoringRules, earlier: ScoringRules, framework: Framework
) -> None:
    answers = own_evidence(framework, "service_change")
    answers["pc.disability.evidence"] = (
        "The autism partnership board and our LD liaison nurses designed the room with service users."
    )
    assert "pc.disability" in not_assessed(answers, area(1.0), earlier)
    assert "pc.disability" not in not_assessed(answers, area(1.0), rules)
