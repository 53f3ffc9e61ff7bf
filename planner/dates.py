"""One "today", with its two meanings, and the rule that decides which one each feature uses.

A reader in Shanghai (UTC+8) at 00:30 on 2 March lives on 2 March while UTC is still on 1 March.
The app needs both dates, each for its own kind of rule:

``utc_today()``: the date in UTC, the same for every reader.
    Used where a date is a bucket of stored facts that all readers share:
    - **KPIs**: values are computed from UTC timestamps, counted per UTC day in SQL, and cached
      per (project, KPI, date) for every reader (``planner.kpis``); so "as of today" is UTC.
    - The dashboard's **adoption and feedback trends**, which read those same weekly buckets.
    - Anything that runs with no reader: the worker, the CLI, the demo loader (``local_today``
      gives UTC there too).

``local_today()``: the date on the reader's own calendar (the time zone of their profile; UTC
outside a request). Used for things people plan and check by their calendar:
    - **Due dates and overdue**: change tasks, checklist steps and quick wins are overdue (and
      late) when the reader's today has passed the date they entered (the change pages, the
      dashboard's overdue count, the task exports).
    - **Stage days and weeks**: how long a stage has run, the rollout timeline's "today" line,
      the sign-off inbox's waiting days, and the rule that a stage cannot start in the future.
    - Default dates offered in forms, the date in exported file names, the report's "today".

``date_in_zone(moment, zone)`` is the date on someone else's calendar (their profile's time zone),
for rules about a person who is not the reader: a sponsor's stand-in counts by the sponsor's dates.

``local_date(moment)`` turns a stored UTC moment into a date on the reader's calendar;
``utc_date(moment)`` into its UTC day (the KPI cache's).
"""

from datetime import UTC, date, datetime

from flask import has_request_context
from flask_babel import to_user_timezone

from planner.db import utcnow


def utc_date(value) -> date | None:
    """The UTC day of a stored moment (a date stays as it is; a naive moment is taken as UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    return value


def utc_today() -> date:
    """Today in UTC: the shared calendar of stored facts (KPIs, trends)."""
    return utcnow().date()


def local_today() -> date:
    """Today on the reader's calendar (their profile's time zone; UTC outside a request)."""
    return local_date(utcnow())


def local_date(moment: datetime) -> date:
    """A UTC moment as a date on the reader's calendar (UTC outside a request)."""
    return to_user_timezone(moment).date() if has_request_context() else moment.date()


def date_in_zone(moment: datetime, zone: str | None) -> date:
    """A UTC moment as a date in the time zone ``zone`` (an IANA name; UTC when empty or unknown)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz).date()
