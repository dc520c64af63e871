"""A bounded, thread-safe store of things worked out before, dropped least recently used first.

Several places keep what is costly to work out again and cannot change while its inputs stay the same
(charts, maps, area profiles, other assessments' footprints). Each may also depend on the reference data
loaded: `since(generation)` forgets everything when that changes (a new engine after a reference load).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(Generic[K, V]):
    """At most `size` values by key; the least recently used is dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[K, V] = OrderedDict()
        self._generation: object = None

    def since(self, generation: object) -> Kept[K, V]:
        """This store, emptied first if what its values were worked out from has changed since."""
        with self._lock:
            if self._generation is not generation:
                self._values.clear()
                self._generation = generation
        return self

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            self._trim()
        return value

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = size
            self._trim()

    def _trim(self) -> None:
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for `key`, or `make()` kept. `make` runs outside the lock, so two threads may
        both make the same value once: harmless for values that are the same whoever makes them."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


def digest(value: object) -> str:
    """A short key for a value that may be large (a GeoJSON shape, a list of codes, a request): the sha256 of
    its pickled bytes, about 15 times quicker than of its JSON text for a shape of many points (5 ms for
    73,000 points, where the JSON took 75). Equal bytes mean equal values; the same value built in another
    order may get another key, which costs a miss, never a wrong answer. A value pickle cannot write is
    keyed by its JSON text."""
    try:
        written = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        written = json.dumps(value, sort_keys=True, default=repr).encode()
    return hashlib.sha256(written).hexdigest()
