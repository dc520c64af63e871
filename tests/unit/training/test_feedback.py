"""Feedback on substance: the trainee's groups, directions, mechanisms, evidence and actions against the model
answer, judged by the real record's quality checks and scoring rules; never by words in free text."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import validate_answer, visible_answers
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from hia_service.domain.training import Feedback, Marking, Match, Scenario, compare_rating, feedback, matches
from tests.unit.training.conftest import SCENARIO_FILES

IDS = [p.stem for p in SCENARIO_FILES]
TODAY = date(2026, 12, 5)  # the day the model answers' action dates were written for


def scenario_named(scenarios: tuple[Scenario, ...], scenario_id: str) -> Scenario:
    return next(s for s in scenarios if s.id == scenario_id)


def marked(
    scenario: Scenario, answers: dict[str, Any], ruleset: RuleSet, rating: str | None = None
) -> Feedback:
    """Feedback exactly as the service gives it: the real quality checks on the answers, the real scoring."""
    scoring = ruleset.scoring(scenario.scoring)
    warnings = tuple(quality_checks(answers, None, scoring.framework, TODAY))
    return feedback(scenario, answers, rating, Marking(scoring, warnings, TODAY))


def point(result: Feedback, point_id: str) -> Any:
    return next(p for p in result.points if p.id == point_id)


def poor_answers(scenario: Scenario) -> dict[str, object]:
    """What a rushed assessment looks like: everything neutral, 'no impact', go ahead."""
    answers: dict[str, object] = dict(scenario.prefill)
    for qid in scenario.model_answers():
        if qid.endswith(".impact"):
            answers[qid] = "neutral"
        elif qid == "conclusion.recommendation":
            answers[qid] = "proceed"
        elif qid not in answers and not qid.endswith((".mechanism", ".who")):
            answers[qid] = "No impact expected."
    return answers


@pytest.mark.parametrize("scenario_id", IDS)
def test_every_model_answer_passes_the_framework_validation(scenario_id: str, scenarios, ruleset) -> None:
    """Each scenario is on its framework as it is now: every model answer is one the form accepts and is
    asked (not hidden by a condition), and its framework has the scoring the scenario is marked by."""
    scenario = scenario_named(scenarios, scenario_id)
    framework = ruleset.framework(scenario.framework_version)
    assert ruleset.scoring(scenario.scoring).framework_version == scenario.framework_version
    answers = scenario.model_answers()
    for question_id, value in answers.items():
        _stored, error = validate_answer(framework.question(question_id), value)
        assert error is None, f"{scenario_id}: {question_id}: {error}"
    assert set(visible_answers(framework, answers)) == set(answers)


@pytest.mark.parametrize("scenario_id", IDS)
def test_the_model_answer_matches_itself_and_passes_the_quality_checks(
    scenario_id: str, scenarios, ruleset
) -> None:
    scenario = scenario_named(scenarios, scenario_id)
    result = marked(scenario, scenario.model_answers(), ruleset, scenario.model_rating)
    assert [p.id for p in result.points if not p.made] == []
    assert result.covered_count == result.total_count >= 5
    assert result.rating.comparison == "same" and result.also_named == ()
    # Every group it names is compared on direction, mechanism and evidence at least.
    for group in (g for s in result.sections for g in s.groups):
        aspects = {p.id.split(":")[1] for p in group.points}
        assert {"named", "direction", "evidence"} <= aspects
        assert "mechanism" in aspects or group.model_impact == "unknown"


@pytest.mark.parametrize("scenario_id", IDS)
def test_a_rushed_answer_matches_no_group(scenario_id: str, scenarios, ruleset) -> None:
    scenario = scenario_named(scenarios, scenario_id)
    result = marked(scenario, poor_answers(scenario), ruleset, "low")
    groups = [g for s in result.sections for g in s.groups]
    assert groups and all(g.made == () for g in groups)
    assert result.covered_count == 0


@pytest.mark.parametrize("scenario_id", IDS)
def test_empty_answers_match_nothing(scenario_id: str, scenarios, ruleset) -> None:
    result = marked(scenario_named(scenarios, scenario_id), {}, ruleset)
    assert result.covered_count == 0 and result.total_count > 0
    assert result.rating.comparison == "missing"


def stroke_answers(scenario: Scenario, **changes: Any) -> dict[str, Any]:
    answers = dict(scenario.prefill)
    answers.update(changes)
    return answers


def test_the_right_group_in_other_words_gets_credit(scenarios, ruleset) -> None:
    """None of the words the old key points looked for (coast, Skegness, rural, ambulance...): the choices and
    evidence that a reviewer would accept are what count."""
    scenario = scenario_named(scenarios, "stroke-unit-lincolnshire")
    answers = stroke_answers(
        scenario,
        **{
            "inclusion.rural_coastal.impact": "negative",
            "inclusion.rural_coastal.mechanism": ["outcomes", "access"],
            "inclusion.rural_coastal.evidence": (
                "People living by the sea or in villages far from the new unit face trips of over an hour; "
                "our survey of 2024 patients found 4 in 10 have no car."
            ),
            "inclusion.rural_coastal.mitigation": "Agree response standards with the paramedics.",
        },
    )
    result = marked(scenario, answers, ruleset)
    (group,) = [g for s in result.sections for g in s.groups if g.group_id == "inclusion.rural_coastal"]
    assert [p.id.split(":")[1] for p in group.made] == ["named", "direction", "mechanism", "evidence"]
    assert group.missed == ()
    assert point(result, "inclusion.rural_coastal:direction").detail == "You rated the impact negative."


def test_the_keywords_with_the_wrong_group_or_direction_get_no_credit(scenarios, ruleset) -> None:
    """Every word of the model answer, under the wrong group and with the impact the wrong way round."""
    scenario = scenario_named(scenarios, "stroke-unit-lincolnshire")
    model = scenario.model_answers()
    answers = stroke_answers(
        scenario,
        **{
            # The coastal harm written up under older people instead.
            "pc.age.impact": "negative",
            "pc.age.mechanism": ["access", "outcomes"],
            "pc.age.evidence": model["inclusion.rural_coastal.evidence"],
            "pc.age.mitigation": model["inclusion.rural_coastal.mitigation"],
            "inclusion.rural_coastal.impact": "neutral",
            # Carers: the model's own words, but called a benefit.
            "inclusion.carers.impact": "positive",
            "inclusion.carers.mechanism": ["experience"],
            "inclusion.carers.evidence": model["inclusion.carers.evidence"],
        },
    )
    result = marked(scenario, answers, ruleset)
    coastal = point(result, "inclusion.rural_coastal:named")
    assert not coastal.made and "You answered neutral" in coastal.detail and coastal.why
    assert not point(result, "inclusion.rural_coastal:direction").made
    assert not point(result, "inclusion.rural_coastal:evidence").made
    carers = point(result, "inclusion.carers:direction")
    assert point(result, "inclusion.carers:named").made and not carers.made
    assert carers.detail == "You rated it positive; the model answer rates it negative."
    assert not point(result, "inclusion.carers:mechanism").made
    assert "also sees a change to access" in point(result, "inclusion.carers:mechanism").detail
    assert result.also_named == ("Age",)


def test_evidence_is_judged_by_the_real_quality_checks(scenarios, ruleset) -> None:
    scenario = scenario_named(scenarios, "stroke-unit-lincolnshire")
    base = {
        "inclusion.rural_coastal.impact": "negative",
        "inclusion.rural_coastal.mechanism": ["access"],
        "inclusion.rural_coastal.mitigation": "Agree response standards.",
    }
    generic = marked(
        scenario, stroke_answers(scenario, **base, **{"inclusion.rural_coastal.evidence": "N/A"}), ruleset
    )
    evidence = point(generic, "inclusion.rural_coastal:evidence")
    assert not evidence.made and evidence.detail.startswith("The quality checks say:")
    bare = marked(scenario, stroke_answers(scenario, **base), ruleset)
    assert point(bare, "inclusion.rural_coastal:evidence").detail == "You gave no evidence for this group."


def test_placeholder_evidence_for_a_harm_earns_no_point(scenarios, ruleset) -> None:
    """A real record's checks ask only neutral and positive answers for a source; practice asks every
    answer, so a trainee who types the question back with "example answer" is not told it passes."""
    scenario = scenario_named(scenarios, "stroke-unit-lincolnshire")
    base = {
        "inclusion.rural_coastal.impact": "negative",
        "inclusion.rural_coastal.mechanism": ["access"],
        "inclusion.rural_coastal.mitigation": "Agree response standards.",
    }
    placeholder = {"inclusion.rural_coastal.evidence": "Rural: example answer"}
    evidence = point(
        marked(scenario, stroke_answers(scenario, **base, **placeholder), ruleset),
        "inclusion.rural_coastal:evidence",
    )
    assert not evidence.made and "Say what the evidence shows for this group" in evidence.detail
    sourced = {
        "inclusion.rural_coastal.evidence": (
            "Ambulance data for 2024 shows 18 minutes longer journeys from the villages."
        )
    }
    evidence = point(
        marked(scenario, stroke_answers(scenario, **base, **sourced), ruleset),
        "inclusion.rural_coastal:evidence",
    )
    assert evidence.made, evidence.detail


def test_evidence_pasted_for_many_groups_earns_no_point_for_any_of_them(scenarios, ruleset) -> None:
    """The pasted-evidence check is raised on its first group, but it speaks of every group sharing the
    text: none of them gets the evidence point, as the task list's checks say."""
    scenario = scenario_named(scenarios, "stroke-unit-lincolnshire")
    text = (
        "Our 2024 survey of 300 patients shows longer journeys by car and bus for people across the county."
    )
    groups = ("pc.age", "pc.disability", "inclusion.rural_coastal", "inclusion.carers")
    changes: dict[str, Any] = {}
    for group in groups:
        changes |= {
            f"{group}.impact": "negative",
            f"{group}.mechanism": ["access"],
            f"{group}.evidence": text,
        }
    result = marked(scenario, stroke_answers(scenario, **changes), ruleset)
    for group in groups:
        found = [p for p in result.points if p.id == f"{group}:evidence"]
        for evidence in found:
            assert not evidence.made and "word for word" in evidence.detail, group
    assert any(p.id == "inclusion.rural_coastal:evidence" for p in result.points)


