"""The jobs the features declare, before any application (and so any queue) exists."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

_JOBS: dict[str, "Job"] = {}


@dataclass(eq=False)
class Job:
    """A function the worker runs. ``schedule`` is set for periodic jobs ({"hour": 3, "minute": 0})."""

    name: str
    func: Callable
    retries: int = 0
    retry_delay: int = 0
    schedule: dict | None = None
    options: dict = field(default_factory=dict)

    def enqueue(self, *args, **kwargs):
        """Queues the job (runs it at once in immediate mode); returns Huey's result handle."""
        return current_app.extensions["jobs"].wrappers[self.name](*args, **kwargs)

    def schedule_in(self, seconds: float, *args, **kwargs):
        """Queues the job to run ``seconds`` from now."""
        return current_app.extensions["jobs"].wrappers[self.name].schedule(args, kwargs, delay=seconds)

    def __call__(self, *args, **kwargs):
        """Runs the job here and now, in the caller's app context (for commands and tests)."""
        return self.func(*args, **kwargs)


def _name(func: Callable) -> str:
    module = func.__module__.removeprefix("planner.").removesuffix(".tasks")
    return f"{module}.{func.__name__}"


def task(retries: int = 0, retry_delay: int = 0, name: str | None = None) -> Callable[[Callable], Job]:
    """Declares a job. ``retries``: how many times a failed run is tried again; leave it at 0 unless a
    second run can do no harm (an import is retried by the person who started it, not by the queue)."""

    def declare(func: Callable) -> Job:
        job = Job(name or _name(func), func, retries, retry_delay)
        _JOBS[job.name] = job
        return job

    return declare


def periodic(hour: int | str = "*", minute: int | str = 0, day_of_week: str = "*", retries: int = 0,
             retry_delay: int = 0, name: str | None = None) -> Callable[[Callable], Job]:
    """Declares a job the worker starts on its own, by the clock (UTC): ``periodic(hour=3, minute=30)``
    is every day at 03:30. The function takes no arguments."""

    def declare(func: Callable) -> Job:
        schedule = {"hour": str(hour), "minute": str(minute), "day_of_week": str(day_of_week)}
        job = Job(name or _name(func), func, retries, retry_delay, schedule)
        _JOBS[job.name] = job
        return job

    return declare


def enqueue(name: str, *args, **kwargs):
    """Queues a job by its name (``"kpis.recompute"``), for a feature that should not import another."""
    return current_app.extensions["jobs"].wrappers[name](*args, **kwargs)


def declared() -> list[Job]:
    return list(_JOBS.values())
