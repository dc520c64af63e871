"""The manager's guided assessment as pages: which questions each page shows, the task list, and turning
a submitted form back into raw answers for `assessments.save_page`.

Related questions share a page, so a full assessment is about 20 pages rather than 60: a section without
groups is one page; a section with groups (protected characteristics, inclusion groups, clinical areas,
Core20, staff) asks about all its groups on one page, or one page per category of groups (inclusion health
and PLUS groups; adults, and children and young people), at most GROUPS_PER_PAGE groups to a page. A
section's questions outside its groups (the workforce data) come first, on a page of their own. The
geography question gets a page of its own ("area") because choosing an area is a task in itself.

This is presentation only, worked out here from the framework's structure: question ids and how answers are
stored do not change, so it applies to every framework version, including assessments already under way.
The pages of earlier releases (one page per group, named by the group's id, such as "pc.race") may still be
stored as where someone left off, or bookmarked: `moved_group` finds the page that now holds the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hia_service.domain.framework import (
    Field,
    Framework,
    Group,
    Question,
    Section,
    holds_up_submission,
    section_status,
)
from hia_service.domain.framework.conditions import (
    condition_holds,
    is_answered,
    is_visible,
    section_visible,
)
from hia_service.domain.framework.model import Duty, GuidanceLink
from hia_service.domain.framework.validation import cell_errors, wrong_date_part
from hia_service.services import rules
from hia_service.services.errors import ServiceError

AREA_PAGE = "area"
MAX_ROWS = 200  # rows read from one table on a page; "Add another" stops there
LONG_TEXT_WORDS_FROM = 1000  # long answers get a character count


GROUPS_PER_PAGE = 12  # a longer list of groups (of one category) is split over pages of this many at most


@dataclass(frozen=True)
class Page:
    id: str
    section: Section
    title: str
    questions: tuple[Question, ...]
    group: Group | None = (
        None  # set on a page about one group only (an old page id posted to; see `one_group`)
    )
    groups: tuple[Group, ...] = ()  # the groups asked about on the page, in order

    @property
    def is_area(self) -> bool:
        return self.id == AREA_PAGE

    def starts_group(self, question: Question) -> bool:
        """Whether `question` is the first on the page about its group (where the group's heading goes)."""
        if question.group is None or len(self.groups) < 2:
            return False
        return next(q for q in self.questions if q.group == question.group).id == question.id


def pages(framework: Framework) -> list[Page]:
    # Built once per framework (they are loaded once and never change): "check your answers" asks which
    # page each of a hundred answers is on, and building the pages every time was most of its cost.
    known = _pages.get(id(framework))
    if known is None or known[0] is not framework:
        known = _pages[id(framework)] = (
            framework,
            [p for s in framework.sections for p in _section_pages(s)],
        )
    return list(known[1])


_pages: dict[int, tuple[Framework, list[Page]]] = {}


def _section_pages(section: Section) -> list[Page]:
    plain = tuple(q for q in section.questions if q.group is None)
    if not section.groups:
        area = tuple(q for q in plain if q.type == "geography")
        rest = tuple(q for q in plain if q.type != "geography")
        found = [Page(AREA_PAGE, section, "The area affected", area)] if area else []
        return [*found, Page(section.id, section, section.title, rest)]
    found = []
    if any(q.answerable for q in plain):  # questions of their own (the workforce data) get their own page
        found.append(Page(section.id, section, section.title, plain))
        plain = ()
    chunks = _group_chunks(section.groups)
    for number, chunk in enumerate(chunks):
        # Questions outside any group that are only shown (the Core20 profile) open the section's first page.
        questions = (plain if number == 0 else ()) + tuple(q for q in section.questions if q.group in chunk)
        page_id = f"{section.id}-{len(found) + 1}" if found else section.id
        found.append(Page(page_id, section, _chunk_title(section, chunk, found), questions, groups=chunk))
    return found


def _group_chunks(groups: tuple[Group, ...]) -> list[tuple[Group, ...]]:
    """The groups split by category (in the framework's order), long runs split evenly."""
    runs: list[list[Group]] = []
    for group in groups:
        if runs and runs[-1][0].category == group.category:
            runs[-1].append(group)
        else:
            runs.append([group])
    chunks: list[tuple[Group, ...]] = []
    for run in runs:
        parts = -(-len(run) // GROUPS_PER_PAGE)
        size = -(-len(run) // parts)
        chunks.extend(tuple(run[start : start + size]) for start in range(0, len(run), size))
    return chunks


def _chunk_title(section: Section, chunk: tuple[Group, ...], before: list[Page]) -> str:
    if chunk[0].category:
        return chunk[0].category
    return "The impact on each group" if before else section.title


def moved_group(framework: Framework, page_id: str) -> tuple[Page, Group] | None:
    """An old page id naming one group ("pc.race"): the page that now holds the group, and the group."""
    for found in pages(framework):
        for group in found.groups:
            if group.id == page_id:
                return found, group
    return None


def one_group(current: Page, group: Group) -> Page:
    """`current` narrowed to one group's questions: what a form from an old one-group page posted, so saving
    it never touches the other groups' answers (which that form did not have)."""
    questions = tuple(q for q in current.questions if q.group == group)
    return Page(current.id, current.section, group.label, questions, group, (group,))


@dataclass(frozen=True)
class PageHelp:
    """What the framework says to help answer a page: the section's guidance, its reading, the duties."""

    guidance: str
    links: tuple[GuidanceLink, ...]
    duties: tuple[Duty, ...]

    @property
    def empty(self) -> bool:
        return not (self.guidance or self.links or self.duties)

    @property
    def summary(self) -> str:
        """The guidance's first sentence, shown as it is; the rest waits behind "Help with this question"."""
        first, _, _ = self.guidance.partition(". ")
        return first if first.endswith(".") or first == self.guidance else first + "."

    @property
    def more(self) -> str:
        return self.guidance[len(self.summary) :].strip()


def page_help(framework: Framework, current: Page) -> PageHelp:
    """The guidance and links of the page's section and questions, and every duty the framework names.

    The framework does not say which kinds of organisation a duty applies to (each duty's text says so in
    words), so all of them are shown rather than guessing."""
    links: dict[str, GuidanceLink] = {}
    for link in (*current.section.guidance_links, *(k for q in current.questions for k in q.guidance_links)):
        links.setdefault(link.url, link)
    return PageHelp(current.section.guidance, tuple(links.values()), framework.duties)


def page(framework: Framework, page_id: str) -> Page:
    found = next((p for p in pages(framework) if p.id == page_id), None)
    if found is None:
        raise NotFoundPage(page_id)
    return found


class NotFoundPage(ServiceError):
    status = 404

    def __init__(self, page_id: str) -> None:
        super().__init__("We could not find that page of the assessment.")


@dataclass(frozen=True)
class Progress:
    """Where a page sits: 'Section 6 of 18', and 'page 2 of 9' within its section."""

    section: int
    sections: int
    page: int
    pages: int


def progress(framework: Framework, page_id: str, answers: Mapping[str, Any]) -> Progress:
    """Counted over the sections this assessment asks (screening and packs leave some out)."""
    shown = [p for p in pages(framework) if p.id == page_id or section_visible(p.section, answers)]
    current = next(p for p in shown if p.id == page_id)
    section_ids = list(dict.fromkeys(p.section.id for p in shown))
    in_section = [p.id for p in shown if p.section.id == current.section.id]
    section = section_ids.index(current.section.id) + 1
    return Progress(section, len(section_ids), in_section.index(page_id) + 1, len(in_section))


def neighbours(
    framework: Framework, page_id: str, answers: Mapping[str, Any] | None = None
) -> tuple[str | None, str | None]:
    """(previous page id, next page id); None at either end. Given the answers, pages of sections that are
    not asked (left out by screening, or a pack for another kind of proposal) are stepped over."""
    ids = [
        p.id
        for p in pages(framework)
        if p.id == page_id or answers is None or section_visible(p.section, answers)
    ]
    index = ids.index(page_id)
    return (ids[index - 1] if index else None), (ids[index + 1] if index + 1 < len(ids) else None)


def shown_questions(current: Page, answers: Mapping[str, Any]) -> tuple[Question, ...]:
    """Questions on the page; conditional ones stay (hidden by nothing) only when their condition holds."""
    return tuple(q for q in current.questions if is_visible(q, answers))


RADIO_TYPES = ("choice", "impact", "rating")
COPYABLE_TYPES = ("text", "long_text", "person")  # one-box answers that can be repeated under several options


@dataclass(frozen=True)
class FollowUp:
    """A question revealed inside the radio options of an earlier question on the same page (NHS.UK
    "conditional reveal"): the mitigation under "Negative" and "Not known yet"."""

    question: Question
    parent: str
    values: tuple[str, ...]

    def field_id(self, value: Any) -> str:
        # nhsuk-frontend reveals one block per radio, so each revealing option gets its own copy of the box;
        # the first keeps the plain id so links and labels stay as they were.
        if value not in self.values or value == self.values[0]:
            return self.question.id
        return f"{self.question.id}--{value}"


def follow_ups(current: Page) -> dict[str, FollowUp]:
    """Questions on the page to nest inside a radio option of another question on the page, by id."""
    radios = {q.id for q in current.questions if q.type in RADIO_TYPES}
    found: dict[str, FollowUp] = {}
    for question in current.questions:
        if len(question.condition) != 1:
            continue
        condition = question.condition[0]
        single = len(condition.values) == 1 or question.type in COPYABLE_TYPES
        if condition.question in radios and condition.values and single:
            found[question.id] = FollowUp(question, condition.question, condition.values)
    return found


def page_questions(current: Page, answers: Mapping[str, Any]) -> tuple[Question, ...]:
    """The questions to lay out on the page, follow-ups aside (they go inside their radio option).

    A condition on another page's answer is settled by the stored answers; one on this page is left to the
    person (and checked again on saving), since they may change that answer here.
    """
    nested = follow_ups(current)
    here = {q.id for q in current.questions}
    return tuple(
        q
        for q in current.questions
        if q.id not in nested
        and all(condition_holds(c, answers) for c in q.condition if c.question not in here)
    )


def submitted_choices(current: Page, form: Any) -> dict[str, Any]:
    """The page's own choice answers as submitted, so conditions on them use what the person just chose."""
    choices: dict[str, Any] = {}
    for question in current.questions:
        if question.type in RADIO_TYPES:
            choices[question.id] = form.get(question.id)
        elif question.type == "multi_choice":
            choices[question.id] = form.getlist(question.id)
    return choices


def error_anchors(current: Page, values: Mapping[str, Any]) -> dict[str, str]:
    """Where each error summary link should point: the date box that is wrong, the copy of a follow-up that
    sits under the option chosen, or a table's box (see `table_anchors`)."""
    anchors = {
        q.id: f"{q.id}-{wrong_date_part(values.get(q.id))}" for q in current.questions if q.type == "date"
    }
    for question in current.questions:
        if question.type in TABLE_TYPES:
            anchors.update(table_anchors(question, values.get(question.id)))
    for question_id, follow_up in follow_ups(current).items():
        anchors.setdefault(question_id, follow_up.field_id(values.get(follow_up.parent)))
    return anchors


def cell_key(question_id: str, index: int, column_id: str) -> str:
    """The error key of one box of a table ("actions.plan.2.owner": row 3's owner), beside the question's
    own key for a problem with the table as a whole. templates/wizard/fields.html spells it the same way."""
    return f"{question_id}.{index}.{column_id}"


def is_cell_of(key: str, question_id: str) -> bool:
    index, dot, column = key.removeprefix(f"{question_id}.").partition(".")
    return key.startswith(f"{question_id}.") and index.isascii() and index.isdigit() and bool(dot and column)


def cell_id(question: Question, index: int, column: Field, raw: Any) -> str:
    """The id (and name) of a table's box on the page; for a date, of its day, month or year that is wrong."""
    name = f"{question.id}-{index}-{column.id}"
    return f"{name}-{wrong_date_part(raw)}" if column.type == "date" else name


def table_anchors(question: Question, value: Any) -> dict[str, str]:
    """Each cell's error key -> its box; the table's own key -> the first box with a problem (first one
    that cannot be kept for later, then any), or the table's first box."""
    rows = value if isinstance(value, list) and all(isinstance(r, dict) for r in value) else []
    anchors = {
        cell_key(question.id, index, column.id): cell_id(question, index, column, row.get(column.id))
        for index, row in enumerate(rows)
        for column in question.fields
    }
    problems = cell_errors(question, rows, draft=True) or cell_errors(question, rows)
    first = next(iter(problems), None)
    if first is not None:
        anchors[question.id] = anchors[cell_key(question.id, *first)]
    elif question.fields:
        anchors[question.id] = cell_id(question, 0, question.fields[0], None)
    return anchors


@dataclass(frozen=True)
class Task:
    section: Section
    status: str
    page_id: str


def incomplete_tasks(framework: Framework, answers: Mapping[str, Any]) -> list[Task]:
    """Sections still to finish before submitting. A section that is not needed never holds it up, nor
    does one that asks for nothing (such as "Distance to the service" when nothing closes or moves)."""
    return [t for t in task_list(framework, answers) if holds_up_submission(t.section, answers)]


def task_list(framework: Framework, answers: Mapping[str, Any]) -> list[Task]:
    first: dict[str, str] = {}
    for p in pages(framework):
        first.setdefault(p.section.id, p.id)
    return [Task(s, section_status(s, answers), first[s.id]) for s in framework.sections]


def page_of_question(framework: Framework, question_id: str | None, section_id: str | None) -> str | None:
    for p in pages(framework):
        if question_id and any(q.id == question_id for q in p.questions):
            return p.id
    if section_id:
        return next((p.id for p in pages(framework) if p.section.id == section_id), None)
    return None


def page_errors(
    framework_version: str, stored: Mapping[str, Any], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(cleaned values, errors) for a submitted page, saving nothing: each answer on its own, then its dates
    against other pages' (a review date before the decision date is refused here, on the page; the API and
    the quality checks only warn, so saved assessments with past review dates still load).

    Errors are keyed by question id, in page order; a table's problems in its boxes are keyed by box
    instead (`cell_key`), every one of them, so each is shown beside its box and all are put right at once.
    """
    framework = rules.framework(framework_version)
    values: dict[str, Any] = {}
    own: dict[str, dict[str, str]] = {}
    for question_id, value in raw.items():
        question = framework.question(question_id)
        values[question_id], error = rules.validate(question, value)
        if error:
            own[question_id] = _answer_errors(question, value, error)
    ordered = rules.order_errors(framework_version, {**stored, **values}, list(raw))
    errors: dict[str, str] = {}
    for question_id in raw:
        if question_id in own:
            errors.update(own[question_id])
        elif question_id in ordered:
            errors[question_id] = ordered[question_id]
    return values, errors


def _answer_errors(question: Question, raw: Any, error: str) -> dict[str, str]:
    if question.type not in TABLE_TYPES or question.error_text("invalid"):
        return {question.id: error}
    cells = cell_errors(question, raw)
    if not cells:  # a problem with the table as a whole ("Add at least one action")
        return {question.id: error}
    return {cell_key(question.id, index, column): message for (index, column), message in cells.items()}


def answers_in_error(raw: Mapping[str, Any], errors: Mapping[str, str]) -> list[str]:
    """The questions in `raw` with an error, of their own or in one of their boxes."""
    return [q for q in raw if q in errors or any(is_cell_of(key, q) for key in errors)]


def raw_answers(
    questions: tuple[Question, ...], form: Any, nested: Mapping[str, FollowUp] | None = None
) -> dict[str, Any]:
    """What the person submitted for each question, in the shape `validate_answer` accepts."""
    nested = nested or {}
    return {
        q.id: _follow_up_raw(nested[q.id], form) if q.id in nested else _raw(q, form)
        for q in questions
        if q.answerable and q.type != "geography"
    }


def _follow_up_raw(follow_up: FollowUp, form: Any) -> Any:
    if len(follow_up.values) == 1:
        return _raw(follow_up.question, form)
    own = form.get(follow_up.field_id(form.get(follow_up.parent)))
    if is_answered(own):
        return own
    # Without JavaScript every copy is on show: keep whichever one the person typed in.
    typed = (form.get(follow_up.field_id(v)) for v in follow_up.values)
    return next((value for value in typed if is_answered(value)), own)


def _raw(question: Question, form: Any) -> Any:
    if question.type == "multi_choice":
        return form.getlist(question.id)
    if question.type == "date":
        return {part: form.get(f"{question.id}-{part}", "") for part in ("day", "month", "year")}
    if question.type in ("actions", "table"):
        return _rows(question, form)
    return form.get(question.id)


def _rows(question: Question, form: Any) -> list[dict[str, Any]]:
    count = _row_count(question, form)
    rows = []
    for number in range(min(count, MAX_ROWS)):
        rows.append({f.id: _cell(question, f, number, form) for f in question.fields})
    return rows


def _row_count(question: Question, form: Any) -> int:
    """The page's hidden row count; if it was tampered with, the rows actually sent (so none are dropped)."""
    raw = str(form.get(f"{question.id}-rows") or "0").strip()
    if raw.isascii() and raw.isdigit():
        return int(raw)
    prefix = f"{question.id}-"
    numbers = [key[len(prefix) :].split("-", 1)[0] for key in form if key.startswith(prefix)]
    return max((int(n) + 1 for n in numbers if n.isascii() and n.isdigit()), default=0)


def _cell(question: Question, column: Any, number: int, form: Any) -> Any:
    name = f"{question.id}-{number}-{column.id}"
    if column.type == "date":
        return {part: form.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
    return form.get(name, "")


TABLE_TYPES = ("actions", "table")


@dataclass(frozen=True)
class RowChange:
    """A table's "Add another" or "Remove" button, pressed without JavaScript: the page comes back with one
    row more or less and everything typed kept."""

    question_id: str
    remove: int | None = None  # the row to take out (from 0); None adds an empty row at the end


def row_change(form: Any) -> RowChange | None:
    """The row button pressed, if any: `add_row=<question>` or `remove_row=<question>:<row>`."""
    added = form.get("add_row")
    if added:
        return RowChange(str(added))
    question_id, _, number = str(form.get("remove_row") or "").rpartition(":")
    if question_id and number.isascii() and number.isdigit():
        return RowChange(question_id, int(number))
    return None


def change_rows(raw: Mapping[str, Any], change: RowChange) -> dict[str, Any]:
    """`raw` with the row added or removed (a button for a table not on the page changes nothing)."""
    changed = dict(raw)
    rows = raw.get(change.question_id)
    if not isinstance(rows, list):
        return changed
    rows = list(rows)
    if change.remove is None and len(rows) < MAX_ROWS:
        rows.append({})
    elif change.remove is not None and change.remove < len(rows):
        del rows[change.remove]
    changed[change.question_id] = rows
    return changed


def table_rows(current: Page, values: Mapping[str, Any], *, typed: bool) -> dict[str, list[dict[str, Any]]]:
    """The rows each table on the page shows: the saved rows and one empty row to add to, or (`typed`: the
    page coming back after a button or an error) exactly the rows posted; never none."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for question in current.questions:
        if question.type not in TABLE_TYPES:
            continue
        value = values.get(question.id)
        rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        if not typed or not rows:
            rows.append({})
        tables[question.id] = rows
    return tables
