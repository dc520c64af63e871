"""Which questions a person sees, given their answers so far."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hia_service.domain.framework.model import Condition, Framework, Question, Section

Answers = Mapping[str, Any]


def is_answered(value: Any) -> bool:
    """True for anything a person actually entered; blank text and empty lists do not count."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict | set):
        return bool(value)
    return True


def condition_holds(condition: Condition, answers: Answers) -> bool:
    value = answers.get(condition.question)
    if not condition.values:
        return is_answered(value)
    if isinstance(value, list | tuple):
        return any(v in condition.values for v in value)
    return value in condition.values


def is_visible(question: Question, answers: Answers) -> bool:
    return all(condition_holds(c, answers) for c in question.condition)


def visible_questions(section: Section, answers: Answers) -> tuple[Question, ...]:
    """The questions of `section` a person should see, in order."""
    return tuple(q for q in section.questions if is_visible(q, answers))


def visible_answers(framework: Framework, answers: Answers) -> dict[str, Any]:
    """Answers with those to hidden questions removed.

    A person may answer "yes", fill in a follow-up, then change to "no": the follow-up must no longer count.
    Conditions only point backwards (the loader checks), so one pass in framework order settles everything.
    """
    kept: dict[str, Any] = {}
    for question in framework.questions():
        if question.id in answers and is_visible(question, kept):
            kept[question.id] = answers[question.id]
    return kept
