"""Every rules file in the project is valid, and the framework says what the issue asks it to say."""

from __future__ import annotations

from pathlib import Path

import pytest

from hia_service.domain.framework import IMPACT_VALUES, Framework
from hia_service.domain.framework.schema_check import check_against_schema
from hia_service.domain.framework.source import read_yaml
from hia_service.domain.rules import RuleSet
from tests.unit.framework.conftest import RULES_DIR

RULES_FILES = sorted(p for p in RULES_DIR.rglob("*.yaml"))


def _kind(path: Path) -> str:
    return "current" if path.name == "current.yaml" else path.parent.name


@pytest.mark.parametrize("path", RULES_FILES, ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rules_file_matches_its_schema(path: Path) -> None:
    doc, problems = read_yaml(path)
    assert problems == []
    assert doc is not None
    assert check_against_schema(doc, RULES_DIR, _kind(path)) == []


def test_there_is_a_file_of_every_kind() -> None:
    assert {_kind(p) for p in RULES_FILES} == {"framework", "scoring", "current", "training"}


def test_project_rules_load_with_current_versions(ruleset: RuleSet) -> None:
    assert ruleset.current_framework_version == "1.3"
    assert ruleset.current_scoring_version == "1.11"
    assert ruleset.framework() is ruleset.framework("1.3")
    assert ruleset.scoring().framework is ruleset.framework("1.3")
    assert ruleset.scoring("1.3").framework is ruleset.framework("1.2")
    assert ruleset.scoring("1.2").framework is ruleset.framework("1.1")
    assert ruleset.scoring("1.0").framework is ruleset.framework("1.0")
    assert ruleset.scoring("1.1").framework is ruleset.framework("1.0")


def test_sections_come_in_the_order_of_the_assessment(framework: Framework) -> None:
    assert [s.title for s in framework.sections] == [
        "About the proposal",
        "Who is affected",
        "Deprivation (Core20)",
        "Protected characteristics",
        "Inclusion health and PLUS groups",
        "Core20PLUS5 clinical areas",
        "Engagement and co-production",
        "Evidence and data gaps",
        "Mitigations and action plan",
        "Monitoring",
        "Conclusion",
    ]
    assert [s.heat_step for s in framework.sections] == ["prepare"] * 2 + ["assess"] * 4 + [
        "refine_apply"
    ] * 3 + [
        "review",
        "refine_apply",
    ]


def test_the_nine_protected_characteristics(framework: Framework) -> None:
    labels = [g.label for g in framework.section("pc").groups]
    assert labels == [
        "Age",
        "Disability",
        "Gender reassignment",
        "Marriage and civil partnership",
        "Pregnancy and maternity",
        "Race",
        "Religion or belief",
        "Sex",
        "Sexual orientation",
    ]


def test_inclusion_health_and_plus_groups(framework: Framework) -> None:
    groups = framework.section("inclusion").groups
    inclusion = [g.label for g in groups if g.category == "Inclusion health groups"]
    assert len(inclusion) == 7
    assert "Gypsy, Roma and Traveller communities" in inclusion
    assert "Victims of modern slavery" in inclusion
    assert len([g for g in groups if g.category == "PLUS groups"]) == 9
    assert "People who are digitally excluded" in [g.label for g in groups]


def test_core20plus5_clinical_areas(framework: Framework) -> None:
    groups = framework.section("clinical").groups
    adults = [g.id.split(".")[1] for g in groups if g.category == "Adults"]
    children = [g.id.split(".")[1] for g in groups if g.category == "Children and young people"]
    assert adults == ["maternity", "smi", "respiratory", "cancer", "hypertension", "smoking"]
    assert children == ["cyp_asthma", "cyp_diabetes", "cyp_epilepsy", "cyp_oral_health", "cyp_mental_health"]


def test_every_group_gets_impact_evidence_and_mitigation(framework: Framework) -> None:
    for _, group in framework.groups():
        impact = framework.question(f"{group.id}.impact")
        assert impact.type == "impact" and impact.required
        assert framework.question(f"{group.id}.evidence").type == "long_text"
        mitigation = framework.question(f"{group.id}.mitigation")
        assert mitigation.condition[0].question == f"{group.id}.impact"
        assert set(mitigation.condition[0].values) == {"negative", "unknown"}
        assert group.label in impact.label
    assert set(IMPACT_VALUES) == {"positive", "neutral", "negative", "unknown"}


def test_question_ids_are_unique_and_every_answerable_question_has_a_name(framework: Framework) -> None:
    ids = [q.id for q in framework.questions()]
    assert len(ids) == len(set(ids))
    assert all(q.name for q in framework.questions() if q.answerable)


def test_proposal_kinds_and_recommendations(framework: Framework) -> None:
    kinds = [o.label for o in framework.question("proposal.kind").options]
    assert kinds == [
        "Service change",
        "Business case",
        "Policy or procedure",
        "Procurement or contract",
        "Workforce change",
        "Digital change",
        "Estates",
    ]
    recommendation = [o.value for o in framework.question("conclusion.recommendation").options]
    assert recommendation == ["proceed", "proceed_with_mitigations", "pause", "do_not_proceed"]


def test_action_plan_columns_follow_the_contract(framework: Framework) -> None:
    plan = framework.question("actions.plan")
    assert plan.type == "actions"
    assert [f.id for f in plan.fields] == ["action", "owner", "due", "measure"]
    assert [f.required for f in plan.fields] == [True, True, True, False]


def test_duties_are_explained(framework: Framework) -> None:
    duties = {d.id: d for d in framework.duties}
    assert set(duties) == {"psed", "health_inequalities", "armed_forces_covenant", "due_regard"}
    assert "section 149" in duties["psed"].title
    assert "13G" in duties["health_inequalities"].text and "14Z35" in duties["health_inequalities"].text
    assert "before the decision" in duties["due_regard"].text
    assert all(link.url.startswith("https://") for d in framework.duties for link in d.guidance_links)
