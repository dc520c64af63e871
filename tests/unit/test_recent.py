"""Recent: values read a moment ago, trusted for a window; a read of many is not remembered if something was
forgotten while it was being made."""

from __future__ import annotations

import time

import pytest

from hia_service.domain.recent import Recent


def test_a_value_is_trusted_within_its_window_and_not_after(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    recent: Recent[str, int | None] = Recent(10)
    recent.put("a", None)  # "read, and there is nothing": known, unlike a key never read
    assert recent.get("a", 5) == (True, None)
    assert recent.get("b", 5) == (False, None)
    now[0] = 104.9
    assert recent.get("a", 5) == (True, None)
    now[0] = 105.0
    assert recent.get("a", 5) == (False, None)


def test_a_read_of_many_counts_from_when_it_began(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    recent: Recent[str, int] = Recent(10)
    began, generation = 98.0, recent.generation
    assert recent.put_many({"a": 1, "b": 2}, began, generation)
    assert recent.get("a", 5) == (True, 1)
    now[0] = 103.0  # five seconds after the read began, though only three after it was remembered
    assert recent.get("a", 5) == (False, None)


def test_a_read_of_many_is_dropped_if_anything_was_forgotten_meanwhile() -> None:
    """A token revoked while every live token was being read: the read may have found it still live."""
    recent: Recent[str, int] = Recent(10)
    recent.put("revoked", 1)
    began, generation = time.monotonic(), recent.generation
    recent.forget("revoked")
    assert not recent.put_many({"revoked": 1, "other": 2}, began, generation)
    assert recent.get("revoked", 60) == (False, None)
    assert recent.get("other", 60) == (False, None)  # read again next time, with nothing in between
    assert recent.put_many({"other": 2}, time.monotonic(), recent.generation)
    assert recent.get("other", 60) == (True, 2)


def test_a_later_read_of_one_is_not_overwritten_by_an_older_read_of_many() -> None:
    recent: Recent[str, str] = Recent(10)
    began, generation = time.monotonic(), recent.generation
    time.sleep(0.001)
    recent.put("a", "checked alone, later")
    assert recent.put_many({"a": "in the older read"}, began, generation)
    assert recent.get("a", 60) == (True, "checked alone, later")


def test_forgetting_everything_and_the_bound() -> None:
    recent: Recent[int, int] = Recent(2)
    assert recent.put_many({1: 1, 2: 2, 3: 3}, time.monotonic(), recent.generation)
    assert len(recent) == 2 and recent.get(1, 60) == (False, None)  # the first read dropped first
    recent.forget()
    assert len(recent) == 0 and recent.get(3, 60) == (False, None)
