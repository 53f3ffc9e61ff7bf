"""A fixed-window counter kept in the database, so every worker process sees the same counts.

Used for failed sign-ins and anonymous survey submissions. Each call commits, because a
count must survive whatever the request does next.
"""

from datetime import datetime, timedelta

from sqlalchemy import String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, utcnow
from planner.extensions import db


class RateCounter(db.Model):
    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)


def _cutoff(window_seconds: int) -> datetime:
    return utcnow() - timedelta(seconds=window_seconds)


def count(key: str, window_seconds: int) -> int:
    row = db.session.execute(
        select(RateCounter.count).where(
            RateCounter.key == key, RateCounter.window_start >= _cutoff(window_seconds)
        )
    ).scalar()
    return row or 0


def hit(key: str, window_seconds: int) -> int:
    """Adds one to the key's count in the current window and returns the new count."""
    for _attempt in range(3):
        new_count = db.session.execute(
            update(RateCounter)
            .where(RateCounter.key == key, RateCounter.window_start >= _cutoff(window_seconds))
            .values(count=RateCounter.count + 1)
            .returning(RateCounter.count)
        ).scalar()
        if new_count is not None:
            db.session.commit()
            return new_count
        db.session.execute(delete(RateCounter).where(RateCounter.key == key))
        try:
            with db.session.begin_nested():
                db.session.add(RateCounter(key=key, window_start=utcnow(), count=1))
        except IntegrityError:
            continue  # another request opened the window first: count into it
        db.session.commit()
        return 1
    db.session.commit()
    return count(key, window_seconds)


def reset(key: str) -> None:
    db.session.execute(delete(RateCounter).where(RateCounter.key == key))
    db.session.commit()
