"""KPI values, weekly trends, baselines, targets and statuses: the functions other features call.

Public API (``project`` is a Project or its id; dates are UTC days):

- ``kpi_value(project, key, as_of) -> Decimal | None``: the value of KPI ``key`` for the project as
  of the end of day ``as_of``, or None when there is nothing to compute it from.
- ``kpi_result(project, key, as_of) -> KpiResult``: the same with its numerator and denominator.
- ``kpi_weekly_series(project, key, weeks=16, until=None) -> list[WeekValue]``: one value per week,
  oldest first: as of each Sunday, the last one as of ``until`` (today by default).
- ``kpi_met_for_weeks(project, key, threshold, weeks, until=None) -> bool``: whether the value was
  at least ``threshold`` in each of the last ``weeks`` complete weeks (a stage-gate criterion such
  as "adoption ≥ 80 % for two consecutive weeks").
- ``kpi_overview(project, as_of=None) -> list[KpiOverview]``: every KPI with value, baseline, target
  and status; ``kpi_page(project, weeks, as_of=None)``: the overview and every KPI's weekly trend.
- Bulk, for many projects in a bounded number of queries whatever their number:
  ``kpi_trends_by_project(project_ids, keys, weeks=12, until=None)``,
  ``adoption_trend_by_project(project_ids, weeks=12, until=None) -> {project_id: [WeekValue]}``,
  ``kpi_status_by_project(project_ids, as_of=None) -> {project_id: {KpiKey: KpiOverview}}``.

Values come from the snapshot cache (``planner.kpis.cache``); what is missing is computed in SQL for
all the projects that miss it, grouped by project: one query per KPI for the KPIs that scan many rows,
one per (KPI, date) for the others, then cached.
"""

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, select

from planner.audit.services import record, register
from planner.dates import utc_today
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.kpis import cache, engine
from planner.kpis.definitions import DEFINITIONS, KpiKey, KpiStatus, status_of
from planner.kpis.models import BaselineSource, KpiSetting
from planner.kpis.signals import target_crossed


class _Filled:
    """A lazy message with some placeholders filled by other lazy strings, in the reader's language."""

    def __init__(self, message, **values):
        self.message, self.values = message, values

    def __str__(self) -> str:
        return str(self.message) % {name: str(value) for name, value in self.values.items()}


for _key in KpiKey:
    register(f"kpi.settings_changed.{_key.value}",
             _Filled(_l("Changed the baseline or target of the KPI “%(kpi)s”."), kpi=_key.label))


@dataclass(frozen=True)
class KpiResult:
    key: KpiKey
    as_of: date
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        return to_value(self.key, self.numerator, self.denominator)


@dataclass(frozen=True)
class WeekValue:
    week_start: date  # the Monday of the week
    as_of: date  # the Sunday, or the last day counted for the week in progress
    numerator: int
    denominator: int
    value: Decimal | None
    complete: bool


@dataclass(frozen=True)
class KpiOverview:
    key: KpiKey
    as_of: date
    value: Decimal | None
    numerator: int
    denominator: int
    target: Decimal | None
    baseline: Decimal | None
    baseline_as_of: date | None
    baseline_source: BaselineSource | None
    status: KpiStatus

    @property
    def definition(self):
        return DEFINITIONS[self.key]


