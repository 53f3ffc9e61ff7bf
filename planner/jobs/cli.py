"""``flask worker``: the process that runs the jobs (and starts the periodic ones)."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from planner import logs


@click.command("worker")
@click.option("--workers", "-w", type=int, default=None, help="Jobs run at the same time (default JOBS_WORKERS, 2).")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread", show_default=True)
@with_appcontext
def worker_command(workers, worker_type):
    """Runs background jobs until stopped (Ctrl+C or SIGINT finishes the running jobs first)."""
    from planner.jobs.queue import huey_of

    huey = huey_of()
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is on: jobs run inside the web process, there is nothing to do.")
    count = workers or int(current_app.config.get("JOBS_WORKERS", 2))
    logs.event("worker.start", logging.INFO, logging.getLogger("planner.jobs"), workers=count,
               storage=type(huey).__name__)
    consumer = huey.create_consumer(workers=count, worker_type=worker_type, periodic=True,
                                    check_worker_health=True, flush_locks=False)
    consumer.run()
