"""Framework 1.1 screening: full, short, not required or pending, and which sections each one asks."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework, section_status, visible_answers
from hia_service.domain.framework.conditions import section_visible
from hia_service.domain.framework.screening import baseline_of, screen, with_screening
from hia_service.domain.rules import RuleSet


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.1")


def area(share: float | None, england: float = 0.2, organisation: float | None = None) -> dict[str, Any]:
    baseline: dict[str, Any] = {"nation": {"name": "England", "core20_share": england}}
    if organisation is not None:
        baseline["organisation"] = {"name": "Our ICB", "core20_share": organisation}
    return {"core20_share": share, "baseline": baseline}


# (kind, relevance, profile, depth): the rule in rules/framework/1.1.yaml, each side of the baseline.
CASES = [
    ("service_change", "yes", area(0.10), "full"),
    ("digital", "no", area(0.10), "full"),  # a digital change is never "not required"
    ("service_change", None, None, "full"),  # the kind alone decides: no area needed
    ("policy", "yes", area(0.21), "full"),  # above England's 20%
    ("policy", "yes", area(0.20), "short"),  # equal is not above
    ("policy", "yes", area(0.19), "short"),
    ("policy", "no", area(0.19), "not_required"),
    ("policy", "no", area(0.25), "full"),  # deprived population: "not required" is not open
    ("procurement", "yes", None, "pending"),  # no area yet
    ("procurement", "no", {"core20_share": 0.1}, "pending"),  # no baseline to compare with
    ("estates", "yes", area(0.25, organisation=0.30), "short"),  # organisation's own baseline wins
    ("estates", "yes", area(0.25, organisation=0.24), "full"),
    (None, "yes", area(0.10), "short"),
]


@pytest.mark.parametrize(("kind", "relevance", "profile", "depth"), CASES)
def test_screening_depth(
    fw: Framework, kind: str | None, relevance: str | None, profile: Any, depth: str
) -> None:
    answers = {"proposal.kind": kind, "screening.relevance": relevance}
    result = screen(fw, answers, profile)
    assert result is not None and result.depth == depth
    assert result.reasons  # every outcome says why


def test_reasons_name_the_kind_and_the_baseline(fw: Framework) -> None:
    result = screen(fw, {"proposal.kind": "digital"}, area(0.31, organisation=0.25))
    assert result is not None
    assert result.reasons == (
        "It is a digital change: this kind of proposal always needs a full assessment.",
        "31% of the people affected live in the most deprived fifth of areas (Core20), more than 25% for "
        "your organisation's population.",
    )


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (area(0.3), ("England", 0.2)),
        (area(0.3, organisation=0.35), ("your organisation's population", 0.35)),
        ({"baseline": {"england": {"core20_share": 0.2}}}, ("England", 0.2)),  # older profiles
        ({"baseline": {}}, None),
        (None, None),
    ],
)
def test_baseline_is_the_organisation_then_the_nation(profile: Any, expected: Any) -> None:
    found = baseline_of(profile)
    assert (None if found is None else (found.name, found.core20_share)) == expected


def test_framework_1_0_has_no_screening(ruleset: RuleSet) -> None:
    old = ruleset.framework("1.0")
    assert screen(old, {"proposal.kind": "policy"}, area(0.1)) is None
    assert with_screening(old, {"a": 1}, None) == {"a": 1}


SKIPPED_WHEN_SHORT = {"ehia_groups", "inclusion", "clinical"}
ALWAYS = {"proposal", "who", "screening"}


@pytest.mark.parametrize(
    ("depth", "kind", "asked"),
    [
        ("full", "policy", None),  # everything except the packs and "not required"
        ("pending", "policy", None),  # no area yet: treated as full
        ("short", "policy", "short"),
        ("not_required", "policy", "not_required"),
        ("full", "digital", "digital"),
        ("full", "procurement", "procurement"),
    ],
)
def test_sections_asked_for_each_outcome(fw: Framework, depth: str, kind: str, asked: str | None) -> None:
    answers = {"proposal.kind": kind, "screening.depth": depth}
    shown = {s.id for s in fw.sections if section_visible(s, answers)}
    everything = {s.id for s in fw.sections} - {"not_required", "digital", "procurement"}
    if asked is None:
        assert shown == everything
    elif asked == "short":
        assert shown == everything - SKIPPED_WHEN_SHORT
    elif asked == "not_required":
        assert shown == ALWAYS | {"not_required"}
    else:
        assert shown == everything | {asked}


def test_a_left_out_section_is_not_needed_and_drops_its_answers(fw: Framework) -> None:
    answers = {
        "screening.depth": "short",
        "clinical.maternity.impact": "negative",
        "pc.age.impact": "neutral",
    }
    assert section_status(fw.section("clinical"), answers) == "not needed"
    kept = visible_answers(fw, answers)
    assert "clinical.maternity.impact" not in kept and kept["pc.age.impact"] == "neutral"


def test_screening_is_stored_as_the_answer(fw: Framework) -> None:
    answers = with_screening(fw, {"proposal.kind": "policy", "screening.relevance": "no"}, area(0.1))
    assert answers["screening.depth"] == "not_required"
    assert section_status(fw.section("not_required"), answers) == "not started"
    answers |= {
        "not_required.reasons": "Internal invoice filing",
        "not_required.evidence": "Asked finance",
        "not_required.declaration": ["confirmed"],
    }
    assert section_status(fw.section("not_required"), answers) == "completed"
    assert section_status(fw.section("conclusion"), answers) == "not needed"


def test_1_1_keeps_every_1_0_section_and_question(ruleset: RuleSet) -> None:
    old, new = ruleset.framework("1.0"), ruleset.framework("1.1")
    assert {s.id for s in old.sections} <= {s.id for s in new.sections}
    assert {q.id for q in old.questions()} <= {q.id for q in new.questions()}
    for question in old.questions():
        assert new.question(question.id).type == question.type


def test_ehia_group_list_is_nhs_englands_exactly(fw: Framework) -> None:
    assert [g.label for g in fw.section("ehia_groups").groups] == [
        "Looked-after children and young people",
        "Carers",
        "Homeless people",
        "People in the criminal justice system",
        "People with addictions or substance misuse",
        "People or families on a low income",
        "People with poor literacy or health literacy",
        "People living in deprived areas",
        "People in remote, rural and island locations",
        "Refugees, asylum seekers or those experiencing modern slavery",
        "Others",
    ]


@pytest.mark.parametrize(
    "question_id",
    ["ehia.discrimination", "ehia.opportunity", "ehia.relations", "ehia.access", "ehia.outcomes"],
)
def test_duty_aims_are_rated_with_evidence(fw: Framework, question_id: str) -> None:
    question = fw.question(question_id)
    assert question.type == "rating" and question.required
    assert [(o.value, o.label) for o in question.options] == [
        ("will_support", "Will support"),
        ("may_support", "May support"),
        ("uncertain", "Uncertain"),
    ]
    evidence = fw.question(f"{question_id}_evidence")
    assert evidence.type == "long_text" and evidence.required


@pytest.mark.parametrize(
    ("duty", "must_say"),
    [
        ("psed", ["section 149"]),
        ("health_inequalities", ["section 13G", "section 14Z35", "section 14T"]),
        ("wider_effect", ["section 26A", "section 63A", "Health and Care Act 2022"]),
        ("information_on_inequalities", ["section 13SA", "annual report", "unknown"]),
        ("due_regard", ["R (Brown) v Secretary of State for Work and Pensions [2008]"]),
        ("consultation", ["Gunning", "formative stage", "conscientiously"]),
    ],
)
def test_duties_are_stated(fw: Framework, duty: str, must_say: list[str]) -> None:
    text = " ".join(d.title + " " + d.text for d in fw.duties if d.id == duty)
    for words in must_say:
        assert words in text


def test_procurement_pack_says_the_duty_stays_with_the_organisation(fw: Framework) -> None:
    section = fw.section("procurement")
    assert "cannot be handed to a contractor" in section.guidance
    assert fw.question("procurement.award_recheck").required