def to_value(key: KpiKey, numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    places = DEFINITIONS[KpiKey(key)].places
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _project_id(project) -> int:
    return project if isinstance(project, int) else project.id


# --------------------------------------------------------------------------- values


def values(project_ids, keys, dates) -> dict[tuple[int, KpiKey, date], tuple[int, int]]:
    """(numerator, denominator) for every project × key × date: one read of the cache, then the
    grouped queries of ``engine.compute_many_keys`` for what some project misses. Dates after today
    are not cached."""
    project_ids = sorted(set(project_ids))
    keys = [KpiKey(k) for k in keys]
    dates = sorted(set(dates))
    found = cache.read(project_ids, keys, [d for d in dates if d <= utc_today()])
    gaps_by_key: dict[KpiKey, list[tuple[int, date]]] = {}
    for key in keys:
        gaps = [(pid, as_of) for as_of in dates for pid in project_ids if (pid, key, as_of) not in found]
        if gaps:
            gaps_by_key[key] = gaps
    # The keys missing the same projects and dates are computed together (some share a query).
    by_scope: dict[tuple[tuple[int, ...], tuple[date, ...]], list[KpiKey]] = {}
    for key, gaps in gaps_by_key.items():
        scope = (tuple(sorted({pid for pid, _d in gaps})), tuple(sorted({d for _p, d in gaps})))
        by_scope.setdefault(scope, []).append(key)
    computed: dict = {}
    for (pids, missing_dates), scope_keys in by_scope.items():
        by_key = engine.compute_many_keys(scope_keys, pids, missing_dates)
        for key in scope_keys:
            for pid, as_of in gaps_by_key[key]:
                computed[(pid, key, as_of)] = by_key[key][as_of].get(pid, (0, 0))
    if computed:
        cache.store({slot: counts for slot, counts in computed.items() if slot[2] <= utc_today()})
    return found | computed


def kpi_result(project, key, as_of: date) -> KpiResult:
    key, pid = KpiKey(key), _project_id(project)
    num, den = values([pid], [key], [as_of])[(pid, key, as_of)]
    return KpiResult(key, as_of, num, den)


def kpi_value(project, key, as_of: date) -> Decimal | None:
    """The value of KPI ``key`` for ``project`` as of the end of day ``as_of`` (UTC): a ratio
    between 0 and 1 (satisfaction: an average from 1 to 5), or None without data."""
    return kpi_result(project, key, as_of).value


def week_points(weeks: int, until: date | None = None) -> list[tuple[date, date, bool]]:
    """(Monday, as-of day, complete) for the ``weeks`` weeks ending with the one holding ``until``."""
    until = until or utc_today()
    last_sunday = until - timedelta(days=(until.weekday() + 1) % 7)
    points = []
    if last_sunday != until:
        points.append((until - timedelta(days=until.weekday()), until, False))
    sunday = last_sunday
    while len(points) < weeks:
        points.append((sunday - timedelta(days=6), sunday, True))
        sunday -= timedelta(days=7)
    return list(reversed(points))


def kpi_trends_by_project(project_ids, keys=tuple(KpiKey), weeks: int = 12,
                          until: date | None = None) -> dict[int, dict[KpiKey, list[WeekValue]]]:
    points = week_points(weeks, until)
    keys = [KpiKey(k) for k in keys]
    found = values(project_ids, keys, [as_of for _monday, as_of, _complete in points])
    result: dict[int, dict[KpiKey, list[WeekValue]]] = {}
    for pid in set(project_ids):
        result[pid] = {}
        for key in keys:
            series = []
            for monday, as_of, complete in points:
                num, den = found[(pid, key, as_of)]
                series.append(WeekValue(monday, as_of, num, den, to_value(key, num, den), complete))
            result[pid][key] = series
    return result


def kpi_weekly_series(project, key, weeks: int = 16, until: date | None = None) -> list[WeekValue]:
    pid = _project_id(project)
    return kpi_trends_by_project([pid], [key], weeks, until)[pid][KpiKey(key)]


def adoption_trend_by_project(project_ids, weeks: int = 12, until: date | None = None) -> dict[int, list[WeekValue]]:
    trends = kpi_trends_by_project(project_ids, [KpiKey.ADOPTION], weeks, until)
    return {pid: by_key[KpiKey.ADOPTION] for pid, by_key in trends.items()}


def kpi_met_for_weeks(project, key, threshold: Decimal, weeks: int, until: date | None = None) -> bool:
    """True when KPI ``key`` was at least ``threshold`` in each of the last ``weeks`` complete
    (Monday-to-Sunday) weeks up to ``until``."""
    series = [w for w in kpi_weekly_series(project, key, weeks + 1, until) if w.complete][-weeks:]
    return len(series) == weeks and all(w.value is not None and w.value >= threshold for w in series)


# --------------------------------------------------------------------------- settings and status


def settings_by_project(project_ids) -> dict[int, dict[KpiKey, KpiSetting]]:
    found: dict[int, dict[KpiKey, KpiSetting]] = {pid: {} for pid in project_ids}
    rows = db.session.scalars(select(KpiSetting).where(KpiSetting.project_id.in_(list(project_ids))))
    for setting in rows:
        found.setdefault(setting.project_id, {})[KpiKey(setting.key)] = setting
    return found


def _targets_by_project(project_ids) -> dict[int, dict]:
    """The target and baseline columns of the KPI settings, as rows (what the statuses read)."""
    found: dict[int, dict] = {pid: {} for pid in project_ids}
    for row in db.session.execute(_targets_statement(), {"project_ids": list(project_ids)}):
        found.setdefault(row.project_id, {})[KpiKey(row.key)] = row
    return found


@functools.cache
def _targets_statement():
    """``_targets_by_project``' query, built once per process: the project ids are a parameter."""
    s = KpiSetting
    return (select(s.project_id, s.key, s.target, s.baseline_value, s.baseline_as_of, s.baseline_source)
            .where(s.project_id.in_(bindparam("project_ids", expanding=True))))


def kpi_status_by_project(project_ids, as_of: date | None = None) -> dict[int, dict[KpiKey, KpiOverview]]:
    """Every KPI's value, baseline, target and status per project: two queries when cached."""
    as_of = as_of or utc_today()
    project_ids = sorted(set(project_ids))
    settings = _targets_by_project(project_ids)
    found = values(project_ids, list(KpiKey), [as_of])
    result: dict[int, dict[KpiKey, KpiOverview]] = {}
    for pid in project_ids:
        result[pid] = {}
        for key in KpiKey:
            num, den = found[(pid, key, as_of)]
            value = to_value(key, num, den)
            setting = settings[pid].get(key)
            target = setting.target if setting else None
            baseline = setting.baseline_value if setting else None
            result[pid][key] = KpiOverview(
                key=key, as_of=as_of, value=value, numerator=num, denominator=den, target=target,
                baseline=baseline, baseline_as_of=setting.baseline_as_of if setting else None,
                baseline_source=setting.baseline_source if setting else None,
                status=status_of(value, target, baseline))
    return result


def kpi_overview(project, as_of: date | None = None) -> list[KpiOverview]:
    pid = _project_id(project)
    by_key = kpi_status_by_project([pid], as_of)[pid]
    return [by_key[key] for key in KpiKey]


def kpi_page(project, weeks: int, as_of: date | None = None) -> tuple[list[KpiOverview], dict[KpiKey, list[WeekValue]]]:
    """Every KPI's overview and weekly trend (the KPI page). The trends come first: what is not
    cached is then computed for all the weeks and today together, one pass over the records per
    KPI, and the overview finds today's values cached."""
    as_of = as_of or utc_today()
    pid = _project_id(project)
    trends = kpi_trends_by_project([pid], list(KpiKey), weeks, as_of)[pid]
    return kpi_overview(pid, as_of), trends


def save_setting(project, key, *, target: Decimal | None, baseline_source: BaselineSource | None,
                 baseline_value: Decimal | None, baseline_as_of: date | None, note: str = "", user=None) -> KpiSetting:
    """Sets a KPI's target and baseline. A computed baseline is the KPI's value as of its date,
    computed now and kept as it is; a manual one is taken as given."""
    key = KpiKey(key)
    if baseline_source == BaselineSource.COMPUTED:
        if baseline_as_of is None:
            raise DomainError(_l("Choose the date the baseline is computed as of."))
        if baseline_as_of > utc_today():
            raise DomainError(_l("A baseline is computed from the past: choose a date no later than today."))
        baseline_value = kpi_value(project, key, baseline_as_of)
        if baseline_value is None:
            raise DomainError(_l("There are no records to compute this KPI as of that date. Choose a later date "
                                 "or enter the baseline by hand."))
    elif baseline_source == BaselineSource.MANUAL:
        if baseline_value is None:
            raise DomainError(_l("Enter the baseline value."))
    else:
        baseline_value, baseline_as_of = None, None
    setting = db.session.scalar(
        select(KpiSetting).where(KpiSetting.project_id == project.id, KpiSetting.key == key))
    if setting is None:
        setting = KpiSetting(project_id=project.id, key=key)
        db.session.add(setting)
    if setting.target != target:
        setting.target_reached = None  # a new line to cross: the next value computed is where it starts
    setting.target = target
    setting.baseline_source = baseline_source
    setting.baseline_value = baseline_value
    setting.baseline_as_of = baseline_as_of
    setting.note = note or ""
    setting.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    record(f"kpi.settings_changed.{key.value}", project=project, target=setting)
    return setting


def note_target_crossings(statuses: dict[int, dict[KpiKey, KpiOverview]]) -> int:
    """Compares each KPI with a target to where it stood the last time (``KpiSetting.target_reached``)
    and tells the listeners of each crossing (``signals.target_crossed``); the caller commits. Only the
    worker calls this (after an import, every night), so a page view never changes anything."""
    settings = db.session.scalars(select(KpiSetting).where(KpiSetting.project_id.in_(list(statuses)),
                                                           KpiSetting.target.is_not(None))).all()
    crossed = []
    for setting in settings:
        overview = statuses.get(setting.project_id, {}).get(KpiKey(setting.key))
        if overview is None or overview.value is None:
            continue
        reached = overview.value >= setting.target
        if setting.target_reached is not None and setting.target_reached != reached:
            crossed.append((setting, overview))
        setting.target_reached = reached
    if crossed:
        db.session.flush()
    for setting, overview in crossed:
        target_crossed.send(setting, actor=None, value=overview.value, as_of=overview.as_of,
                            reached=overview.value >= setting.target)
    return len(crossed)
