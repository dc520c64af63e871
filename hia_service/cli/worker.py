"""`hia worker`: run the background job worker (drawing PDFs and Word copies, signing records) for
HIA_QUEUE=rq."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from hia_service.services.documents import queue as jobs


@click.command(
    "worker",
    help="Run the background worker that draws PDFs and Word copies and signs records (HIA_QUEUE=rq).",
)
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@click.option(
    "--failed", "show_failed", is_flag=True, help="List jobs that failed after every retry, then stop."
)
@with_appcontext
def worker_cmd(burst: bool, show_failed: bool) -> None:
    config = current_app.config
    where = f"queue {config['HIA_QUEUE_NAME']} at {config['HIA_REDIS_URL']}"
    if config.get("HIA_QUEUE") != "rq" and not show_failed:
        raise click.ClickException(
            "There is nothing for a worker to do: HIA_QUEUE is not 'rq', so the web process draws and signs "
            "documents itself. Set HIA_QUEUE=rq and HIA_REDIS_URL to use a queue and a worker."
        )
    try:
        if show_failed:
            failed = jobs.failed_jobs()
            click.echo(f"{len(failed)} failed job(s) on {where}")
            for state in failed:
                click.echo(f"  {state.job_id}: tried {state.attempts} times; last error: {state.error}")
            return
        click.echo(f"Working on {where}" + (" until it is empty" if burst else ""))
        jobs.run_worker(burst=burst)
    except RedisError as error:
        raise click.ClickException(
            f"Cannot reach Redis at {config['HIA_REDIS_URL']} ({error}). Start Redis or correct "
            "HIA_REDIS_URL; or unset HIA_QUEUE, and the web process draws and signs documents itself."
        ) from None
