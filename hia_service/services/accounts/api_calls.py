"""The record of API calls: an audit entry for every call, and each token's last-used time.

A call that changes something or downloads a document is audited as it always was: its own entry, committed as
soon as the answer is ready (after the request's own commit or rollback, so refused and failed calls are kept
too). A call that only reads is audited just the same, but a moment later: its entry (with the time of the
call) waits in this process and is written with the others that came in within HIA_API_AUDIT_BATCH_SECONDS, in
one transaction, by the server's background writer (hia_service/server.py) or, where there is none (`flask
run`), by the first call that finds the batch due. Tokens' last-used times wait with them, one write a minute
at most per token (services/accounts/tokens.py). Entries still waiting when a process is killed outright (not
stopped) are lost: at most those few seconds of reads. If the database cannot take them, they wait for the
next try, up to MAX_WAITING entries; beyond that the oldest are dropped and logged.

Web pages that show a live assessment's content are audited the same way, by the same batch
(services/assessments/viewing.py passes its entries to record_read).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from hia_service.data import tokens as token_store
from hia_service.data.audit import Actor, append_audit_events, audit_event
from hia_service.data.models import AuditEvent
from hia_service.data.transaction import commit
from hia_service.services.background import Ticker

log = logging.getLogger("hia_service.api")
EXTENSION = "hia_api_calls"
MAX_WAITING = 50_000
FALLEN_BEHIND = 10  # batch times


@dataclass(frozen=True)
class ApiCall:
    """One API call as the audit log keeps it."""

    actor: Actor | None  # None: no valid token
    method: str
    path: str
    status: int
    at: datetime

    def details(self) -> dict[str, object]:
        return {"method": self.method, "path": self.path, "status": self.status}

    def as_audit_event(self) -> AuditEvent:
        return audit_event("api_call", actor=self.actor, details=self.details(), at=self.at)


class WaitingEntry(Protocol):
    """An audit entry of a read, kept as plain values (no database row) until its batch is written."""

    def as_audit_event(self) -> AuditEvent: ...


class WaitingWrites:
    """Read calls' audit entries and tokens' last-used times waiting to be written, for one app in one
    process. Thread-safe: every request thread adds, one writer takes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[WaitingEntry] = []
        self._last_used: dict[int, datetime] = {}
        self._since: float | None = None  # when the oldest waiting write was added (time.monotonic)
        self.writer_running = False  # a BatchWriter writes them: a request steps in only if it falls behind

    def add_call(self, call: WaitingEntry) -> None:
        with self._lock:
            self._calls.append(call)
            self._since = self._since or time.monotonic()

    def add_last_used(self, token_id: int, at: datetime) -> None:
        with self._lock:
            known = self._last_used.get(token_id)
            self._last_used[token_id] = at if known is None or at > known else known
            self._since = self._since or time.monotonic()

    def due(self, seconds: float) -> bool:
        since = self._since
        return since is not None and time.monotonic() - since >= seconds

    def take(self) -> tuple[list[WaitingEntry], dict[int, datetime]]:
        with self._lock:
            calls, last_used = self._calls, self._last_used
            self._calls, self._last_used, self._since = [], {}, None
        return calls, last_used

    def put_back(self, calls: list[WaitingEntry], last_used: Mapping[int, datetime]) -> None:
        """Writes that failed go back in front of any added since, to be tried again."""
        with self._lock:
            self._calls = calls + self._calls
            dropped = len(self._calls) - MAX_WAITING
            if dropped > 0:
                lost, self._calls = self._calls[:dropped], self._calls[dropped:]
                for call in lost:
                    log.error("audit entry of a read dropped: %s", call)
            for token_id, at in last_used.items():
                known = self._last_used.get(token_id)
                self._last_used[token_id] = at if known is None or at > known else known
            self._since = self._since or time.monotonic()

    def __len__(self) -> int:
        return len(self._calls)


def waiting_writes(app: Flask | None = None) -> WaitingWrites:
    """This process's waiting writes for the app (the current one unless given)."""
    extensions = (app or current_app).extensions
    found = extensions.get(EXTENSION)
    return found if found is not None else extensions.setdefault(EXTENSION, WaitingWrites())


def record_api_call(call: ApiCall, *, batched: bool) -> None:
    """Audit one call, after the request's own transaction has committed or rolled back. `batched`: the
    call only read, so its entry may wait for the next batch (unless batches are switched off)."""
    if batched:
        record_read(call)
    else:
        _write_now(call)


def record_read(entry: WaitingEntry) -> None:
    """Audit a read, after the request's own transaction has committed or rolled back: with the next batch,
    or at once (in a transaction of its own) when batches are switched off."""
    seconds = float(current_app.config.get("HIA_API_AUDIT_BATCH_SECONDS", 0))
    if seconds <= 0:
        _write_now(entry)
        return
    waiting = waiting_writes()
    waiting.add_call(entry)
    # No background writer here (flask run): this request writes the batch once it is due. With one, only
    # if it has fallen well behind (the database slow), so requests do not race it for every batch.
    if waiting.due(seconds * FALLEN_BEHIND if waiting.writer_running else seconds):
        write_waiting()


def _write_now(entry: WaitingEntry) -> None:
    waiting = waiting_writes()
    calls, last_used = waiting.take()  # anything waiting goes in the same transaction, in order
    try:
        _write([*calls, entry], last_used)
        commit()
    except SQLAlchemyError:
        # Never turn a finished answer into a 500; the log keeps the failure.
        log.exception("could not write the audit entry %s", entry)
        waiting.put_back(calls, last_used)


def note_token_used(token_id: int, at: datetime) -> None:
    """Remember to write a token's last-used time with the next batch."""
    waiting_writes().add_last_used(token_id, at)


def write_waiting() -> int:
    """Write every waiting entry and last-used time in one transaction; the number of entries written."""
    waiting = waiting_writes()
    calls, last_used = waiting.take()
    if not calls and not last_used:
        return 0
    try:
        _write(calls, last_used)
        commit()
    except SQLAlchemyError:
        log.exception("could not write %d waiting API call audit entries; trying again later", len(calls))
        waiting.put_back(calls, last_used)
        return 0
    return len(calls)


def _write(calls: list[WaitingEntry], last_used: Mapping[int, datetime]) -> None:
    if calls:
        append_audit_events([call.as_audit_event() for call in calls])
    if last_used:
        token_store.record_last_used(last_used)


class BatchWriter(Ticker):
    """Writes the waiting entries every HIA_API_AUDIT_BATCH_SECONDS in a thread of its own, and once more
    when stopped (a server process's last act: hia_service/server.py)."""

    def __init__(self, app: Flask) -> None:
        seconds = float(app.config.get("HIA_API_AUDIT_BATCH_SECONDS", 0)) or 1.0
        super().__init__(app, seconds, write_waiting, name="hia-api-audit-writer")

    def start(self) -> BatchWriter:
        waiting_writes(self.app).writer_running = True
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        waiting_writes(self.app).writer_running = False
        self.run_once()
