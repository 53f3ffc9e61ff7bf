"""Jobs of the queue itself."""

import logging

from sqlalchemy import func, select

from planner import jobs, logs
from planner.extensions import db


@jobs.task()
def ping(marker: str = "") -> dict:
    """Proves a worker runs jobs inside the application: answers with what it reads in the database."""
    from planner.auth.models import User

    return {"marker": marker, "users": db.session.scalar(select(func.count()).select_from(User)),
            "database": db.engine.dialect.name}


@jobs.periodic(hour=3, minute=0, retries=1, retry_delay=300)
def daily_purge() -> dict:
    """Every night: removes what has expired (sign-in sessions, rate-limit counters, old uploads)."""
    from planner.jobs import purge

    removed = purge.expired()
    db.session.commit()
    logs.event("maintenance.purged", logger=logging.getLogger("planner.jobs"), **removed)
    return removed
