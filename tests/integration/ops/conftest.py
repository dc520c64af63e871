"""Fixtures for the operations tests: the app switched to the RQ queue on the real Redis (a queue of its own
per test, removed afterwards), plus the review fixtures that make and approve assessments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import queue_on_redis
from tests.integration.documents_wiring import conftest as documents_fixtures
from tests.integration.review import conftest as review_fixtures

act = review_fixtures.act
login = review_fixtures.login
make_assessment = review_fixtures.make_assessment
world = review_fixtures.world
approved = documents_fixtures.approved
version_of = documents_fixtures.version_of


@pytest.fixture
def rq_mode(app: Flask) -> Iterator[dict[str, Any]]:
    """HIA_QUEUE=rq on a uniquely named queue, retried at once, for tests that run the worker."""
    with queue_on_redis(app, HIA_QUEUE_RETRY_SECONDS=(0, 0)) as name:
        yield {"name": name}


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
