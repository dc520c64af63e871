"""Scoring 1.1 (and 1.2, which keeps its rules): the population the organisation serves changes the
deprivation rating exactly as the rules say, and without it 1.1 rates every case as 1.0 did."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import score
from tests.unit.scoring.conftest import profile, sound_answers


def with_served(share: float, served: float | None, england: float = 0.2) -> dict[str, Any]:
    result = profile(None, share=share, england=england)
    if served is not None:
        result["baseline"]["organisation"] = {"name": "Riverside NHS Trust", "core20_share": served}
    return result


# impact on core20.access, Core20 share of the people affected, share among the people we serve,
# the deprivation rating under 1.1, and the organisation-baseline rule that fires (if any).
CASES = [
    ("negative", 0.25, 0.15, "high", "deprivation.negative_concentrated_served"),  # 1.67x served
    ("negative", 0.30, 0.20, "high", "deprivation.negative_concentrated_served"),  # exactly 1.5x
    ("negative", 0.25, 0.20, "medium", None),  # 1.25x: below served_relative_high
    ("negative", 0.25, None, "medium", None),  # no population served: as 1.0
    ("unknown", 0.21, 0.19, "medium", "deprivation.unknown_more_deprived_than_served"),  # 1.105x
    ("unknown", 0.22, 0.20, "medium", "deprivation.unknown_more_deprived_than_served"),  # exactly 1.1x
    ("unknown", 0.21, 0.20, "low", None),  # 1.05x
    ("unknown", 0.21, None, "low", None),
    ("neutral", 0.40, 0.10, "low", None),  # no harm recorded: the comparison alone changes nothing
]


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize(("impact", "share", "served", "expected", "rule"), CASES)
def test_population_served_changes_the_deprivation_rating(
    ruleset: RuleSet,
    version: str,
    framework: Framework,
    impact: str,
    share: float,
    served: float | None,
    expected: str,
    rule: str | None,
) -> None:
    answers = sound_answers(framework, core20__access=impact)
    dimension = score(answers, with_served(share, served), ruleset.scoring(version)).dimension("deprivation")
    assert dimension.rating == expected
    served_rules = {r.rule_id for r in dimension.reasons if "served" in r.rule_id}
    assert served_rules == ({rule} if rule else set())


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_reason_quotes_the_people_we_serve(ruleset: RuleSet, framework: Framework, version: str) -> None:
    answers = sound_answers(framework, core20__access="negative")
    reasons = (
        score(answers, with_served(0.41, 0.2), ruleset.scoring(version)).dimension("deprivation").reasons
    )
    text = next(r.text for r in reasons if r.rule_id == "deprivation.negative_concentrated_served")
    assert "41% of the people affected live in Core20 areas against 20% of the people we serve" in text
    assert "(relative 2.05 ≥ 1.5)" in text


IMPACTS = ("positive", "neutral", "negative", "unknown")
RELATIVES = (None, 0.4, 0.5, 1.0, 1.1, 1.3, 1.5, 2.0)


@pytest.mark.parametrize("relative", RELATIVES)
@pytest.mark.parametrize("impact", IMPACTS)
def test_without_a_population_served_1_1_rates_as_1_0(
    ruleset: RuleSet, framework: Framework, impact: str, relative: float | None
) -> None:
    answers = sound_answers(framework, core20__access=impact, pc__age=impact, inclusion__homelessness=impact)
    area = profile(relative) if relative is not None else None
    old, new = score(answers, area, ruleset.scoring("1.0")), score(answers, area, ruleset.scoring("1.1"))
    assert new.overall == old.overall
    assert [(d.id, d.rating) for d in new.dimensions] == [(d.id, d.rating) for d in old.dimensions]
    assert [(r.rule_id, r.text) for r in new.reasons] == [(r.rule_id, r.text) for r in old.reasons]
    for before, after in zip(old.dimensions, new.dimensions, strict=True):
        assert [r.text for r in after.reasons] == [r.text for r in before.reasons]
    assert [r.text for r in new.narrowing] == [r.text for r in old.narrowing]
