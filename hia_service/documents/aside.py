"""Work done in a forked child process while this one gets on with something else.

A record's chart and map take matplotlib about 0.15 s each, all of it holding the GIL, so a thread cannot
draw one while the other is drawn; a child process can, on a second core. The child is forked, so it
starts at once with everything already imported and drawn (caches included), and leaves by os._exit:
it never touches the parent's database connections, files or atexit handlers.

Forking is only safe when this process has a single thread (another thread might hold a lock the child
would then wait on for ever), which is so in a job worker, the CLI and the benchmarks. Everywhere else
(the web app's threads, a job run in-process) the work is simply done inline, with the same result.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pickle
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def can_fork() -> bool:
    """Only a process with one thread forks: a child of a threaded one could inherit a lock that another
    thread held at that moment, and wait on it for ever."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Aside(Generic[T]):
    """The result of work(): from the child process when it could be forked, else done on first ask."""

    def __init__(self, work: Callable[[], T], *, fork: bool | None = None) -> None:
        self._work = work
        self._pid: int | None = None
        self._reader: int | None = None
        self._done: tuple[T] | None = None
        self._forked = False
        if fork is None:
            fork = can_fork()
        if fork:
            self._start()

    @property
    def forked(self) -> bool:
        """Whether the work went to a child process (even if that child has since answered or failed)."""
        return self._forked

    def result(self) -> T:
        """Wait for the child's answer. A child that failed or died is logged and the work done here,
        so any error it raised is raised here, in the ordinary way."""
        if self._done is None:
            answer = self._collect()
            self._done = (self._work(),) if answer is None else answer
        return self._done[0]

    def close(self) -> None:
        """Reap the child when its answer is no longer wanted (the render failed before asking)."""
        self._collect()

    def _start(self) -> None:
        reader, writer = os.pipe()
        _widen(writer)
        pid = os.fork()
        if pid == 0:  # the child: work, write, leave without running any of the parent's clean-up
            code = 1
            try:
                os.close(reader)
                payload = pickle.dumps((self._work(),), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(writer, "wb") as out:
                    out.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self._pid, self._reader, self._forked = pid, reader, True

    def _collect(self) -> tuple[T] | None:
        pid, reader = self._pid, self._reader
        if pid is None or reader is None:
            return None
        self._pid = self._reader = None
        with os.fdopen(reader, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not payload:
            log.warning("A figure drawn in a child process failed; drawing it again here")
            return None
        answer: tuple[T] = pickle.loads(payload)  # written by our own forked child
        return answer


def _widen(pipe: int) -> None:
    """Room in the pipe for a whole map (about 330 KB), so the child writes it, exits and is gone by the
    time the parent asks, instead of waiting for the parent to read 64 KB at a time."""
    # Above this machine's limit (/proc/sys/fs/pipe-max-size) the default size still works, only slower.
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
