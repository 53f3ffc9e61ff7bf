"""The import page's background jobs: the check (dry run) and the import of an uploaded file.

Both claim the job first (a second delivery of the same message, or a second worker, finds it taken
and does nothing), read the file from upload storage, and leave the job idle with its result, or
failed with a translated reason. The import is all or nothing: a worker killed half-way commits
nothing, and the job is then found lost and marked failed (``imports.jobs.lost``). Neither is retried
by the queue: the manager starts it again from the page.
"""

import logging

from sqlalchemy import delete, insert

from planner import jobs, logs
from planner.crm.imports import jobs as state
from planner.crm.imports import service
from planner.crm.imports.checks import Problem, other_columns
from planner.crm.imports.importer import ImportFailed
from planner.crm.imports.reading import CHUNK, SourceInfo
from planner.crm.imports.values import ReadOptions
from planner.crm.models import ImportJob, ImportProblem, ImportStatus, JobState
from planner.db import utcnow
from planner.extensions import db
from planner.uploads import storage

log = logging.getLogger("planner.crm.imports")


def source_of(job: ImportJob, path) -> service.Source:
    from planner.auth.models import User
    from planner.projects.models import Project

    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    mapping = mapping_of(job)
    options = ReadOptions(day_first=job.mapping.get("_day_first", "1") == "1",
                          decimal_comma=job.mapping.get("_decimal_comma", "0") == "1",
                          timezone=job.mapping.get("_timezone") or (user.timezone if user else "") or "UTC")
    info = SourceInfo(job.file_format, job.encoding, job.delimiter, list(job.headers))
    project = db.session.get(Project, job.project_id)
    others = other_columns(job.headers, mapping, dropped_of(job))
    return service.Source(project, job.kind, path, info, mapping, options, job.filename, user, others)


def mapping_of(job: ImportJob) -> dict[str, int]:
    return {name: int(index) for name, index in job.mapping.items() if not name.startswith("_")}


def dropped_of(job: ImportJob) -> list[int]:
    """The columns the manager chose to leave out (``_drop``: their indexes, comma-separated)."""
    return [int(part) for part in str(job.mapping.get("_drop", "")).split(",") if part.strip().isdigit()]


def _problem_rows(job_id: int, problems: list[Problem]) -> list[dict]:
    return [{"job_id": job_id, "line": p.line, "field": p.field, "code": p.code, "value": p.value or "",
             "other_line": p.other_line} for p in problems]


def _check(job: ImportJob, token: str, path) -> None:
    """The check in this session: problems saved in batches on a connection of their own (so the page can
    count them while the check runs), the result on the job."""
    with db.engine.begin() as connection:
        connection.execute(delete(ImportProblem).where(ImportProblem.job_id == job.id))
    pending: list[Problem] = []

    def flush():
        if pending:
            with db.engine.begin() as connection:
                connection.execute(insert(ImportProblem), _problem_rows(job.id, pending))
            pending.clear()

    def keep(problem):
        pending.append(problem)
        if len(pending) >= CHUNK:
            flush()

    outcome = service.check(source_of(job, path), on_problem=keep, on_progress=state.Reporter(job.id, token),
                            job_id=job.id)
    flush()
    db.session.rollback()  # the check wrote nothing but temporary tables
    job = db.session.get(ImportJob, job.id)
    job.rows_total, job.rows_bad = outcome.rows, outcome.bad_rows
    job.inserted, job.updated, job.unchanged = outcome.inserted, outcome.updated, outcome.unchanged
    job.status = ImportStatus.PROBLEMS if outcome.bad_rows else ImportStatus.CHECKED
    job.checked_at = utcnow()


def _finish(job_id: int, token: str, **values) -> bool:
    """Leaves the claimed job idle (or failed) in the caller's transaction; False if it is no longer ours."""
    from sqlalchemy import update

    table = ImportJob.__table__
    changed = db.session.execute(update(table).where(table.c.id == job_id, table.c.claim == token).values(
        claim=None, progress=1000, heartbeat_at=utcnow(), **values)).rowcount
    return changed == 1


def _guarded(job_id: int, work: str, body) -> None:
    token = state.claim(job_id, work)
    if token is None:
        logs.event("crm.import_job.skipped", logger=log, job_id=job_id, work=work)
        return
    job = db.session.get(ImportJob, job_id)
    try:
        if job is None:
            return
        try:
            with storage.local_copy(job.stored_name) as path:
                body(job, token, path)
        except storage.Missing:
            db.session.rollback()
            state.fail(job_id, token, "missing")
    except Exception:
        db.session.rollback()
        state.fail(job_id, token, "failed")
        raise


@jobs.task()
def check_import(job_id: int) -> None:
    """Checks every row of an uploaded file and stores the problems on the job."""

    def body(job, token, path):
        _check(job, token, path)
        if _finish(job_id, token, state=JobState.IDLE.value, error=""):
            db.session.commit()
        else:
            db.session.rollback()

    _guarded(job_id, state.CHECK, body)


@jobs.task()
def run_import(job_id: int) -> None:
    """Imports a checked file, all or nothing; then has the KPIs it feeds recomputed."""

    def body(job, token, path):
        sqlite = db.engine.dialect.name == "sqlite"
        source = source_of(job, path)
        try:
            outcome = service.run(source, checked=True, job_id=job_id, target=job, actor=source.user,
                                  on_progress=state.Reporter(job_id, token, side_store=sqlite))
        except ImportFailed:
            # The data changed since the check: nothing is written; the check runs again to list why.
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            _check(job, token, path)
            _finish(job_id, token, state=JobState.IDLE.value, error="changed")
            db.session.commit()
            return
        finally:
            if sqlite:
                state.forget_side_progress(job_id)
        job.status = ImportStatus.IMPORTED
        job.imported_at = utcnow()
        job.rows_total = outcome.rows
        job.inserted, job.updated, job.unchanged = outcome.inserted, outcome.updated, outcome.unchanged
        storage.remove(job.stored_name)
        if not _finish(job_id, token, state=JobState.IDLE.value, error=""):
            db.session.rollback()  # marked lost meanwhile: the person sees "failed" and can start again
            return
        db.session.commit()
        if outcome.inserted or outcome.updated:
            jobs.enqueue("kpis.recompute", job.project_id)  # by name: crm does not import kpis

    _guarded(job_id, state.IMPORT, body)
