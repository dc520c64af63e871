"""Loading training scenarios from rules/training/*.yaml, reporting every problem with file and line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hia_service.domain.framework import Framework, RulesError, validate_answer
from hia_service.domain.framework.schema_check import check_against_schema
from hia_service.domain.framework.source import DocPath, Problem, SourceDoc, read_yaml
from hia_service.domain.rules import cached_rules
from hia_service.domain.training.model import Figure, KeyPoint, Match, Scenario, SectionGuide

SCHEMA_KIND = "training"


def scenario_files(rules_dir: Path) -> list[Path]:
    return sorted((rules_dir / "training").glob("*.yaml"))


def load_scenarios(rules_dir: Path, frameworks: dict[str, Framework] | None = None) -> tuple[Scenario, ...]:
    """Every scenario in rules_dir/training, checked against the schema and the framework it names.

    Raises RulesError listing every problem in every file. `frameworks` defaults to the rules in rules_dir.
    """
    frameworks = frameworks if frameworks is not None else dict(cached_rules(rules_dir).frameworks)
    problems: list[Problem] = []
    scenarios = [load_scenario(path, rules_dir, frameworks, problems) for path in scenario_files(rules_dir)]
    problems.extend(_duplicate_ids([s for s in scenarios if s is not None]))
    if problems:
        raise RulesError(problems)
    return tuple(s for s in scenarios if s is not None)


def load_scenario(
    path: Path, rules_dir: Path, frameworks: dict[str, Framework], problems: list[Problem]
) -> Scenario | None:
    """One scenario file; appends its problems and returns None when it cannot be used."""
    doc, found = read_yaml(path)
    if doc is None or found:
        problems.extend(found)
        return None
    found = check_against_schema(doc, rules_dir, SCHEMA_KIND)
    if not found:
        found = _check_against_framework(doc, frameworks)
    problems.extend(found)
    return None if found else _build(doc)


def _check_against_framework(doc: SourceDoc, frameworks: dict[str, Framework]) -> list[Problem]:
    version = doc.data["framework_version"]
    framework = frameworks.get(version)
    if framework is None:
        known = ", ".join(sorted(frameworks)) or "none"
        return [
            doc.problem(("framework_version",), f"there is no framework version {version} (known: {known})")
        ]
    problems = [doc.problem(path, f"there is no question '{qid}' in framework {version}")
                for path, qid in _question_refs(doc.data) if not framework.has_question(qid)]  # fmt: skip
    problems.extend(_answer_problems(doc, framework))
    problems.extend(_repeated_key_points(doc))
    section_ids = {s.id for s in framework.sections}
    for i, guide in enumerate(doc.data["sections"]):
        if guide["id"] not in section_ids:
            problems.append(doc.problem(("sections", i, "id"), f"there is no section '{guide['id']}'"))
        else:
            problems.extend(_misplaced_answers(doc, i, framework))
    return sorted(problems, key=lambda p: p.line or 0)


def _misplaced_answers(doc: SourceDoc, index: int, framework: Framework) -> list[Problem]:
    """A model answer sits under its own section, where the feedback on that section looks for it."""
    guide = doc.data["sections"][index]
    problems = []
    for qid in guide["model_answers"]:
        if framework.has_question(qid) and (home := framework.section_of(qid).id) != guide["id"]:
            path = ("sections", index, "model_answers", qid)
            message = f"'{qid}' is a question in section '{home}', not '{guide['id']}'"
            problems.append(doc.problem(path, message))
    return problems


def _repeated_key_points(doc: SourceDoc) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, guide in enumerate(doc.data["sections"]):
        for k, point in enumerate(guide.get("key_points", [])):
            if point["id"] in seen:
                problems.append(
                    doc.problem(
                        ("sections", i, "key_points", k, "id"), f"key point '{point['id']}' appears twice"
                    )
                )
            seen.add(point["id"])
    return problems


def _answer_problems(doc: SourceDoc, framework: Framework) -> list[Problem]:
    """Prefilled and model answers must be answers the real form would accept."""
    problems = []
    for path, qid in _question_refs(doc.data):
        if path[-2:-1] not in (("prefill",), ("model_answers",)) or not framework.has_question(qid):
            continue
        raw = doc.data[path[0]][qid] if path[0] == "prefill" else doc.data["sections"][path[1]][path[2]][qid]
        _value, error = validate_answer(framework.question(qid), raw)
        if error:
            problems.append(doc.problem(path, f"the answer to '{qid}' would be refused: {error}"))
    return problems


def _question_refs(data: dict[str, Any]) -> Iterable[tuple[DocPath, str]]:
    """Every question id the scenario mentions, with where it is."""
    for qid in data["prefill"]:
        yield ("prefill", qid), qid
    for i, guide in enumerate(data["sections"]):
        for qid in guide["model_answers"]:
            yield ("sections", i, "model_answers", qid), qid
        for k, point in enumerate(guide.get("key_points", [])):
            for m, match in enumerate(point["match"]):
                yield ("sections", i, "key_points", k, "match", m), match["question"]


def _duplicate_ids(scenarios: list[Scenario]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for scenario in scenarios:
        if scenario.id in seen:
            problems.append(
                Problem(scenario.source, None, f"the id '{scenario.id}' is also used in {seen[scenario.id]}")
            )
        seen.setdefault(scenario.id, scenario.source)
    return problems


def _build(doc: SourceDoc) -> Scenario:
    data = doc.data
    return Scenario(
        id=data["id"],
        title=data["title"],
        framework_version=data["framework_version"],
        brief=data["brief"].strip(),
        prefill=MappingProxyType(dict(data["prefill"])),
        area=MappingProxyType(dict(data["area"])),
        background=tuple(data["background"]),
        figure=Figure(**data["figure"]),
        sections=tuple(_section(raw) for raw in data["sections"]),
        model_rating=data["model_rating"],
        model_rating_reason=data["model_rating_reason"].strip(),
        source=doc.label,
        scoring_version=str(data.get("scoring_version") or ""),
    )


def _section(raw: dict[str, Any]) -> SectionGuide:
    points = tuple(
        KeyPoint(p["id"], p["text"].strip(), tuple(_match(m) for m in p["match"]))
        for p in raw.get("key_points", [])
    )
    return SectionGuide(raw["id"], points, MappingProxyType(dict(raw["model_answers"])))


def _match(raw: dict[str, Any]) -> Match:
    return Match(raw["question"], raw.get("equals"), tuple(raw.get("one_of", ())))
