"""Scoring 1.3 rates decisions about staff (framework 1.2's workforce section, issue 19 item 8).

Harm to staff groups is a differential impact like harm to patients, and a decision about staff judged
without the organisation's own WRES or WDES data rests on assumption (the duty of inquiry), so it is at least
a medium risk, which an action plan cannot lower.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.framework.screening import with_screening
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from tests.unit.scoring.conftest import profile

TODAY = date(2026, 12, 5)
SPECIFIC = (
    "Our 2026 staff survey of 310 ward nurses, split by this group, and the WDES metrics for each ward."
)
EHIA = ("discrimination", "opportunity", "relations", "access", "outcomes")
AREA = profile(1.0)


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.3")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.2")


def shift_change(framework: Framework, **changes: Any) -> dict[str, Any]:
    """Twelve-hour shifts for ward nurses: no change to patients' access, evidence for every group."""
    answers: dict[str, Any] = {
        "proposal.kind": "workforce",
        "proposal.changes_access": "no",
        "proposal.scope": "organisation",
        "proposal.decision_date": "2027-02-01",
        "who.staff_affected": "yes",
        "screening.relevance": "yes",
        "engagement.done": "yes",
        "workforce.wres": "yes",
        "workforce.wdes": "yes",
        "workforce.eds": "yes",
        **{f"ehia.{aim}": "may_support" for aim in EHIA},
    }
    for _, group in framework.groups():
        answers[f"{group.id}.impact"] = "neutral"
        answers[f"{group.id}.evidence"] = SPECIFIC
    answers.update(changes)
    return with_screening(framework, answers, AREA)


def rate(framework: Framework, rules: ScoringRules, **changes: Any) -> Any:
    return score(shift_change(framework, **changes), AREA, rules, today=TODAY)


def fired(rating: Any) -> set[str]:
    return {r.rule_id for d in rating.dimensions for r in d.reasons}


def test_a_shift_change_with_evidence_and_data_is_low(framework: Framework, rules: ScoringRules) -> None:
    rating = rate(framework, rules)
    assert rating.inherent == "low", [(r.rule_id, r.text) for r in rating.reasons]
    assert "workforce.default" in fired(rating)


def test_harm_to_one_staff_group_is_medium_and_to_three_is_high(
    framework: Framework, rules: ScoringRules
) -> None:
    one = rate(framework, rules, **{"workforce.carers.impact": "negative"})
    assert one.inherent == "medium" and "workforce.negative" in fired(one)
    three = rate(
        framework,
        rules,
        **{f"workforce.{g}.impact": "negative" for g in ("carers", "sex", "disability")},
    )
    assert three.inherent == "high" and "workforce.many_negative" in fired(three)


def test_staff_groups_are_not_rated_when_staff_are_not_affected(
    framework: Framework, rules: ScoringRules
) -> None:
    rating = rate(
        framework,
        rules,
        **{"who.staff_affected": "no", "proposal.kind": "policy", "workforce.carers.impact": "negative"},
    )
    assert "workforce.negative" not in fired(rating)
    assert rating.inherent == "low"


@pytest.mark.parametrize("missing", ["workforce.wres", "workforce.wdes"])
def test_no_wres_or_wdes_data_is_medium(framework: Framework, rules: ScoringRules, missing: str) -> None:
    rating = rate(framework, rules, **{missing: "no"})
    assert rating.inherent == "medium" and "evidence.workforce_data_not_used" in fired(rating)
    evidence = next(d for d in rating.dimensions if d.id == "evidence")
    assert evidence.rating == "medium"
    # The EDS review alone missing is a quality point, not a rating.
    assert rate(framework, rules, **{"workforce.eds": "no"}).inherent == "low"


def test_neutral_staff_answers_without_evidence_are_not_assessed(
    framework: Framework, rules: ScoringRules
) -> None:
    blank = {f"{g.id}.evidence": "" for g in framework.section("workforce").groups}
    rating = rate(framework, rules, **blank)
    assert "workforce.not_assessed" in fired(rating)
    assert rating.inherent in ("medium", "high")
