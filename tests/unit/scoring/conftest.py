"""Fixtures for scoring and quality tests: the rules pinned to version 1.0, and a sound assessment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet, load_rules
from hia_service.domain.scoring import ScoringRules

RULES_DIR = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_rules(RULES_DIR)


@pytest.fixture(scope="session")
def rules(ruleset: RuleSet) -> ScoringRules:
    # Pinned: these tests describe version 1.0, which must never change once published.
    return ruleset.scoring("1.0")


@pytest.fixture(scope="session")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.0")


def profile(
    relative: float | None, share: float | None = None, england: float | None = 0.2
) -> dict[str, Any]:
    """A geography profile as the engine produces it (only the keys scoring reads, plus a few others)."""
    share = share if share is not None else (None if relative is None else round(relative * 0.2, 4))
    result: dict[str, Any] = {
        "core20_share": share,
        "population": 120_000,
        "population_by_decile": [0.1] * 10,
        "share_by_quintile": [0.2] * 5,
        "mean_imd_score": 21.7,
        "concentration_index": -0.05,
        "baseline": {"nation": {"name": "England", "core20_share": england}} if england is not None else {},
    }
    if relative is not None:
        result["relative_core20"] = relative
    return result


def sound_answers(framework: Framework, **impacts: str) -> dict[str, Any]:
    """A complete assessment, every impact neutral and evidenced. `impacts` overrides: pc__age="negative"."""
    answers: dict[str, Any] = {
        "proposal.title": "Add evening sessions at the phlebotomy clinic",
        "proposal.decision_date": "2026-03-27",
        "who.geography": {"type": "icb", "codes": ["E54000050"]},
        "engagement.done": "yes",
        "engagement.who": ["patients"],
        "engagement.feedback": "Evening appointments matter most",
        "engagement.changes": "Added two evening sessions",
        "evidence.sources": "Activity data by quintile",
        "evidence.gaps_exist": "no",
        "monitoring.review_date": "2027-03-01",
    }
    for _, group in framework.groups():
        answers[f"{group.id}.impact"] = "neutral"
        # Each group's own words after the source: one sentence with only the name swapped is pasted.
        answers[f"{group.id}.evidence"] = f"Activity data split by {group.in_sentence}. {group.prompt}"
    for key, value in impacts.items():
        answers[f"{key.replace('__', '.')}.impact"] = value
    return answers


ACTION = {"action": "Run an evening clinic", "owner": "Sam Patel", "due": "2026-06-01", "measure": "DNA rate"}
