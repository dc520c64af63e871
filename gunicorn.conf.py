"""gunicorn's settings for hia-service: `gunicorn --config gunicorn.conf.py ... wsgi:app` (make run, the
systemd unit in deploy/; gunicorn also reads this file by itself when started in this folder).

Address, workers and threads stay on the command line. This adds what every deployment needs: each worker
warms up after loading the app and before it accepts a connection (reference data loaded, pyproj ready in
every request thread, a database connection open: hia_service/server.py), so no one's first request waits
for it; and writes what it still holds (audit entries of API reads) when it stops.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from flask import Flask

    from hia_service.server import prepare_worker

    if isinstance(worker.wsgi, Flask):
        prepare_worker(worker.wsgi, getattr(worker, "tpool", None), worker.cfg.threads)


def worker_exit(server: Any, worker: Any) -> None:
    from flask import Flask

    from hia_service.server import finish_worker

    if isinstance(getattr(worker, "wsgi", None), Flask):
        finish_worker(worker.wsgi)
