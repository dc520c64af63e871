"""The assessment framework as frozen values: sections, questions, options, conditions.

Loaded once from rules/framework/<version>.yaml. Question ids are unique across the whole framework so
answers can be stored as one flat dict {question_id: value}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

QUESTION_TYPES = (
    "text",  # one line
    "long_text",  # a paragraph or more
    "choice",  # pick one option
    "multi_choice",  # pick any number of options
    "impact",  # positive / neutral / negative / unknown
    "date",  # ISO "YYYY-MM-DD"
    "person",  # a named person (lead, owner)
    "geography",  # the area or patient list from the geography step
    "actions",  # the action plan: rows of {action, owner, due, measure}
    "table",  # other repeating rows, e.g. data gaps, monitoring indicators
    "profile",  # shows the deprivation profile; nothing to answer
    "rating",  # will support / may support / uncertain (NHS England EHIA ratings)
    "screening",  # the screening outcome (full, short, not required), worked out by the service
)
COMPUTED_TYPES = ("profile", "screening")  # shown, never typed in
ROW_TYPES = ("actions", "table")
FIELD_TYPES = ("text", "long_text", "date", "person", "choice")
IMPACT_VALUES = ("positive", "neutral", "negative", "unknown")
IMPACT_LABELS = {
    "positive": "Positive",
    "neutral": "Neutral",
    "negative": "Negative",
    "unknown": "Not known yet",
}
# NHS England's equality and health inequalities impact assessment (EHIA) scale for the duty aims.
RATING_VALUES = ("will_support", "may_support", "uncertain")
RATING_LABELS = {
    "will_support": "Will support",
    "may_support": "May support",
    "uncertain": "Uncertain",
}
SECTION_STATUSES = ("not started", "in progress", "completed", "not needed")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class GuidanceLink:
    title: str
    url: str


@dataclass(frozen=True)
class Field:
    """One column of a repeating question (a row of the action plan, a data gap)."""

    id: str
    label: str
    type: str = "text"
    required: bool = False
    hint: str = ""
    options: tuple[Option, ...] = ()  # for type "choice": pick one

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Condition:
    """Show a question (or a whole section) only when another answer says so.

    `values` set: the other answer is (or, for multi-choice, includes) one of them; with `negate`, it is
    not (an unanswered question counts as "not one of them").
    `values` empty: the other question has any answer.
    """

    question: str
    values: tuple[str, ...] = ()
    negate: bool = False


@dataclass(frozen=True)
class Group:
    """A group of people (or a clinical area) asked about with the same impact questions."""

    id: str
    label: str
    prompt: str = ""
    phrase: str = ""  # how the label reads mid-sentence, e.g. "people experiencing homelessness"
    category: str = ""  # optional sub-heading, e.g. "Children and young people"

    @property
    def in_sentence(self) -> str:
        return self.phrase or self.label[:1].lower() + self.label[1:]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    name: str  # noun phrase for messages, e.g. "a decision date"
    hint: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    condition: tuple[Condition, ...] = ()  # all must hold
    guidance_links: tuple[GuidanceLink, ...] = ()
    max_length: int | None = None
    fields: tuple[Field, ...] = ()
    row_label: str = ""  # "action", "gap": used in messages about one row
    group: Group | None = None
    errors: tuple[tuple[str, str], ...] = ()  # overrides: (("required", "Enter a decision date"), ...)

    def error_text(self, kind: str) -> str | None:
        return dict(self.errors).get(kind)

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)

    @property
    def answerable(self) -> bool:
        return self.type not in COMPUTED_TYPES


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str = ""
    guidance: str = ""
    heat_step: str = ""  # the Health Equity Assessment Tool step: prepare, assess, refine_apply, review
    guidance_links: tuple[GuidanceLink, ...] = ()
    questions: tuple[Question, ...] = ()
    groups: tuple[Group, ...] = ()
    condition: tuple[Condition, ...] = ()  # all must hold for the section to be asked at all


@dataclass(frozen=True)
class Screening:
    """How the screening section decides the depth of the assessment (framework 1.1 on).

    The result is stored as the answer to `question`: "full", "short", "not_required", or "pending"
    (the area is not chosen yet, so a short assessment cannot be allowed yet).
    """

    question: str
    kind_question: str  # the kind of proposal
    full_kinds: tuple[str, ...]  # kinds that always need a full assessment
    core20_above_baseline: bool  # full when the Core20 share is above the baseline
    not_required: Condition  # the answer that says no assessment is needed (only when not full)
    short_skips: tuple[str, ...]  # section ids a short assessment leaves out
    # Framework 1.2 on: answers that need a full assessment whatever the area (a change to patients' access,
    # a decision for a whole organisation, staff affected), each with the reason recorded when it applies.
    full_answers: tuple[ScreeningTrigger, ...] = ()
    # Kinds of area (the geography step's type, e.g. "icb") that reach everyone an organisation serves.
    full_area_types: tuple[str, ...] = ()
    full_area_reason: str = ""


@dataclass(frozen=True)
class ScreeningTrigger:
    """An answer that needs a full assessment, and the reason screening records for it."""

    condition: Condition
    reason: str


@dataclass(frozen=True)
class Duty:
    """A legal duty the assessment helps an organisation show it has met."""

    id: str
    title: str
    text: str
    guidance_links: tuple[GuidanceLink, ...] = ()


@dataclass(frozen=True)
class Framework:
    version: str
    title: str
    sections: tuple[Section, ...]
    intro: str = ""
    duties: tuple[Duty, ...] = ()
    screening: Screening | None = None
    _by_id: dict[str, Question] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index = {q.id: q for s in self.sections for q in s.questions}
        object.__setattr__(self, "_by_id", index)

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._by_id

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def section_present(self, section_id: str) -> bool:
        return any(s.id == section_id for s in self.sections)

    def section_of(self, question_id: str) -> Section:
        return next(s for s in self.sections if any(q.id == question_id for q in s.questions))

    def groups(self) -> Iterator[tuple[Section, Group]]:
        for section in self.sections:
            for group in section.groups:
                yield section, group
