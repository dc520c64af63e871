"""Work a server process does every few seconds in a thread of its own, beside its requests (started and
stopped by hia_service/server.py): writing batched audit entries, reading the live API tokens again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from hia_service.data.transaction import finish

log = logging.getLogger("hia_service.background")


class Ticker:
    """Runs `work` every `seconds` in the app's context, each run in a transaction of its own. A run that
    fails is logged and the next one comes as usual: the thread must outlive a database restart."""

    def __init__(self, app: Flask, seconds: float, work: Callable[[], object], name: str) -> None:
        self.app = app
        self.seconds = seconds
        self.work = work
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            self.run_once()

    def run_once(self) -> None:
        with self.app.app_context():
            try:
                self.work()
            except Exception:
                log.exception("background work failed", extra={"fields": {"thread": self._thread.name}})
            finally:
                finish()
