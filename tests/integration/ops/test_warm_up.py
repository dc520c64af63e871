"""No cold first request (issue 23): a gunicorn worker loads the reference data and readies pyproj in every
request thread before it accepts a connection (gunicorn.conf.py -> hia_service/server.py), and writes the
API reads waiting to be audited when it stops."""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request, request_finished

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def test_prepare_worker_loads_the_engine_and_readies_every_request_thread(
    area_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service import server
    from hia_service.geography import DEFAULT_RELEASE
    from hia_service.services.areas import engine as geography

    unloaded = {"engine": None, "snapshot": None, "checked": 0.0, "dir": None}
    monkeypatch.setattr(geography, "_state", unloaded)  # as in a new process
    prepared_in: list[int] = []
    real = geography.prepare_thread

    def spy() -> None:
        prepared_in.append(threading.get_ident())
        real()

    monkeypatch.setattr(geography, "prepare_thread", spy)
    served: list[str] = []

    def finished(sender: Flask, response: Any, **extra: Any) -> None:
        served.append(f"{request.path} {response.status_code}")

    audited = _audit_rows(area_app)
    with ThreadPoolExecutor(max_workers=4) as pool, request_finished.connected_to(finished, area_app):
        server.prepare_worker(area_app, pool, 4)
        pool_threads = {thread.ident for thread in pool._threads}
    try:
        # One request through the whole stack, so the first person's does not meet every first-use cache
        # (Flask's, werkzeug's, the database session's); it changes nothing.
        assert served == ["/healthz 200"]
        assert _audit_rows(area_app) == audited
        engine = unloaded["engine"]
        assert engine is not None  # loaded before any request asked for it
        table = engine.releases[DEFAULT_RELEASE]
        assert {"frac_rank", "row_of", "rep_xy"} <= set(vars(table))  # what first profiles built lazily
        assert DEFAULT_RELEASE in engine._baselines
        assert sorted(prepared_in) == sorted(pool_threads) and len(pool_threads) == 4  # each thread once
        assert server.WRITER in area_app.extensions
        reader = area_app.extensions[server.READER]  # reads the live tokens again every few seconds
        assert reader is not None and reader._thread.is_alive()
        # What the warm-up loaded is left out of the garbage collector's searches from now on.
        assert gc.get_freeze_count() > 100_000
        compiled = {name for _, name in area_app.jinja_env.cache or {}}
        assert {"wizard/check.html", "nhsuk/template.jinja"} <= compiled  # a page and what it imports
    finally:
        server.finish_worker(area_app)
        gc.unfreeze()  # this test process goes on to other tests
    assert server.WRITER not in area_app.extensions and server.READER not in area_app.extensions
    assert not reader._thread.is_alive()


def _audit_rows(app: Flask) -> int:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) or 0)


def test_the_batch_writer_writes_waiting_reads_in_the_background_and_when_stopped(app: Flask) -> None:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db
    from hia_service.services.accounts.api_calls import ApiCall, BatchWriter, record_api_call

    def stored() -> int:
        with app.app_context():
            query = db.select(db.func.count()).where(AuditEvent.event_type == "api_call")
            return int(db.session.scalar(query) or 0)

    def read() -> None:
        with app.test_request_context("/api/v1/rules"):
            call = ApiCall(None, "GET", "/api/v1/rules", 401, datetime.now(UTC))
            record_api_call(call, batched=True)

    app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 0.05
    writer = BatchWriter(app).start()
    try:
        read()
        deadline = time.monotonic() + 30
        while stored() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored() == 1  # written by the writer's thread, with no request to do it
    finally:
        app.config["HIA_API_AUDIT_BATCH_SECONDS"] = 1.0
        writer.seconds = 3600  # from now on only stop() writes
    read()
    writer.stop()
    assert stored() == 2


def test_a_gunicorn_worker_is_ready_before_its_first_request(
    reference_data_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HIA_ENV": "testing",
        "HIA_DATABASE_URL": f"sqlite:///{tmp_path / 'hia.sqlite3'}",
        "HIA_DATA_DIR": str(reference_data_dir),
        "HIA_LOG_LEVEL": "INFO",
    }
    command = [
        str(BIN / "gunicorn"),
        *("--config", "gunicorn.conf.py", "--workers", "1", "--threads", "3"),
        *("--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "wsgi:app"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            _first_answer(f"http://127.0.0.1:{port}/healthz", process)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    lines = log.read_text(errors="replace").splitlines()
    ready = [i for i, line in enumerate(lines) if '"worker ready"' in line]
    served = [i for i, line in enumerate(lines) if "GET /healthz" in line]
    assert ready and served, "\n".join(lines[-40:])
    assert ready[0] < served[0]  # warmed up, then took the request
    fields: dict[str, Any] = json.loads(lines[ready[0]])
    assert fields["engine_loaded"] is True and fields["threads"] == 3
    # One /healthz went through gunicorn's own connection handling before the worker was ready (503: this
    # database has no tables), and was left out of the access log: the only line is this test's request.
    assert (fields["healthz"], fields["healthz_through"]) == (503, "the server") and len(served) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_answer(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped"
        try:
            with urllib.request.urlopen(url, timeout=30):
                return
        except urllib.error.HTTPError:  # 503: no schema in this database; an answer all the same
            return
        except OSError:  # not listening yet
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer")
