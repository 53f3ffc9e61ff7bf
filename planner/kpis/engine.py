"""The KPI calculations, in SQL.

Each function takes many project ids and one as-of date and runs ONE aggregate query grouped by
project; it returns ``{project_id: (numerator, denominator)}`` (projects without data are
absent). No record is loaded into Python. See ``definitions.DEFINITIONS`` for what each counts.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, and_, case, cast, exists, func, literal, literal_column, or_, select, union_all

from planner.crm.models import (
    Account,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    ServiceCase,
)
from planner.db import sqlite_index
from planner.extensions import db
from planner.kpis.definitions import DEFINITIONS, KpiKey
from planner.projects.models import ProjectMember

Counts = dict[int, tuple[int, int]]


def day_end(as_of: date) -> datetime:
    """The first instant after ``as_of`` (UTC): windows are [start, end)."""
    return datetime.combine(as_of + timedelta(days=1), time(), UTC)


def window(as_of: date, days: int) -> tuple[datetime, datetime]:
    end = day_end(as_of)
    return end - timedelta(days=days), end


def _ones(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _run(query) -> Counts:
    return {pid: (int(num or 0), int(den or 0)) for pid, den, num in db.session.execute(query)}


def adoption(project_ids, as_of: date) -> Counts:
    days = DEFINITIONS[KpiKey.ADOPTION].window_days
    start, end = window(as_of, days)
    first_day = as_of - timedelta(days=days - 1)
    m = ProjectMember

    def captured(model, column, low, high):
        return exists().where(model.project_id == m.project_id, model.captured_by_id == m.user_id,
                              column >= low, column < high)

    active = or_(
        captured(Interaction, Interaction.occurred_at, start, end),
        captured(ServiceCase, ServiceCase.opened_at, start, end),
        captured(Opportunity, Opportunity.opened_on, first_day, as_of + timedelta(days=1)),
        captured(Contact, Contact.created_at, start, end),
        captured(Account, Account.created_at, start, end),
    )
    query = (
        select(m.project_id, func.count(), _ones(active))
        .where(m.project_id.in_(project_ids), m.is_manager.is_(False), m.is_sponsor.is_(False),
               m.joined_at < end)
        .group_by(m.project_id)
    )
    return _run(query)


def closed_loop(project_ids, as_of: date) -> Counts:
    return closed_loop_many(project_ids, [as_of])[as_of]


def first_contact_resolution(project_ids, as_of: date) -> Counts:
    start, end = window(as_of, DEFINITIONS[KpiKey.FIRST_CONTACT_RESOLUTION].window_days)
    c = ServiceCase
    query = (
        select(c.project_id, func.count(), _ones(c.resolved_first_contact.is_(True)))
        .where(c.project_id.in_(project_ids), c.opened_at >= start, c.opened_at < end)
        .group_by(c.project_id)
    )
    return _run(query)


def satisfaction(project_ids, as_of: date) -> Counts:
    start, end = window(as_of, DEFINITIONS[KpiKey.SATISFACTION].window_days)
    c = ServiceCase
    query = (
        select(c.project_id, func.count(c.satisfaction), func.coalesce(func.sum(c.satisfaction), 0))
        .where(c.project_id.in_(project_ids), c.opened_at >= start, c.opened_at < end,
               c.satisfaction.is_not(None))
        .group_by(c.project_id)
    )
    return _run(query)


def cross_sell_win_rate(project_ids, as_of: date) -> Counts:
    days = DEFINITIONS[KpiKey.CROSS_SELL_WIN_RATE].window_days
    o = Opportunity
    query = (
        select(o.project_id, func.count(), _ones(o.stage == OpportunityStage.WON))
        .where(o.project_id.in_(project_ids),
               o.opportunity_kind.in_([OpportunityKind.CROSS_SELL, OpportunityKind.UP_SELL]),
               o.stage.in_([OpportunityStage.WON, OpportunityStage.LOST]),
               o.closed_on >= as_of - timedelta(days=days - 1), o.closed_on <= as_of)
        .group_by(o.project_id)
    )
    return _run(query)


# The interactions in (project, account, date) order: retention groups them by account as it reads.
ACCOUNT_ORDER = "ix_crm_interactions_project_account"


def retention(project_ids, as_of: date) -> Counts:
    days = DEFINITIONS[KpiKey.RETENTION].window_days
    current_start, end = window(as_of, days)
    previous_start = current_start - timedelta(days=days)
    i = Interaction
    # The dates are compared through coalesce() so that the planner reads the (project, account, date)
    # index in account order, grouping as it goes, rather than the date index plus a lookup of every
    # row's account: three to five times faster on a million interactions.
    when = func.coalesce(i.occurred_at, i.occurred_at)
    per_account = (
        sqlite_index(select(i.project_id.label("project_id"),
                            func.min(i.occurred_at).label("first_seen"),
                            func.max(i.occurred_at).label("last_seen")), i, ACCOUNT_ORDER)
        .where(i.project_id.in_(project_ids), when >= previous_start, when < end)
        .group_by(i.project_id, i.account_id)
        .subquery()
    )
    query = (
        select(per_account.c.project_id, func.count(), _ones(per_account.c.last_seen >= current_start))
        .where(per_account.c.first_seen < current_start)
        .group_by(per_account.c.project_id)
    )
    return _run(query)


def data_quality(project_ids, as_of: date) -> Counts:
    c = Contact
    query = (
        select(c.project_id, func.count(), _ones(and_(c.reachable.is_(True), c.is_duplicate.is_(False))))
        .where(c.project_id.in_(project_ids), c.created_at < day_end(as_of))
        .group_by(c.project_id)
    )
    return _run(query)


CALCULATIONS = {
    KpiKey.ADOPTION: adoption,
    KpiKey.CLOSED_LOOP: closed_loop,
    KpiKey.FIRST_CONTACT_RESOLUTION: first_contact_resolution,
    KpiKey.SATISFACTION: satisfaction,
    KpiKey.CROSS_SELL_WIN_RATE: cross_sell_win_rate,
    KpiKey.RETENTION: retention,
    KpiKey.DATA_QUALITY: data_quality,
}


def compute(key: KpiKey, project_ids, as_of: date) -> Counts:
    """``{project_id: (numerator, denominator)}`` of KPI ``key`` as of ``as_of``, one query."""
    project_ids = list(project_ids)
    if not project_ids:
        return {}
    return CALCULATIONS[KpiKey(key)](project_ids, as_of)


# --------------------------------------------------------------------------- many dates in one query
#
# A weekly trend asks for the same KPI as of many dates. For the KPIs whose cost is a scan of many
# rows, one query reads the rows once: counts per day for the additive KPIs, flags per account and
# date for retention.

def _day(column):
    """The UTC day of a timestamp column, in SQL (SQLite keeps UTC text, PostgreSQL a timestamptz)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.substr(column, 1, 10)


