"""Kept: bounded, least recently used dropped first, emptied when what it was worked out from changes."""

from __future__ import annotations

import threading

from hia_service.domain.kept import Kept


def test_the_least_recently_used_is_dropped_first() -> None:
    kept: Kept[str, int] = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the more recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert len(kept) == 2


def test_a_value_is_made_once_and_an_empty_one_is_kept_too() -> None:
    kept: Kept[str, bytes] = Kept(4)
    made: list[str] = []

    def make(name: str) -> bytes:
        made.append(name)
        return b""  # a map of an area without boundaries: nothing to draw, and nothing to draw again

    assert kept.get_or_make("map", lambda: make("map")) == b""
    assert kept.get_or_make("map", lambda: make("map")) == b""
    assert made == ["map"]


def test_everything_is_forgotten_when_its_source_changes() -> None:
    kept: Kept[str, int] = Kept(4)
    first, second = object(), object()
    kept.since(first).put("a", 1)
    assert kept.since(first).get("a") == 1
    assert kept.since(second).get("a") is None
    assert len(kept) == 0


def test_threads_putting_at_once_never_leave_more_than_its_size() -> None:
    kept: Kept[int, int] = Kept(50)

    def put_many(offset: int) -> None:
        for n in range(2_000):
            kept.put(offset + n, n)
            kept.get(offset + n // 2)

    threads = [threading.Thread(target=put_many, args=(k * 10_000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kept) == 50


def test_a_digest_tells_values_apart_by_every_part_and_takes_what_pickle_cannot() -> None:
    from types import MappingProxyType

    from hia_service.domain.kept import digest

    shape = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}
    same = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}
    moved = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 1e-9], [1.0, 1.0], [0.0, 0.0]]]}
    assert digest(shape) == digest(same) and len(digest(shape)) == 64
    assert digest(shape) != digest(moved)
    assert digest([1, 2]) != digest([1.0, 2.0]) != digest(["1", "2"])  # a number is not its text
    proxy = MappingProxyType({"codes": ["E01000001"]})  # pickle cannot write it: keyed by its text
    assert digest(proxy) == digest(MappingProxyType({"codes": ["E01000001"]}))
    assert digest(proxy) != digest(MappingProxyType({"codes": ["E01000002"]}))
