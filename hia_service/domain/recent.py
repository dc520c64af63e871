"""What a process read from the shared database a moment ago and trusts for a few seconds more.

Some reads are made by nearly every request and change rarely (a token's check, the population an
organisation serves). A process remembers each as read, with when (time.monotonic), and trusts it for a
window the caller chooses; a change made in this process forgets it at once, a change made elsewhere shows
within the window. Many values can be remembered from one read of them all (`put_many`): such a read may have
begun before something was forgotten, so it is remembered only if nothing was forgotten since it began.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """At most `size` values by key, each with when it was read; the least recently read is dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._generation = 0  # counts forgetting

    @property
    def generation(self) -> int:
        """Read before a read of many values begins; given to put_many with what it found."""
        return self._generation

    def get(self, key: K, seconds: float) -> tuple[bool, V | None]:
        """(True, value) if `key` was read less than `seconds` ago, else (False, None)."""
        with self._lock:
            found = self._values.get(key)
        if found is None or time.monotonic() - found[0] >= seconds:
            return False, None
        return True, found[1]

    def put(self, key: K, value: V) -> None:
        """`value` read just now."""
        with self._lock:
            self._keep(key, time.monotonic(), value)
            self._trim()

    def put_many(self, found: Mapping[K, V], read_at: float, generation: int) -> bool:
        """Values from one read that began at `read_at` (time.monotonic), when the generation was
        `generation`. Not remembered if anything was forgotten since (the read may hold what was
        forgotten; the next read will not). A value read alone since keeps that later read."""
        with self._lock:
            if generation != self._generation:
                return False
            for key, value in found.items():
                known = self._values.get(key)
                if known is None or known[0] < read_at:
                    self._keep(key, read_at, value)
            self._trim()
        return True

    def forget(self, key: K | None = None) -> None:
        """Forget one value, or all of them."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._values.clear()
            else:
                self._values.pop(key, None)

    def _keep(self, key: K, read_at: float, value: V) -> None:
        self._values[key] = (read_at, value)
        self._values.move_to_end(key)

    def _trim(self) -> None:
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)