def _many(model, column, dates, days, condition_num=None, extra=(), numerator_sum=None, project_ids=()):
    """{as_of: {project: (numerator, denominator)}} of a count over the ``days`` days ending on each
    date (every row up to the date when ``days`` is None). SQL counts the rows of each day, in one
    pass over the whole range; each date's window then adds up its days' counts."""
    first, last = min(dates), max(dates)
    conditions = [model.project_id.in_(project_ids), column < day_end(last), *extra]
    if days:
        conditions.append(column >= day_end(first) - timedelta(days=days))
    day = _day(column)
    numerator = _ones(condition_num) if numerator_sum is None else func.coalesce(func.sum(numerator_sum), 0)
    query = (select(model.project_id, day, func.count(), numerator).where(*conditions)
             .group_by(model.project_id, day))
    daily: dict[int, list[tuple[date, int, int]]] = {}
    for pid, when, den, num in db.session.execute(query):
        when = when if isinstance(when, date) else date.fromisoformat(when)
        daily.setdefault(pid, []).append((when, int(num or 0), int(den)))
    found: dict[date, Counts] = {d: {} for d in dates}
    for pid, rows in daily.items():
        for as_of in dates:
            start = as_of - timedelta(days=days - 1) if days else date.min
            num = den = 0
            for when, day_num, day_den in rows:
                if start <= when <= as_of:
                    num, den = num + day_num, den + day_den
            if den:
                found[as_of][pid] = (num, den)
    return found


