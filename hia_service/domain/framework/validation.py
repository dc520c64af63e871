"""Turning what a person typed into a stored answer, with NHS-style error messages.

`validate_answer` is what the generic wizard step calls for every question on a page, so one set of
rules covers every section. Messages follow the NHS service manual: say what to do ("Enter a decision
date"), not what went wrong in technical terms.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from hia_service.domain.framework.conditions import (
    Answers,
    is_answered,
    section_visible,
    visible_questions,
)
from hia_service.domain.framework.model import IMPACT_VALUES, Field, Question, Section

Result = tuple[Any, str | None]
_ARTICLES = ("a ", "an ", "the ")
_SELECT_TYPES = ("choice", "multi_choice", "impact", "rating")


def subject(name: str) -> str:
    """'a decision date' -> 'Decision date': how the thing reads at the start of a message."""
    for article in _ARTICLES:
        if name.lower().startswith(article):
            name = name[len(article) :]
            break
    return name[:1].upper() + name[1:]


def required_message(question: Question) -> str:
    override = question.error_text("required")
    if override:
        return override
    if question.type in _SELECT_TYPES:
        return f"Select {question.name}"
    if question.type in ("actions", "table"):
        return f"Add at least one {question.row_label or 'row'}"
    if question.type == "geography":
        return f"Complete {question.name}"
    return f"Enter {question.name}"


def validate_answer(question: Question, raw: Any) -> Result:
    """Clean `raw` for `question`. Returns (value, None) or (None or partial value, error message)."""
    if not question.answerable:
        return None, None
    value, error = _VALIDATORS[question.type](question, raw)
    if error:
        return value, question.error_text("invalid") or error
    if question.required and not is_answered(value):
        return None, required_message(question)
    return value, None


def draft_answer(question: Question, raw: Any) -> Result:
    """What "Save and come back later" keeps of `raw`: the answer as far as it goes, with no error for what is
    still to do. A blank required answer, a row with a cell still to fill and text over its limit are kept
    (the section stays "in progress", and "Save and continue" or submitting asks for them); only what
    cannot be stored as its type (a date that does not exist, an option not offered) is left out, with why.
    """
    if not question.answerable:
        return None, None
    if question.type in ("actions", "table"):
        return _draft_rows(question, raw)
    value, error = _VALIDATORS[question.type](question, raw)
    if error and question.type in ("text", "long_text", "person") and value:
        return value, None
    if error:
        return None, question.error_text("invalid") or error
    return value, None


def _draft_rows(question: Question, raw: Any) -> Result:
    rows, error = _rows(question, raw)
    if not error:
        return rows, None
    if not _is_rows(raw):
        return [], error
    optional = _nothing_required(question)
    kept = [_row(optional, row, index)[0] for index, row in _filled_rows(question, raw)]
    return kept, next(iter(cell_errors(question, raw, draft=True).values()), None)


def cell_errors(question: Question, raw: Any, *, draft: bool = False) -> dict[tuple[int, str], str]:
    """Every problem in a table's cells at once, by (row as sent, counting from 0; column id), row by row
    and column by column, so a page can show each beside its own box. `draft`: only what "Save and come
    back later" cannot keep (see `draft_answer`: text over its limit is kept, to be shortened later).
    Empty when the answer is not rows at all: that is one problem with the whole table (`validate_answer`).
    """
    if question.type not in ("actions", "table") or not _is_rows(raw):
        return {}
    if draft:
        question = _nothing_required(question)
    found: dict[tuple[int, str], str] = {}
    for index, row in _filled_rows(question, raw):
        clean, errors = _row(question, row, index)
        found.update({(index, c): m for c, m in errors.items() if not draft or clean[c] is None})
    return found


def _nothing_required(question: Question) -> Question:
    return replace(question, fields=tuple(replace(c, required=False) for c in question.fields))


def section_status(section: Section, answers: Answers) -> str:
    """'not started', 'in progress' or 'completed', from the questions a person can see; 'not needed' when
    the section is left out (a short assessment, or a pack for another kind of proposal).

    A section that asks for nothing is completed once saved, even left blank: "Distance to the service"
    tells people to leave its postcodes blank unless the service is closing or moving. Saving a page
    stores a blank answer as None, so a question's id among the answers is the record that it was saved.
    """
    if not section_visible(section, answers):
        return "not needed"
    shown = [q for q in visible_questions(section, answers) if q.answerable]
    answered = [q for q in shown if is_answered(answers.get(q.id))]
    saved_blank = not _asks_for_answers(shown) and any(q.id in answers for q in shown)
    if not answered and not saved_blank:
        return "not started"
    for question in shown:
        value = answers.get(question.id)
        if (question.required and not is_answered(value)) or validate_answer(question, value)[1]:
            return "in progress"
    return "completed"


def holds_up_submission(section: Section, answers: Answers) -> bool:
    """Whether the section must be finished before the assessment can be submitted (or approved).

    A required answer still to give, or an answer that is not valid, holds it up. A section that asks for
    nothing never does, saved or not: leaving every question blank is a finished answer to it.
    """
    status = section_status(section, answers)
    if status in ("completed", "not needed"):
        return False
    if status == "in progress":
        return True
    shown = [q for q in visible_questions(section, answers) if q.answerable]
    return _asks_for_answers(shown)


def _asks_for_answers(questions: Collection[Question]) -> bool:
    return any(q.required for q in questions)


def _text(question: Question, raw: Any) -> Result:
    if raw is None:
        return None, None
    if not _is_text(raw):
        return None, f"{subject(question.name)} must be text"
    text = str(raw).strip()
    if question.max_length and len(text) > question.max_length:
        return text, f"{subject(question.name)} must be {question.max_length} characters or fewer"
    return (text or None), None


def _is_text(raw: Any) -> bool:
    """Text, or a number sent for it (the API); not true/false, a list or an object, whose Python spelling
    would otherwise be stored as if someone had typed it."""
    return isinstance(raw, str) or (isinstance(raw, int | float) and not isinstance(raw, bool))


def _choice(question: Question, raw: Any) -> Result:
    allowed = _allowed(question)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if raw not in allowed:
        return None, required_message(question)
    return raw, None


def _multi_choice(question: Question, raw: Any) -> Result:
    if raw is None or raw == "":
        return [], None
    if isinstance(raw, str):
        chosen = [raw]
    elif isinstance(raw, list | tuple) and all(isinstance(v, str) for v in raw):
        chosen = list(raw)
    else:  # a number, true/false or an object (from the API) is none of the options
        return [], required_message(question)
    allowed = _allowed(question)
    if any(v not in allowed for v in chosen):
        return [], required_message(question)
    if NONE_OF_THESE in chosen and len(set(chosen)) > 1:  # "none of these" and some of these at once
        label = next(o.label for o in question.options if o.value == NONE_OF_THESE)
        return [], f'Select "{label}" on its own, or select only the ones that apply'
    return [v for v in allowed if v in chosen], None  # framework order, no duplicates


NONE_OF_THESE = "none"  # an option that rules out every other one


def _allowed(question: Question) -> tuple[str, ...]:
    return IMPACT_VALUES if question.type == "impact" else tuple(o.value for o in question.options)


def _date(question: Question, raw: Any) -> Result:
    return parse_date(raw, subject(question.name))


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTS = ("day", "month", "year")


def parse_date(raw: Any, what: str) -> Result:
    """Accept an ISO string (API) or {"day","month","year"} (the three-box date input)."""
    if (
        raw is None
        or raw == ""
        or (isinstance(raw, dict) and not any(str(raw.get(p) or "").strip() for p in _PARTS))
    ):
        return None, None
    if isinstance(raw, date):
        return raw.isoformat(), None
    if isinstance(raw, str):
        if not _ISO.match(raw.strip()):
            return None, f"{what} must be a real date"
        year, month, day = raw.strip().split("-")
        raw = {"day": day, "month": month, "year": year}
    if not isinstance(raw, dict):
        return None, f"{what} must be a real date"
    parts = {p: str(raw.get(p) or "").strip() for p in _PARTS}
    missing = [p for p in _PARTS if not parts[p]]
    if missing:
        return None, f"{what} must include a {missing[0]}"
    if not all(v.isdigit() for v in parts.values()):
        return None, f"{what} must be a real date"
    if len(parts["year"]) != 4:
        return None, f"{what} must include a year with 4 numbers"
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])).isoformat(), None
    except (ValueError, OverflowError):  # a day of 9999999999 is too big for date() to take at all
        return None, f"{what} must be a real date"


def wrong_date_part(raw: Any) -> str:
    """Which box of a three-box date an error points at: the first missing or unreadable one, the year when
    it has not 4 numbers, the month when it is not 1 to 12, otherwise the day."""
    if not isinstance(raw, dict):
        return "day"
    parts = {p: str(raw.get(p) or "").strip() for p in _PARTS}
    unreadable = next((p for p in _PARTS if not parts[p].isdigit()), None)
    if unreadable is not None:
        return unreadable
    if len(parts["year"]) != 4:
        return "year"
    return "month" if not 1 <= int(parts["month"]) <= 12 else "day"


def _geography(question: Question, raw: Any) -> Result:
    if raw is None or raw == {}:
        return None, None
    if not isinstance(raw, dict):
        return None, required_message(question)
    return raw, None


def _rows(question: Question, raw: Any) -> Result:
    if raw is None or raw == "":
        return [], None
    if not _is_rows(raw):
        return [], f"{subject(question.name)} must be a list of rows"
    cleaned = []
    for index, row in _filled_rows(question, raw):
        clean, errors = _row(question, row, index)
        if errors:  # the first problem; `cell_errors` gives them all
            return [r for _, r in _filled_rows(question, raw)], next(iter(errors.values()))
        cleaned.append(clean)
    return cleaned, None


def _is_rows(raw: Any) -> bool:
    return isinstance(raw, list | tuple) and all(isinstance(r, dict) for r in raw)


def _filled_rows(question: Question, raw: Any) -> list[tuple[int, dict[str, Any]]]:
    """The rows with anything in them, each with its place among the rows sent (the page's spare empty
    rows are skipped, but a row keeps the number it has on the page: "action 3" is the third box)."""
    return [(i, r) for i, r in enumerate(raw) if any(_cell_filled(r.get(f.id)) for f in question.fields)]


def _cell_filled(raw: Any) -> bool:
    # A blank three-box date arrives as {"day": "", "month": "", "year": ""}: that row was left empty.
    if isinstance(raw, dict):
        return any(str(raw.get(p) or "").strip() for p in _PARTS)
    return bool(str(raw or "").strip())


def _row(question: Question, row: dict[str, Any], index: int) -> tuple[dict[str, Any], dict[str, str]]:
    """(the row cleaned, each of its cells' problems by column id); a cell with a problem is None or, for
    text over its limit, the text as typed."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    where = f"{question.row_label or 'row'} {index + 1}"
    for column in question.fields:
        clean[column.id], error = _cell(column, row.get(column.id), where)
        if error:
            errors[column.id] = error
    return clean, errors


def _cell(column: Field, raw: Any, where: str) -> Result:
    if column.type == "date":
        value, error = parse_date(raw, f"{column.label} for {where}")
    elif column.type == "choice":
        value = str(raw).strip() if raw is not None else ""
        value, error = (value or None), None
        if value and value not in {o.value for o in column.options}:
            value, error = None, _missing_cell(column, where, "Select")
    else:
        if raw is not None and not _is_text(raw):
            return None, f"{column.label} for {where} must be text"
        value, error = (str(raw).strip() or None) if raw is not None else None, None
        limit = CELL_MAX_LENGTH[column.type]
        if value and len(value) > limit:
            return value, f"{column.label} for {where} must be {limit} characters or fewer"
    if error:
        return None, error
    if column.required and not value:
        return None, _missing_cell(column, where, "Select" if column.type == "choice" else "Enter")
    return value, None


# A column labelled as a question ("What changes", "How", "Better or worse") is not a noun: "Select the what
# changes for combination 1" is no sentence. Such a column is asked for by its label in quotes.
_QUESTION_LABEL = re.compile(r"^(?:what|how|which|who|whom|when|where|why|whether)\b|\bor\b", re.IGNORECASE)


def _missing_cell(column: Field, where: str, verb: str) -> str:
    if _QUESTION_LABEL.search(column.label):
        return f"Answer \u2018{column.label}\u2019 for {where}"
    return f"{verb} the {column.label[:1].lower() + column.label[1:]} for {where}"


# Row cells have no limit in the framework; these keep one row from swallowing a page (or the PDF).
CELL_MAX_LENGTH = {"text": 500, "person": 200, "long_text": 4000}

# (earlier, later): dates on different pages that must come in this order. The quality checks warn about
# the same thing on saved answers; this stops a wrong pair being saved in the first place.
DATE_ORDER = (("proposal.decision_date", "monitoring.review_date"),)


def date_order_errors(
    questions: Mapping[str, Question], answers: Answers, saving: Collection[str]
) -> dict[str, str]:
    """Errors for the dates being saved that would come in the wrong order with the answers around them.

    `questions` maps question ids to questions (a framework version may not have both of a pair);
    `answers` are the stored answers with this page's new values over them; `saving` are this page's ids.
    """
    errors: dict[str, str] = {}
    for earlier_id, later_id in DATE_ORDER:
        earlier, later = questions.get(earlier_id), questions.get(later_id)
        first, second = answers.get(earlier_id), answers.get(later_id)
        if not (earlier and later and isinstance(first, str) and isinstance(second, str)) or second > first:
            continue
        if later_id in saving:
            errors[later_id] = (
                f"{subject(later.name)} must be after the {_noun(earlier)} ({_long_date(first)})"
            )
        elif earlier_id in saving:
            errors[earlier_id] = (
                f"{subject(earlier.name)} must be before the {_noun(later)} ({_long_date(second)})"
            )
    return errors


def _noun(question: Question) -> str:
    return subject(question.name).lower()


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


_VALIDATORS = {
    "text": _text,
    "long_text": _text,
    "person": _text,
    "choice": _choice,
    "impact": _choice,
    "rating": _choice,
    "multi_choice": _multi_choice,
    "date": _date,
    "geography": _geography,
    "actions": _rows,
    "table": _rows,
}
