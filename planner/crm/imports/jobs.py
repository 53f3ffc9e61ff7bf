"""The state of an import job shared by every web host and worker: queueing, claiming, progress,
failure. Every change is a conditional UPDATE committed on its own connection, so it is visible at
once to the other processes and two of them can never both win.

Progress during the import's write phase on SQLite goes to the queue's key-value store instead of
the row: SQLite lets one writer at a time, and the import holds that lock until it commits. (SQLite
means one host; with PostgreSQL everything is on the row.)
"""

import json
import uuid
from datetime import datetime, timedelta

from flask import current_app
from huey.constants import EmptyData
from sqlalchemy import update

from planner.crm.models import ImportJob, ImportStatus, JobState
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.jobs import huey_of

T = ImportJob.__table__
CHECK, IMPORT = "check", "import"
ERRORS = {
    "worker_lost": _l("The worker running this stopped before it finished (it was restarted or ran out of memory). "
                      "Nothing was written; start it again."),
    "failed": _l("Something went wrong while this ran, and nothing was written. Start it again; if it fails again, "
                 "tell your administrator."),
    "missing": _l("The uploaded file is no longer available. Upload it again."),
    "changed": _l("The data changed since the check and some rows are no longer valid. Nothing was imported; "
                  "see the problems below."),
}


def _execute(statement) -> int:
    """Runs one UPDATE on a connection of its own, committed at once; returns the rows it changed."""
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount


def queue(job: ImportJob, work: str) -> bool:
    """Marks the job as waiting for ``work``; False when a check or an import of it is already queued or
    running (or, for an import, when the file is not a checked one)."""
    condition = T.c.state.in_([JobState.IDLE.value, JobState.FAILED.value])
    if work == IMPORT:
        condition &= T.c.status == ImportStatus.CHECKED.value
    else:
        condition &= T.c.status != ImportStatus.IMPORTED.value
    changed = _execute(update(T).where(T.c.id == job.id, condition).values(
        state=JobState.QUEUED.value, work=work, claim=None, progress=0, progress_rows=0, error="",
        heartbeat_at=utcnow()))
    db.session.expire(job)
    return changed == 1


def claim(job_id: int, work: str) -> str | None:
    """Takes a queued job for this worker: the token to report with, or None if another worker has it."""
    token = uuid.uuid4().hex
    changed = _execute(update(T).where(T.c.id == job_id, T.c.state == JobState.QUEUED.value, T.c.work == work)
                       .values(state=JobState.RUNNING.value, claim=token, heartbeat_at=utcnow()))
    return token if changed == 1 else None


def _kv_key(job_id: int) -> str:
    return f"crm-import-progress-{int(job_id)}"


class Reporter:
    """Writes progress for a claimed job (also its heartbeat); ``side_store`` for SQLite's write phase."""

    def __init__(self, job_id: int, token: str, side_store: bool = False):
        self.job_id, self.token, self.side_store = job_id, token, side_store

    def __call__(self, fraction: float, rows: int) -> None:
        permille = max(0, min(1000, int(fraction * 1000)))
        if self.side_store:
            huey_of().storage.put_data(_kv_key(self.job_id), json.dumps(
                {"progress": permille, "rows": rows, "at": utcnow().isoformat(), "token": self.token}).encode())
            return
        _execute(update(T).where(T.c.id == self.job_id, T.c.claim == self.token).values(
            progress=permille, progress_rows=rows, heartbeat_at=utcnow()))


def side_progress(job: ImportJob) -> dict | None:
    raw = huey_of().storage.peek_data(_kv_key(job.id))
    if raw is EmptyData or not raw:
        return None
    try:
        data = json.loads(bytes(raw).decode())
    except (TypeError, ValueError):
        return None
    return data if data.get("token") == job.claim else None


def forget_side_progress(job_id: int) -> None:
    huey_of().storage.pop_data(_kv_key(job_id))


def fail(job_id: int, token: str | None, error: str) -> bool:
    """Marks a running (or queued) job failed with one of ERRORS; only the worker holding ``token`` (or,
    with None, anyone who found it lost) may."""
    condition = T.c.state.in_([JobState.RUNNING.value, JobState.QUEUED.value])
    if token is not None:
        condition &= T.c.claim == token
    return _execute(update(T).where(T.c.id == job_id, condition).values(
        state=JobState.FAILED.value, error=error, claim=None)) == 1


def lost(job: ImportJob) -> bool:
    """A running job whose worker stopped reporting (killed, out of memory): marks it failed."""
    if job.state not in (JobState.RUNNING, JobState.QUEUED):
        return False
    last = job.heartbeat_at
    side = side_progress(job) if job.state is JobState.RUNNING else None
    if side is not None:
        last = max(last or utcnow(), datetime.fromisoformat(side["at"]))
    stale = timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    if job.state is JobState.QUEUED:
        stale = max(stale, timedelta(hours=1))  # waiting behind other jobs is not being lost
    if last is not None and utcnow() - last < stale:
        return False
    same_claim = T.c.claim.is_(None) if job.claim is None else T.c.claim == job.claim
    changed = _execute(update(T).where(T.c.id == job.id, T.c.state == job.state.value, same_claim)
                       .values(state=JobState.FAILED.value, error="worker_lost", claim=None))
    db.session.expire(job)
    return changed == 1


def progress(job: ImportJob) -> dict:
    """What the page shows: state, work, fraction and rows (from the row, or the side store)."""
    permille, rows = job.progress, job.progress_rows
    if job.state is JobState.RUNNING:
        side = side_progress(job)
        if side is not None:
            permille, rows = side["progress"], side["rows"]
    return {"state": job.state.value, "work": job.work, "fraction": round(permille / 1000, 3), "rows": rows,
            "status": job.status.value, "error": str(ERRORS[job.error]) if job.error in ERRORS else ""}
