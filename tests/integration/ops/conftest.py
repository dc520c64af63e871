"""Fixtures for the operations tests: the app switched to the RQ queue on the real Redis (a queue of its own
per test, removed afterwards), plus the review fixtures that make and approve assessments."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.integration.documents_wiring import conftest as documents_fixtures
from tests.integration.review import conftest as review_fixtures

act = review_fixtures.act
login = review_fixtures.login
make_assessment = review_fixtures.make_assessment
world = review_fixtures.world
approved = documents_fixtures.approved
version_of = documents_fixtures.version_of
REDIS_URL = os.environ.get("HIA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def rq_mode(app: Flask) -> Iterator[dict[str, Any]]:
    """HIA_QUEUE=rq on a uniquely named queue (Redis is shared: never FLUSHALL, delete only our keys)."""
    from redis import Redis

    name = f"hia-test-{uuid.uuid4().hex[:12]}"
    saved = {key: app.config.get(key) for key in ("HIA_QUEUE", "HIA_QUEUE_NAME", "HIA_REDIS_URL")}
    saved["HIA_QUEUE_RETRY_SECONDS"] = app.config.get("HIA_QUEUE_RETRY_SECONDS")
    app.config.update(
        HIA_QUEUE="rq", HIA_QUEUE_NAME=name, HIA_REDIS_URL=REDIS_URL, HIA_QUEUE_RETRY_SECONDS=(0, 0)
    )
    app.extensions.pop("hia_redis", None)
    try:
        yield {"name": name}
    finally:
        app.config.update(saved)
        app.extensions.pop("hia_redis", None)
        redis = Redis.from_url(REDIS_URL)
        keys = [key for pattern in (f"rq:*{name}*",) for key in redis.scan_iter(match=pattern, count=500)]
        if keys:
            redis.delete(*keys)
        redis.close()


def run_worker(app: Flask) -> None:
    """Run the queue until it is empty, in this process, as `hia worker --burst` does."""
    from hia_service.services.documents import queue as jobs

    with app.app_context():
        jobs.run_worker(burst=True)


def job_status(app: Flask, name: str) -> str | None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from hia_service.services.documents import queue as jobs

    with app.app_context():
        try:
            return Job.fetch(jobs.job_id_for(name), connection=jobs.connection()).get_status().value
        except NoSuchJobError:
            return None
