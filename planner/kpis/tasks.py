"""KPI jobs: warm the cache after an import, and every night for every active project."""

import logging

from sqlalchemy import select

from planner import jobs, logs
from planner.dates import utc_today
from planner.extensions import db
from planner.kpis import services
from planner.kpis.definitions import KpiKey

log = logging.getLogger("planner.kpis")
TREND_WEEKS = 16  # the longest trend a page shows (the KPI page); shorter ones are a subset


def warm(project_ids: list[int]) -> int:
    """Computes and stores today's values and the weekly trends of every KPI: no page pays for them; notes
    each KPI that crossed its target since the last time (the listeners are told)."""
    if not project_ids:
        return 0
    as_of = utc_today()
    # The trends first: every missing value of a KPI, today's included, comes from one pass.
    services.kpi_trends_by_project(project_ids, list(KpiKey), TREND_WEEKS, as_of)
    statuses = services.kpi_status_by_project(project_ids, as_of)
    services.note_target_crossings(statuses)
    db.session.commit()
    return len(project_ids)


@jobs.task(retries=2, retry_delay=30)  # safe to repeat: it only fills the cache
def recompute(project_id: int) -> None:
    """After an import: the values the import invalidated, computed again."""
    warm([project_id])
    logs.event("kpis.recomputed", logger=log, project_id=project_id)


@jobs.periodic(hour=2, minute=30, retries=1, retry_delay=300)
def daily_snapshot() -> None:
    """Every night: today's KPI values of every active project, kept as snapshots."""
    from planner.projects.models import Project

    ids = list(db.session.scalars(select(Project.id).where(Project.archived_at.is_(None))))
    for start in range(0, len(ids), 50):
        warm(ids[start:start + 50])
    logs.event("kpis.snapshot", logger=log, projects=len(ids))
