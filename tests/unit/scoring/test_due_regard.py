"""Scoring 1.1 and the quality checks added for due regard (issue 12): EHIA groups and duty ratings,
sections left out by screening, specificity, people in more than one group, and patient-list gaps."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from tests.unit.scoring.conftest import profile, sound_answers

TODAY = date(2026, 1, 15)
RATINGS = ("ehia.discrimination", "ehia.opportunity", "ehia.relations", "ehia.access", "ehia.outcomes")


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.1")


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.2")


def sound(fw: Framework, depth: str = "full", **impacts: str) -> dict[str, Any]:
    """A complete 1.1 assessment: every impact neutral and evidenced, every aim 'will support'."""
    answers = sound_answers(fw, **impacts)
    answers |= {"proposal.kind": "policy", "screening.relevance": "yes", "screening.depth": depth}
    answers |= {"intersection.considered": "no", "intersection.not_affected": "Checked with the PALS team"}
    for question_id in RATINGS:
        answers |= {question_id: "will_support", f"{question_id}_evidence": "Access audit"}
    for key, value in impacts.items():
        group = key.replace("__", ".")
        if value in ("positive", "negative"):
            answers[f"{group}.mechanism"] = ["access"]
            answers[f"{group}.mitigation"] = "Evening clinic"
    return answers


def checks(fw: Framework, answers: dict[str, Any], geography: Any = None) -> dict[str, Any]:
    found = quality_checks(answers, geography if geography is not None else profile(1.0), fw, TODAY)
    return {w.id: w for w in found}


def test_sound_1_1_assessment_is_low_with_no_warnings(fw: Framework, rules: ScoringRules) -> None:
    answers = sound(fw)
    assert checks(fw, answers) == {}
    rating = score(answers, profile(1.0), rules)
    assert rating.overall == "low"
    assert [d.id for d in rating.dimensions] == [
        "deprivation",
        "protected_characteristics",
        "inclusion_health",
        "ehia_groups",
        "duty_ratings",
        "clinical_areas",
        "evidence",
    ]


# (answers changed, profile relative Core20, dimension, rating, rule that fired)
RULES = [
    ({"ehia_groups.carers.impact": "negative"}, 1.0, "ehia_groups", "medium", "ehia_groups.negative"),
    ({"ehia_groups.carers.impact": "negative"}, 1.5, "ehia_groups", "high", "ehia_groups.negative_deprived"),
    ({"ehia_groups.carers.impact": "negative"}, 1.49, "ehia_groups", "medium", "ehia_groups.negative"),
    (
        {f"ehia_groups.{g}.impact": "negative" for g in ("carers", "homeless", "literacy")},
        1.0,
        "ehia_groups",
        "high",
        "ehia_groups.many_negative",
    ),
    (
        {f"ehia_groups.{g}.impact": "unknown" for g in ("carers", "homeless", "literacy", "others")},
        1.0,
        "ehia_groups",
        "low",
        "ehia_groups.unknown",
    ),
    (
        {
            f"ehia_groups.{g}.impact": "unknown"
            for g in ("carers", "homeless", "literacy", "others", "addictions")
        },
        1.0,
        "ehia_groups",
        "medium",
        "ehia_groups.many_unknown",
    ),
    ({"ehia_groups.others.impact": None}, 1.0, "ehia_groups", "medium", "ehia_groups.unanswered"),
    (
        {"ehia.discrimination": "uncertain"},
        1.0,
        "duty_ratings",
        "medium",
        "duty_ratings.discrimination_uncertain",
    ),
    ({"ehia.opportunity": "uncertain"}, 1.0, "duty_ratings", "medium", "duty_ratings.opportunity_uncertain"),
    ({"ehia.relations": "uncertain"}, 1.0, "duty_ratings", "medium", "duty_ratings.relations_uncertain"),
    ({"ehia.access": "uncertain"}, 1.0, "duty_ratings", "medium", "duty_ratings.access_uncertain"),
    ({"ehia.outcomes": "uncertain"}, 1.0, "duty_ratings", "medium", "duty_ratings.outcomes_uncertain"),
    (
        {"ehia.access": "uncertain", "ehia.outcomes": "uncertain"},
        1.5,
        "duty_ratings",
        "high",
        "duty_ratings.access_outcomes_uncertain_deprived",
    ),
    (
        {"ehia.access": "uncertain", "ehia.outcomes": "uncertain"},
        1.49,
        "duty_ratings",
        "medium",
        "duty_ratings.access_uncertain",
    ),
    ({"ehia.access": "may_support"}, 1.0, "duty_ratings", "low", "duty_ratings.default"),
]


@pytest.mark.parametrize(("changes", "relative", "dimension", "rating", "rule"), RULES)
def test_scoring_1_1_rules(
    fw: Framework,
    rules: ScoringRules,
    changes: dict[str, Any],
    relative: float,
    dimension: str,
    rating: str,
    rule: str,
) -> None:
    answers = {**sound(fw), **changes}
    result = score({k: v for k, v in answers.items() if v is not None}, profile(relative), rules).dimension(
        dimension
    )
    assert (result.rating, result.reasons[0].rule_id) == (rating, rule)


def test_ehia_groups_count_in_the_evidence_dimension(fw: Framework, rules: ScoringRules) -> None:
    changes = {
        f"ehia_groups.{g.id.split('.')[1]}.impact": "unknown" for g in fw.section("ehia_groups").groups
    }
    result = score({**sound(fw), **changes}, profile(1.0), rules).dimension("evidence")
    assert (result.rating, result.reasons[0].rule_id) == ("high", "evidence.too_little")


@pytest.mark.parametrize(
    ("depth", "skipped"),
    [
        ("short", {"inclusion_health", "ehia_groups", "clinical_areas"}),
        (
            "not_required",
            {
                "deprivation",
                "protected_characteristics",
                "inclusion_health",
                "ehia_groups",
                "clinical_areas",
                "evidence",
                "duty_ratings",  # no groups, but its section was not asked either
            },
        ),
        ("full", set()),
    ],
)
def test_sections_left_out_are_not_rated(
    fw: Framework, rules: ScoringRules, depth: str, skipped: set[str]
) -> None:
    # Unanswered groups in a left-out section would otherwise raise the rating to medium.
    answers = {
        k: v
        for k, v in sound(fw, depth).items()
        if not k.startswith(("clinical.", "inclusion.", "ehia_groups."))
    }
    rating = score(answers, profile(1.0), rules)
    found = {d.id for d in rating.dimensions if d.reasons[0].rule_id.endswith(".skipped")}
    assert found == skipped
    for dimension in rating.dimensions:
        if dimension.id in skipped:
            assert dimension.rating == "low"
            assert dimension.reasons[0].text.startswith("Not asked: screening found")


# (answers changed, warning id expected, or None for no warning from this check)
QUALITY = [
    ({"pc.age.impact": "negative", "pc.age.mechanism": None}, "pc.age.no_mechanism"),
    ({"pc.age.impact": "positive", "pc.age.mechanism": None}, "pc.age.no_mechanism"),
    ({"pc.age.impact": "negative", "pc.age.mechanism": ["outcomes"]}, None),
    ({"pc.age.impact": "unknown", "pc.age.mechanism": None}, None),  # nothing changes yet to name
    ({"intersection.considered": None}, "intersection.missing"),
    (
        {"pc.age.impact": "negative", "inclusion.rural_coastal.impact": "negative"},
        "intersection.overlooked",
    ),
    # In one section too: older and disabled people is the commonest double hit a panel asks about.
    ({"pc.age.impact": "negative", "pc.disability.impact": "negative"}, "intersection.overlooked"),
    (
        {
            "intersection.considered": "yes",
            "intersection.impacts": [
                {"groups": "Older people", "mechanism": "access", "direction": "negative", "detail": "Bus"}
            ],
        },
        "intersection.1.single_group",
    ),
    (
        {
            "intersection.considered": "yes",
            "intersection.impacts": [
                {
                    "groups": "Older disabled people and people in deprived rural areas",
                    "mechanism": "access",
                    "direction": "negative",
                    "detail": "Bus",
                }
            ],
        },
        None,
    ),
    # One phrase naming three groups by their words is a combination, not "one group".
    (
        {
            "intersection.considered": "yes",
            "intersection.impacts": [
                {
                    "groups": "Older disabled people without a car",
                    "mechanism": "access",
                    "direction": "negative",
                    "detail": "Bus",
                }
            ],
        },
        None,
    ),
]


@pytest.mark.parametrize(("changes", "warning"), QUALITY)
def test_specificity_and_intersection_checks(
    fw: Framework, changes: dict[str, Any], warning: str | None
) -> None:
    answers = {**sound(fw), **changes}
    if "pc.age.impact" in changes and "pc.age.mechanism" not in changes:
        answers["pc.age.mechanism"] = ["access"]
    if "inclusion.rural_coastal.impact" in changes:
        answers["inclusion.rural_coastal.mechanism"] = ["access"]
    answers = {k: v for k, v in answers.items() if v is not None}
    found = {k for k in checks(fw, answers) if k.startswith(("pc.age.no_mechanism", "intersection"))}
    assert found == ({warning} if warning else set())


def test_overlooked_combination_names_the_groups(fw: Framework) -> None:
    answers = sound(fw, pc__age="negative", inclusion__rural_coastal="negative")
    warning = checks(fw, answers)["intersection.overlooked"]
    assert warning.message.startswith(
        "You found negative or unknown impacts on age and people in rural and coastal areas."
    )
    assert warning.question_id == "intersection.considered"


def list_profile(unmatched: int, records: int, unknown: dict[str, int]) -> dict[str, Any]:
    found = profile(1.0)
    found["population"] = records - unmatched
    found["unmatched"] = (
        [{"postcode": "ZZ1 1**", "count": unmatched, "reason": "not in Code-Point Open"}] if unmatched else []
    )
    found["completeness"] = {"source": "patient list", "records": records, "unknown": unknown}
    return found


@pytest.mark.parametrize(
    ("unmatched", "unknown", "gaps_named", "expected"),
    [
        (5, {"ethnicity": 4}, False, {"data_gap.unmatched"}),  # 5% warns, 4% does not
        (4, {"ethnicity": 5}, False, {"data_gap.ethnicity"}),
        (0, {"age": 0, "sex": 30}, False, {"data_gap.sex"}),
        (20, {"ethnicity": 50}, True, set()),  # named in the evidence gaps
    ],
)
def test_patient_list_gaps_are_warned(
    fw: Framework, unmatched: int, unknown: dict[str, int], gaps_named: bool, expected: set[str]
) -> None:
    answers = sound(fw)
    if gaps_named:
        answers |= {"evidence.gaps_exist": "yes", "evidence.gaps": [{"gap": "Ethnicity", "plan": "Audit"}]}
    found = checks(fw, answers, list_profile(unmatched, 100, unknown))
    assert {k for k in found if k.startswith("data_gap")} == expected
    if "data_gap.ethnicity" in expected:
        assert found["data_gap.ethnicity"].message.startswith(
            f"{unknown['ethnicity']} of 100 records ({unknown['ethnicity']}%) have no ethnicity recorded."
        )
        assert found["data_gap.ethnicity"].question_id == "who.geography"


def test_an_area_without_a_patient_list_has_no_data_gap(fw: Framework) -> None:
    assert not {k for k in checks(fw, sound(fw)) if k.startswith("data_gap")}


def test_an_assessment_not_required_is_not_asked_about_skipped_sections(fw: Framework) -> None:
    answers = {
        "proposal.title": "Change the invoice filing",
        "proposal.kind": "policy",
        "proposal.decision_date": "2026-03-27",
        "who.geography": {"type": "icb", "codes": ["E54000050"]},
        "screening.relevance": "no",
        "screening.depth": "not_required",
        "not_required.reasons": "No patient or member of staff is affected",
    }
    found = checks(fw, answers, profile(0.5))
    # No engagement, evidence gaps, review date or intersection to fix: those sections were not asked.
    assert found == {}
    found = checks(fw, {**answers, "screening.depth": "full"}, profile(0.5))
    assert {"engagement.missing", "gaps.missing", "review_date.missing", "intersection.missing"} <= set(found)
