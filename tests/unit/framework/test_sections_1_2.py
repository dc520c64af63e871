"""Framework 1.2's parts a governance panel expects (issue 19, item 8): options considered, the duty to
involve and health scrutiny, reasonable adjustments, wider determinants and the workforce pack, each shown
only when it applies; and the wording of the ICB duty and of marriage and civil partnership."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.framework.conditions import section_visible, visible_questions
from hia_service.domain.rules import RuleSet

FULL = {"screening.depth": "full"}


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.2")


def shown(fw: Framework, section_id: str, answers: dict[str, Any]) -> list[str]:
    return [q.id for q in visible_questions(fw.section(section_id), answers)]


def test_the_workforce_pack_is_shown_only_when_staff_are_affected(fw: Framework) -> None:
    section = fw.section("workforce")
    assert section_visible(section, {**FULL, "who.staff_affected": "yes"})
    assert not section_visible(section, {**FULL, "who.staff_affected": "no"})
    assert not section_visible(section, {"screening.depth": "not_required", "who.staff_affected": "yes"})
    questions = shown(fw, "workforce", {**FULL, "who.staff_affected": "yes"})
    for key in ("wres", "wdes", "eds", "data_findings", "flexible_working", "adjustments"):
        assert f"workforce.{key}" in questions
    staff = {g.id for g in section.groups}
    assert {"workforce.disability", "workforce.carers", "workforce.religion_belief", "workforce.age"} <= staff
    assert "workforce.marriage_civil_partnership.impact" in questions


def test_marriage_and_civil_partnership_is_asked_about_staff_only(fw: Framework) -> None:
    """The Equality Act protects it only in employment, so no patient impact is asked for."""
    assert not [g for g in fw.section("pc").groups if "marriage" in g.id]
    assert len(fw.section("pc").groups) == 8
    group = next(g for g in fw.section("workforce").groups if g.id == "workforce.marriage_civil_partnership")
    assert "only in employment" in group.prompt
    assert "only in employment" in fw.section("pc").intro


def test_reasonable_adjustments_are_asked_when_disabled_people_may_be_affected(fw: Framework) -> None:
    section = fw.section("adjustments")
    for impact in ("negative", "unknown", "positive"):
        assert section_visible(section, {**FULL, "pc.disability.impact": impact}), impact
    assert not section_visible(section, {**FULL, "pc.disability.impact": "neutral"})
    assert fw.question("adjustments.needed").required


def test_wider_determinants_ask_for_detail_unless_none(fw: Framework) -> None:
    options = {o.value for o in fw.question("determinants.affected").options}
    assert {"transport", "income", "housing", "employment", "none"} <= options
    for chosen, asked in ((["transport", "income"], True), (["none"], False)):
        answers = {**FULL, "determinants.affected": chosen}
        assert ("determinants.detail" in shown(fw, "determinants", answers)) is asked, chosen


def test_health_scrutiny_follows_a_substantial_change(fw: Framework) -> None:
    base = {**FULL, "engagement.done": "yes"}
    assert "engagement.formative" in shown(fw, "engagement", base)
    assert "engagement.scrutiny" not in shown(fw, "engagement", {**base, "engagement.substantial": "no"})
    assert "engagement.scrutiny" in shown(fw, "engagement", {**base, "engagement.substantial": "yes"})
    told = {**base, "engagement.substantial": "yes", "engagement.scrutiny": "consulted"}
    assert "engagement.scrutiny_date" in shown(fw, "engagement", told)
    not_told = {**told, "engagement.scrutiny": "no"}
    assert shown(fw, "engagement", not_told)[-1] == "engagement.scrutiny_reason"
    assert "engagement.formative" not in shown(fw, "engagement", {**FULL, "engagement.done": "no"})


def test_options_considered_ask_why_a_less_harmful_option_lost_on_cost(fw: Framework) -> None:
    options = fw.question("conclusion.options")
    assert options.required and [f.id for f in options.fields] == ["option", "less_harmful", "why_not"]
    for rejected, asked in (("yes", True), ("no", False)):
        answers = {**FULL, "conclusion.rejected_on_cost": rejected}
        assert ("conclusion.cost_justification" in shown(fw, "conclusion", answers)) is asked, rejected


def test_the_duties_name_involvement_scrutiny_and_persons(fw: Framework) -> None:
    duties = {d.id: d for d in fw.duties}
    assert {"involvement", "health_scrutiny", "reasonable_adjustments", "workforce_equality"} <= set(duties)
    assert "14Z45" in duties["involvement"].title and "242" in duties["involvement"].title
    assert "between persons" in duties["health_inequalities"].text
    assert "substantial variation" in duties["health_scrutiny"].text
    assert "section 20" in duties["reasonable_adjustments"].title
