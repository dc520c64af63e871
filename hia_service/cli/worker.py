"""`hia worker`: run the background job worker (drawing PDFs and Word copies, signing records) for
HIA_QUEUE=rq."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

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
    if show_failed:
        failed = jobs.failed_jobs()
        click.echo(f"{len(failed)} failed job(s) on {where}")
        for state in failed:
            click.echo(f"  {state.job_id}: tried {state.attempts} times; last error: {state.error}")
        return
    if config.get("HIA_QUEUE") != "rq":
        click.echo(
            "Note: HIA_QUEUE is not 'rq', so this service draws and signs documents in the request.", err=True
        )
    click.echo(f"Working on {where}" + (" until it is empty" if burst else ""))
    jobs.run_worker(burst=burst)
