"""Quality checks that catch a tick-box assessment, each pointing at the question to fix."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.quality import QualityWarning, long_date, quality_checks
from tests.unit.scoring.conftest import ACTION, profile, sound_answers

TODAY = date(2026, 1, 15)


def checks(
    framework: Framework, answers: dict[str, Any], geography: dict[str, Any] | None = None
) -> dict[str, Any]:
    found = quality_checks(answers, geography if geography is not None else profile(1.0), framework, TODAY)
    return {w.id: w for w in found}


def test_a_sound_assessment_has_no_warnings(framework: Framework) -> None:
    assert checks(framework, sound_answers(framework)) == {}


def test_negative_impact_needs_evidence_and_mitigation(framework: Framework) -> None:
    answers = {**sound_answers(framework, pc__race="negative"), "pc.race.evidence": ""}
    found = checks(framework, answers)
    assert found["pc.race.no_evidence"] == QualityWarning(
        "pc.race.no_evidence", "Give the evidence for the negative impact on race", "pc", "pc.race.evidence"
    )
    assert (
        found["pc.race.no_mitigation"].message
        == "Say how you will reduce the impact on race, or why no action is needed"
    )
    assert found["pc.race.no_mitigation"].question_id == "pc.race.mitigation"
    answers |= {"pc.race.evidence": "Complaints data", "pc.race.mitigation": "Interpreters booked in advance"}
    assert not {k for k in checks(framework, answers) if k.startswith("pc.race")}


def test_unknown_impact_needs_a_plan_to_find_out(framework: Framework) -> None:
    found = checks(framework, sound_answers(framework, inclusion__modern_slavery="unknown"))
    assert found["inclusion.modern_slavery.no_mitigation"].message == (
        "Say how you will find out the impact on victims of modern slavery, or why that is not needed"
    )
    assert found["inclusion.modern_slavery.no_mitigation"].section_id == "inclusion"


def test_all_nine_neutral_without_evidence_is_flagged(framework: Framework) -> None:
    answers = sound_answers(framework)
    for group in framework.section("pc").groups:
        answers[f"{group.id}.evidence"] = ""
    warning = checks(framework, answers)["pc.all_neutral_no_evidence"]
    assert warning.question_id == "pc.age.evidence"
    assert warning.message.startswith("Every protected characteristic is marked neutral with no evidence")
    answers["pc.disability.evidence"] = "Access audit of the new site"
    assert "pc.all_neutral_no_evidence" not in checks(framework, answers)


@pytest.mark.parametrize(
    ("change", "expected_id", "question_id"),
    [
        ({"engagement.done": None}, "engagement.missing", "engagement.done"),
        ({"engagement.feedback": ""}, "engagement.no_feedback", "engagement.feedback"),
        ({"engagement.changes": None}, "engagement.no_changes", "engagement.changes"),
        ({"engagement.done": "no"}, "engagement.not_justified", "engagement.not_proportionate"),
    ],
)
def test_engagement_recorded_or_absence_justified(
    framework: Framework, change: dict[str, Any], expected_id: str, question_id: str
) -> None:
    answers = {k: v for k, v in {**sound_answers(framework), **change}.items() if v is not None}
    assert checks(framework, answers)[expected_id].question_id == question_id


def test_engagement_not_proportionate_with_reason_is_fine(framework: Framework) -> None:
    answers = {
        **sound_answers(framework),
        # Not a change to how anyone reaches a service: not involving people can be proportionate.
        "proposal.title": "Update the lone working policy",
        "engagement.done": "no",
        "engagement.not_proportionate": "Internal only",
    }
    assert not [k for k in checks(framework, answers) if k.startswith("engagement")]


def test_assessment_completed_after_the_decision_date(framework: Framework) -> None:
    answers = {**sound_answers(framework), "proposal.decision_date": "2026-01-14"}
    warning = checks(framework, answers)["decision_date.passed"]
    assert warning.message.startswith("The decision date, 14 January 2026, has passed.")
    assert warning.section_id == "proposal"
    assert "decision_date.passed" not in checks(
        framework, {**answers, "proposal.decision_date": "2026-01-15"}
    )
    assert "decision_date.missing" in checks(framework, {**answers, "proposal.decision_date": "soon"})


def test_data_gaps_named_with_a_plan(framework: Framework) -> None:
    base = sound_answers(framework)
    assert "gaps.missing" in checks(framework, {**base, "evidence.gaps_exist": None})
    assert "gaps.none_named" in checks(framework, {**base, "evidence.gaps_exist": "yes"})
    rows = [{"gap": "No ethnicity for a third of referrals", "plan": ""}, {"gap": "Carers", "plan": "Survey"}]
    found = checks(framework, {**base, "evidence.gaps_exist": "yes", "evidence.gaps": rows})
    assert (
        found["gaps.1.no_plan"].message
        == "Give a plan to close gap 1 ('No ethnicity for a third of referrals')"
    )
    assert "gaps.2.no_plan" not in found


def test_unknown_impacts_contradict_no_gaps(framework: Framework) -> None:
    answers = sound_answers(framework, pc__age="unknown", clinical__smi="unknown")
    warning = checks(framework, answers)["gaps.unknown_impacts"]
    assert "the impact on 2 groups is not known yet" in warning.message


def test_every_action_has_an_owner_and_date(framework: Framework) -> None:
    plan = [
        ACTION,
        {**ACTION, "owner": "", "action": "Translate the leaflet"},
        {**ACTION, "due": "2026-02-30"},
    ]
    found = checks(framework, {**sound_answers(framework), "actions.plan": plan})
    assert found["actions.2.no_owner"].message == "Give an owner for action 2 ('Translate the leaflet')"
    assert found["actions.3.no_due_date"].question_id == "actions.plan"
    assert "actions.1.no_owner" not in found and "actions.2.no_due_date" not in found


def test_negative_impacts_with_an_empty_action_plan(framework: Framework) -> None:
    answers = {**sound_answers(framework, pc__age="negative"), "pc.age.mitigation": "See plan"}
    assert "actions.none" in checks(framework, answers)
    assert "actions.none" not in checks(framework, {**answers, "actions.plan": [ACTION]})


def test_review_date_is_set_and_after_the_decision(framework: Framework) -> None:
    answers = sound_answers(framework)
    del answers["monitoring.review_date"]
    assert checks(framework, answers)["review_date.missing"].section_id == "monitoring"
    found = checks(framework, {**answers, "monitoring.review_date": "2026-03-27"})
    assert "review_date.before_decision" in found


def test_geography_step_completed(framework: Framework) -> None:
    answers = sound_answers(framework)
    assert checks(framework, answers, geography={}) == {}  # an empty dict is still a profile
    found = quality_checks(answers, None, framework, TODAY)
    assert [w.id for w in found] == ["geography.incomplete"]
    assert found[0].question_id == "who.geography"
    del answers["who.geography"]
    assert "geography.incomplete" in checks(framework, answers)


def test_warnings_come_in_question_order(framework: Framework) -> None:
    answers = sound_answers(framework, pc__race="negative")
    del answers["monitoring.review_date"]
    answers["proposal.decision_date"] = "2025-12-01"
    ids = [w.id for w in quality_checks(answers, None, framework, TODAY)]
    assert ids[0] == "decision_date.passed" and ids[1] == "geography.incomplete"
    assert ids.index("pc.race.no_mitigation") < ids.index("actions.none") < ids.index("review_date.missing")
    assert all(
        isinstance(w.to_dict()["message"], str) for w in quality_checks(answers, None, framework, TODAY)
    )


def test_long_date() -> None:
    assert long_date(date(2026, 3, 7)) == "7 March 2026"
