"""Every shipped scenario validates against the schema and the framework version it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from hia_service.domain.framework import Framework, Problem
from hia_service.domain.training import load_scenario
from tests.unit.training.conftest import RULES_DIR, SCENARIO_FILES


def test_there_are_at_least_six_scenarios() -> None:
    assert len(SCENARIO_FILES) >= 6


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_file_is_valid(path: Path, frameworks: dict[str, Framework]) -> None:
    problems: list[Problem] = []
    scenario = load_scenario(path, RULES_DIR, frameworks, problems)
    assert problems == []
    assert scenario is not None
    assert scenario.id == path.stem  # so a scenario is easy to find from its id
    assert scenario.framework_version in frameworks


def test_scenario_ids_are_unique(scenarios) -> None:
    ids = [s.id for s in scenarios]
    assert len(ids) == len(set(ids)) == len(SCENARIO_FILES)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_key_point_ids_are_unique_within_a_scenario(path: Path, scenarios) -> None:
    scenario = next(s for s in scenarios if s.id == path.stem)
    ids = [p.id for g in scenario.sections for p in g.key_points]
    assert len(ids) == len(set(ids))


def test_every_scenario_is_on_the_current_framework_and_scoring(scenarios, ruleset) -> None:
    """Practice is on the framework people use for real: when current.yaml moves on, so must the scenarios."""
    for scenario in scenarios:
        assert scenario.framework_version == ruleset.current_framework_version, scenario.id
        assert scenario.scoring == ruleset.current_scoring_version, scenario.id
