"""Fixtures for the framework tests: the project's rules, and throwaway copies to break on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from hia_service.domain.framework import Framework, Problem, RulesError
from hia_service.domain.rules import RuleSet, load_rules

RULES_DIR = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_rules(RULES_DIR)


@pytest.fixture(scope="session")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.0")


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A copy of the real rules folder that a test may edit."""
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


@pytest.fixture
def problems_after() -> Callable[..., list[Problem]]:
    """Edit one file of a rules copy (replace old text with new) and return the problems found."""

    def run(rules_dir: Path, relative: str, old: str, new: str) -> list[Problem]:
        path = rules_dir / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(RulesError) as caught:
            load_rules(rules_dir)
        return list(caught.value.problems)

    return run


def line_of(path: Path, needle: str, occurrence: int = 1, exact: bool = False) -> int:
    """1-based line number of the nth line containing `needle` (or, with exact, equal to it once stripped)."""
    found = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if (line.strip() == needle) if exact else (needle in line):
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {path}")
