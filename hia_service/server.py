"""A server process's life around its requests: warmed up before the first, and finished after the last.

gunicorn.conf.py calls these from gunicorn's hooks: prepare_worker once a worker has loaded the app and before
it accepts a connection, so no one's first request pays for loading the reference data (about 200 ms), for
pyproj's per-thread set-up (25-80 ms in each thread), for compiling its page's templates (about 200 ms), for
opening a database connection or for the first-use caches on a request's way through gunicorn, Flask, werkzeug
and the database session (one /healthz is served through the worker's own connection handling), and
starts the threads that work beside the requests (writing batched audit entries, reading the live API tokens
again); finish_worker when the worker stops, so the API reads waiting to be audited are written. Without
gunicorn (`flask run`, tests) all of this happens lazily on first use, as it always did.
"""

from __future__ import annotations

import gc
import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import configure_mappers

from hia_service.api.rate_limits import api_allowance
from hia_service.data.transaction import commit, finish
from hia_service.extensions import db, limiter
from hia_service.services.accounts import tokens
from hia_service.services.accounts.api_calls import BatchWriter
from hia_service.services.areas import engine as geography
from hia_service.services.background import Ticker
from hia_service.services.documents import staged
from hia_service.services.organisation.population import organisation_baseline, read_served_populations

log = logging.getLogger("hia_service.server")
WRITER = "hia_batch_writer"
READER = "hia_live_reader"


def prepare_worker(
    app: Flask, pool: Executor | None = None, threads: int = 1, serve: Callable[[], object] | None = None
) -> None:
    """Do before the first request what the first requests would otherwise do (reading what API calls
    check among it), and start the threads that write batched audit entries and read that again. `pool`:
    the worker's request threads (gunicorn's gthread worker), each of which makes its own pyproj objects.
    `serve`: serves one /healthz the way the server serves requests (serve_through_worker); by default
    Flask's test client serves it. A step that fails (the database not up yet) is logged and left to the
    first request, as before: the worker still starts."""
    started = time.perf_counter()
    with app.app_context():
        steps = (configure_mappers, _open_a_connection, _compile_first_queries, read_what_calls_check)
        for step in steps:
            _attempt(step)
        _attempt(lambda: app.url_map.bind("localhost").match("/healthz"))  # builds the URL matcher
        _attempt(lambda: compile_templates(app))
        engine_loaded = _attempt(geography.prepare) is True
        _attempt(_finish_stopped_imports)
        _reach_rate_limit_storage(app)
        finish()
    # /healthz reads only: no audit entry, no rate limit
    status = _attempt(serve or (lambda: app.test_client().get("/healthz").status_code))
    if pool is not None and threads > 1:
        _attempt(lambda: in_every_thread(pool, threads, geography.prepare_thread))
    app.extensions[WRITER] = BatchWriter(app).start()
    app.extensions[READER] = _reader(app)
    elapsed = round((time.perf_counter() - started) * 1000)
    fields = {
        **{"warm_up_ms": elapsed, "engine_loaded": engine_loaded, "threads": threads},
        **{"healthz": status, "healthz_through": "the server" if serve else "Flask's test client"},
    }
    log.info("worker ready", extra={"fields": fields})
    _freeze_what_is_loaded()


def _finish_stopped_imports() -> None:
    """Move into place the signed PDFs of an import stopped after its commit (one query when there are
    none). Every worker tries; a file another has moved is only forgotten (services/documents/staged.py)."""
    staged.move_into_place()
    commit()


def _freeze_what_is_loaded() -> None:
    """Leave what the warm-up loaded (modules, templates, the engine, compiled queries: objects that live
    as long as the process) out of the garbage collector's searches. A full collection otherwise walks all
    of it, about 100 ms in the middle of someone's request every so often; with it left out, about 1 ms."""
    gc.collect()  # what is garbage now goes now, not frozen with the rest
    gc.freeze()


