"""Quality checks for what a governance panel returned in its third review (framework 1.3, scoring 1.6
pinned): evidence pasted with only the group's name swapped, engagement that only told people, a claimed
benefit measured by totals, combinations named in one phrase, and claims the rating counts as not assessed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain import evidence_text
from hia_service.domain.framework import Framework
from hia_service.domain.quality import QualityWarning, quality_checks
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, not_assessed
from hia_service.domain.scoring.model import Credit
from tests.unit.scoring.conftest import ACTION, profile, sound_answers

TODAY = date(2026, 1, 15)


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


@pytest.fixture(scope="module")
def scoring(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.6")


@pytest.fixture(scope="module")
def credit(scoring: ScoringRules) -> Credit:
    assert scoring.overall.mitigation.credit is not None
    return scoring.overall.mitigation.credit


def found(
    fw: Framework,
    answers: dict[str, Any],
    credit: Credit | None = None,
    unsupported: dict[str, str] | None = None,
) -> dict[str, QualityWarning]:
    names = credit.harm_names if credit is not None else None
    warnings = quality_checks(answers, profile(1.0), fw, TODAY, names, unsupported, credit)
    return {w.id: w for w in warnings}


# --- 1. evidence pasted with only the group's name swapped ------------------------------------------------

GRIMSBY = (
    "Practice list data 2025 and our patient survey (n=312) show {} will not be affected, as the main "
    "surgery is 1.2 miles away on the number 3 bus route and has the same opening hours."
)
# How the panel's author filled in the name: not always the framework's own words for the group.
SWAPPED = {
    "pc.age": "older patients",
    "pc.disability": "disabled patients",
    "pc.race": "race patients",
    "pc.religion_belief": "religion belief patients",
    "inclusion.carers": "carers",
    "clinical.cyp_asthma": "cyp asthma patients",
}


def test_evidence_pasted_with_only_the_group_name_swapped(fw: Framework, credit: Credit) -> None:
    answers = sound_answers(fw) | {f"{g}.evidence": GRIMSBY.format(name) for g, name in SWAPPED.items()}
    for names in (credit, None):  # with the scoring's names for the groups and without them
        warning = found(fw, answers, names)["pc.age.evidence_pasted"]
        assert warning.question_id == "pc.age.evidence"
        assert warning.message.startswith(
            "The same evidence is given for 6 groups (age, disability, race, religion or belief and 2 more), "
            "word for word or with only the group's name changed."
        )


def test_a_short_sentence_with_the_framework_name_swapped_is_pasted(fw: Framework) -> None:
    """The same words once the group's own name (as the framework gives it) is out, however short."""
    groups = [g for _, g in fw.groups()][:3]
    answers = sound_answers(fw) | {
        f"{g.id}.evidence": f"Checked activity data for {g.in_sentence}." for g in groups
    }
    assert f"{groups[0].id}.evidence_pasted" in found(fw, answers)
    two = sound_answers(fw) | {
        f"{g.id}.evidence": f"Checked activity data for {g.in_sentence}." for g in groups[:2]
    }
    assert not [k for k in found(fw, two) if k.endswith("evidence_pasted")]


def test_different_evidence_that_shares_a_source_sentence_is_not_pasted(
    fw: Framework, credit: Credit
) -> None:
    source = "Practice list data 2025 and our patient survey (n=312):"
    answers = sound_answers(fw) | {
        "pc.age.evidence": f"{source} 41% of the branch's patients are over 75 and 30% of them do not drive.",
        "pc.disability.evidence": f"{source} 180 patients have a mobility flag; the surgery is step-free.",
        "pc.race.evidence": f"{source} ethnicity is recorded for 96%; no group uses the branch more.",
        "inclusion.carers.evidence": f"{source} 64 registered carers, who told us the later hours suit them.",
    }
    assert not [k for k in found(fw, answers, credit) if k.endswith("evidence_pasted")]


def test_a_one_line_statement_for_each_clinical_area_is_not_pasted(fw: Framework) -> None:
    """'Children's asthma care is not part of this change' for each area: too short to be a pasted paragraph
    once only nearly the same (the name is not the framework's), so it is not questioned."""
    answers = sound_answers(fw) | {
        f"clinical.cyp_{area}.evidence": f"Children's {area} care is not part of this change."
        for area in ("asthma", "diabetes", "epilepsy")
    }
    assert not [k for k in found(fw, answers) if k.endswith("evidence_pasted")]


