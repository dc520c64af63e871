"""Hash-chaining of audit entries. Pure: the data layer stores, this decides what the hashes are.

Each link is an HMAC-SHA256 keyed with a key derived from the service's secret key (chain_key), so
someone who can write to the database but does not hold HIA_SECRET_KEY cannot re-chain an altered log
so that it verifies. Chains written before the key (unkeyed sha256 links) were re-keyed once by
migration 0011 (rekeyed_links), which carries every break it finds across rather than mending it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
_KEY_PURPOSE = b"hia-service audit chain v1"


def _canonical(content: Any) -> bytes:
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False
    ).encode()


def content_hash(content: Any) -> str:
    """A stable sha256 of any JSON-like value (keys sorted, no whitespace)."""
    return hashlib.sha256(_canonical(content)).hexdigest()


def timestamp(moment: datetime) -> str:
    # SQLite returns naive datetimes; every stored time is UTC, so normalise before hashing.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_key(secret: str | bytes) -> bytes:
    """The audit chain's key: derived from the service's secret key, for this purpose only."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, _KEY_PURPOSE, hashlib.sha256).digest()


def entry_hash(prev_hash: str, fields: dict[str, Any], key: bytes) -> str:
    """The keyed link: HMAC-SHA256 of the entry's fields and the hash it follows."""
    return hmac.new(key, _canonical({"prev": prev_hash, **fields}), hashlib.sha256).hexdigest()


def unkeyed_entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The link as written before chains were keyed (plain sha256): read only to re-key old chains and to
    check archives exported before then."""
    return content_hash({"prev": prev_hash, **fields})


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    problem: str


def verify_chain(entries: list[tuple[int, str, str, dict[str, Any]]], key: bytes) -> list[ChainProblem]:
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
        if not hmac.compare_digest(entry_hash(prev_hash, fields, key), stored_hash):
            problems.append(
                ChainProblem(
                    entry_id,
                    "its content does not match its hash: it was altered (or re-chained without the "
                    "service's key)",
                )
            )
        expected_prev = stored_hash
    return problems


Digest = Callable[[str, dict[str, Any]], str]


def relinked(
    entries: list[tuple[int, str, str, dict[str, Any]]], old: Digest, new: Digest
) -> list[tuple[int, str, str]]:
    """(id, new prev_hash, new entry_hash) for a chain hashed with `old`, re-hashed with `new`, in order.
    An entry whose old hash is wrong gets a hash that will not verify, and a link to an entry that is not
    there (or not the one before) stays broken, so `hia audit verify` names the same entries afterwards."""
    new_hash_of: dict[str, str] = {GENESIS: GENESIS}
    out = []
    for entry_id, prev_hash, stored_hash, fields in entries:
        new_prev = new_hash_of.get(prev_hash, "x" + prev_hash[1:])  # "x": never a hex digest
        digest = new(new_prev, fields)
        new_hash = digest if old(prev_hash, fields) == stored_hash else "y" + digest[1:]
        new_hash_of[stored_hash] = new_hash
        out.append((entry_id, new_prev, new_hash))
    return out


def rekeyed_links(
    entries: list[tuple[int, str, str, dict[str, Any]]], key: bytes
) -> list[tuple[int, str, str]]:
    """An unkeyed chain re-hashed with the key (migration 0011)."""
    return relinked(entries, unkeyed_entry_hash, lambda prev, fields: entry_hash(prev, fields, key))


def unkeyed_links(
    entries: list[tuple[int, str, str, dict[str, Any]]], key: bytes
) -> list[tuple[int, str, str]]:
    """A keyed chain turned back into an unkeyed one (migration 0011 undone)."""
    return relinked(entries, lambda prev, fields: entry_hash(prev, fields, key), unkeyed_entry_hash)
