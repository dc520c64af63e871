"""Training scenarios: practice proposals with a model answer, and the choices a good assessment makes."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RATINGS = ("low", "medium", "high")


@dataclass(frozen=True)
class Match:
    """One test on one chosen answer: it `equals` a value, or is `one_of` several. Never words in free text:
    what a trainee writes is judged by the quality checks (domain.training.substance)."""

    question: str
    equals: Any = None
    one_of: tuple[Any, ...] = ()


@dataclass(frozen=True)
class KeyPoint:
    """A choice a good assessment of this scenario makes (its recommendation, who it involved). Covered when
    every match holds. Groups need no key points: they are compared with the model answer directly."""

    id: str
    text: str
    match: tuple[Match, ...]


@dataclass(frozen=True)
class SectionGuide:
    section_id: str
    key_points: tuple[KeyPoint, ...]
    model_answers: Mapping[str, Any]


@dataclass(frozen=True)
class Figure:
    """A number from the area's deprivation profile that makes the scenario interesting."""

    field: str  # dotted path into the profile, e.g. "domains.health.share_deciles_1_2"
    value: float
    places: int  # the value is stated rounded to this many decimal places
    text: str


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    framework_version: str
    brief: str
    prefill: Mapping[str, Any]
    area: Mapping[str, Any]
    background: tuple[str, ...]
    figure: Figure
    sections: tuple[SectionGuide, ...]
    model_rating: str
    model_rating_reason: str
    source: str = ""  # the file it came from, for messages
    # The scoring its model rating holds under; blank means the scoring numbered like the framework (1.0).
    scoring_version: str = ""

    @property
    def scoring(self) -> str:
        return self.scoring_version or self.framework_version

    def area_definition(self) -> dict[str, Any]:
        """A fresh copy of the area, safe to hand to the geography engine or store on an assessment."""
        return copy.deepcopy(dict(self.area))

    def model_answers(self) -> dict[str, Any]:
        """Every section's model answers in one answers dict, prefill first."""
        answers = dict(self.prefill)
        for guide in self.sections:
            answers.update(guide.model_answers)
        return copy.deepcopy(answers)

    def section(self, section_id: str) -> SectionGuide:
        return next(g for g in self.sections if g.section_id == section_id)
