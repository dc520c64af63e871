"""Building a Framework from a schema-valid YAML document, and the checks a schema cannot express.

The schema has already checked shapes and types. Here we expand group templates into questions and check
what needs the whole document: unique ids, conditions that name real, earlier questions, and the key
questions the engine relies on.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from hia_service.domain.framework.anchors import KEY_FIELDS, KEY_OPTIONS, KEY_QUESTIONS
from hia_service.domain.framework.model import (
    IMPACT_VALUES,
    Condition,
    Duty,
    Field,
    Framework,
    Group,
    GuidanceLink,
    Option,
    Question,
    Section,
)
from hia_service.domain.framework.source import DocPath, Problem, SourceDoc

TEMPLATE_PLACEHOLDERS = {"group", "group_id"}


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
        return Framework(str(data["version"]), data["title"], sections, data.get("intro", ""), duties)

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
            options=tuple(
                Option(str(o["value"]), o["label"], o.get("hint", "")) for o in raw.get("options", [])
            ),
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
        self._check_key_questions(framework)

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
        target = fw.question(cond.question)
        allowed = IMPACT_VALUES if target.type == "impact" else tuple(o.value for o in target.options)
        if target.type in ("choice", "multi_choice", "impact"):
            for value in cond.values:
                if value not in allowed:
                    message = (
                        f"the condition on '{question.id}' uses '{value}', not an answer to '{cond.question}'"
                    )
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
    return tuple(Condition(c["question"], tuple(str(v) for v in c.get("in", ()))) for c in items)


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
