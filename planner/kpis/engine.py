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


PerDay = dict[int, list[tuple[date, tuple[int, ...]]]]


def _per_day(model, day, project_ids, measures, *conditions) -> PerDay:
    """``{project: [(day, sums of measures)]}``: one grouped query, one row per project and day."""
    query = (select(model.project_id, day, *measures).where(model.project_id.in_(project_ids), *conditions)
             .group_by(model.project_id, day))
    found: PerDay = {}
    for pid, when, *sums in db.session.execute(query):
        when = when if isinstance(when, date) else date.fromisoformat(when)
        found.setdefault(pid, []).append((when, tuple(int(value or 0) for value in sums)))
    return found


def _per_day_since(model, column, project_ids, dates, days, measures) -> PerDay:
    """The measures per UTC day of the timestamp ``column``, over the days that the ``days``-day
    windows ending on ``dates`` cover (every day up to the last date when ``days`` is None)."""
    conditions = [column < day_end(max(dates))]
    if days:
        conditions.append(column >= day_end(min(dates)) - timedelta(days=days))
    return _per_day(model, _day(column), project_ids, measures, *conditions)


def _over_windows(per_day: PerDay, dates, days, numerator: int, denominator: int) -> dict[date, Counts]:
    """{as_of: {project: (numerator, denominator)}}: the sums of two of the daily measures over the
    ``days`` days ending on each date (every day up to it when ``days`` is None)."""
    found: dict[date, Counts] = {d: {} for d in dates}
    for pid, rows in per_day.items():
        for as_of in dates:
            start = as_of - timedelta(days=days - 1) if days else date.min
            num = den = 0
            for when, sums in rows:
                if start <= when <= as_of:
                    num, den = num + sums[numerator], den + sums[denominator]
            if den:
                found[as_of][pid] = (num, den)
    return found


# An interaction without an outcome: the condition of the partial index
# ix_crm_interactions_project_no_outcome, written as a literal so that the planner can use that index.
NO_OUTCOME = Interaction.outcome == literal_column("''")


BEGINNING = datetime(1, 1, 1, tzinfo=UTC)  # before any record: the lower bound of "everything up to"


def _segment_counts(model, column, project_ids, bounds, extra=(), measures=()) -> list[dict[int, tuple[int, ...]]]:
    """The rows of each project between consecutive ``bounds`` ([bounds[j], bounds[j + 1])): for each
    segment, ``(count, *sums of measures)`` by project, read from an index range in one statement:
    each row is counted once, and no row is read from the table when an index covers ``column``,
    ``extra`` and the measures' columns."""
    parts = [select(literal(j).label("segment"), model.project_id, func.count(), *measures)
             .where(model.project_id.in_(project_ids), column >= low, column < high, *extra)
             .group_by(model.project_id)
             for j, (low, high) in enumerate(zip(bounds, bounds[1:], strict=False))]
    found: list[dict[int, tuple[int, ...]]] = [{} for _ in parts]
    for start in range(0, len(parts), 200):  # SQLite takes at most 500 terms in a compound statement
        chunk = parts[start:start + 200]
        statement = union_all(*chunk) if len(chunk) > 1 else chunk[0]
        for segment, pid, *counts in db.session.execute(statement):
            found[segment][pid] = tuple(int(count or 0) for count in counts)
    return found


def _add_up(segments: list[dict[int, tuple[int, ...]]], wanted: range) -> dict[int, list[int]]:
    """The sums over the segments ``wanted`` of each project's counts (projects without rows left out)."""
    totals: dict[int, list[int]] = {}
    for j in wanted:
        for pid, counts in segments[j].items():
            total = totals.setdefault(pid, [0] * len(counts))
            for k, count in enumerate(counts):
                total[k] += count
    return totals


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
        without = _add_up(missing, segments)
        for pid, (den,) in _add_up(every, segments).items():
            if den:
                found[as_of][pid] = (den - without.get(pid, [0])[0], den)
    return found


def cases_many(project_ids, dates) -> dict[KpiKey, dict[date, Counts]]:
    """First-contact resolution and satisfaction from one pass over the cases opened in the dates'
    windows: per day, the cases, those resolved at first contact, those scored and their scores."""
    fcr, score = KpiKey.FIRST_CONTACT_RESOLUTION, KpiKey.SATISFACTION
    days = max(DEFINITIONS[fcr].window_days, DEFINITIONS[score].window_days)
    c = ServiceCase
    per_day = _per_day_since(c, c.opened_at, project_ids, dates, days, (
        func.count(), _ones(c.resolved_first_contact.is_(True)),
        func.count(c.satisfaction), func.coalesce(func.sum(c.satisfaction), 0)))
    return {fcr: _over_windows(per_day, dates, DEFINITIONS[fcr].window_days, 1, 0),
            score: _over_windows(per_day, dates, DEFINITIONS[score].window_days, 3, 2)}


