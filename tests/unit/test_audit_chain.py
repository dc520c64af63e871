from datetime import UTC, datetime, timedelta

from hia_service.domain.audit_chain import GENESIS, entry_hash, verify_chain


def _chain(n: int) -> list[tuple[int, str, str, dict]]:
    entries, prev = [], GENESIS
    start = datetime(2026, 11, 23, tzinfo=UTC)
    for i in range(1, n + 1):
        fields = {"at": (start + timedelta(seconds=i)).isoformat(), "event_type": "answers_saved", "n": i}
        digest = entry_hash(prev, fields)
        entries.append((i, prev, digest, fields))
        prev = digest
    return entries


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain(_chain(5)) == []


def test_an_altered_entry_is_named() -> None:
    entries = _chain(5)
    entry_id, prev, digest, fields = entries[2]
    entries[2] = (entry_id, prev, digest, {**fields, "event_type": "approved"})
    problems = verify_chain(entries)
    assert [(p.entry_id, "altered" in p.problem) for p in problems] == [(3, True)]


def test_a_deleted_entry_is_detected_at_the_next_one() -> None:
    entries = _chain(5)
    del entries[1]
    problems = verify_chain(entries)
    assert [p.entry_id for p in problems] == [3]
    assert "deleted or inserted" in problems[0].problem


def test_an_inserted_entry_is_detected() -> None:
    entries = _chain(4)
    forged = (99, entries[1][2], "f" * 64, {"event_type": "approved"})
    entries.insert(2, forged)
    assert {p.entry_id for p in verify_chain(entries)} == {99, 3}