# An interaction without an outcome: the condition of the partial index
# ix_crm_interactions_project_no_outcome, written as a literal so that the planner can use that index.
NO_OUTCOME = Interaction.outcome == literal_column("''")


BEGINNING = datetime(1, 1, 1, tzinfo=UTC)  # before any record: the lower bound of "everything up to"


def _segment_counts(model, column, project_ids, bounds, extra=()) -> list[dict[int, int]]:
    """The rows of each project between consecutive ``bounds`` ([bounds[j], bounds[j + 1])), one
    count per segment read from an index range in one statement: each row is counted once, and no
    row is read from the table when an index covers ``column`` and ``extra``."""
    parts = [select(literal(j).label("segment"), model.project_id, func.count())
             .where(model.project_id.in_(project_ids), column >= low, column < high, *extra)
             .group_by(model.project_id)
             for j, (low, high) in enumerate(zip(bounds, bounds[1:], strict=False))]
    found: list[dict[int, int]] = [{} for _ in parts]
    for start in range(0, len(parts), 200):  # SQLite takes at most 500 terms in a compound statement
        chunk = parts[start:start + 200]
        statement = union_all(*chunk) if len(chunk) > 1 else chunk[0]
        for segment, pid, count in db.session.execute(statement):
            found[segment][pid] = int(count)
    return found


def closed_loop_many(project_ids, dates):
    """Interactions in each date's 28 days, and those among them without an outcome, counted on
    the segments between the windows' bounds through two indexes; each window adds up its segments."""
    days = DEFINITIONS[KpiKey.CLOSED_LOOP].window_days
    i = Interaction
    windows = {as_of: window(as_of, days) for as_of in dates}
    bounds = sorted({edge for pair in windows.values() for edge in pair})
    every = _segment_counts(i, i.occurred_at, project_ids, bounds)
    missing = _segment_counts(i, i.occurred_at, project_ids, bounds, extra=(NO_OUTCOME,))
    index = {edge: j for j, edge in enumerate(bounds)}
    found: dict[date, Counts] = {d: {} for d in dates}
    for as_of, (start, end) in windows.items():
        segments = range(index[start], index[end])
        for pid in project_ids:
            den = sum(every[j].get(pid, 0) for j in segments)
            if den:
                found[as_of][pid] = (den - sum(missing[j].get(pid, 0) for j in segments), den)
    return found


def first_contact_resolution_many(project_ids, dates):
    c = ServiceCase
    return _many(c, c.opened_at, dates, DEFINITIONS[KpiKey.FIRST_CONTACT_RESOLUTION].window_days,
                 c.resolved_first_contact.is_(True), project_ids=project_ids)


def satisfaction_many(project_ids, dates):
    c = ServiceCase
    return _many(c, c.opened_at, dates, DEFINITIONS[KpiKey.SATISFACTION].window_days,
                 extra=(c.satisfaction.is_not(None),), numerator_sum=c.satisfaction, project_ids=project_ids)


def data_quality_many(project_ids, dates):
    """Contacts created up to each date, and the reachable non-duplicates among them: counted on the
    segments between the dates through the (project, created, reachable, duplicate) index alone."""
    c = Contact
    ends = {as_of: day_end(as_of) for as_of in dates}
    bounds = [BEGINNING, *sorted(set(ends.values()))]
    every = _segment_counts(c, c.created_at, project_ids, bounds)
    good = _segment_counts(c, c.created_at, project_ids, bounds,
                           extra=(c.reachable.is_(True), c.is_duplicate.is_(False)))
    index = {edge: j for j, edge in enumerate(bounds)}
    found: dict[date, Counts] = {d: {} for d in dates}
    for as_of, end in ends.items():
        segments = range(index[end])
        for pid in project_ids:
            den = sum(every[j].get(pid, 0) for j in segments)
            if den:
                found[as_of][pid] = (sum(good[j].get(pid, 0) for j in segments), den)
    return found


