"""Background jobs on an RQ queue in Redis, so that no page waits on slow work (drawing and signing
documents).

HIA_QUEUE=rq puts jobs on the queue HIA_QUEUE_NAME at HIA_REDIS_URL, where `hia worker` runs them. A job
that raises is retried after HIA_QUEUE_RETRY_SECONDS (default 10, 60 and 300 seconds); after the last try it
stays in RQ's failed registry (`hia worker --failed` lists them) and the page that waits on it says so.
HIA_QUEUE=sync (tests, the embedded default) has no queue: callers do the work in the request instead.

Jobs are named by the work they do (e.g. "sign-12"), so asking twice for the same work queues it once.

Fair to every organisation: each organisation's jobs form a lane (`lane=` its code). At most
HIA_QUEUE_JOBS_PER_ORGANISATION of a lane's jobs are on the queue at once; each further job waits (RQ
"deferred") until the one that many places before it in its lane has finished, then joins the END of the
queue. So an organisation that asks for a hundred PDFs holds two places in the queue, not a hundred, and
another organisation's PDF waits behind at most those two.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app

from hia_service.data.transaction import after_commit
from hia_service.services.errors import ServiceError

# redis and rq are imported by the functions that use them: only HIA_QUEUE=rq needs them, and importing them
# slowed every start of the service and of each `hia` command.
if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue, Retry
    from rq.job import Job

log = logging.getLogger("hia_service.jobs")
DEFAULT_RETRY_SECONDS = (10, 60, 300)
JOB_TIMEOUT_SECONDS = 300
LANE_MEMORY = 200  # job ids remembered per organisation's lane
UNAVAILABLE = (
    "Documents cannot be prepared just now because part of the service is not working. Try again in a few "
    "minutes. Nothing you saved has been lost."
)


class QueueUnavailableError(ServiceError):
    status = 503


@dataclass(frozen=True)
class JobState:
    """How a piece of queued work is getting on, for a page that waits on it."""

    job_id: str
    status: str  # "waiting" or "failed"
    attempts: int  # times it has been tried and failed
    error: str | None = None


def queued() -> bool:
    """True when slow work goes to the queue; False when the caller must do it now (HIA_QUEUE=sync)."""
    return current_app.config.get("HIA_QUEUE", "sync") == "rq"


def connection() -> Redis:
    """One Redis client per app (it holds a connection pool)."""
    from redis import Redis

    client = current_app.extensions.get("hia_redis")
    if client is None:
        client = Redis.from_url(
            current_app.config["HIA_REDIS_URL"], socket_timeout=5, socket_connect_timeout=2
        )
        current_app.extensions["hia_redis"] = client
    return client


def queue() -> Queue:
    from rq import Queue

    return Queue(current_app.config["HIA_QUEUE_NAME"], connection=connection())


def retry_policy() -> Retry:
    from rq import Retry

    seconds: Sequence[int] = current_app.config.get("HIA_QUEUE_RETRY_SECONDS") or DEFAULT_RETRY_SECONDS
    return Retry(max=len(seconds), interval=list(seconds))


def enqueue_after_commit(name: str, function: str, *args: Any, lane: str | None = None) -> None:
    """Queue the job once this request's transaction has committed (never if it rolls back).

    If Redis is down at that moment the commit still stands; the page that waits for the result queues
    the job again (see ensure()).
    """
    after_commit(lambda: ensure(name, function, *args, lane=lane))


def ensure(name: str, function: str, *args: Any, again: bool = False, lane: str | None = None) -> JobState:
    """The job's state, queueing it if it is not queued already (or, with again=True, if it failed).
    `lane`: whose work it is (an organisation's code), so that one organisation's burst waits its turn."""
    from redis.exceptions import RedisError
    from rq.job import JobStatus

    waiting = _waiting_statuses()
    job_id = job_id_for(name)
    try:
        job = _fetch(job_id)
        status = job.get_status() if job else None
        if job is not None and status in waiting:
            return JobState(job_id, "waiting", _attempts(job))
        if job is not None and status == JobStatus.FAILED and not again:
            return JobState(job_id, "failed", _attempts(job) + 1, _last_error(job))
        if job is not None:
            job.delete()  # finished (its output since removed) or failed and asked for again
        queue().enqueue(
            function,
            *args,
            job_id=job_id,
            retry=retry_policy(),
            # `hia worker` runs jobs in its main thread, where RQ stops one at this limit (SIGALRM).
            job_timeout=int(current_app.config.get("HIA_QUEUE_JOB_TIMEOUT_SECONDS") or JOB_TIMEOUT_SECONDS),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            depends_on=_turn_in_lane(lane),
        )
        if lane is not None:
            _join_lane(lane, job_id)
        log.info("Queued a background job", extra={"fields": {"job": job_id, "function": function}})
        return JobState(job_id, "waiting", 0)
    except RedisError as error:
        log.error("The job queue is unreachable", extra={"fields": {"job": job_id, "error": str(error)}})
        raise QueueUnavailableError(UNAVAILABLE) from None


def _waiting_statuses() -> set[Any]:
    from rq.job import JobStatus

    return {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def _lane_key(lane: str) -> str:
    return f"rq:hia-lane:{job_id_for(lane)}"  # rq: with the queue name, as RQ names its own keys


def _turn_in_lane(lane: str | None) -> Any:
    """What a new job in this lane waits for: nothing while fewer than the limit of the lane's jobs wait,
    else the job that many places back (finished or failed: either way it is the new job's turn)."""
    if lane is None:
        return None
    from rq.job import Dependency, Job

    limit = int(current_app.config.get("HIA_QUEUE_JOBS_PER_ORGANISATION") or 2)
    ids = [
        raw.decode() if isinstance(raw, bytes) else raw for raw in connection().lrange(_lane_key(lane), 0, -1)
    ]
    waiting = _waiting_statuses()
    live = [
        job for job in Job.fetch_many(ids, connection=connection()) if job and job.get_status() in waiting
    ]
    if len(live) < limit:
        return None
    return Dependency(jobs=[live[-limit]], allow_failure=True)


def _join_lane(lane: str, job_id: str) -> None:
    key = _lane_key(lane)
    pipe = connection().pipeline()
    pipe.rpush(key, job_id)
    pipe.ltrim(key, -LANE_MEMORY, -1)  # only the newest matter: at most the limit of them still wait
    pipe.expire(key, 7 * 24 * 3600)
    pipe.execute()


def job_id_for(name: str) -> str:
    """Job ids carry the queue's name, so two services (or test runs) sharing one Redis never collide."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{current_app.config['HIA_QUEUE_NAME']}-{name}")


def _fetch(job_id: str) -> Job | None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        return Job.fetch(job_id, connection=connection())
    except NoSuchJobError:
        return None


def _attempts(job: Job) -> int:
    """Retries used so far."""
    policy_max = len(current_app.config.get("HIA_QUEUE_RETRY_SECONDS") or DEFAULT_RETRY_SECONDS)
    left = job.retries_left if job.retries_left is not None else policy_max
    return policy_max - left


def _last_error(job: Job) -> str | None:
    result = job.latest_result()
    info = (result.exc_string if result else None) or ""
    lines = [line for line in info.strip().splitlines() if line.strip()]
    return lines[-1] if lines else None


def run_worker(*, burst: bool = False) -> bool:
    """Process jobs until stopped (or, with burst, until the queue is empty). Runs in this process and app,
    so the reference data and database pool are loaded once, not per job."""
    from hia_service.documents import warm_up_pdf

    worker = worker_class()([queue()], connection=connection())
    fields: dict[str, Any] = {"queue": current_app.config["HIA_QUEUE_NAME"], "burst": burst}
    try:  # the first record's job should not also pay for starting Typst
        fields["pdf_warm_up_ms"] = round(warm_up_pdf())
    except Exception:
        log.exception("PDF warm-up failed; the first record will start Typst itself")
    log.info("Worker started", extra={"fields": fields})
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="WARNING"))


def worker_class() -> type:
    """rq's SimpleWorker, putting its own entry back whenever Redis has lost it.

    Redis here keeps nothing on disk: after it restarts, the worker reconnects and goes on with its jobs,
    but the sets that name it are gone, so /healthz would say "no worker" until it was restarted. Its
    heartbeat (before each wait for a job, and after a reconnection) writes them again: two SADDs."""
    from rq import SimpleWorker, worker_registration

    class SelfRegisteringWorker(SimpleWorker):
        def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
            super().heartbeat(timeout, pipeline)
            if pipeline is None and not self.connection.hexists(self.key, "birth"):
                self.connection.hset(self.key, mapping=self.serialize())
            worker_registration.register(self, pipeline)

    return SelfRegisteringWorker


def failed_jobs() -> list[JobState]:
    """Jobs that failed after every retry, newest last."""
    from rq.registry import FailedJobRegistry

    registry = FailedJobRegistry(queue=queue())
    states = []
    for job_id in registry.get_job_ids():
        job = _fetch(job_id)
        if job is not None:
            states.append(JobState(job_id, "failed", _attempts(job) + 1, _last_error(job)))
    return states


def health() -> dict[str, Any]:
    """The queue's part of /healthz: its kind, and for rq whether Redis answers, how many jobs wait and
    whether any worker is there to run them. Short timeouts: the health check must answer within a second."""
    if not queued():
        return {"status": "ok", "kind": "in-process", "depth": 0, "workers": None}
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue, SimpleWorker

    report: dict[str, Any] = {"kind": "rq", "name": current_app.config["HIA_QUEUE_NAME"]}
    url = current_app.config["HIA_REDIS_URL"]
    client = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        work = Queue(current_app.config["HIA_QUEUE_NAME"], connection=client)
        report |= {"depth": work.count, "workers": SimpleWorker.count(queue=work)}
    except RedisError:
        return report | {"status": "unreachable", "depth": None, "workers": None}
    finally:
        client.close()
    # With no worker, documents wait; the rest of the service still works.
    return report | {"status": "ok" if report["workers"] else "no worker"}
