"""The threads a server process runs beside its requests (services/background.py): each run in the app's
context, and a run that fails (the database away) is logged without stopping the ones after it."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask, current_app


def test_a_failed_run_is_logged_and_the_next_ones_still_come(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    from hia_service.services.background import Ticker

    runs: list[str] = []
    three = threading.Event()

    def work() -> None:
        runs.append(current_app.name)  # in the app's context
        if len(runs) == 1:
            raise RuntimeError("the database is away")
        if len(runs) >= 3:
            three.set()

    ticker = Ticker(app, 0.01, work, name="hia-test-ticker").start()
    try:
        assert three.wait(timeout=30)
    finally:
        ticker.stop()
    assert runs[:3] == [app.name] * 3
    failed = [record for record in caplog.records if record.getMessage() == "background work failed"]
    assert len(failed) == 1 and "the database is away" in str(failed[0].exc_info[1])
    done = len(runs)
    time.sleep(0.05)
    assert len(runs) == done  # stopped: no more runs
