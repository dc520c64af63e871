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
        found = any(v in condition.values for v in value)
    else:
        found = value in condition.values
    return found != condition.negate


def section_visible(section: Section, answers: Answers) -> bool:
    """Whether the section is asked at all (a short assessment or a decision-type pack may leave it out)."""
    return all(condition_holds(c, answers) for c in section.condition)


def is_visible(question: Question, answers: Answers) -> bool:
    return all(condition_holds(c, answers) for c in question.condition)


def visible_questions(section: Section, answers: Answers) -> tuple[Question, ...]:
    """The questions of `section` a person should see, in order."""
    if not section_visible(section, answers):
        return ()
    return tuple(q for q in section.questions if is_visible(q, answers))


def visible_answers(framework: Framework, answers: Answers) -> dict[str, Any]:
    """Answers with those to hidden questions removed.

    A person may answer "yes", fill in a follow-up, then change to "no": the follow-up must no longer count.
    Conditions only point backwards (the loader checks), so one pass in framework order settles everything.
    A section left out (by screening or because it is for another kind of proposal) drops all its answers.
    """
    kept: dict[str, Any] = {}
    for section in framework.sections:
        if not section_visible(section, kept):
            continue
        for question in section.questions:
            if question.id in answers and is_visible(question, kept):
                kept[question.id] = answers[question.id]
    return kept
