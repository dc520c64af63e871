"""The API's allowance (api/rate_limits.py): counted in the shared storage, so every app server counts
against one allowance, a process taking several calls at a time while plenty is left (never more than the
allowance in all); each limit of several counted; and, when the storage is away, counting in the process
until it is back."""

from __future__ import annotations

import logging
import uuid

import pytest
from flask import Flask

from hia_service.api import rate_limits
from hia_service.api.rate_limits import ApiAllowance
from tests.conftest import REDIS_URL

UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers


def _answers(app: Flask, allowance: ApiAllowance, limits: str, key: str, calls: int) -> list[int]:
    with app.test_request_context("/api/v1/rules"):
        refusals = [allowance.refusal(limits, key) for _ in range(calls)]
    return [200 if refusal is None else refusal.status_code for refusal in refusals]


def test_two_servers_count_against_one_allowance_in_redis(app: Flask) -> None:
    key = f"token:{uuid.uuid4().hex}"  # Redis outlives the test: a key no other run has used
    first, second = ApiAllowance(REDIS_URL, "hia-test"), ApiAllowance(REDIS_URL, "hia-test")
    counted = [
        *_answers(app, first, "3/minute", key, 2),
        *_answers(app, second, "3/minute", key, 1),
        *_answers(app, first, "3/minute", key, 1),
    ]
    assert counted == [200, 200, 200, 429]
    assert _answers(app, second, "3/minute", f"token:{uuid.uuid4().hex}", 1) == [200]  # another caller


def test_a_refusal_says_which_limit_and_when_to_come_back(app: Flask) -> None:
    allowance = ApiAllowance("memory://", "hia-test")
    with app.test_request_context("/api/v1/rules", headers={"Accept": "application/json"}):
        assert allowance.refusal("5/second;2/minute", "addr:10.0.0.1") is None
        assert allowance.refusal("5/second;2/minute", "addr:10.0.0.1") is None
        refused = allowance.refusal("5/second;2/minute", "addr:10.0.0.1")
    assert refused is not None and refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "2"  # the per-minute limit is the one used up
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_with_the_storage_away_each_process_counts_its_own_calls_and_says_so(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    allowance = ApiAllowance(UNREACHABLE, "hia-test")
    with caplog.at_level(logging.WARNING, logger="hia_service.api"):
        counted = _answers(app, allowance, "2/minute", "addr:10.0.0.2", 3)
    assert counted == [200, 200, 429]  # still limited, here
    warnings = [r for r in caplog.records if "rate-limit storage unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once, not on every call


def test_the_storage_is_tried_again_after_a_while(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    allowance = ApiAllowance(UNREACHABLE, "hia-test")
    assert _answers(app, allowance, "100/minute", "addr:10.0.0.3", 1) == [200]
    tried: list[int] = []
    real = allowance._shared.incr

    def spy(*args: object, **kwargs: object) -> int:
        tried.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(allowance._shared, "incr", spy)
    assert _answers(app, allowance, "100/minute", "addr:10.0.0.3", 1) == [200]
    assert tried == []  # within the wait: counted in the process without trying the storage
    monkeypatch.setattr(rate_limits, "STORAGE_RETRY_SECONDS", 0.0)
    assert _answers(app, allowance, "100/minute", "addr:10.0.0.3", 1) == [200]
    assert tried == [1]  # tried again (and, still away, counted in the process once more)


def _storage_round_trips(allowance: ApiAllowance, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each count sent to the shared storage from now on, by how many calls it takes."""
    taken: list[int] = []
    real = allowance._shared.incr

    def spy(key: str, expiry: int, amount: int = 1) -> int:
        taken.append(amount)
        return real(key, expiry, amount)

    monkeypatch.setattr(allowance._shared, "incr", spy)
    return taken


# A day's window: a test of exact counts must not cross into the next window while it runs.
def test_one_process_makes_a_large_allowance_to_the_call_with_few_round_trips(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowance = ApiAllowance(REDIS_URL, "hia-test")
    taken = _storage_round_trips(allowance, monkeypatch)
    key = f"token:{uuid.uuid4().hex}"
    assert _answers(app, allowance, "300/day", key, 301) == [200] * 300 + [429]
    assert len(taken) <= 50  # not one per call: 16 at a time, fewer as the end nears, then one by one
    assert max(taken) == rate_limits.LEASE_MOST and taken[-2:] == [1, 1]


def test_processes_sharing_an_allowance_never_make_more_than_it_in_all(app: Flask) -> None:
    key = f"token:{uuid.uuid4().hex}"
    processes = [ApiAllowance(REDIS_URL, "hia-test") for _ in range(3)]
    answers = [_answers(app, processes[n % 3], "200/day", key, 1)[0] for n in range(400)]
    made = answers.count(200)
    # Calls one process took and had not made when the allowance ran out are refused elsewhere.
    assert 200 - 2 * rate_limits.LEASE_MOST <= made <= 200
    assert answers[-30:] == [429] * 30  # once used up, used up everywhere


def test_a_small_allowance_is_counted_call_by_call_across_processes(app: Flask) -> None:
    key = f"token:{uuid.uuid4().hex}"
    first, second = ApiAllowance(REDIS_URL, "hia-test"), ApiAllowance(REDIS_URL, "hia-test")
    answers = [_answers(app, (first, second)[n % 2], "15/day", key, 1)[0] for n in range(20)]
    assert answers == [200] * 15 + [429] * 5
