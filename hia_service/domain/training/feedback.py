"""Feedback on a practice assessment: what it matched in the model answer, what it missed, and why that
matters; and how its rating compares.

Pure: takes the scenario, the trainee's answers, their overall rating and the real record's checks (Marking);
returns plain data for a page. Groups are compared by the structured answers (domain.training.substance);
the scenario's other key points compare chosen answers (a recommendation, who was involved), never words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hia_service.domain.training.model import RATINGS, KeyPoint, Match, Scenario, SectionGuide
from hia_service.domain.training.substance import GroupFeedback, Marking, Point, also_named, group_feedback


@dataclass(frozen=True)
class SectionFeedback:
    section_id: str
    groups: tuple[GroupFeedback, ...]
    other: tuple[Point, ...]  # the scenario's key points for this section
    model_answers: Mapping[str, Any]

    @property
    def points(self) -> tuple[Point, ...]:
        return (*(p for g in self.groups for p in g.points), *self.other)

    @property
    def covered(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.made)

    @property
    def missed(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if not p.made)


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
    also_named: tuple[str, ...] = ()  # groups the trainee named that the model answer does not

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(p for s in self.sections for p in s.points)

    @property
    def covered_count(self) -> int:
        return sum(1 for p in self.points if p.made)

    @property
    def total_count(self) -> int:
        return len(self.points)


def feedback(
    scenario: Scenario, answers: Mapping[str, Any], rating_overall: str | None, marking: Marking
) -> Feedback:
    model = scenario.model_answers()
    sections = tuple(_section_feedback(guide, model, answers, marking) for guide in scenario.sections)
    extra = also_named(model, answers, marking.framework)
    return Feedback(scenario.id, sections, compare_rating(rating_overall, scenario), extra)


def _section_feedback(
    guide: SectionGuide, model: Mapping[str, Any], answers: Mapping[str, Any], marking: Marking
) -> SectionFeedback:
    framework = marking.framework
    groups: tuple[GroupFeedback, ...] = ()
    if framework.section_present(guide.section_id):
        groups = group_feedback(framework.section(guide.section_id), model, answers, marking)
    other = tuple(Point(p.id, p.text, is_covered(p, answers)) for p in guide.key_points)
    return SectionFeedback(guide.section_id, groups, other, guide.model_answers)


def is_covered(point: KeyPoint, answers: Mapping[str, Any]) -> bool:
    return all(matches(m, answers.get(m.question)) for m in point.match)


def matches(match: Match, answer: Any) -> bool:
    """A chosen answer is one of the wanted values; a multiple choice includes one of them."""
    if answer is None or answer == "" or answer == []:
        return False
    wanted = match.one_of or (match.equals,)
    values = answer if isinstance(answer, list | tuple) else [answer]
    return any(v in wanted for v in values)


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
