"""Scoring 1.3, access and rurality (issue 19 item 4): for closures and moves, people far from services
(barriers domain), rural people, and people in deprived neighbourhoods who will travel further raise the
rating when harm to them is recorded or not known; with evidence of no harm they do not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.framework.screening import with_screening
from hia_service.domain.geography.access import TRAVEL_ANSWER_KEY
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from hia_service.domain.scoring.facts import build_facts
from tests.unit.scoring.conftest import profile, sound_answers

TODAY = date(2026, 12, 5)
SITES = {"access.current_site": "FY1 4AA", "access.proposed_site": "FY3 8NR"}
SPECIFIC = "Our 2026 audit of 1,200 attendances split by this group shows how they use the service today."


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet) -> ScoringRules:
    return ruleset.scoring("1.3")


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.2")


def area(relative: float = 1.0, rural: float | None = None, barriers: float | None = None) -> dict[str, Any]:
    result = profile(relative)
    if rural is not None:
        result["rurality"] = {"classification": "RUC21", "classes": [], "rural_share": rural}
    if barriers is not None:
        result["barriers"] = {"domain": "barriers_to_housing_and_services", "label": "Barriers",
                              "people_by_decile": None, "share_by_decile": None,
                              "share_deciles_1_2": barriers}  # fmt: skip
    return result


def closure(framework: Framework, kind: str = "closure", **impacts: str) -> dict[str, Any]:
    answers = sound_answers(framework, **impacts)
    for _, group in framework.groups():
        answers[f"{group.id}.evidence"] = SPECIFIC
    answers.update(
        {
            "proposal.kind": kind,
            "proposal.changes_access": "yes",
            "proposal.scope": "local",
            "who.staff_affected": "no",
            "proposal.decision_date": "2027-02-01",
        }
    )
    return answers


def travel(deprived_further: float) -> dict[str, Any]:
    row = {"key": "all", "label": "Everyone", "people": 1000, "mean_km_before": 1.0, "mean_km_after": 4.0,
           "change_km": 3.0, "share_further_1km": 0.6, "share_further_5km": 0.1}  # fmt: skip
    return {"current_site": "FY1 4AA", "proposed_site": "FY3 8NR", "release": "IoD2025", "overall": row,
            "by_decile": [], "by_rurality": [], "site_km_apart": 3.0,
            "deprived_further_share": deprived_further}  # fmt: skip


def rate(
    answers: dict[str, Any], profile_json: dict[str, Any], framework: Framework, rules: ScoringRules
) -> Any:
    return score(with_screening(framework, answers, profile_json), profile_json, rules, today=TODAY)


def access(rating: Any) -> Any:
    return next(d for d in rating.dimensions if d.id == "access")


def fired(rating: Any) -> set[str]:
    return {r.rule_id for r in access(rating).reasons}


@pytest.mark.parametrize(
    ("rural", "expected", "rule"),
    [(0.7, "high", "access.mostly_rural"), (0.35, "medium", "access.rural"), (0.1, "low", None)],
)
def test_a_rural_closure_with_harm_to_rural_people_rates_by_how_rural(
    framework: Framework, rules: ScoringRules, rural: float, expected: str, rule: str | None
) -> None:
    answers = closure(framework, inclusion__rural_coastal="negative")
    rating = rate(answers, area(rural=rural), framework, rules)
    assert access(rating).rating == expected
    assert (rule in fired(rating)) if rule else not fired(rating) - {"access.default"}


def test_people_far_from_services_with_access_not_known_rate_high(
    framework: Framework, rules: ScoringRules
) -> None:
    answers = closure(framework, "relocation", core20__access="unknown")
    rating = rate(answers, area(barriers=0.45), framework, rules)
    assert access(rating).rating == "high" and "access.barriers_concentrated" in fired(rating)
    assert rating.inherent == "high"
    reason = next(r.text for r in access(rating).reasons if r.rule_id == "access.barriers_concentrated")
    assert "45%" in reason and "not known yet: access to services" in reason
    assert access(rate(answers, area(barriers=0.32), framework, rules)).rating == "medium"


def test_evidence_of_no_harm_is_not_overridden_by_the_place(
    framework: Framework, rules: ScoringRules
) -> None:
    rating = rate(closure(framework), area(rural=0.9, barriers=0.6), framework, rules)
    assert access(rating).rating == "low"


def test_only_closures_and_moves_are_rated_on_rurality(framework: Framework, rules: ScoringRules) -> None:
    answers = closure(framework, "hours", inclusion__rural_coastal="negative")
    assert access(rate(answers, area(rural=0.9, barriers=0.6), framework, rules)).rating == "low"


@pytest.mark.parametrize(("relative", "expected"), [(1.0, "medium"), (2.0, "high")])
def test_deprived_neighbourhoods_travelling_further_raise_the_rating(
    framework: Framework, rules: ScoringRules, relative: float, expected: str
) -> None:
    answers = {**closure(framework, "relocation", inclusion__low_income="negative"), **SITES}
    answers[TRAVEL_ANSWER_KEY] = travel(0.8)
    rating = rate(answers, area(relative), framework, rules)
    assert access(rating).rating == expected
    nearer = {**answers, TRAVEL_ANSWER_KEY: travel(0.2)}
    assert access(rate(nearer, area(relative), framework, rules)).rating == "low"
    # Figures whose site postcodes are no longer answered are not used.
    stale = {**answers, "access.proposed_site": ""}
    assert access(rate(stale, area(relative), framework, rules)).rating == "low"


def test_the_facts_carry_the_access_numbers(framework: Framework) -> None:
    answers = {**closure(framework), TRAVEL_ANSWER_KEY: travel(0.75)}
    numbers = build_facts(answers, None, framework).numbers
    assert numbers["travel_further_deprived_share"] == 0.75 and numbers["travel_further_share"] == 0.6
    from hia_service.domain.geography.area_profile import AreaProfile

    facts = build_facts(closure(framework), AreaProfile.from_json(area(rural=0.4, barriers=0.25)), framework)
    assert facts.numbers["rural_share"] == 0.4 and facts.numbers["barriers_deciles_1_2_share"] == 0.25
    older = build_facts(closure(framework), AreaProfile.from_json(area()), framework)
    assert older.numbers["rural_share"] is None and older.numbers["travel_further_share"] is None


@pytest.mark.parametrize("kind", ["closure", "relocation"])
def test_a_closure_or_move_without_both_sites_is_questioned(framework: Framework, kind: str) -> None:
    from hia_service.domain.quality import quality_checks

    def warnings(answers: dict[str, Any]) -> dict[str, Any]:
        return {w.id: w for w in quality_checks(answers, area(), framework, TODAY)}

    found = warnings(closure(framework, kind) | {"access.current_site": "FY1 4AA"})["access.no_sites"]
    assert found.question_id == "access.proposed_site"
    assert "who will travel further" in found.message
    assert "access.no_sites" not in warnings(closure(framework, kind) | SITES)
    assert "access.no_sites" not in warnings(closure(framework, "hours"))
