"""Building a Framework from a schema-valid YAML document, and the checks a schema cannot express.

The schema has already checked shapes and types. Here we expand group templates into questions and check
what needs the whole document: unique ids, conditions that name real, earlier questions, and the key
questions the engine relies on.
"""

from __future__ import annotations

from dataclasses import replace
from string import Formatter
from typing import Any

from hia_service.domain.framework.anchors import KEY_FIELDS, KEY_OPTIONS, KEY_QUESTIONS
from hia_service.domain.framework.model import (
    IMPACT_VALUES,
    RATING_LABELS,
    RATING_VALUES,
    Condition,
    Duty,
    Field,
    Framework,
    Group,
    GuidanceLink,
    Option,
    Question,
    Screening,
    ScreeningTrigger,
    Section,
)
from hia_service.domain.framework.source import DocPath, Problem, SourceDoc

TEMPLATE_PLACEHOLDERS = {"group", "group_id"}
SCREENING_RESULTS = ("full", "short", "not_required", "pending")


class _Builder:
    def __init__(self, doc: SourceDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.origin: dict[str, DocPath] = {}  # question id -> where it was defined (for line numbers)

    def fail(self, path: DocPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def framework(self) -> Framework:
        data = self.doc.data
        self._check_template_placeholders(data.get("group_questions", []))
        sections = tuple(self.section(s, ("sections", i), data) for i, s in enumerate(data["sections"]))
        self._check_unique(
            [s.id for s in sections], [("sections", i, "id") for i in range(len(sections))], "section"
        )
        duties = tuple(Duty(d["id"], d["title"], d["text"], _links(d)) for d in data.get("duties", []))
        screening = _screening(data["screening"]) if "screening" in data else None
        if screening is not None:
            sections = _with_short_skips(sections, screening)
        return Framework(
            str(data["version"]), data["title"], sections, data.get("intro", ""), duties, screening
        )

    def section(self, raw: dict[str, Any], path: DocPath, data: dict[str, Any]) -> Section:
        questions = [
            self.question(q, (*path, "questions", i)) for i, q in enumerate(raw.get("questions", []))
        ]
        groups = tuple(self.group(g, (*path, "groups", i)) for i, g in enumerate(raw.get("groups", [])))
        for i, group in enumerate(groups):
            questions += self.expand(group, (*path, "groups", i), data.get("group_questions", []))
        for question in questions:
            if not question.id.startswith(f"{raw['id']}."):
                self.fail(
                    self.origin[question.id], f"question id '{question.id}' must start with '{raw['id']}.'"
                )
        return Section(
            id=raw["id"],
            title=raw["title"],
            intro=raw.get("intro", ""),
            guidance=raw.get("guidance", ""),
            heat_step=raw.get("heat_step", ""),
            guidance_links=_links(raw),
            questions=tuple(questions),
            groups=groups,
            condition=_conditions(raw.get("condition")),
        )

    def group(self, raw: dict[str, Any], path: DocPath) -> Group:
        return Group(
            raw["id"], raw["label"], raw.get("prompt", ""), raw.get("phrase", ""), raw.get("category", "")
        )

    def expand(self, group: Group, path: DocPath, template: list[dict[str, Any]]) -> list[Question]:
        """The template's questions for one group: ids '<group id>.<key>', labels naming the group."""
        if not template:
            self.fail(
                path, "this section has groups, but the file has no 'group_questions' to ask about them"
            )
        values = {"group": group.label, "group_id": group.id}
        out = []
        for raw in template:
            filled = _fill(raw, values)
            filled["id"] = f"{group.id}.{raw['key']}"
            out.append(self.question(filled, path, group))
        return out

    def question(self, raw: dict[str, Any], path: DocPath, group: Group | None = None) -> Question:
        if raw["id"] in self.origin:
            self.fail(path, f"question id '{raw['id']}' is used more than once")
        self.origin.setdefault(raw["id"], path)
        for key, id_key, what in (("options", "value", "option value"), ("fields", "id", "field id")):
            items = raw.get(key, [])
            self._check_unique(
                [x[id_key] for x in items], [(*path, key, i, id_key) for i in range(len(items))], what
            )
        return Question(
            id=raw["id"],
            type=raw["type"],
            label=raw["label"],
            name=raw.get("name", ""),
            hint=raw.get("hint", ""),
            required=bool(raw.get("required", False)),
            options=_options(raw),
            condition=_conditions(raw.get("condition")),
            guidance_links=_links(raw),
            max_length=raw.get("max_length"),
            fields=tuple(
                Field(
                    f["id"],
                    f["label"],
                    f.get("type", "text"),
                    bool(f.get("required", False)),
                    f.get("hint", ""),
                    _options(f),
                )
                for f in raw.get("fields", [])
            ),
            row_label=raw.get("row_label", ""),
            group=group,
            errors=tuple(sorted(raw.get("errors", {}).items())),
        )

    def _check_unique(self, values: list[str], paths: list[DocPath], what: str) -> None:
        seen: set[str] = set()
        for value, path in zip(values, paths, strict=True):
            if value in seen:
                self.fail(path, f"{what} '{value}' is used more than once")
            seen.add(value)

    def _check_template_placeholders(self, template: list[dict[str, Any]]) -> None:
        for i, raw in enumerate(template):
            for key, text in _strings(raw):
                for name in _placeholders(text):
                    if name not in TEMPLATE_PLACEHOLDERS:
                        message = f"unknown placeholder '{{{name}}}'; use {{group}} or {{group_id}}"
                        self.fail(("group_questions", i, key), message)

    def check(self, framework: Framework) -> None:
        """Whole-document checks, once every question exists."""
        order = {q.id: n for n, q in enumerate(framework.questions())}
        for question in framework.questions():
            for condition in question.condition:
                self._check_condition(framework, question, condition, order)
        for i, section in enumerate(framework.sections):
            self._check_section_conditions(framework, section, ("sections", i, "condition"), order)
        if framework.screening is not None:
            self._check_screening(framework, order)
        self._check_key_questions(framework)

    def _check_section_conditions(
        self, fw: Framework, section: Section, where: DocPath, order: dict[str, int]
    ) -> None:
        first = min((order[q.id] for q in section.questions), default=len(order))
        for cond in section.condition:
            if cond.question not in order:
                self.fail(
                    where,
                    f"the condition on section '{section.id}' names '{cond.question}', "
                    "which is not a question",
                )
            elif order[cond.question] >= first:
                self.fail(
                    where,
                    f"the condition on section '{section.id}' must name a question in an earlier section, "
                    f"not '{cond.question}'",
                )
            else:
                self._check_values(fw, f"section '{section.id}'", cond, where)

    def _check_screening(self, fw: Framework, order: dict[str, int]) -> None:
        screening = fw.screening
        assert screening is not None
        where: DocPath = ("screening",)
        for qid, qtype in ((screening.question, "screening"), (screening.kind_question, "choice")):
            if qid not in order:
                self.fail(where, f"screening names '{qid}', which is not a question")
            elif fw.question(qid).type != qtype:
                self.fail(where, f"screening needs '{qid}' to be of type '{qtype}'")
        if screening.kind_question in order:
            kinds = {o.value for o in fw.question(screening.kind_question).options}
            for kind in screening.full_kinds:
                if kind not in kinds:
                    self.fail(where, f"screening uses '{kind}', not an answer to '{screening.kind_question}'")
        if screening.not_required.question not in order:
            self.fail(where, f"screening names '{screening.not_required.question}', which is not a question")
        else:
            self._check_values(fw, "screening", screening.not_required, where)
        for trigger in screening.full_answers:
            qid = trigger.condition.question
            if qid not in order:
                self.fail(where, f"screening names '{qid}', which is not a question")
            elif screening.question in order and order[qid] > order[screening.question]:
                # Screening is worked out when its section is reached, so it can only read earlier answers.
                self.fail(where, f"screening reads '{qid}', which must come before '{screening.question}'")
            else:
                self._check_values(fw, "screening", trigger.condition, where)
        for section_id in screening.short_skips:
            if not fw.section_present(section_id):
                self.fail(where, f"screening skips section '{section_id}', which does not exist")

    def _check_condition(
        self, fw: Framework, question: Question, cond: Condition, order: dict[str, int]
    ) -> None:
        where = self.origin[question.id]
        if cond.question not in order:
            self.fail(
                where, f"the condition on '{question.id}' names '{cond.question}', which is not a question"
            )
            return
        if order[cond.question] >= order[question.id]:
            message = f"the condition on '{question.id}' must name an earlier question, not '{cond.question}'"
            self.fail(where, message)
        self._check_values(fw, f"'{question.id}'", cond, where)

    def _check_values(self, fw: Framework, what: str, cond: Condition, where: DocPath) -> None:
        target = fw.question(cond.question)
        if target.type == "impact":
            allowed: tuple[str, ...] = IMPACT_VALUES
        elif target.type == "screening":
            allowed = SCREENING_RESULTS
        else:
            allowed = tuple(o.value for o in target.options)
        if target.type in ("choice", "multi_choice", "impact", "rating", "screening"):
            for value in cond.values:
                if value not in allowed:
                    message = f"the condition on {what} uses '{value}', not an answer to '{cond.question}'"
                    self.fail(where, message)

    def _check_key_questions(self, fw: Framework) -> None:
        for qid, qtype in KEY_QUESTIONS.items():
            if not fw.has_question(qid):
                self.fail(
                    ("sections",),
                    f"the question '{qid}' ({qtype}) is missing; quality checks and scoring need it",
                )
                continue
            question = fw.question(qid)
            if question.type != qtype:
                self.fail(self.origin[qid], f"'{qid}' must be of type '{qtype}', not '{question.type}'")
            have = {f.id for f in question.fields} | {o.value for o in question.options}
            for needed in KEY_FIELDS.get(qid, ()) + KEY_OPTIONS.get(qid, ()):
                if needed not in have:
                    self.fail(
                        self.origin[qid], f"'{qid}' must have '{needed}'; quality checks and scoring need it"
                    )


def build_framework(doc: SourceDoc) -> tuple[Framework | None, list[Problem]]:
    """Framework from a document that already passed the schema, plus any problems the schema cannot see."""
    builder = _Builder(doc)
    framework = builder.framework()
    builder.check(framework)
    return (None if builder.problems else framework), builder.problems


def _conditions(raw: dict[str, Any] | list[dict[str, Any]] | None) -> tuple[Condition, ...]:
    items = [] if raw is None else raw if isinstance(raw, list) else [raw]
    return tuple(_condition(c) for c in items)


def _condition(raw: dict[str, Any]) -> Condition:
    if "not_in" in raw:
        return Condition(raw["question"], tuple(str(v) for v in raw["not_in"]), negate=True)
    return Condition(raw["question"], tuple(str(v) for v in raw.get("in", ())))


def _options(raw: dict[str, Any]) -> tuple[Option, ...]:
    # A rating question always offers NHS England's three-point scale, so every version reads the same.
    if raw.get("type") == "rating":
        return tuple(Option(value, RATING_LABELS[value]) for value in RATING_VALUES)
    return tuple(Option(str(o["value"]), o["label"], o.get("hint", "")) for o in raw.get("options", []))


def _with_short_skips(sections: tuple[Section, ...], screening: Screening) -> tuple[Section, ...]:
    """Sections a short assessment leaves out are asked only when screening did not say "short"."""
    skip = Condition(screening.question, ("short",), negate=True)
    return tuple(
        replace(s, condition=(*s.condition, skip)) if s.id in screening.short_skips else s for s in sections
    )


def _screening(raw: dict[str, Any]) -> Screening:
    full = raw.get("full_when", {})
    return Screening(
        question=raw["question"],
        kind_question=full["kind"]["question"],
        full_kinds=tuple(str(v) for v in full["kind"]["in"]),
        core20_above_baseline=bool(full.get("core20_above_baseline", False)),
        not_required=_condition(raw["not_required_when"]),
        short_skips=tuple(raw.get("short_skips", ())),
        full_answers=tuple(
            ScreeningTrigger(_condition({"question": a["question"], "in": a["in"]}), a["reason"])
            for a in full.get("answers", ())
        ),
        full_area_types=tuple(full.get("area_types", {}).get("types", ())),
        full_area_reason=full.get("area_types", {}).get("reason", ""),
    )


def _links(raw: dict[str, Any]) -> tuple[GuidanceLink, ...]:
    return tuple(GuidanceLink(link["title"], link["url"]) for link in raw.get("guidance_links", []))


def _fill(raw: Any, values: dict[str, str]) -> Any:
    """Copy of a template entry with {group} and {group_id} filled in every string."""
    if isinstance(raw, str):
        return raw.format_map(values) if _placeholders(raw) <= TEMPLATE_PLACEHOLDERS else raw
    if isinstance(raw, dict):
        return {k: _fill(v, values) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_fill(v, values) for v in raw]
    return raw


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _strings(raw: dict[str, Any]) -> list[tuple[str, str]]:
    out = [(k, v) for k, v in raw.items() if isinstance(v, str)]
    cond = raw.get("condition")
    for c in cond if isinstance(cond, list) else [cond] if cond else []:
        out.append(("condition", c["question"]))
    return out
