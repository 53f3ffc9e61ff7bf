"""The Huey queue of one application: SQLite in the instance folder, or Redis with ``REDIS_URL``."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab, signals

from planner import logs
from planner.jobs import registry

log = logging.getLogger("planner.jobs")


@dataclass
class Jobs:
    huey: object
    wrappers: dict = field(default_factory=dict)


def huey_of(app: Flask | None = None):
    return (app or current_app).extensions["jobs"].huey


def make_huey(app: Flask):
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    url = app.config.get("REDIS_URL")
    if url:
        return RedisHuey("rollout", url=url, immediate=immediate, utc=True)
    path = Path(app.config.get("JOBS_SQLITE_PATH") or Path(app.instance_path) / "jobs.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("rollout", filename=str(path), immediate=immediate, utc=True, timeout=15)


def _in_app_context(app: Flask, job: registry.Job):
    from planner.extensions import db

    def run(*args, task=None, **kwargs):
        token = logs.request_id.set(f"job-{task.id[:12]}" if task is not None else "job")
        try:
            with app.app_context():
                try:
                    return job.func(*args, **kwargs)
                except Exception:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()
        finally:
            logs.request_id.reset(token)

    run.__module__ = job.func.__module__
    run.__name__ = run.__qualname__ = job.func.__name__
    run.__doc__ = job.func.__doc__
    return run


def init_app(app: Flask) -> None:
    from planner import features

    features.modules("tasks")  # every feature's jobs declare themselves on import
    huey = make_huey(app)
    state = Jobs(huey)
    for job in registry.declared():
        run = _in_app_context(app, job)
        options = {"retries": job.retries, "retry_delay": job.retry_delay, "name": job.name, "context": True}
        if job.schedule is not None:
            state.wrappers[job.name] = huey.periodic_task(crontab(**job.schedule), **options)(run)
        else:
            state.wrappers[job.name] = huey.task(**options)(run)

    @huey.signal(signals.SIGNAL_ERROR)
    def _failed(signal, task, exc=None):
        logs.event("job.failed", logging.ERROR, log, job=task.name, task_id=task.id,
                   error=type(exc).__name__ if exc else "", retries_left=task.retries)

    @huey.signal(signals.SIGNAL_COMPLETE)
    def _done(signal, task):
        logs.event("job.done", logging.INFO, log, job=task.name, task_id=task.id)

    app.extensions["jobs"] = state
    from planner.jobs.cli import worker_command

    app.cli.add_command(worker_command)
