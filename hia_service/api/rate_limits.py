"""The API's allowance: HIA_API_RATE_LIMIT calls ("300/minute", or several: "10/second;300/minute") in
each fixed window, for each live token on its own and for everyone else by address (rate_limit_key).

Counted with the `limits` library itself, one count in the shared storage for each call (Redis in
production, so every app server counts against one allowance). Flask-Limiter, which still guards signing in
and join codes, spent about 0.1 ms of every API call (measured side by side) working out which of its
limits applied before it counted. When the storage cannot be reached, each process counts on its own for
a while, as Flask-Limiter's in-memory fallback did, and then tries the storage again.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from flask import Flask, Response, current_app, make_response, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from hia_service.errors import add_limit_headers, render_error
from hia_service.extensions import rate_limit_key

log = logging.getLogger("hia_service.api")
EXTENSION = "hia_api_allowance"
STORAGE_RETRY_SECONDS = 30.0  # after the storage failed: counting here only, then trying it again


class ApiAllowance:
    """Counts each API call against its caller's allowance; `refusal` answers a call over it."""

    def __init__(self, storage_uri: str, prefix: str) -> None:
        self._shared = FixedWindowRateLimiter(storage_from_string(storage_uri))
        self._own = FixedWindowRateLimiter(MemoryStorage())
        self._prefix = prefix
        self._lock = threading.Lock()
        self._shared_failed_at: float | None = None

    def refusal(self, limits: str, key: str) -> Response | None:
        """Count one call by `key` against every limit in `limits`; the 429 answer if any is used up."""
        counter = self._counter()
        try:
            return self._count(counter, limits, key)
        except Exception as error:  # the storage is away: count here until it is back
            if counter is self._own:
                raise
            self._storage_failed(error)
            return self._count(self._own, limits, key)

    def _count(self, counter: RateLimiter, limits: str, key: str) -> Response | None:
        identifiers = (self._prefix, "api", key)
        refused = [item for item in _parsed(limits) if not counter.hit(item, *identifiers)]
        if not refused:
            return None
        first = min(refused)  # the one whose window is shortest, as Flask-Limiter reported
        window = counter.get_window_stats(first, *identifiers)
        response = make_response(render_error(429))
        reset_at = int(window.reset_time + 1)  # rounded up, as Flask-Limiter said it
        add_limit_headers(response, first.amount, window.remaining, reset_at)
        return response

    def reach_storage(self) -> bool:
        """Open the connection to the shared storage now (a server's warm-up); whether it answers."""
        return bool(self._shared.storage.check())

    def _counter(self) -> RateLimiter:
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
