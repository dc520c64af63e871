"""Checking a rules file against its JSON Schema, with messages a governance team can act on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from hia_service.domain.framework.source import DocPath, Problem, SourceDoc

SCHEMA_KINDS = ("framework", "scoring", "current")


def schema_path(rules_dir: Path, kind: str) -> Path:
    return rules_dir / "schema" / f"{kind}.schema.json"


# Documents found valid, as (schema text, document) digests. Checking takes most of a rules load, and a
# load mostly re-reads files it has checked before (each app made in a process; an edit to one file of
# ten). repr() tells a date from a string and 1 from "1", as the schema does. Bounded; a miss checks again.
_VALID: set[tuple[str, str]] = set()
_VALID_MAX = 512


@cache  # by the schema's text, so a schema changed on disk is read afresh
def _validator_for(text: str) -> Draft202012Validator:
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_against_schema(doc: SourceDoc, rules_dir: Path, kind: str) -> list[Problem]:
    """Every way `doc` breaks the schema for `kind`, sorted by line."""
    path = schema_path(rules_dir, kind).resolve()
    if not path.is_file():
        return [Problem(doc.label, None, f"the schema file {path} is missing")]
    schema_text = path.read_text(encoding="utf-8")
    key = (_digest(schema_text), _digest(repr(doc.data)))
    if key in _VALID:
        return []
    errors = _leaf_errors(_validator_for(schema_text).iter_errors(doc.data))
    problems = sorted((_to_problem(doc, err) for err in errors), key=lambda p: p.line or 0)
    if not problems:
        if len(_VALID) >= _VALID_MAX:
            _VALID.clear()
        _VALID.add(key)
    return problems


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _leaf_errors(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    # oneOf/anyOf errors hide the useful message in their context; take the closest match.
    for err in errors:
        yield best_match(err.context) if err.context else err


def _to_problem(doc: SourceDoc, err: ValidationError) -> Problem:
    path: DocPath = tuple(err.absolute_path)
    where = _describe(path)
    if err.validator == "additionalProperties":
        known = err.schema.get("properties", {}) if isinstance(err.schema, Mapping) else {}
        instance: Any = err.instance  # the offending object
        extra = sorted(set(instance) - set(known))
        key = extra[0] if extra else ""
        return doc.problem((*path, key), f"{where}: unknown key '{key}' (check the spelling)")
    return doc.problem(path, f"{where}: {_message(err)}")


def _message(err: ValidationError) -> str:
    # What the failing keyword asked for: a list for required/enum, text for pattern, anything for const.
    wanted: Any = err.validator_value
    if err.validator == "required":
        instance: Any = err.instance  # the object missing keys
        missing = [k for k in wanted if k not in instance]
        return f"'{missing[0]}' is missing" if missing else err.message
    if err.validator == "enum":
        allowed = ", ".join(str(v) for v in wanted)
        return f"{err.instance!r} is not allowed; use one of: {allowed}"
    if err.validator == "type":
        return f"expected {_type_name(wanted)}, found {err.instance!r}{_quote_hint(wanted, err.instance)}"
    if err.validator == "pattern":
        expected = err.schema.get("description", wanted) if isinstance(err.schema, Mapping) else wanted
        return f"{err.instance!r} is not in the expected form ({expected})"
    if err.validator == "const":
        return f"must be {wanted!r}"
    return err.message


def _quote_hint(wanted_type: Any, instance: object) -> str:
    # `version: 1.0` reads as a number in YAML; the fix is quotes.
    wants_text = wanted_type == "string" or "string" in wanted_type
    return " (put it in quotes)" if wants_text and isinstance(instance, int | float) else ""


def _type_name(value: Any) -> str:
    names = {"string": "text", "object": "a set of keys", "array": "a list", "integer": "a whole number",
             "number": "a number", "boolean": "true or false"}  # fmt: skip
    if isinstance(value, list):
        return " or ".join(names.get(str(v), str(v)) for v in value)
    return names.get(str(value), str(value))


def _describe(path: DocPath) -> str:
    """A path like sections[2].questions[0].type, readable next to the line number."""
    if not path:
        return "top level"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
