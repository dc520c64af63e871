from datetime import UTC, datetime, timedelta

from hia_service.domain.audit_chain import (
    GENESIS,
    chain_key,
    entry_hash,
    rekeyed_links,
    unkeyed_entry_hash,
    unkeyed_links,
    verify_chain,
)

KEY = chain_key("the service's secret key, 32 characters or more")


def _chain(
    n: int, digest=lambda prev, fields: entry_hash(prev, fields, KEY)
) -> list[tuple[int, str, str, dict]]:
    entries, prev = [], GENESIS
    start = datetime(2026, 11, 23, tzinfo=UTC)
    for i in range(1, n + 1):
        fields = {"at": (start + timedelta(seconds=i)).isoformat(), "event_type": "answers_saved", "n": i}
        hashed = digest(prev, fields)
        entries.append((i, prev, hashed, fields))
        prev = hashed
    return entries


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain(_chain(5), KEY) == []


def test_an_altered_entry_is_named() -> None:
    entries = _chain(5)
    entry_id, prev, digest, fields = entries[2]
    entries[2] = (entry_id, prev, digest, {**fields, "event_type": "approved"})
    problems = verify_chain(entries, KEY)
    assert [(p.entry_id, "altered" in p.problem) for p in problems] == [(3, True)]


def test_a_deleted_entry_is_detected_at_the_next_one() -> None:
    entries = _chain(5)
    del entries[1]
    problems = verify_chain(entries, KEY)
    assert [p.entry_id for p in problems] == [3]
    assert "deleted or inserted" in problems[0].problem


def test_an_inserted_entry_is_detected() -> None:
    entries = _chain(4)
    forged = (99, entries[1][2], "f" * 64, {"event_type": "approved"})
    entries.insert(2, forged)
    assert {p.entry_id for p in verify_chain(entries, KEY)} == {99, 3}


def test_a_log_re_chained_without_the_key_fails_at_every_entry() -> None:
    # Someone with the database but not HIA_SECRET_KEY alters an entry and re-chains the rest, unkeyed
    # (as links were before) or with a key of their own: every entry is named.
    for digest in (unkeyed_entry_hash, lambda prev, fields: entry_hash(prev, fields, chain_key("guess"))):
        forged = _chain(4, digest)
        assert [p.entry_id for p in verify_chain(forged, KEY)] == [1, 2, 3, 4]


def test_re_keying_an_old_chain_verifies_and_carries_its_breaks_across() -> None:
    old = _chain(6, unkeyed_entry_hash)
    assert verify_chain([(i, p, h, f) for i, p, h, f in _rekeyed(old)], KEY) == []
    entry_id, prev, digest, fields = old[1]
    old[1] = (entry_id, prev, digest, {**fields, "event_type": "approved"})  # altered
    del old[3]  # entry 4 deleted: entry 5 no longer follows
    problems = verify_chain(_rekeyed(old), KEY)
    assert [(p.entry_id, "altered" in p.problem) for p in problems] == [(2, True), (5, False)]


def test_re_keying_can_be_undone() -> None:
    old = _chain(4, unkeyed_entry_hash)
    keyed = _rekeyed(old)
    back = unkeyed_links(keyed, KEY)
    assert [(i, p, h) for i, p, h, _ in old] == back


def _rekeyed(old: list[tuple[int, str, str, dict]]) -> list[tuple[int, str, str, dict]]:
    fields = {entry_id: f for entry_id, _, _, f in old}
    return [(i, p, h, fields[i]) for i, p, h in rekeyed_links(old, KEY)]