def dental_answers(scenario: Scenario, plan: list[dict[str, str]]) -> dict[str, Any]:
    answers = scenario.model_answers()
    answers["actions.plan"] = plan
    return answers


def test_an_action_earns_the_point_only_as_it_would_earn_credit(scenarios, ruleset) -> None:
    scenario = scenario_named(scenarios, "community-dental-middlesbrough")
    row = {
        "action": "Keep a phone and paper route",
        "answers": "People who are digitally excluded",
        "owner": "Dental commissioning lead",
        "due": "2027-06-30",
        "measure": "Referrals by route, quarterly",
    }
    good = marked(scenario, dental_answers(scenario, [row]), ruleset)
    assert point(good, "inclusion.digital_exclusion:actions").made
    assert not point(good, "clinical.cyp_oral_health:actions").made  # no action names it
    assert "No action in your plan names" in point(good, "clinical.cyp_oral_health:actions").detail
    paper = marked(scenario, dental_answers(scenario, [{**row, "owner": "TBC", "measure": ""}]), ruleset)
    actions = point(paper, "inclusion.digital_exclusion:actions")
    assert not actions.made and "earns no credit" in actions.detail and "TBC" in actions.detail


def test_no_action_points_where_the_model_plans_none(scenarios, ruleset) -> None:
    """Fleetwood's model answer has no plan yet (its rating says so): no action is expected of the trainee."""
    scenario = scenario_named(scenarios, "minor-injuries-fleetwood")
    result = marked(scenario, scenario.model_answers(), ruleset)
    assert not any(p.id.endswith(":actions") for p in result.points)


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
        (Match("q.a", equals="negative"), "", False),
        (Match("q.a", equals="negative"), None, False),
    ],
)
def test_matches(match: Match, answer: object, expected: bool) -> None:
    assert matches(match, answer) is expected
