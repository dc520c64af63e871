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
    text = GOOD.replace("- question: conclusion.recommendation", "- question: conclusion.verdict", 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert problem.startswith(f"{_label(rules_dir)}:{line_of(text, 'conclusion.verdict')}:")
    assert "there is no question 'conclusion.verdict' in framework 1.3" in problem


def test_unknown_question_id_in_model_answers(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("      pc.age.mitigation:", "      pc.ages.mitigation:", 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert f":{line_of(text, 'pc.ages.mitigation')}:" in problem and "'pc.ages.mitigation'" in problem


def test_a_section_needs_no_key_points(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    """Groups are compared with the model answer itself; key points are only for other choices."""
    start = GOOD.index("    key_points:\n      - id: do-not-proceed")
    end = GOOD.index("    model_answers:\n      conclusion.recommendation")
    (rules_dir / "training" / "good.yaml").write_text(GOOD[:start] + GOOD[end:], encoding="utf-8")
    (scenario,) = load_scenarios(rules_dir, frameworks)
    assert all(guide.key_points == () for guide in scenario.sections)


def test_a_key_point_cannot_match_words(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    """Keyword matching is gone for good: free text is judged by the quality checks, not by words."""
    text = GOOD.replace(
        "            one_of: [pause, proceed_with_mitigations, do_not_proceed]",
        "            any_of: [pause]",
        1,
    )
    problems = problems_for(rules_dir, text, frameworks)
    assert any(f":{line_of(text, 'any_of: [pause]')}:" in p and "any_of" in p for p in problems)


def test_a_model_answer_in_the_wrong_section(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("      conclusion.recommendation: pause\n", "      conclusion.recommendation: pause\n"
                        "      pc.sex.impact: negative\n", 1)  # fmt: skip
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert f":{line_of(text, 'pc.sex.impact: negative')}:" in problem
    assert "'pc.sex.impact' is a question in section 'pc', not 'conclusion'" in problem


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
    text = GOOD.replace('framework_version: "1.3"', 'framework_version: "9.9"', 1)
    (problem,) = problems_for(rules_dir, text, frameworks)
    assert "there is no framework version 9.9" in problem


def test_unknown_key_and_bad_rating(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    text = GOOD.replace("model_rating: high", "model_rating: severe\ncolour: blue", 1)
    problems = problems_for(rules_dir, text, frameworks)
    assert any("'severe' is not allowed; use one of: low, medium, high" in p for p in problems)
    assert any(f":{line_of(text, 'colour: blue')}:" in p and "unknown key 'colour'" in p for p in problems)


def test_repeated_key_point_id(rules_dir: Path, frameworks: dict[str, Framework]) -> None:
    point = (
        "      - id: do-not-proceed-unmitigated\n        text: Again.\n        match:\n"
        "          - {question: conclusion.recommendation, equals: pause}\n"
    )
    text = GOOD.replace("    model_answers:\n      conclusion.recommendation", point + "    model_answers:\n"
                        "      conclusion.recommendation", 1)  # fmt: skip
    (problem,) = problems_for(rules_dir, text, frameworks)
    lines = [i for i, t in enumerate(text.splitlines(), start=1) if "- id: do-not-proceed-unmitigated" in t]
    assert f":{lines[1]}: key point 'do-not-proceed-unmitigated' appears twice" in problem


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
