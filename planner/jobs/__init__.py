"""Background jobs: work that runs in the worker process, never inside a web request.

A feature declares its jobs in ``planner/<feature>/tasks.py``; the app finds that module by
itself, like ``models`` and ``views``::

    from planner import jobs

    @jobs.task(retries=2, retry_delay=60)        # retries only when running it twice is harmless
    def send_reminder(reminder_id: int) -> None:
        ...                                       # runs inside an app context, with its own session

    @jobs.periodic(hour=3, minute=30)             # every day at 03:30 UTC
    def nightly() -> None:
        ...

and a view enqueues a job **after committing** what the job will read::

    db.session.commit()
    send_reminder.enqueue(reminder.id)

Arguments must be plain values (ids, strings): the job reloads what it needs. The queue is Huey:
SQLite storage in the instance folder by default, Redis when ``REDIS_URL`` is set. ``flask worker``
runs the jobs. Under tests (``JOBS_IMMEDIATE``) a job runs at once, inside ``enqueue``.
"""

from planner.jobs.queue import huey_of, init_app
from planner.jobs.registry import Job, enqueue, periodic, task

__all__ = ["Job", "task", "periodic", "enqueue", "huey_of", "init_app"]
