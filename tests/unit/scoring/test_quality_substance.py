"""The substantive quality checks (issue 19, item 5): each fires on the record a governance panel would
return and stays quiet on a sound one. Written against framework 1.1's question ids."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain import evidence_text
from hia_service.domain.framework import Framework
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from tests.unit.scoring.conftest import ACTION, profile, sound_answers

TODAY = date(2026, 1, 15)
RATINGS = ("ehia.discrimination", "ehia.opportunity", "ehia.relations", "ehia.access", "ehia.outcomes")


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.1")


def sound(fw: Framework, **changes: Any) -> dict[str, Any]:
    """A complete, evidenced 1.1 assessment of a policy change; `changes` are answers to replace."""
    answers = sound_answers(fw)
    answers |= {"proposal.kind": "policy", "screening.relevance": "yes", "screening.depth": "full"}
    answers |= {"intersection.considered": "no", "intersection.not_affected": "Checked with the PALS team"}
    answers |= {"conclusion.recommendation": "proceed", "who.staff_affected": "no"}
    for question_id in RATINGS:
        answers |= {question_id: "will_support", f"{question_id}_evidence": "Access audit"}
    return {k: v for k, v in {**answers, **changes}.items() if v is not None}


def harmed(fw: Framework, **changes: Any) -> dict[str, Any]:
    """Older people harmed (access), with evidence and a mitigation in words."""
    return sound(
        fw,
        **{
            "pc.age.impact": "negative",
            "pc.age.mechanism": ["access"],
            "pc.age.evidence": "Half the clinic's patients are over 75 and few drive",
            "pc.age.mitigation": "A community transport scheme",
        },
        **changes,
    )


def ids(fw: Framework, answers: dict[str, Any]) -> dict[str, Any]:
    return {w.id: w for w in quality_checks(answers, profile(1.0), fw, TODAY)}


def test_a_sound_assessment_has_none_of_the_substantive_warnings(fw: Framework) -> None:
    assert ids(fw, sound(fw)) == {}


def test_a_claim_without_evidence_counts_as_not_assessed(fw: Framework) -> None:
    found = ids(fw, sound(fw, **{"inclusion.carers.impact": "positive", "inclusion.carers.evidence": None}))
    warning = found["inclusion.carers.claim_no_evidence"]
    assert warning.question_id == "inclusion.carers.evidence" and warning.section_id == "inclusion"
    assert warning.message.startswith("You said the impact on carers is positive. Give the evidence")
    neutral = ids(fw, sound(fw, **{"pc.race.evidence": ""}))
    assert "pc.race.claim_no_evidence" in neutral
    assert not [k for k in ids(fw, sound(fw)) if k.endswith("claim_no_evidence")]


def test_a_whole_section_neutral_without_evidence_is_one_warning(fw: Framework) -> None:
    answers = sound(fw)
    for group in fw.section("clinical").groups:
        answers.pop(f"{group.id}.evidence")
    found = ids(fw, answers)
    assert found["clinical.all_neutral_no_evidence"].question_id == "clinical.maternity.evidence"
    assert not [k for k in found if k.startswith("clinical.") and k.endswith("claim_no_evidence")]


@pytest.mark.parametrize(
    "text",
    ["We treat everyone the same", "N/A", "no impact.", "All patients are treated equally", "None"],
)
def test_generic_evidence_is_questioned(fw: Framework, text: str) -> None:
    found = ids(fw, sound(fw, **{"pc.religion_belief.evidence": text}))
    warning = found["pc.religion_belief.generic_evidence"]
    assert warning.question_id == "pc.religion_belief.evidence"
    assert f"('{text}') does not say anything about religion or belief" in warning.message


@pytest.mark.parametrize(
    "text",
    [
        "Attendance data by religion shows no difference in DNA rates; we treat everyone the same way",
        "Friday prayers: the Jumu'ah clash was raised by the mosque and sessions moved",
        "Nobody said anything about it at the no impact workshop in March, where 40 people came",
    ],
)
def test_specific_evidence_is_not_generic(fw: Framework, text: str) -> None:
    assert "pc.religion_belief.generic_evidence" not in ids(
        fw, sound(fw, **{"pc.religion_belief.evidence": text})
    )


def test_the_same_text_pasted_across_groups(fw: Framework) -> None:
    pasted = "The service is open to all and we have had no complaints"
    answers = sound(fw, **{f"pc.{g}.evidence": pasted for g in ("age", "disability", "race", "sex", "sex")})
    warning = ids(fw, answers)["pc.age.evidence_pasted"]
    assert warning.question_id == "pc.age.evidence"
    assert warning.message.startswith("The same evidence is given for 4 groups (age, disability")
    two = sound(fw, **{f"pc.{g}.evidence": pasted for g in ("age", "disability")})
    assert not [k for k in ids(fw, two) if k.endswith("evidence_pasted")]


def test_harm_recorded_and_proceed_with_no_action_for_it(fw: Framework) -> None:
    found = ids(fw, harmed(fw, **{"actions.plan": [{**ACTION, "action": "Extend parking"}]}))
    warning = found["conclusion.proceed_despite_harm"]
    assert warning.question_id == "conclusion.recommendation"
    assert "negative impacts on age but recommend going ahead" in warning.message
    with_mitigations = harmed(fw, **{"conclusion.recommendation": "proceed_with_mitigations"})
    assert "conclusion.proceed_despite_harm" in ids(fw, with_mitigations)


def test_harm_answered_by_an_action_or_paused_is_not_questioned(fw: Framework) -> None:
    action = {**ACTION, "action": "Community transport for older people over 75", "due": "2026-06-01"}
    answered = harmed(
        fw, **{"actions.plan": [action], "conclusion.recommendation": "proceed_with_mitigations"}
    )
    assert "conclusion.proceed_despite_harm" not in ids(fw, answered)
    paused = harmed(fw, **{"conclusion.recommendation": "pause"})
    assert "conclusion.proceed_despite_harm" not in ids(fw, paused)
    linked = harmed(fw, **{"actions.plan": [{**ACTION, "group": "pc.age"}]})  # a plan that links the harm
    assert "conclusion.proceed_despite_harm" not in ids(fw, linked)


@pytest.mark.parametrize(
    "change",
    [
        {"proposal.kind": "service_change"},
        {"proposal.title": "Close the Seaview branch surgery"},
        {"proposal.summary": "Relocate the clinic to the hospital site"},
        {"proposal.kind": "digital", "digital.offline_route": "yes"},
    ],
)
def test_access_change_without_involving_those_affected(fw: Framework, change: dict[str, Any]) -> None:
    answers = sound(fw, **change, **{"engagement.done": "no", "engagement.not_proportionate": "Contractual"})
    warning = ids(fw, answers)["engagement.access_not_engaged"]
    assert warning.question_id == "engagement.done"
    staff_only = sound(fw, **change, **{"engagement.who": ["staff", "partners"]})
    found = ids(fw, staff_only)["engagement.access_not_engaged_affected"]
    assert "you only involved staff and staff networks and partner organisations" in found.message
    assert not [k for k in ids(fw, sound(fw, **change)) if k.startswith("engagement.")]


def test_a_policy_change_need_not_involve_patients(fw: Framework) -> None:
    change = {"proposal.title": "Update the lone working policy", "engagement.done": "no"}
    answers = sound(fw, **change, **{"engagement.not_proportionate": "Internal rota policy"})
    assert not [k for k in ids(fw, answers) if k.startswith("engagement.")]


def test_digital_change_without_a_non_digital_route(fw: Framework) -> None:
    digital = {"proposal.kind": "digital", "digital.offline_detail": "None", "digital.support": "None"}
    warning = ids(fw, sound(fw, **digital, **{"digital.offline_route": "no"}))["digital.no_offline_route"]
    assert warning.question_id == "digital.offline_route" and warning.section_id == "digital"
    assert "digital.no_offline_route" not in ids(fw, sound(fw, **digital, **{"digital.offline_route": "yes"}))
    # Not asked unless the proposal is digital, so a stray answer says nothing.
    assert "digital.no_offline_route" not in ids(fw, sound(fw, **{"digital.offline_route": "no"}))


def test_a_flagged_intersection_left_unanswered(fw: Framework) -> None:
    flagged = sound(fw, **{"intersection.considered": "yes", "intersection.not_affected": None})
    assert ids(fw, flagged)["intersection.no_rows"].question_id == "intersection.impacts"
    half = {"groups": "older people, disabled people", "mechanism": "access", "direction": "", "detail": ""}
    found = ids(fw, {**flagged, "intersection.impacts": [half]})
    assert found["intersection.1.row_unanswered"].message.startswith(
        "Say how combination 1 ('older people, disabled people') is affected"
    )
    full = {**half, "direction": "negative", "detail": "Two buses to the new site, no step-free access"}
    assert not [
        k for k in ids(fw, {**flagged, "intersection.impacts": [full]}) if k.startswith("intersection")
    ]


@pytest.mark.parametrize(
    "change", [{"who.staff_affected": "yes", "who.staff": "Ward nurses"}, {"proposal.kind": "workforce"}]
)
def test_staff_decision_without_workforce_equality_data(fw: Framework, change: dict[str, Any]) -> None:
    warning = ids(fw, sound(fw, **change))["workforce.no_equality_data"]
    assert warning.question_id == "evidence.sources" and "WRES" in warning.message
    with_data = sound(fw, **change, **{"evidence.sources": "Our WDES 2025 metrics and the EDS 2022 review"})
    assert "workforce.no_equality_data" not in ids(fw, with_data)
    assert "workforce.no_equality_data" not in ids(fw, sound(fw))


def test_decision_date_before_the_assessment_was_finished(fw: Framework) -> None:
    found = ids(fw, sound(fw, **{"proposal.decision_date": "2025-12-01"}))
    assert found["decision_date.passed"].question_id == "proposal.decision_date"
    assert "decision_date.passed" not in ids(fw, sound(fw, **{"proposal.decision_date": "2026-01-15"}))


@pytest.mark.parametrize("owner", ["TBC", "tbc.", "To be confirmed", "?"])
def test_paper_actions_owned_by_no_one(fw: Framework, owner: str) -> None:
    found = ids(
        fw, harmed(fw, **{"actions.plan": [{**ACTION, "owner": owner, "action": "Transport for age"}]})
    )
    warning = found["actions.1.owner_placeholder"]
    assert warning.question_id == "actions.plan" and f"is owned by '{owner}'" in warning.message


def test_paper_actions_dated_in_the_past(fw: Framework) -> None:
    found = ids(fw, harmed(fw, **{"actions.plan": [{**ACTION, "due": "2020-01-01"}]}))
    assert found["actions.1.due_passed"].message.startswith(
        "Action 1 ('Run an evening clinic') was due on 1 January 2020"
    )
    assert "actions.1.due_passed" not in ids(fw, harmed(fw, **{"actions.plan": [ACTION]}))
    assert "actions.1.owner_placeholder" not in ids(fw, harmed(fw, **{"actions.plan": [ACTION]}))


def test_checks_do_not_fail_when_a_question_is_absent(ruleset: RuleSet) -> None:
    """Framework 1.0 has no intersection, digital or staff questions: the checks just do not apply."""
    old = ruleset.framework("1.0")
    answers = {**sound_answers(old), "digital.offline_route": "no", "intersection.considered": "yes"}
    found = ids(old, answers)
    assert "digital.no_offline_route" not in found and "intersection.no_rows" not in found


def test_text_helpers() -> None:
    assert evidence_text.is_generic("  We treat ALL our patients the same.  ")
    assert not evidence_text.is_generic("")
    assert evidence_text.pasted(
        {"a": "x" * 25, "b": "X" * 25 + ".", "c": "x" * 25, "d": "other text here!!"}
    ) == [["a", "b", "c"]]
    assert evidence_text.changes_access("policy", ["Extend the clinic opening hours in Tilbury"])
    assert not evidence_text.changes_access("policy", ["Update the lone working policy"])
    assert evidence_text.mentions_workforce_data(["see the workforce race equality standard report"])
    assert list(evidence_text.strings_in({"a": [{"b": "text"}], "c": 3})) == ["text"]


def test_a_duty_rating_that_contradicts_a_recorded_harm_is_questioned(fw: Framework) -> None:
    """'Will support reducing inequalities in access' beside harm to older people's access: which is it?"""
    found = ids(fw, harmed(fw))
    warning = found["ehia.access.contradicts_harm"]
    assert warning.question_id == "ehia.access"
    assert warning.message.startswith(
        "You rated the proposal as one that will support reducing inequalities in access, but you recorded "
        "harm to access for these groups: age."
    )
    assert "ehia.outcomes.contradicts_harm" not in found  # the harm is to access only
    assert "ehia.access.contradicts_harm" not in ids(fw, harmed(fw, **{"ehia.access": "uncertain"}))
    assert "ehia.access.contradicts_harm" not in ids(fw, sound(fw))
