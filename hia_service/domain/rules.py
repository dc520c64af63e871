"""Loading every version of the rules at once, checking all of them, and handing out the one asked for.

Layout of a rules folder:
    current.yaml                 which framework and scoring versions new assessments use
    framework/<version>.yaml     every framework version ever used (old ones stay, unchanged)
    scoring/<version>.yaml       every scoring version ever used
    schema/<kind>.schema.json    the JSON Schema for each kind of file
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from hia_service.domain.framework.build import build_framework
from hia_service.domain.framework.model import Framework
from hia_service.domain.framework.schema_check import check_against_schema
from hia_service.domain.framework.source import Problem, RulesError, SourceDoc, display_path, read_yaml
from hia_service.domain.scoring.build import build_scoring
from hia_service.domain.scoring.model import ScoringRules

T = TypeVar("T")
Builder = Callable[[SourceDoc], tuple[Any, list[Problem]]]
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


class UnknownVersionError(LookupError):
    """An assessment names a rules version this service does not have."""


@dataclass(frozen=True)
class RuleSet:
    """Every framework and scoring version, and which ones are current."""

    frameworks: Mapping[str, Framework]
    scorings: Mapping[str, ScoringRules]
    current_framework_version: str
    current_scoring_version: str

    def framework(self, version: str | None = None) -> Framework:
        return _pick(self.frameworks, version or self.current_framework_version, "framework")

    def scoring(self, version: str | None = None) -> ScoringRules:
        return _pick(self.scorings, version or self.current_scoring_version, "scoring")


def _pick(versions: Mapping[str, T], version: str, kind: str) -> T:
    try:
        return versions[version]
    except KeyError:
        have = ", ".join(sorted(versions)) or "none"
        raise UnknownVersionError(f"there is no {kind} version {version} (versions: {have})") from None


def load_rules(rules_dir: Path) -> RuleSet:
    """Read, validate and build every rules file in `rules_dir` (the app passes HIA_RULES_DIR from its
    settings). Raises RulesError listing every problem found.

    The same files give the same (immutable) rule set: it is built once per process for each content of
    the folder, since checking the files against their schemas takes most of a second and each app
    made in a process (the test suite's, a command's) loads them. A changed file is read afresh."""
    rules_dir = Path(rules_dir)
    return _built_rules(rules_dir.resolve(), _contents(rules_dir))


def _contents(rules_dir: Path) -> str:
    """A fingerprint of every file load_rules reads (names and bytes)."""
    digest = hashlib.sha256()
    paths = [rules_dir / "current.yaml"]
    for pattern in ("framework/*.yaml", "scoring/*.yaml", "schema/*.schema.json"):
        paths += sorted(rules_dir.glob(pattern))
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            data = f"unreadable: {exc}".encode()  # the load reports it; a failed load is never kept
        digest.update(f"{path.relative_to(rules_dir)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _built_rules(rules_dir: Path, contents: str) -> RuleSet:  # `contents` is only the cache key
    problems: list[Problem] = []
    frameworks = _load_kind(rules_dir, "framework", problems, build_framework)
    broken = _versions_present(rules_dir, "framework") - set(frameworks)

    def scoring_builder(doc: SourceDoc) -> tuple[ScoringRules | None, list[Problem]]:
        if str(doc.data["framework_version"]) in broken:
            return None, []  # its framework's own problems are reported; don't pile knock-on ones on top
        return build_scoring(doc, frameworks)

    scorings = _load_kind(rules_dir, "scoring", problems, scoring_builder)
    current = _load_current(rules_dir, problems, frameworks, scorings)
    if problems:
        raise RulesError(problems)
    return RuleSet(MappingProxyType(frameworks), MappingProxyType(scorings), *current)


def _versions_present(rules_dir: Path, kind: str) -> set[str]:
    return {p.stem for p in (rules_dir / kind).glob("*.yaml")}


def _load_kind(rules_dir: Path, kind: str, problems: list[Problem], build: Builder) -> dict[str, Any]:
    folder = rules_dir / kind
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        problems.append(
            Problem(display_path(folder), None, f"no {kind} files (expected {kind}/<version>.yaml)")
        )
    built: dict[str, Any] = {}
    for path in files:
        doc = _checked_doc(path, rules_dir, kind, problems)
        if doc is None:
            continue
        if str(doc.data.get("version")) != path.stem:
            message = (
                f"version is {doc.data.get('version')!r} but the file is named {path.name}; they must match"
            )
            problems.append(doc.problem(("version",), message))
            continue
        value, found = build(doc)
        problems += found
        if value is not None:
            built[path.stem] = value
    return built


def _checked_doc(path: Path, rules_dir: Path, kind: str, problems: list[Problem]) -> SourceDoc | None:
    """The parsed file if it is valid YAML and matches its schema; otherwise None, with problems recorded."""
    doc, found = read_yaml(path)
    problems += found
    if doc is None or found:
        return None
    schema_problems = check_against_schema(doc, rules_dir, kind)
    problems += schema_problems
    return None if schema_problems else doc


def _load_current(
    rules_dir: Path,
    problems: list[Problem],
    frameworks: Mapping[str, Framework],
    scorings: Mapping[str, ScoringRules],
) -> tuple[str, str]:
    doc = _checked_doc(rules_dir / "current.yaml", rules_dir, "current", problems)
    if doc is None:
        return "", ""
    framework, scoring = doc.data["framework"], doc.data["scoring"]
    if framework in _versions_present(rules_dir, "framework") - set(frameworks) or (
        scoring in _versions_present(rules_dir, "scoring") - set(scorings)
    ):
        return framework, scoring  # a named file has problems of its own, already reported
    if framework not in frameworks:
        problems.append(
            doc.problem(("framework",), f"framework version {framework} is not available in framework/")
        )
    if scoring not in scorings:
        problems.append(doc.problem(("scoring",), f"scoring version {scoring} is not available in scoring/"))
    elif scorings[scoring].framework_version != framework:
        written_for = scorings[scoring].framework_version
        message = f"scoring version {scoring} is written for framework {written_for}, not {framework}"
        problems.append(doc.problem(("scoring",), message))
    return framework, scoring


@lru_cache(maxsize=8)
def _cached(rules_dir: Path) -> RuleSet:
    return load_rules(rules_dir)


def cached_rules(rules_dir: Path | None = None) -> RuleSet:
    """The rules in `rules_dir` (default: the project's rules/ folder), loaded once per process."""
    return _cached(Path(rules_dir or DEFAULT_RULES_DIR).resolve())


def load_framework(version: str | None = None, rules_dir: Path | None = None) -> Framework:
    """The current framework, or the named version (for assessments completed under it)."""
    return cached_rules(rules_dir).framework(version)


def load_scoring(version: str | None = None, rules_dir: Path | None = None) -> ScoringRules:
    """The current scoring rules, or the named version."""
    return cached_rules(rules_dir).scoring(version)


def clear_cache() -> None:
    _cached.cache_clear()
    _built_rules.cache_clear()
