"""Reading rules files as YAML while remembering the line every value came from.

Governance teams edit these files by hand, so every problem we report must point at a file and a line.
PyYAML's composer keeps a mark on every node; we walk the node tree ourselves to build plain Python
values and a map from "path inside the document" to line number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DocPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rules file, in a form a person can act on."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class RulesError(Exception):
    """The rules cannot be used. Carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class SourceDoc:
    """A parsed rules file: its data plus the line of every value in it."""

    label: str
    data: Any
    lines: Mapping[DocPath, int]

    def line(self, path: DocPath) -> int | None:
        """Line of the value at `path`, or of its nearest ancestor we know."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def problem(self, path: DocPath, message: str) -> Problem:
        return Problem(self.label, self.line(path), message)


# libyaml's parser when PyYAML was built with it (the wheels are): reading the rules takes 0.07 s, not 0.5.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def display_path(path: Path) -> str:
    """Path as people will type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> tuple[SourceDoc | None, list[Problem]]:
    """Parse one YAML file. Returns the document (None if unreadable) and the problems found."""
    label = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(label, None, f"cannot read the file: {exc}")]
    return parse_yaml(text, label)


def parse_yaml(text: str, label: str) -> tuple[SourceDoc | None, list[Problem]]:
    """Parse YAML text; `label` names it in problems."""
    try:
        # The loader reads the first characters at once: a control character raises here, not later.
        loader = _LOADER(text)
    except yaml.YAMLError as exc:
        return None, [Problem(label, None, f"this is not valid YAML: {exc}")]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(label, None, "the file is empty")]
        lines: dict[DocPath, int] = {}
        problems: list[Problem] = []
        data = _to_python(node, loader, (), lines, problems, label, set())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem(label, line, f"this is not valid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [Problem(label, None, f"this is not valid YAML: {exc}")]
    finally:
        loader.dispose()
    return SourceDoc(label, data, MappingProxyType(lines)), problems


def _to_python(
    node: yaml.Node,
    loader: yaml.SafeLoader | yaml.CSafeLoader,
    path: DocPath,
    lines: dict[DocPath, int],
    problems: list[Problem],
    label: str,
    seen: set[int],
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        # An alias (*name) is the same node again: expanded, a few lines of nested aliases become billions of
        # values. No rules file needs them, so each part is written out once.
        if id(node) in seen:
            problems.append(
                Problem(label, node.start_mark.line + 1, "anchors and aliases (&name, *name) are not allowed "
                        "in rules files: write this part out in full")
            )  # fmt: skip
            return None
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                # PyYAML would silently keep the last value; a governance edit must not vanish like that.
                problems.append(Problem(label, key_node.start_mark.line + 1, f"'{key}' appears twice here"))
            out[key] = _to_python(value_node, loader, (*path, key), lines, problems, label, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, loader, (*path, i), lines, problems, label, seen)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