def test_the_similarity_threshold_both_ways() -> None:
    shared = "the 2025 audit of 400 booked appointments found no difference in waiting times or missed visits"
    near = {key: f"{shared} for {key} people at the branch" for key in ("older", "disabled", "carer")}
    assert evidence_text.pasted(near) == [["older", "disabled", "carer"]]  # one word in sixteen differs
    ends = {
        "a": f"{shared}, and older patients said the bus is the main problem for them",
        "b": f"{shared}, while step-free access is the same at both sites and parking is close",
        "c": f"{shared}; the carers' forum asked for later appointments on two days a week",
    }
    assert evidence_text.pasted(ends) == []  # the same source, then what it shows for each group
    assert evidence_text.pasted(near, {k: [k] for k in near}) == [["older", "disabled", "carer"]]
    assert evidence_text.without_names("Data for Older People, 2025.", ["older people"]) == (
        "data",
        "for",
        "2025",
    )


# --- 2. engagement that only told people ------------------------------------------------------------------


def engaged(fw: Framework, how: str, **more: Any) -> dict[str, Any]:
    return sound_answers(fw) | {
        "engagement.how": how,
        "engagement.formative": "yes",
        "engagement.feedback": more.get("feedback", "Eleven replies, mostly about travel."),
        "engagement.changes": more.get("changes", "We added transport information to the letter."),
    }


@pytest.mark.parametrize(
    "how",
    [
        "We wrote to every patient on the caseload explaining the move and inviting comments by email.",
        "A letter went to all 2,300 patients in March 2026.",
        "Leaflets in the waiting room and a text message to everyone booked in the next three months.",
        "Posters at the branch and a notice on the practice website from 1 February.",
    ],
)
def test_telling_people_is_information_not_involvement(fw: Framework, how: str) -> None:
    warning = found(fw, engaged(fw, how))["engagement.information_only"]
    assert warning.question_id == "engagement.how" and warning.section_id == "engagement"
    assert "is information, not involvement" in warning.message
    assert "meeting, workshop, focus group or drop-in session, in a survey or interviews" in warning.message
    assert "Healthwatch or a patient panel" in warning.message


@pytest.mark.parametrize(
    ("how", "more"),
    [
        ("We wrote to every patient inviting them to one of two drop-in sessions in March.", {}),
        ("A letter with a survey to all 2,300 patients; 412 replied.", {}),
        ("Leaflets, then a focus group with 12 patients who use the branch.", {}),
        ("Text messages to all patients and a meeting with the patient participation group.", {}),
        ("We wrote to the local Healthwatch and met them on 3 March.", {}),
        ("Posters and a website notice.", {"feedback": "At the co-design workshop people asked for a bus."}),
        ("Interviews with 20 carers in their homes.", {}),
    ],
)
def test_a_real_way_of_involving_people_is_not_questioned(
    fw: Framework, how: str, more: dict[str, str]
) -> None:
    assert "engagement.information_only" not in found(fw, engaged(fw, how, **more))


def test_no_engagement_described_is_not_information_only(fw: Framework) -> None:
    assert "engagement.information_only" not in found(fw, sound_answers(fw))


# --- 3. a benefit claimed, measured by totals only --------------------------------------------------------

VAN = {
    "core20.access.impact": "positive",
    "core20.access.mechanism": ["access"],
    "core20.access.evidence": "The van visits the three wards where Health Check uptake was 19% (Fingertips)",
    "monitoring.indicators": [
        {"indicator": "Total health checks delivered per month", "source": "Van log", "frequency": "Monthly"},
        {"indicator": "Number of people referred to their GP", "source": "Van log", "frequency": "Monthly"},
    ],
    "actions.plan": [{**ACTION, "action": "Run the van five days a week", "measure": "Total health checks"}],
}


def test_a_benefit_measured_by_totals_only_asks_who_is_reached(fw: Framework, credit: Credit) -> None:
    answers = sound_answers(fw) | VAN
    warning = found(fw, answers, credit)["monitoring.totals_only"]
    assert warning.question_id == "monitoring.indicators" and warning.section_id == "monitoring"
    assert warning.message.startswith(
        "You recorded a positive impact on access to services, but your indicators count totals only, such "
        "as 'Total health checks delivered per month'. A total cannot show who the change reaches."
    )
    assert "split your indicators by deprivation decile" in warning.message
    # A claim to reduce inequalities in access counts as much as a positive impact for a group.
    claimed = sound_answers(fw) | {**VAN, "core20.access.impact": "neutral", "ehia.access": "will_support"}
    assert "rated the proposal as one that will support reducing health inequalities" in (
        found(fw, claimed, credit)["monitoring.totals_only"].message
    )


