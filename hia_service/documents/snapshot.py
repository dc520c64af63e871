"""Checks the frozen-assessment snapshot (the lead's input contract) before anything is drawn.

A snapshot that is missing a key fails early with one message naming every problem, rather than a
KeyError halfway through a page layout.
"""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hia_service.domain.geography.area_profile import AreaProfile

from .errors import SnapshotError
from .metadata import DocumentInfo

STATUSES = ("approved", "submitted", "in_review", "returned", "draft", "practice")
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,40}$")

# key -> (accepted types, may be None)
_REQUIRED: dict[str, tuple[tuple[type, ...], bool]] = {
    "reference": ((str,), False),
    "version": ((int,), False),
    "status": ((str,), False),
    "training": ((bool,), False),
    "generated_at": ((str,), False),
    "organisation": ((dict,), False),
    "title": ((str,), False),
    "framework": ((dict,), False),
    "answers": ((dict,), False),
    "profile": ((dict,), True),
    "rating": ((dict,), True),
    "quality": ((list,), False),
    "signoff": ((list,), False),
    "provenance": ((dict,), False),
    "verify_url": ((str,), False),
}
_PROFILE_KEYS = ("core20_share", "lsoa_count", "baseline")


def check_snapshot(snapshot: Mapping[str, Any]) -> None:
    """Raise SnapshotError listing every problem with the snapshot; return None when it is usable."""
    if not isinstance(snapshot, Mapping):
        raise SnapshotError("The assessment snapshot should be a dictionary of values.")
    problems = _missing_or_mistyped(snapshot)
    if not problems:
        problems = _value_problems(snapshot)
    if problems:
        raise SnapshotError(
            "The assessment snapshot cannot be turned into a document: " + "; ".join(problems)
        )


def document_info(snapshot: Mapping[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        reference=snapshot["reference"],
        version=snapshot["version"],
        status=snapshot["status"],
        training=snapshot["training"],
    )


def generated_at(snapshot: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(snapshot["generated_at"])


def _missing_or_mistyped(snapshot: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, (types, nullable) in _REQUIRED.items():
        if key not in snapshot:
            problems.append(f"'{key}' is missing")
        elif snapshot[key] is None and not nullable:
            problems.append(f"'{key}' is empty")
        elif snapshot[key] is not None and not isinstance(snapshot[key], types):
            problems.append(f"'{key}' should be {_type_name(types[0])}, not {type(snapshot[key]).__name__}")
        elif types[0] is int and isinstance(snapshot[key], bool):
            problems.append(f"'{key}' should be a whole number, not a yes/no value")
    return problems


def _value_problems(snapshot: Mapping[str, Any]) -> list[str]:
    problems = []
    if not _REFERENCE.match(snapshot["reference"]):
        problems.append(f"the reference {snapshot['reference']!r} is not like 'HIA-2026-0042'")
    if snapshot["version"] < 1:
        problems.append("'version' should be 1 or more")
    if snapshot["status"] not in STATUSES:
        problems.append(f"'status' should be one of {', '.join(STATUSES)}")
    problems += _date_problems(snapshot["generated_at"])
    if not str(snapshot["organisation"].get("name") or "").strip():
        problems.append("the organisation has no name")
    if not isinstance(snapshot["framework"].get("sections"), list):
        problems.append("the framework has no list of 'sections'")
    if snapshot["profile"] is not None:
        problems += _profile_problems(snapshot["profile"])
    return problems


def _date_problems(value: str) -> list[str]:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return [f"'generated_at' ({value!r}) is not an ISO 8601 date and time"]
    if moment.tzinfo is None:
        return ["'generated_at' needs a time zone, for example '+00:00'"]
    return []


def _profile_problems(profile: Mapping[str, Any]) -> list[str]:
    problems = [f"the area profile has no '{key}'" for key in _PROFILE_KEYS if key not in profile]
    deciles = profile.get("population_by_decile")  # None when the index has no population figures
    if deciles is not None and (not isinstance(deciles, list) or len(deciles) != 10):
        problems.append("the area profile's 'population_by_decile' should list 10 numbers")
    baseline = profile.get("baseline") or {}
    if "baseline" in profile and not isinstance(baseline.get("nation") or baseline.get("england"), Mapping):
        problems.append("the area profile has no national baseline ('nation')")
    return problems


def _type_name(kind: type) -> str:
    return {str: "text", int: "a whole number", bool: "true or false", dict: "a dictionary", list: "a list"}[
        kind
    ]


def snapshot_profile(snapshot: Mapping[str, Any]) -> AreaProfile | None:
    """The snapshot's area profile as the typed value (None when no area was given)."""
    profile = snapshot.get("profile")
    return AreaProfile.from_json(profile) if isinstance(profile, Mapping) and profile else None