RETENTION_DATES_PER_QUERY = 20  # three bounds a date: at most 61 segments, one bit each in a 64-bit mask


def retention_many(project_ids, dates):
    """Retention as of many dates in one pass over the accounts' interactions: the bounds of every
    date's two periods cut time into segments; each account gets the set of segments it was active
    in, as a bit mask (a sum of distinct powers of two); each date's previous and current periods
    are masks too, so that counting per project is two bitwise tests per account and date."""
    dates = sorted(dates)
    found: dict[date, Counts] = {}
    for start in range(0, len(dates), RETENTION_DATES_PER_QUERY):
        found |= _retention_masks(project_ids, dates[start:start + RETENTION_DATES_PER_QUERY])
    return found


def _retention_masks(project_ids, dates) -> dict[date, Counts]:
    days = DEFINITIONS[KpiKey.RETENTION].window_days
    i = Interaction
    when = func.coalesce(i.occurred_at, i.occurred_at)  # see retention(): the account-ordered index
    periods = {}
    for as_of in dates:
        current_start, end = window(as_of, days)
        periods[as_of] = (current_start - timedelta(days=days), current_start, end)
    bounds = sorted({edge for edges in periods.values() for edge in edges})

    def bit(low: int, high: int):
        """The bit of the segment holding ``when``, by bisection over bounds[low:high + 1]."""
        if high - low == 1:
            return literal(1 << low)
        middle = (low + high) // 2
        return case((when < bounds[middle], bit(low, middle)), else_=bit(middle, high))

    def mask(low, high) -> int:
        return sum(1 << j for j in range(len(bounds) - 1) if low <= bounds[j] and bounds[j + 1] <= high)

    segment_bit = bit(0, len(bounds) - 1)
    if db.session.get_bind().dialect.name == "postgresql":
        active = func.bit_or(segment_bit)
    else:
        active = func.sum(segment_bit.distinct())
    per_account = (sqlite_index(select(i.project_id.label("project_id"), active.label("active")), i, ACCOUNT_ORDER)
                   .where(i.project_id.in_(project_ids), when >= bounds[0], when < bounds[-1])
                   .group_by(i.project_id, i.account_id).subquery())
    columns = []
    for previous_start, current_start, end in periods.values():
        before = per_account.c.active.op("&")(mask(previous_start, current_start)) != 0
        now = per_account.c.active.op("&")(mask(current_start, end)) != 0
        columns += [_ones(before), _ones(and_(before, now))]
    found: dict[date, Counts] = {d: {} for d in dates}
    for row in db.session.execute(select(per_account.c.project_id, *columns).group_by(per_account.c.project_id)):
        for k, as_of in enumerate(periods):
            den, num = row[1 + 2 * k], row[2 + 2 * k]
            if den:
                found[as_of][row[0]] = (int(num or 0), int(den))
    return found


MANY = {
    KpiKey.CLOSED_LOOP: closed_loop_many,
    KpiKey.FIRST_CONTACT_RESOLUTION: first_contact_resolution_many,
    KpiKey.SATISFACTION: satisfaction_many,
    KpiKey.DATA_QUALITY: data_quality_many,
    KpiKey.RETENTION: retention_many,
}


def compute_many(key: KpiKey, project_ids, dates) -> dict[date, Counts]:
    """``{as_of: {project_id: (numerator, denominator)}}`` for several dates: one query for the KPIs
    that scan many rows, one per date for the others (each a few index probes)."""
    key, project_ids, dates = KpiKey(key), list(project_ids), sorted(set(dates))
    if not project_ids or not dates:
        return {d: {} for d in dates}
    if len(dates) > 1 and key in MANY:
        return MANY[key](project_ids, dates)
    return {as_of: compute(key, project_ids, as_of) for as_of in dates}
