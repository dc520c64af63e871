"""Feedback on a practice assessment: which key points it made, which it missed, and how its rating compares.

Pure: takes the scenario, the trainee's answers and their overall rating; returns plain data for a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hia_service.domain.training.model import RATINGS, KeyPoint, Match, Scenario, SectionGuide


@dataclass(frozen=True)
class SectionFeedback:
    section_id: str
    covered: tuple[KeyPoint, ...]
    missed: tuple[KeyPoint, ...]
    model_answers: Mapping[str, Any]


@dataclass(frozen=True)
class RatingFeedback:
    given: str | None
    model: str
    comparison: str  # "same" | "higher" | "lower" | "missing"
    message: str
    reason: str  # why the model rating is what it is


@dataclass(frozen=True)
class Feedback:
    scenario_id: str
    sections: tuple[SectionFeedback, ...]
    rating: RatingFeedback

    @property
    def covered_count(self) -> int:
        return sum(len(s.covered) for s in self.sections)

    @property
    def total_count(self) -> int:
        return sum(len(s.covered) + len(s.missed) for s in self.sections)


def feedback(scenario: Scenario, answers: Mapping[str, Any], rating_overall: str | None) -> Feedback:
    sections = tuple(_section_feedback(guide, answers) for guide in scenario.sections)
    return Feedback(scenario.id, sections, compare_rating(rating_overall, scenario))


def _section_feedback(guide: SectionGuide, answers: Mapping[str, Any]) -> SectionFeedback:
    covered = tuple(p for p in guide.key_points if is_covered(p, answers))
    missed = tuple(p for p in guide.key_points if p not in covered)
    return SectionFeedback(guide.section_id, covered, missed, guide.model_answers)


def is_covered(point: KeyPoint, answers: Mapping[str, Any]) -> bool:
    return all(matches(m, answers.get(m.question)) for m in point.match)


def matches(match: Match, answer: Any) -> bool:
    if answer is None or answer == "" or answer == []:
        return False
    if match.any_of:
        text = _flat_text(answer).casefold()
        return any(phrase.casefold() in text for phrase in match.any_of)
    wanted = match.one_of or (match.equals,)
    # A multiple-choice answer is a list: it matches when it includes a wanted value.
    values = answer if isinstance(answer, list | tuple) else [answer]
    return any(v in wanted for v in values)


def _flat_text(answer: Any) -> str:
    """Every piece of text in an answer, so phrases are found in table rows and action plans too."""
    if isinstance(answer, Mapping):
        return " ".join(_flat_text(v) for v in answer.values())
    if isinstance(answer, list | tuple):
        return " ".join(_flat_text(v) for v in answer)
    return str(answer)


def compare_rating(given: str | None, scenario: Scenario) -> RatingFeedback:
    model = scenario.model_rating
    if given not in RATINGS:
        comparison, message = (
            "missing",
            f"Your assessment has no overall rating yet. The model rating is {model}.",
        )
    elif given == model:
        comparison, message = "same", f"You rated this {given}, the same as the model rating."
    else:
        comparison = "higher" if RATINGS.index(given) > RATINGS.index(model) else "lower"
        message = f"You rated this {given}, which is {comparison} than the model rating of {model}."
    return RatingFeedback(
        given if given in RATINGS else None, model, comparison, message, scenario.model_rating_reason
    )
