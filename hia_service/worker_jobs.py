"""What RQ runs by name in a worker process. `hia worker` gives each job an app context already; a worker
started with plain `rq worker` has none, so each process builds the app once here. Kept out of
services/ so that no use case imports the app factory (and through it every view)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from flask import Flask, has_app_context

from hia_service.services.documents import jobs

_APPS: list[Flask] = []


def sign_job(assessment_id: int, number: int) -> str:
    with _app_context():
        return jobs.sign_job(assessment_id, number)


def render_job(assessment_id: int, number: int, kind: str = "pdf") -> str:
    with _app_context():
        return jobs.render_job(assessment_id, number, kind)


def _app_context() -> AbstractContextManager[object]:
    if has_app_context():
        return nullcontext()
    if not _APPS:
        from hia_service import create_app

        _APPS.append(create_app())
    return _APPS[0].app_context()
