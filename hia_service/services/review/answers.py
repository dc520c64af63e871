"""A version's answers as a reviewer reads them: question labels from the framework version the answers were
given under, values in words, and the differences between two versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hia_service.domain.framework import IMPACT_LABELS, Framework, Question, is_answered, visible_answers
from hia_service.domain.framework.conditions import is_visible, section_visible
from hia_service.domain.framework.model import Field
from hia_service.domain.framework.screening import RESULT_LABELS
from hia_service.domain.geography.described import describe_area

NOT_ANSWERED = "Not answered"
LONG_ANSWER_WORDS = 40  # answers longer than this are folded away on "check your answers"
PREVIEW_WORDS = 20


@dataclass(frozen=True)
class AnswerRow:
    """One question and its answer in words; rows for the action plan and other tables."""

    question_id: str
    label: str
    text: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def words(self) -> int:
        return len(self.plain.split())

    @property
    def is_long(self) -> bool:
        """Long enough to fold away on "check your answers", behind its first few words."""
        return self.words > LONG_ANSWER_WORDS

    @property
    def preview(self) -> str:
        """The first few words, to recognise the answer by (a table says how many rows it has)."""
        if self.columns:
            return self.text
        first = self.text.split()[:PREVIEW_WORDS]
        return " ".join(first) + ("…" if self.words > PREVIEW_WORDS else "")

    @property
    def plain(self) -> str:
        """The answer as one line of text (for the register and for comparing)."""
        if not self.columns:
            return self.text
        return "; ".join(
            ", ".join(f"{c}: {v}" for c, v in zip(self.columns, row, strict=True)) for row in self.rows
        )


@dataclass(frozen=True)
class SectionAnswers:
    id: str
    title: str
    answers: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class Difference:
    question_id: str
    label: str
    section_title: str
    before: AnswerRow | None
    after: AnswerRow | None
    section_id: str = ""

    @property
    def kind(self) -> str:
        if self.before is None:
            return "Added"
        if self.after is None:
            return "Removed"
        return "Changed"

    @property
    def columns(self) -> tuple[str, ...]:
        """The table's column names; empty for a question with one answer."""
        side = self.after or self.before
        return side.columns if side else ()

    @property
    def removed_rows(self) -> tuple[tuple[str, ...], ...]:
        """For a table (the action plan): rows in the earlier version that the later one no longer has."""
        return _only_in(self.before, self.after)

    @property
    def added_rows(self) -> tuple[tuple[str, ...], ...]:
        """For a table: rows the later version has that the earlier one did not."""
        return _only_in(self.after, self.before)

    @property
    def unchanged_rows(self) -> int:
        return len(self.before.rows) - len(self.removed_rows) if self.before else 0


def _only_in(side: AnswerRow | None, other: AnswerRow | None) -> tuple[tuple[str, ...], ...]:
    """Rows of `side` not matched by a row of `other`, each match used once (two identical rows are two)."""
    if side is None:
        return ()
    unmatched = list(other.rows) if other else []
    found = []
    for row in side.rows:
        if row in unmatched:
            unmatched.remove(row)
        else:
            found.append(row)
    return tuple(found)


def answer_sections(framework: Framework, answers: Mapping[str, Any]) -> list[SectionAnswers]:
    """Every section with its answered (and unanswered required) questions, in framework order."""
    shown = visible_answers(framework, answers)
    sections = []
    for section in framework.sections:
        if not section_visible(section, shown):
            continue  # left out by screening, or a pack for another kind of proposal
        rows = tuple(
            format_answer(question, shown.get(question.id))
            for question in section.questions
            if (question.answerable or question.type == "screening")
            and (is_answered(shown.get(question.id)) or (question.required and is_visible(question, shown)))
        )
        sections.append(SectionAnswers(section.id, section.title, rows))
    return sections


def format_answer(question: Question, value: Any) -> AnswerRow:
    if not is_answered(value):
        return AnswerRow(question.id, question.label, NOT_ANSWERED)
    if question.type in ("actions", "table"):
        columns = tuple(f.label for f in question.fields)
        rows = tuple(
            tuple(_cell(f, row.get(f.id)) for f in question.fields) for row in value if isinstance(row, dict)
        )
        return AnswerRow(
            question.id, question.label, f"{len(rows)} {question.row_label or 'row'}s", columns, rows
        )
    return AnswerRow(question.id, question.label, _value_text(question, value))


def _value_text(question: Question, value: Any) -> str:
    if question.type == "impact":
        return IMPACT_LABELS.get(value, str(value))
    if question.type in ("choice", "rating"):
        return question.option_label(value)
    if question.type == "screening":
        return RESULT_LABELS.get(str(value), str(value))
    if question.type == "multi_choice":
        return "; ".join(question.option_label(v) for v in value)
    if question.type == "date":
        return long_date(value)
    if question.type == "geography":
        return describe_area(value)
    return str(value)


def _cell(column: Field, value: Any) -> str:
    if not is_answered(value):
        return ""
    if column.type == "choice":
        return column.option_label(str(value))
    return long_date(value) if column.type == "date" else str(value)


def long_date(value: Any) -> str:
    """'2026-03-01' -> '1 March 2026' (the NHS style); anything unreadable is shown as it is."""
    try:
        moment = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{moment.day} {moment:%B %Y}"


def compare(
    before: tuple[Framework, Mapping[str, Any]], after: tuple[Framework, Mapping[str, Any]]
) -> list[Difference]:
    """The questions whose answers differ between two versions, labelled from each version's own framework."""
    (old_fw, old_raw), (new_fw, new_raw) = before, after
    old, new = visible_answers(old_fw, old_raw), visible_answers(new_fw, new_raw)
    differences = []
    for question_id in _question_order(old_fw, new_fw):
        old_value, new_value = old.get(question_id), new.get(question_id)
        if _same(old_value, new_value):
            continue
        framework = new_fw if new_fw.has_question(question_id) else old_fw
        question = framework.question(question_id)
        section = framework.section_of(question_id)
        differences.append(
            Difference(
                question_id,
                question.label,
                section.title,
                _side(old_fw, question_id, old_value),
                _side(new_fw, question_id, new_value),
                section.id,
            )
        )
    return differences


def _question_order(old_fw: Framework, new_fw: Framework) -> list[str]:
    order = [q.id for q in new_fw.questions() if q.answerable]
    seen = set(order)
    return order + [q.id for q in old_fw.questions() if q.answerable and q.id not in seen]


def _same(old: Any, new: Any) -> bool:
    return old == new or (not is_answered(old) and not is_answered(new))


def _side(framework: Framework, question_id: str, value: Any) -> AnswerRow | None:
    if not is_answered(value) or not framework.has_question(question_id):
        return None
    return format_answer(framework.question(question_id), value)
