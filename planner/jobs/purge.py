"""What the nightly purge removes: each function deletes what has expired and says how many."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_

from planner.db import utcnow
from planner.extensions import db

# Counters older than this are dead whatever their window (the longest window in use is 15 minutes).
RATE_COUNTER_MAX_AGE = timedelta(days=1)
_purges = []


def purges(func):
    """Registers another purge (a feature's expired data), run by the nightly job."""
    _purges.append(func)
    return func


@purges
def sessions() -> dict:
    from planner.auth.models import UserSession

    now = utcnow()
    idle = now - timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    lifetime = now - current_app.config["PERMANENT_SESSION_LIFETIME"]
    result = db.session.execute(delete(UserSession).where(
        or_(UserSession.last_seen_at < idle, UserSession.created_at < lifetime)))
    return {"sessions": result.rowcount or 0}


@purges
def rate_counters() -> dict:
    from planner.ratelimit import RateCounter

    result = db.session.execute(delete(RateCounter).where(RateCounter.window_start < utcnow() - RATE_COUNTER_MAX_AGE))
    return {"rate_counters": result.rowcount or 0}


def expired() -> dict:
    removed: dict = {}
    for func in _purges:
        removed.update(func())
    return removed
