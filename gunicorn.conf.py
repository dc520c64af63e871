"""gunicorn's settings for hia-service: `gunicorn --config gunicorn.conf.py ... wsgi:app` (make run, the
systemd unit in deploy/; gunicorn also reads this file by itself when started in this folder).

Address, workers and threads stay on the command line. This adds what every deployment needs: each worker
warms up after loading the app and before it accepts a connection (reference data loaded, pyproj ready in
every request thread, a database connection open, one /healthz served through the worker's own connection
handling: hia_service/server.py), so no one's first request waits for it; and writes what it still holds
(audit entries of API reads) when it stops.
"""

from __future__ import annotations

from functools import partial
from typing import Any

# How long an idle kept-alive connection stays open (gunicorn's default is 2 s). It must outlast the proxy's
# hold on its idle connections to us (deploy/nginx/hia.conf: keepalive_timeout 60s), or the proxy sends a
# request on a connection gunicorn is closing at that moment; a POST is not retried, and the person gets a
# 502. A load test's clients, idle 1 to 3 s between actions, met the same race.
keepalive = 75


def post_worker_init(worker: Any) -> None:
    from flask import Flask

    from hia_service.server import prepare_worker, serve_through_worker

    if isinstance(worker.wsgi, Flask):
        pool = getattr(worker, "tpool", None)  # gthread workers only
        plain = pool is not None and not worker.cfg.is_ssl  # the warm-up request speaks plain HTTP
        serve = partial(serve_through_worker, worker) if plain else None
        prepare_worker(worker.wsgi, pool, worker.cfg.threads, serve)


def worker_exit(server: Any, worker: Any) -> None:
    from flask import Flask

    from hia_service.server import finish_worker

    if isinstance(getattr(worker, "wsgi", None), Flask):
        finish_worker(worker.wsgi)