@pytest.mark.parametrize(
    "change",
    [
        {"monitoring.indicators": [{"indicator": "Health checks per month by deprivation decile"}]},
        {
            "monitoring.indicators": [
                *VAN["monitoring.indicators"],
                {"indicator": "Checks split by ethnicity"},
            ]
        },
        {"monitoring.indicators": [{"indicator": "Total checks for South Asian adults per month"}]},
        {"actions.plan": [{**ACTION, "measure": "Health checks by IMD decile and ethnicity"}]},
        {"core20.access.impact": "neutral"},  # nothing claimed: totals are a gap, not this one
    ],
)
def test_a_measure_that_shows_who_is_reached_is_enough(
    fw: Framework, credit: Credit, change: dict[str, Any]
) -> None:
    assert "monitoring.totals_only" not in found(fw, sound_answers(fw) | VAN | change, credit)


def test_without_the_scorings_words_for_totals_the_check_is_not_made(fw: Framework) -> None:
    assert "monitoring.totals_only" not in found(fw, sound_answers(fw) | VAN)


# --- 4. a combination named in one phrase ----------------------------------------------------------------


def combination(fw: Framework, groups: str) -> dict[str, Any]:
    row = {"groups": groups, "mechanism": "access", "direction": "negative", "detail": "Two buses"}
    return sound_answers(fw) | {"intersection.considered": "yes", "intersection.impacts": [row]}


@pytest.mark.parametrize(
    "groups",
    [
        "Older people on low incomes living on the east coast",
        "Older people on low incomes",
        "Rough sleepers with severe mental illness",
        "Frail people who are homeless",
    ],
)
def test_one_phrase_naming_several_groups_is_a_combination(
    fw: Framework, credit: Credit, groups: str
) -> None:
    assert "intersection.1.single_group" not in found(fw, combination(fw, groups), credit)


@pytest.mark.parametrize(
    "groups", ["Older people", "People with learning disabilities", "People in deprived areas", "Carers"]
)
def test_one_group_however_named_is_still_one(fw: Framework, credit: Credit, groups: str) -> None:
    warning = found(fw, combination(fw, groups), credit)["intersection.1.single_group"]
    assert warning.message.startswith(f"Combination 1 ('{groups}') names only one group.")


def test_without_the_scorings_names_the_marking_words_still_count(fw: Framework) -> None:
    assert "intersection.1.single_group" not in found(
        fw, combination(fw, "Older people on low incomes living on the east coast")
    )
    # Only the scoring's names know rough sleepers and frail people as groups.
    for groups in ("Rough sleepers with severe mental illness", "Frail people who are homeless"):
        assert "intersection.1.single_group" in found(fw, combination(fw, groups))


# --- 5. claims the rating counts as not assessed ---------------------------------------------------------

# The panel's P02: online booking added to a blood test clinic, phone and walk-in kept; two neutral answers
# give a reason but no figure or source, and scoring 1.6 counts them as not assessed (rated high).
PHLEBOTOMY = {
    "proposal.kind": "digital",
    "proposal.changes_access": "yes",
    "digital.offline_route": "yes",
    "screening.relevance": "yes",
    "ehia_groups.literacy.evidence": (
        "Letters stay in plain English with easy read on request; no new written steps are added."
    ),
    "inclusion.communication.evidence": (
        "Phone bookings can use LanguageLine as now; the online form is available in English, Gujarati, "
        "Punjabi, Urdu, Polish and Somali."
    ),
}


def test_claims_the_rating_counts_as_not_assessed_are_named(
    fw: Framework, scoring: ScoringRules, credit: Credit
) -> None:
    answers = sound_answers(fw) | PHLEBOTOMY
    unsupported = not_assessed(answers, profile(1.0), scoring)
    assert unsupported == {"ehia_groups.literacy": "neutral", "inclusion.communication": "neutral"}
    checks = found(fw, answers, credit, unsupported)
    warning = checks["inclusion.communication.claim_not_assessed"]
    assert warning.question_id == "inclusion.communication.evidence" and warning.section_id == "inclusion"
    assert warning.message.startswith(
        "You said the impact on people with limited English or communication needs is neutral, but the "
        "evidence ('Phone bookings can use LanguageLine as now; the online form …') gives no figure and no "
        "source, so the rating counts this answer as not assessed."
    )
    assert "ehia_groups.literacy.claim_not_assessed" in checks
    assert not [k for k in found(fw, answers, credit) if k.endswith("claim_not_assessed")]  # older callers


def test_a_claim_with_no_evidence_or_empty_words_is_not_warned_twice(
    fw: Framework, scoring: ScoringRules
) -> None:
    answers = (
        sound_answers(fw)
        | PHLEBOTOMY
        | {
            "inclusion.communication.evidence": "",
            "ehia_groups.literacy.evidence": "No impact",
        }
    )
    checks = found(fw, answers, None, not_assessed(answers, profile(1.0), scoring))
    assert "inclusion.communication.claim_no_evidence" in checks
    assert "ehia_groups.literacy.generic_evidence" in checks
    assert not [k for k in checks if k.endswith("claim_not_assessed")]
