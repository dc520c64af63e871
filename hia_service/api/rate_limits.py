"""The API's allowance: HIA_API_RATE_LIMIT calls ("300/minute", or several: "10/second;300/minute") in
each fixed window, for each live token on its own and for everyone else by address (rate_limit_key).

Counted in the shared storage (Redis in production), so every app server counts against one allowance; but
a process does not ask the storage on every call. It takes several calls at once from the shared count (a
lease: at most LEASE_MOST, and at most an eighth of what it last saw left) and makes them from its own
memory, in microseconds, asking again when they are used. So:
- nobody is ever let through more calls than the allowance: every call a process makes was counted in the
  storage first;
- a small allowance (under 16 calls in a window) is counted call by call, exactly as before;
- a caller whose calls go to several processes may be refused a few calls early (at most what another
  process took and has not used, fewer the nearer the allowance is to its end), until the next window.
Windows are aligned to the clock (a minute's starts on the minute), so every process knows when its lease
ends without asking. When the storage cannot be reached, each process counts on its own for a while, call
by call, and then tries the storage again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, Response, current_app, make_response, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string

from hia_service.errors import add_limit_headers, render_error
from hia_service.extensions import rate_limit_key

log = logging.getLogger("hia_service.api")
EXTENSION = "hia_api_allowance"
STORAGE_RETRY_SECONDS = 30.0  # after the storage failed: counting here only, then trying it again
LEASE_MOST = 16  # calls a process takes from the shared count at once: one storage round trip per 16 calls
LEASE_SHARE = 8  # ... and at most an eighth of what was left when it last looked
LEASES_KEPT = 10_000  # callers with a lease in this process; beyond it, ended windows' leases are dropped


@dataclass
class _Lease:
    ends: float  # when its window ends (epoch seconds)
    left: int  # calls taken from the shared count and not yet made
    seen: int  # the shared count when this process last took calls


class ApiAllowance:
    """Counts each API call against its caller's allowance; `refusal` answers a call over it."""

    def __init__(self, storage_uri: str, prefix: str) -> None:
        shared = storage_from_string(storage_uri)
        if not isinstance(shared, Storage):  # an async:// storage: this counts in plain calls
            raise ValueError(f"The API's rate limits need a storage for plain calls, not {storage_uri!r}")
        self._shared: Storage = shared
        self._own: Storage = MemoryStorage()
        self._prefix = prefix
        self._lock = threading.Lock()
        self._leases: dict[str, _Lease] = {}
        self._shared_failed_at: float | None = None

    def refusal(self, limits: str, key: str) -> Response | None:
        """Count one call by `key` against every limit in `limits`; the 429 answer if any is used up."""
        storage = self._storage()
        try:
            return self._count(storage, limits, key)
        except Exception as error:  # the storage is away: count here until it is back
            if storage is self._own:
                raise
            self._storage_failed(error)
            return self._count(self._own, limits, key)

    def _count(self, storage: Storage, limits: str, key: str) -> Response | None:
        now = time.time()
        refused = [item for item in _parsed(limits) if not self._take(storage, item, key, now)]
        if not refused:
            return None
        first = min(refused)  # the one whose window is shortest, as Flask-Limiter reported
        response = make_response(render_error(429))
        reset_at = int(_window_end(first, now)) + 1  # rounded up, as Flask-Limiter said it
        add_limit_headers(response, first.amount, 0, reset_at)
        return response

    def _take(self, storage: Storage, item: RateLimitItem, key: str, now: float) -> bool:
        """One call of `key` against `item`: from this process's lease if it has one, else counted in the
        storage (with more taken at once while plenty is left)."""
        seconds = item.get_expiry()
        ends = _window_end(item, now)
        name = f"{item.key_for(self._prefix, 'api', key)}/{int(ends)}"
        if storage is self._own:
            return storage.incr(name, seconds) <= item.amount
        with self._lock:
            lease = self._leases.get(name)
            if lease is not None and lease.left > 0:
                lease.left -= 1
                return True
            seen = lease.seen if lease is not None else 0
        wanted = max(1, min(LEASE_MOST, (item.amount - seen) // LEASE_SHARE))
        total = storage.incr(name, seconds, amount=wanted)
        granted = max(0, min(wanted, item.amount - (total - wanted)))
        with self._lock:
            if len(self._leases) >= LEASES_KEPT:
                self._forget_ended(now)
            self._leases[name] = _Lease(ends, max(granted - 1, 0), total)
        return granted > 0

    def _forget_ended(self, now: float) -> None:
        self._leases = {name: lease for name, lease in self._leases.items() if lease.ends > now}
        if len(self._leases) >= LEASES_KEPT:  # all current: forgetting unused calls only refuses early
            self._leases.clear()

    def reach_storage(self) -> bool:
        """Open the connection to the shared storage now (a server's warm-up); whether it answers."""
        return bool(self._shared.check())

    def _storage(self) -> Storage:
        with self._lock:
            failed_at = self._shared_failed_at
            if failed_at is None:
                return self._shared
            if time.monotonic() - failed_at < STORAGE_RETRY_SECONDS:
                return self._own
            self._shared_failed_at = None  # time to try the storage again
            return self._shared

    def _storage_failed(self, error: Exception) -> None:
        with self._lock:
            self._shared_failed_at = time.monotonic()
        log.warning(
            "API rate-limit storage unreachable: counting in this process for %d seconds",
            STORAGE_RETRY_SECONDS,
            extra={"fields": {"error": str(error)[:200]}},
        )


def _window_end(item: RateLimitItem, now: float) -> float:
    """The end of the clock-aligned window `now` is in (epoch seconds)."""
    seconds = item.get_expiry()
    return (now // seconds + 1) * seconds


@lru_cache(maxsize=16)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limits))


def register_allowance(app: Flask, storage_uri: str, prefix: str) -> None:
    allowance = ApiAllowance(storage_uri, prefix)
    app.extensions[EXTENSION] = allowance

    @app.before_request
    def count_api_call() -> Response | None:
        if not request.path.startswith("/api/"):
            return None
        limits = str(current_app.config.get("HIA_API_RATE_LIMIT", "300/minute"))
        return allowance.refusal(limits, rate_limit_key())


def api_allowance(app: Flask) -> ApiAllowance | None:
    found = app.extensions.get(EXTENSION)
    return found if isinstance(found, ApiAllowance) else None