def serve_through_worker(worker: Any, path: str = "/healthz") -> int:
    """Serve one GET for `path` through a gunicorn gthread worker's own connection handling (accept, parse,
    respond, on a loopback connection of its own), before the worker takes its first real connection:
    the first person's request otherwise meets gunicorn's first-use costs as well as the app's, 1-2 ms of
    a bare app's 2-3 ms first answer. Left out of the access log: no one asked for it. Returns the status."""
    from gunicorn.workers.gthread import TConn  # type: ignore[import-untyped]  # only under gunicorn

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=30)
        served, address = listener.accept()
    access, requests = worker.log.access, worker.nr
    worker.log.access = lambda *args, **kwargs: None
    try:
        with client, served:
            client.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            conn = TConn(worker.cfg, served, address, client.getpeername())
            worker.tpool.submit(worker.handle, conn).result(timeout=60)
            answer = client.recv(64)
    finally:
        worker.log.access, worker.nr = access, requests  # not counted towards max_requests either
    return int(answer.split(b" ", 2)[1])


def _attempt(step: Callable[[], object]) -> object:
    try:
        return step()
    except Exception:
        log.exception("warm-up step failed; the first request that needs it will try again")
        return None


def compile_templates(app: Flask) -> None:
    """Compile every template, ours (.html) and nhsuk-frontend-jinja's (.jinja), about 1.4 s in all: a
    page's first render otherwise compiles it with the macros it imports, about 200 ms."""
    environment = app.jinja_env
    for name in environment.list_templates():
        if name.endswith((".html", ".jinja")):
            environment.get_template(name)


def _compile_first_queries() -> None:
    """Compile the look-ups that most API calls make, which SQLAlchemy otherwise compiles on first use (a
    few ms each): the token check and the population the caller's organisation serves (area profiles are
    compared with it). Neither finds anything here."""
    tokens.prepare()
    organisation_baseline(0)


def _open_a_connection() -> None:
    with db.engine.connect() as connection:  # kept open in the pool for the first request
        connection.execute(text("SELECT 1"))


def finish_worker(app: Flask) -> None:
    """Write what is waiting (audit entries of API reads, tokens' last-used times) before the process ends."""
    for name in (READER, WRITER):
        ticker = app.extensions.pop(name, None)
        if ticker is not None:
            ticker.stop()


def read_what_calls_check() -> None:
    """Read at once what every API call checks (the live tokens, the populations organisations serve), so
    that none waits for a query of its own: at a worker's start and every half HIA_API_TOKEN_CACHE_SECONDS
    after. A token made or a population set since is read on its first use, as before."""
    tokens.read_live_tokens()
    read_served_populations()


def _reader(app: Flask) -> Ticker | None:
    """The thread that reads again what calls check; none if nothing is remembered (the setting is 0)."""
    seconds = float(app.config.get("HIA_API_TOKEN_CACHE_SECONDS", 0))
    if seconds <= 0:
        return None
    return Ticker(app, seconds / 2, read_what_calls_check, name="hia-live-reader").start()


def in_every_thread(pool: Executor, threads: int, work: Callable[[], None]) -> None:
    """Run `work` once in each of the pool's `threads` threads. Each task waits for all the others, so no
    thread can take two and the pool starts every thread it has (a ThreadPoolExecutor starts a new thread
    for a task whenever none is idle)."""
    everyone = threading.Barrier(threads, timeout=60)

    def once() -> None:
        try:
            work()
        finally:
            everyone.wait()

    for task in [pool.submit(once) for _ in range(threads)]:
        task.result(timeout=120)  # a thread that could not be prepared raises here; it warms on first use


def _reach_rate_limit_storage(app: Flask) -> None:
    """Open the connections to where rate limits are counted (Redis) now, not on the first API call."""
    allowance = api_allowance(app)
    try:
        limiter.storage.check()
        if allowance is not None:
            allowance.reach_storage()
    except Exception:  # a limiter without storage, or Redis away: the first call finds out, as before
        log.warning("rate-limit storage not reachable at start")
