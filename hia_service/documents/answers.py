"""Answers as text, in the words people chose from: options by label, dates in full, rows as tables.

Questions arrive as dictionaries (the framework's dataclasses, serialised): id, type, label, options,
fields, group. Types follow hia_service.domain.framework.model.QUESTION_TYPES; anything unexpected is
still shown as readable text rather than dropped.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hia_service.domain.geography.described import describe_area

from .wording import long_date, whole_number

ROW_TYPES = ("actions", "table")
IMPACT_LABELS = {
    "positive": "Positive",
    "neutral": "Neutral",
    "negative": "Negative",
    "unknown": "Not known yet",
    "mixed": "Both positive and negative",
    "none": "No impact",
}
SCREENING_LABELS = {
    "full": "Full assessment",
    "short": "Short assessment",
    "not_required": "Assessment not required",
    "pending": "Not decided yet",
}
NOT_ANSWERED = "Not answered"
_LIST_LIMIT = 12  # long lists (area codes) are shortened: the record is for reading, not for data


def questions(snapshot: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(section, question) pairs in framework order."""
    for section in snapshot["framework"]["sections"]:
        for question in section.get("questions") or ():
            yield section, question


def is_shown(question: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Whether the wizard asked this question (or section): every condition holds (framework Condition:
    'question' and 'values'; no values means 'answered at all'; 'negate' means "not one of these").
    Unasked questions are left out of the record."""
    for condition in question.get("condition") or ():
        given = answers.get(condition["question"])
        wanted = condition.get("values") or condition.get("in") or ()
        chosen = given if isinstance(given, list) else [given]
        if not wanted:
            if given in (None, "", []):
                return False
            continue
        if bool(set(map(str, chosen)) & set(wanted)) == bool(condition.get("negate")):
            return False
    return True


def find_question(snapshot: Mapping[str, Any], question_id: str) -> Mapping[str, Any]:
    return next((q for _, q in questions(snapshot) if q["id"] == question_id), {"id": question_id})


def option_label(question: Mapping[str, Any], value: Any) -> str:
    """The label people chose from, not the stored value ('unknown' -> 'Not known yet')."""
    for option in question.get("options") or ():
        if option.get("value") == value:
            return str(option.get("label", value))
    if question.get("type") == "impact":
        return IMPACT_LABELS.get(value, str(value))
    if question.get("type") == "screening":
        return SCREENING_LABELS.get(value, str(value))
    return str(value)


def answer_text(question: Mapping[str, Any], value: Any) -> str:
    """One answer as text. Rows (action plan, tables) are drawn as tables: see row_table."""
    if value is None or value == "" or value == [] or value == {}:
        return NOT_ANSWERED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if question.get("type") == "date":
        return long_date(value)
    if isinstance(value, int | float):
        return whole_number(value) if float(value).is_integer() else f"{value:,}"
    if question.get("type") == "geography" and isinstance(value, Mapping):
        return describe_area(dict(value))
    if isinstance(value, Mapping):
        return _mapping_text(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "\n".join(option_label(question, item) for item in value)
    return option_label(question, value)


def is_rows(question: Mapping[str, Any], value: Any) -> bool:
    if question.get("type") in ROW_TYPES:
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def row_table(
    question: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[float, ...]]:
    """(header, rows, column widths) for a repeating question, columns in the framework's field order."""
    fields = list(question.get("fields") or ())
    if not fields:
        keys = dict.fromkeys(key for row in rows for key in row)
        fields = [{"id": key, "label": key.replace("_", " ").capitalize()} for key in keys]
    header = tuple(str(f.get("label") or f["id"]) for f in fields)
    body = tuple(tuple(_cell(f, row.get(f["id"])) for f in fields) for row in rows)
    weights = [2.0 if f.get("type") == "long_text" else 1.0 for f in fields]
    return header, body, tuple(w / sum(weights) for w in weights)


def who(question: Mapping[str, Any]) -> str:
    """Who an impact question is about: its group's label ('Age'), or the start of its label."""
    group = question.get("group") or {}
    if group.get("label"):
        return str(group["label"])
    if question.get("summary_label"):
        return str(question["summary_label"])
    return str(question.get("label", question["id"])).split(":")[0]


def _cell(field: Mapping[str, Any], value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field.get("type") == "date":
        return long_date(value)
    return answer_text(field, value)


def _mapping_text(value: Mapping[str, Any]) -> str:
    if value.get("type") and value.get("label"):  # an area, as the person described it
        return str(value["label"])
    if value.get("name") and set(value) <= {"name", "job_title", "role", "email"}:
        return ", ".join(str(value[k]) for k in ("name", "job_title", "role") if value.get(k))  # a person
    lines = []
    for key, item in value.items():
        label = str(key).replace("_", " ").capitalize()
        lines.append(f"{label}: {_short_list(item) if isinstance(item, list) else item}")
    return "\n".join(lines)


def _short_list(items: list[Any]) -> str:
    shown = ", ".join(str(i) for i in items[:_LIST_LIMIT])
    return shown + (f" and {len(items) - _LIST_LIMIT} more" if len(items) > _LIST_LIMIT else "")
