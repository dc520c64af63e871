"""Handing memory freed by a load's large steps back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


def release_freed_memory() -> None:
    """With glibc, return the heap's free pages to the system: blocks freed by one step of a load (a
    file's strings, a projection's coordinates) otherwise stay in the process, so each step's passing
    arrays were added to the next step's. Elsewhere, nothing.

    No garbage collection first: the arrays are freed as their last reference goes (the load's peak is
    the same without it, 571 MB), and a full collection in a process holding much else (a web worker, the
    test suite) took 90-700 ms per call."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return None
