"""Broken scenario files are refused with a problem that names the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hia_service.domain.framework import Framework, RulesError
from hia_service.domain.training import load_scenarios
from tests.unit.training.conftest import RULES_DIR

GOOD = (RULES_DIR / "training" / "minor-injuries-fleetwood.yaml").read_text(encoding="utf-8")


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    shutil.copytree(RULES_DIR / "schema", tmp_path / "schema")
    (tmp_path / "training").mkdir()
    return tmp_path


def problems_for(rules_dir: Path, text: str, frameworks: dict[str, Framework]) -> list[str]:
    (rules_dir / "training" / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_scenarios(rules_dir, frameworks)
    return [str(p) for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_good_file_loads_from_a_copy(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    (rules_dir / "training" / "good.yaml").write_text(GOOD, encoding="utf-8")
    assert [s.id for s in load_scenarios(rules_dir, frameworks)] == ["minor-injuries-fleetwood"]


def test_bad_yaml(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("title: Closing", "title: [Closing", 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert "broken.yaml:" in problem and "not valid YAML" in problem


def test_unknown_question_id_in_a_match(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace(
        "{question: pc.disability.impact, equals: negative}",
        "{question: pc.ability.impact, equals: negative}",
    )
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert problem.startswith(f"{_label(rules_dir)}:{line_of(text, 'pc.ability.impact')}:")
    assert "there is no question 'pc.ability.impact' in framework 1.2" in problem


def test_unknown_question_id_in_model_answers(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("      pc.age.mitigation:", "      pc.ages.mitigation:", 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert f":{line_of(text, 'pc.ages.mitigation')}:" in problem and "'pc.ages.mitigation'" in problem


def test_missing_key_points(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    start = GOOD.index("  - id: conclusion\n    key_points:")
    end = GOOD.index("    model_answers:\n      conclusion.recommendation")
    text = GOOD[:start] + "  - id: conclusion\n" + GOOD[end:]
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert f":{line_of(text, '- id: conclusion')}:" in problem
    assert "'key_points' is missing" in problem


def test_empty_key_points(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    start = GOOD.index("      - id: do-not-proceed-unmitigated")
    end = GOOD.index("    model_answers:\n      conclusion.recommendation")
    text = GOOD[:start] + GOOD[end:]
    text = text.replace("  - id: conclusion\n    key_points:\n", "  - id: conclusion\n    key_points: []\n")
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert f":{line_of(text, 'key_points: []')}:" in problem and "sections[3].key_points" in problem


def test_an_answer_the_form_would_refuse(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("pc.age.impact: negative", "pc.age.impact: awful", 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert f":{line_of(text, 'pc.age.impact: awful')}:" in problem and "would be refused" in problem


def test_unknown_section_and_framework_version(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("  - id: conclusion\n", "  - id: conclusions\n", 1)
    assert any("there is no section 'conclusions'" in p for p in problems_for(rules_dir, text, frameworks))
    text = GOOD.replace('framework_version: "1.2"', 'framework_version: "9.9"', 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert "there is no framework version 9.9" in problem


def test_unknown_key_and_bad_rating(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("model_rating: high", "model_rating: severe\ncolour: blue", 1)
    problems = problems_for(rules_dir, text, frameworks)
    assert any("'severe' is not allowed; use one of: low, medium, high" in p for p in problems)
    assert any(f":{line_of(text, 'colour: blue')}:" in p and "unknown key 'colour'" in p for p in problems)


def test_repeated_key_point_id(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("- id: children", "- id: older-people", 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    lines = [i for i, t in enumerate(text.splitlines(), start=1) if "- id: older-people" in t]
    assert f":{lines[1]}: key point 'older-people' appears twice" in problem


def test_duplicate_ids_across_files(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    (rules_dir / "training" / "a.yaml").write_text(GOOD, encoding="utf-8")
    problems = problems_for(rules_dir, GOOD, frameworks)
    assert any("the id 'minor-injuries-fleetwood' is also used in" in p for p in problems)


def test_every_problem_in_every_file_is_reported(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    (rules_dir / "training" / "a.yaml").write_text("id: [", encoding="utf-8")
    problems = problems_for(
        rules_dir, GOOD.replace("pc.age.impact: negative", "pc.age.impact: awful"), frameworks
    )
    assert len(problems) == 2


def _label(rules_dir: Path) -> str:
    from hia_service.domain.framework.source import display_path

    return display_path(rules_dir / "training" / "broken.yaml")
