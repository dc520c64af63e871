from __future__ import annotations

from pathlib import Path

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet, load_rules
from hia_service.domain.training import Scenario, load_scenarios

RULES_DIR = Path(__file__).resolve().parents[3] / "rules"
SCENARIO_FILES = sorted((RULES_DIR / "training").glob("*.yaml"))


@pytest.fixture(scope="session")
def frameworks() -> dict[str, Framework]:
    return dict(load_rules(RULES_DIR).frameworks)


@pytest.fixture(scope="session")
def scenarios(frameworks: dict[str, Framework]) -> tuple[Scenario, ...]:
    return load_scenarios(RULES_DIR, frameworks)


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_rules(RULES_DIR)
