"""Feedback: model answers make every key point; poor answers make none; ratings are compared plainly."""

from __future__ import annotations

import pytest

from hia_service.domain.training import Match, Scenario, compare_rating, feedback, matches
from tests.unit.training.conftest import SCENARIO_FILES

IDS = [p.stem for p in SCENARIO_FILES]


def scenario_named(scenarios: tuple[Scenario, ...], scenario_id: str) -> Scenario:
    return next(s for s in scenarios if s.id == scenario_id)


def poor_answers(scenario: Scenario) -> dict[str, object]:
    """What a rushed assessment looks like: everything neutral, 'no impact', go ahead."""
    answers: dict[str, object] = dict(scenario.prefill)
    for qid in scenario.model_answers():
        if qid.endswith(".impact"):
            answers[qid] = "neutral"
        elif qid == "conclusion.recommendation":
            answers[qid] = "proceed"
        elif qid not in answers:
            answers[qid] = "No impact expected."
    return answers


@pytest.mark.parametrize("scenario_id", IDS)
def test_model_answers_cover_every_key_point(scenario_id: str, scenarios) -> None:
    scenario = scenario_named(scenarios, scenario_id)
    result = feedback(scenario, scenario.model_answers(), scenario.model_rating)
    assert [s.missed for s in result.sections] == [()] * len(scenario.sections)
    assert result.covered_count == result.total_count > 0
    assert result.rating.comparison == "same"


@pytest.mark.parametrize("scenario_id", IDS)
def test_poor_answers_miss_every_key_point(scenario_id: str, scenarios) -> None:
    scenario = scenario_named(scenarios, scenario_id)
    result = feedback(scenario, poor_answers(scenario), "low")
    assert result.covered_count == 0
    for section, guide in zip(result.sections, scenario.sections, strict=True):
        assert section.missed == guide.key_points
        assert section.model_answers == guide.model_answers


@pytest.mark.parametrize("scenario_id", IDS)
def test_empty_answers_miss_every_key_point(scenario_id: str, scenarios) -> None:
    result = feedback(scenario_named(scenarios, scenario_id), {}, None)
    assert result.covered_count == 0
    assert result.rating.comparison == "missing"


def test_one_missing_answer_loses_only_its_key_points(scenarios) -> None:
    scenario = scenario_named(scenarios, "minor-injuries-fleetwood")
    answers = scenario.model_answers()
    del answers["pc.disability.impact"]
    (pc,) = [s for s in feedback(scenario, answers, "high").sections if s.section_id == "pc"]
    assert [p.id for p in pc.missed] == ["disability"]
    assert [p.id for p in pc.covered] == ["older-people", "children"]


@pytest.mark.parametrize(
    ("given", "comparison", "words"),
    [
        ("high", "same", "the same as the model rating"),
        ("medium", "lower", "lower than the model rating of high"),
        ("low", "lower", "lower than the model rating of high"),
        (None, "missing", "no overall rating yet"),
        ("severe", "missing", "no overall rating yet"),
    ],
)
def test_rating_comparison_against_high(given, comparison, words, scenarios) -> None:
    result = compare_rating(given, scenario_named(scenarios, "minor-injuries-fleetwood"))
    assert result.comparison == comparison and words in result.message
    assert result.reason.startswith("Many of the people affected")


def test_rating_higher_than_model(scenarios) -> None:
    result = compare_rating("high", scenario_named(scenarios, "stroke-unit-lincolnshire"))
    assert result.comparison == "higher" and result.model == "medium"


@pytest.mark.parametrize(
    ("match", "answer", "expected"),
    [
        (Match("q.a", equals="negative"), "negative", True),
        (Match("q.a", equals="negative"), "neutral", False),
        (Match("q.a", equals="patients"), ["carers", "patients"], True),
        (Match("q.a", one_of=("pause", "do_not_proceed")), "pause", True),
        (Match("q.a", one_of=("pause", "do_not_proceed")), "proceed", False),
        (Match("q.a", any_of=("older", "over 65")), "People OVER 65 live alone", True),
        (Match("q.a", any_of=("older",)), "Nothing relevant", False),
        (Match("q.a", any_of=("deprivation",)), [{"indicator": "DNA by deprivation"}], True),
        (Match("q.a", any_of=("older",)), None, False),
        (Match("q.a", equals="negative"), "", False),
    ],
)
def test_matches(match: Match, answer: object, expected: bool) -> None:
    assert matches(match, answer) is expected
