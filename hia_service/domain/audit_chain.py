"""Hash-chaining of audit entries. Pure: the data layer stores, this decides what the hashes are."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def content_hash(content: Any) -> str:
    """A stable sha256 of any JSON-like value (keys sorted, no whitespace)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def timestamp(moment: datetime) -> str:
    # SQLite returns naive datetimes; every stored time is UTC, so normalise before hashing.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return content_hash({"prev": prev_hash, **fields})


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    problem: str


def verify_chain(entries: list[tuple[int, str, str, dict[str, Any]]]) -> list[ChainProblem]:
    """Check (id, prev_hash, entry_hash, fields) say which entry breaks the chain, and how."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    for entry_id, prev_hash, stored_hash, fields in entries:
        if prev_hash != expected_prev:
            problems.append(
                ChainProblem(
                    entry_id,
                    "does not follow the entry before it: an entry was deleted or "
                    "inserted just before this one",
                )
            )
        if entry_hash(prev_hash, fields) != stored_hash:
            problems.append(ChainProblem(entry_id, "its content does not match its hash: it was altered"))
        expected_prev = stored_hash
    return problems