def first_contact_resolution_many(project_ids, dates):
    return cases_many(project_ids, dates)[KpiKey.FIRST_CONTACT_RESOLUTION]


def satisfaction_many(project_ids, dates):
    return cases_many(project_ids, dates)[KpiKey.SATISFACTION]


def cross_sell_win_rate_many(project_ids, dates):
    """Cross- and up-sell opportunities closed won or lost, per closing day, in one query; each
    date's 90 days add up their days."""
    days = DEFINITIONS[KpiKey.CROSS_SELL_WIN_RATE].window_days
    o = Opportunity
    per_day = _per_day(o, o.closed_on, project_ids, (func.count(), _ones(o.stage == OpportunityStage.WON)),
                       o.opportunity_kind.in_([OpportunityKind.CROSS_SELL, OpportunityKind.UP_SELL]),
                       o.stage.in_([OpportunityStage.WON, OpportunityStage.LOST]),
                       o.closed_on >= min(dates) - timedelta(days=days - 1), o.closed_on <= max(dates))
    return _over_windows(per_day, dates, days, 1, 0)


def data_quality_many(project_ids, dates):
    """Contacts created up to each date, and the reachable non-duplicates among them: counted on the
    segments between the dates in one pass over the (project, created, reachable, duplicate) index."""
    c = Contact
    ends = {as_of: day_end(as_of) for as_of in dates}
    bounds = [BEGINNING, *sorted(set(ends.values()))]
    counts = _segment_counts(c, c.created_at, project_ids, bounds,
                             measures=(_ones(and_(c.reachable.is_(True), c.is_duplicate.is_(False))),))
    index = {edge: j for j, edge in enumerate(bounds)}
    found: dict[date, Counts] = {d: {} for d in dates}
    for as_of, end in ends.items():
        for pid, (den, good) in _add_up(counts, range(index[end])).items():
            if den:
                found[as_of][pid] = (good, den)
    return found


RETENTION_DATES_PER_QUERY = 20  # three bounds a date: at most 61 segments, one bit each in a 64-bit mask
PREVIOUS = 1 << 32  # an account of a date's previous period, in retention's per-date sums


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
    # One sum per date: each account in the previous period adds 2**32, plus 1 if active in the current
    # one (denominator in the high half, numerator in the low half; a project has far fewer than 2**31
    # accounts): half the aggregates of two sums, and no test of the current period for the others.
    columns = []
    for previous_start, current_start, end in periods.values():
        before = per_account.c.active.op("&")(mask(previous_start, current_start)) != 0
        now = per_account.c.active.op("&")(mask(current_start, end)) != 0
        columns.append(func.sum(case((before, case((now, PREVIOUS + 1), else_=PREVIOUS)), else_=0)))
    query = select(func.max(per_account.c.project_id), *columns)
    if len(project_ids) > 1:  # one project needs no grouping (and SQLite no sorting of the accounts)
        query = query.group_by(per_account.c.project_id)
    found: dict[date, Counts] = {d: {} for d in dates}
    for pid, *totals in db.session.execute(query):
        for as_of, total in zip(periods, totals, strict=True):
            den, num = divmod(int(total or 0), PREVIOUS)
            if pid is not None and den:
                found[as_of][pid] = (num, den)
    return found


MANY = {
    KpiKey.CLOSED_LOOP: closed_loop_many,
    KpiKey.CROSS_SELL_WIN_RATE: cross_sell_win_rate_many,
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


# KPIs that one query computes together (from the same rows) when both are wanted as of many dates.
TOGETHER = {(KpiKey.FIRST_CONTACT_RESOLUTION, KpiKey.SATISFACTION): cases_many}


def compute_many_keys(keys, project_ids, dates) -> dict[KpiKey, dict[date, Counts]]:
    """``{key: {as_of: {project_id: (numerator, denominator)}}}``: ``compute_many`` for each key,
    with the keys of ``TOGETHER`` computed in one query."""
    keys, project_ids, dates = [KpiKey(k) for k in keys], list(project_ids), sorted(set(dates))
    found: dict[KpiKey, dict[date, Counts]] = {}
    if project_ids and len(dates) > 1:
        for group, calculation in TOGETHER.items():
            if all(key in keys for key in group):
                found |= calculation(project_ids, dates)
    for key in keys:
        if key not in found:
            found[key] = compute_many(key, project_ids, dates)
    return found
