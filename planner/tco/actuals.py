"""Plan against reality: recording actual costs and the actual amounts of benefits entered by
hand (each adds an audit event; the caller commits), and reading the plan scenario beside what
happened: planned vs actual, realised KPI benefits and the forecast (see ``forecast`` for the rules).

Public API:

- ``plan_start(scenario, project) -> date | None``: the first day of the plan's first month.
- ``add_actual_cost(project, start, ...)``, ``delete_actual_cost(entry)``, ``save_benefit_actuals(line, amounts)``.
- ``tracking(project, scenario, today=None) -> Tracking``: everything the plan-vs-actual page shows.
- ``forecast_by_project(project_ids, today=None) -> {project_id: ForecastSummary}``: the plan and
  forecast figures of many projects in a bounded number of queries whatever their number.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from planner.audit.services import record, register
from planner.dates import utc_today
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.kpis import services as kpi_services
from planner.kpis.definitions import KpiKey
from planner.kpis.models import KpiSetting
from planner.projects.models import Project
from planner.tco import calculations as calc
from planner.tco import forecast as fc
from planner.tco.models import (
    ActualSource,
    CostCategory,
    TcoActualCost,
    TcoBenefitActual,
    TcoBenefitLine,
    TcoCostLine,
    TcoScenario,
)

ZERO = Decimal(0)

register("tco.actual_cost_added", _l("Recorded an actual cost of %(amount)s in “%(category)s” for %(month)s."))
register("tco.actual_cost_deleted", _l("Deleted an actual cost of %(amount)s in “%(category)s” for %(month)s."))
register("tco.actual_costs_imported", _l("Imported %(count)s actual costs from “%(filename)s”."))
register("tco.benefit_actuals_saved", _l("Saved the actual amounts of the benefit “%(description)s”."))


# --------------------------------------------------------------------------- months


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def plan_start(scenario: TcoScenario | None, project: Project) -> date | None:
    """The plan scenario's first month, or else the project's start month."""
    start = (scenario.starts_on if scenario is not None else None) or project.start_date
    return first_of_month(start) if start else None


def month_number(start: date, month: date) -> int:
    """1…36 for a month of the plan (0 or less before it, 37 or more after it)."""
    return (month.year - start.year) * 12 + month.month - start.month + 1


def plan_months(start: date) -> list[date]:
    return [add_months(start, m) for m in range(fc.MONTHS)]


def measured_months(start: date, today: date) -> int:
    """How many months of the plan have ended by ``today`` (0…36)."""
    count = 0
    while count < fc.MONTHS and add_months(start, count + 1) <= today:
        count += 1
    return count


# --------------------------------------------------------------------------- writing


def add_actual_cost(project: Project, start: date | None, *, category, month: date, amount: Decimal,
                    description: str = "", reference: str = "", source=ActualSource.MANUAL,
                    user=None, audit: bool = True) -> TcoActualCost:
    if start is None:
        raise DomainError(_l("Set the month the plan starts first (edit the plan scenario)."))
    month = first_of_month(month)
    if not 1 <= month_number(start, month) <= fc.MONTHS:
        raise DomainError(_l("The month is outside the three years of the plan."))
    entry = TcoActualCost(project_id=project.id, category=CostCategory(category), month=month, amount=amount,
                          description=description or "", reference=reference or "", source=ActualSource(source),
                          created_by_id=getattr(user, "id", None))
    db.session.add(entry)
    db.session.flush()
    if audit:
        record("tco.actual_cost_added", project=project, target=entry, amount=str(amount),
               category=entry.category.value, month=month.isoformat())
    return entry


def delete_actual_cost(entry: TcoActualCost) -> None:
    record("tco.actual_cost_deleted", project=entry.project_id, target=entry, amount=str(entry.amount),
           category=entry.category.value, month=entry.month.isoformat())
    db.session.delete(entry)


def benefit_actuals(line: TcoBenefitLine) -> dict[int, Decimal]:
    rows = db.session.execute(select(TcoBenefitActual.year, TcoBenefitActual.amount)
                              .where(TcoBenefitActual.benefit_line_id == line.id))
    return {row.year: row.amount for row in rows}


def save_benefit_actuals(line: TcoBenefitLine, amounts: dict[int, Decimal | None]) -> None:
    """``amounts``: {year (1…3): amount, or None to clear it}. Only for benefits entered by hand."""
    if line.is_derived:
        raise DomainError(_l("This benefit is derived from a KPI: its actual amounts come from the measured KPI."))
    existing = {row.year: row for row in db.session.scalars(
        select(TcoBenefitActual).where(TcoBenefitActual.benefit_line_id == line.id))}
    for year, amount in amounts.items():
        row = existing.get(year)
        if amount is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(TcoBenefitActual(project_id=line.project_id, benefit_line_id=line.id, year=year,
                                            amount=amount))
        else:
            row.amount = amount
    db.session.flush()
    record("tco.benefit_actuals_saved", project=line.project_id, target=line, description=line.description)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class MonthGain:
    month: int  # 1…36
    as_of: date  # the month's last day: the KPI's value as of then
    value: Decimal | None
    numerator: int
    denominator: int
    gain: Decimal  # realised gain of the month (zero without a value)


@dataclass
class BenefitTrack:
    line: TcoBenefitLine
    plan: calc.Amounts
    forecast: calc.Amounts
    actual_by_year: dict[int, Decimal]  # years with an actual amount (entered, or realised months)
    baseline: Decimal | None = None
    baseline_as_of: date | None = None
    months: list[MonthGain] = field(default_factory=list)  # the measured months, KPI-derived only

    @property
    def has_baseline(self) -> bool:
        return self.baseline is not None


@dataclass
class Tracking:
    scenario: TcoScenario
    start: date | None
    through: int  # the last month with an actual cost (0: none)
    measured: int  # months of the plan ended by today
    plan: calc.Analysis
    forecast: calc.Analysis
    actual_by_category: dict[str, dict[int, Decimal]]  # category → {month: amount}
    benefits: list[BenefitTrack]
    outside: int = 0  # actual costs recorded outside the three years of the plan

    @property
    def has_actuals(self) -> bool:
        return self.through > 0 or any(b.actual_by_year for b in self.benefits)

    def actual_cost_months(self) -> list[Decimal]:
        totals = [ZERO] * fc.MONTHS
        for months in self.actual_by_category.values():
            for month, amount in months.items():
                totals[month - 1] += amount
        return totals

    def category_rows(self) -> list[dict]:
        """Per category: plan and actual per year (actual only for months up to ``through``), the
        plan and actual to date, the variance and its share."""
        categories = list(self.plan.cost_by_category) + [
            c for c in calc.CATEGORIES if c in self.actual_by_category and c not in self.plan.cost_by_category]
        zero = (ZERO,) * calc.YEARS
        rows = []
        for category in categories:
            plan = self.plan.cost_by_category.get(category, zero)
            actual = self.actual_by_category.get(category, {})
            rows.append(self._row(category, plan, actual))
        return rows

    def total_row(self) -> dict:
        return self._row(None, self.plan.cost_by_year, dict(enumerate(self.actual_cost_months(), start=1)))

    def _row(self, category, plan, actual) -> dict:
        by_year = []
        for year in range(calc.YEARS):
            months = [m for m in range(12 * year + 1, 12 * year + 13) if m <= self.through]
            plan_part = calc.add_up(fc.plan_of_month(plan, m) for m in months)
            actual_part = calc.add_up(actual.get(m, ZERO) for m in months)
            by_year.append({"plan": plan[year], "plan_to_date": plan_part, "actual": actual_part,
                            "variance": fc.variance(actual_part, plan_part), "started": bool(months)})
        plan_to_date = fc.plan_to(plan, self.through)
        actual_to_date = calc.add_up(actual.get(m, ZERO) for m in range(1, self.through + 1))
        return {"category": category, "years": by_year, "plan_total": calc.add_up(plan),
                "plan_to_date": plan_to_date, "actual_to_date": actual_to_date,
                "variance": fc.variance(actual_to_date, plan_to_date)}


def _actual_costs(project_ids, starts: dict[int, date | None]) -> tuple[dict, dict]:
    """({project_id: {category: {month: amount}}}, {project_id: entries outside the plan}), summed in
    Python (SQLite has no decimal sum), one narrow grouped query."""
    by_project: dict[int, dict] = {pid: {} for pid in project_ids}
    outside: dict[int, int] = dict.fromkeys(project_ids, 0)
    rows = db.session.execute(
        select(TcoActualCost.project_id, TcoActualCost.category, TcoActualCost.month, TcoActualCost.amount)
        .where(TcoActualCost.project_id.in_(list(project_ids))))
    for pid, category, month, amount in rows:
        start = starts.get(pid)
        number = month_number(start, month) if start else 0
        if not 1 <= number <= fc.MONTHS:
            outside[pid] += 1
            continue
        months = by_project[pid].setdefault(category.value, {})
        months[number] = months.get(number, ZERO) + amount
    return by_project, outside


def _entered_actuals(line_ids) -> dict[int, dict[int, Decimal]]:
    found: dict[int, dict[int, Decimal]] = {}
    if not line_ids:
        return found
    for line_id, year, amount in db.session.execute(
            select(TcoBenefitActual.benefit_line_id, TcoBenefitActual.year, TcoBenefitActual.amount)
            .where(TcoBenefitActual.benefit_line_id.in_(list(line_ids)))):
        found.setdefault(line_id, {})[year] = amount
    return found


def _baselines(project_ids) -> dict[int, dict[KpiKey, tuple[Decimal, date | None]]]:
    found: dict[int, dict] = {pid: {} for pid in project_ids}
    for pid, key, value, as_of in db.session.execute(
            select(KpiSetting.project_id, KpiSetting.key, KpiSetting.baseline_value, KpiSetting.baseline_as_of)
            .where(KpiSetting.project_id.in_(list(project_ids)), KpiSetting.baseline_value.is_not(None))):
        found[pid][KpiKey(key)] = (value, as_of)
    return found


def month_ends(start: date, count: int) -> list[date]:
    from datetime import timedelta

    return [add_months(start, m + 1) - timedelta(days=1) for m in range(count)]


def _track_benefits(project_id: int, lines, start, measured, entered, baselines, kpi_values) -> list[BenefitTrack]:
    tracks = []
    ends = month_ends(start, measured) if start else []
    for line in lines:
        plan = line.amounts
        if not line.is_derived:
            actual = entered.get(line.id, {})
            tracks.append(BenefitTrack(line, plan, fc.entered_benefit_forecast(plan, actual), dict(actual)))
            continue
        baseline = baselines.get(project_id, {}).get(line.kpi_key)
        if baseline is None or not ends:
            tracks.append(BenefitTrack(line, plan, plan, {}, *(baseline or (None, None))))
            continue
        months = []
        for number, as_of in enumerate(ends, start=1):
            num, den = kpi_values.get((project_id, line.kpi_key, as_of), (0, 0))
            value = kpi_services.to_value(line.kpi_key, num, den)
            gain = ZERO if value is None else fc.realised_gain(value, baseline[0], line.kpi_volume or ZERO,
                                                               line.kpi_unit_value or ZERO)
            months.append(MonthGain(number, as_of, value, num, den, gain))
        by_year: dict[int, Decimal] = {}
        for gain in months:
            year = fc.year_of(gain.month) + 1
            by_year[year] = by_year.get(year, ZERO) + gain.gain
        tracks.append(BenefitTrack(line, plan, fc.kpi_benefit_forecast(plan, [g.gain for g in months]), by_year,
                                   baseline[0], baseline[1], months))
    return tracks


def _kpi_values(requests: dict[int, tuple[set, list[date]]]) -> dict:
    """KPI values as of month ends for many projects in one bulk call (the union of the keys and
    dates asked for, so the number of queries does not grow with the number of projects)."""
    asked = {pid: (keys, dates) for pid, (keys, dates) in requests.items() if keys and dates}
    if not asked:
        return {}
    keys = sorted({key for k, _d in asked.values() for key in k})
    dates = sorted({day for _k, d in asked.values() for day in d})
    return kpi_services.values(list(asked), keys, dates)


def _analyse(scenario, cost_plan: dict, actual: dict, through: int, tracks) -> tuple[calc.Analysis, calc.Analysis]:
    rate = scenario.discount_rate or ZERO
    plan_costs = [calc.CostItem(c, a) for c, a in cost_plan.items()]
    plan = calc.analyse(plan_costs, [t.plan for t in tracks], rate)
    forecast_costs = fc.costs_forecast(cost_plan, actual, through)
    forecast = calc.analyse([calc.CostItem(c, a) for c, a in forecast_costs.items()], [t.forecast for t in tracks],
                            rate)
    return plan, forecast


def tracking(project: Project, scenario: TcoScenario, today: date | None = None) -> Tracking:
    """The plan scenario beside what happened. ``scenario`` with its lines loaded."""
    today = today or utc_today()
    start = plan_start(scenario, project)
    actual, outside = _actual_costs([project.id], {project.id: start})
    actual, outside = actual[project.id], outside[project.id]
    through = max((m for months in actual.values() for m in months), default=0)
    measured = measured_months(start, today) if start else 0
    lines = list(scenario.benefit_lines)
    keys = {line.kpi_key for line in lines if line.is_derived}
    kpi_values = _kpi_values({project.id: (keys, month_ends(start, measured) if start else [])})
    tracks = _track_benefits(project.id, lines, start, measured, _entered_actuals([line.id for line in lines]),
                             _baselines([project.id]), kpi_values)
    cost_plan = scenario.analysis().cost_by_category
    plan, forecast = _analyse(scenario, cost_plan, actual, through, tracks)
    return Tracking(scenario, start, through, measured, plan, forecast, actual, tracks, outside)


def plan_scenario(project: Project) -> TcoScenario | None:
    from planner.tco.services import load_scenarios

    scenarios = load_scenarios(project)
    return scenarios[0] if scenarios and scenarios[0].is_preferred else (scenarios[0] if scenarios else None)


@dataclass(frozen=True)
class ForecastSummary:
    scenario_id: int
    currency: str
    has_actuals: bool
    plan_npv: Decimal
    forecast_npv: Decimal
    plan_roi: Decimal | None
    forecast_roi: Decimal | None
    plan_payback: int | None
    forecast_payback: int | None

    @property
    def payback_delay(self) -> int | None:
        """Months the forecast payback comes later than planned (36 + 1 stands for "not within
        three years"); None when neither pays back."""
        if self.plan_payback is None and self.forecast_payback is None:
            return None
        late = (self.forecast_payback or fc.MONTHS + 1) - (self.plan_payback or fc.MONTHS + 1)
        return late


def forecast_by_project(project_ids, today: date | None = None) -> dict[int, ForecastSummary]:
    """The plan scenario's plan and forecast for many projects: a fixed number of queries whatever
    their number (scenarios, cost lines, benefit lines, actual costs, entered actuals, baselines,
    then the KPI values as of month ends, read from the cache and computed in bulk when missing)."""
    today = today or utc_today()
    ids = sorted({int(pid) for pid in project_ids})
    if not ids:
        return {}
    rows = db.session.execute(
        select(TcoScenario, Project.start_date, Project.currency).join(Project, Project.id == TcoScenario.project_id)
        .where(TcoScenario.project_id.in_(ids), TcoScenario.is_preferred.is_(True)).order_by(TcoScenario.id)).all()
    scenarios: dict[int, tuple] = {}
    for scenario, start_date, currency in rows:
        scenarios.setdefault(scenario.project_id, (scenario, start_date, currency))
    if not scenarios:
        return {}
    sids = [s.id for s, _d, _c in scenarios.values()]
    cost_lines: dict[int, list] = {sid: [] for sid in sids}
    for line in db.session.scalars(select(TcoCostLine).where(TcoCostLine.scenario_id.in_(sids))):
        cost_lines[line.scenario_id].append(line.item)
    benefit_lines: dict[int, list] = {sid: [] for sid in sids}
    for line in db.session.scalars(select(TcoBenefitLine).where(TcoBenefitLine.scenario_id.in_(sids))
                                   .order_by(TcoBenefitLine.id)):
        benefit_lines[line.scenario_id].append(line)
    starts = {pid: first_of_month(s.starts_on or d) if (s.starts_on or d) else None
              for pid, (s, d, _c) in scenarios.items()}
    actual, _outside = _actual_costs(list(scenarios), starts)
    entered = _entered_actuals([line.id for lines in benefit_lines.values() for line in lines])
    baselines = _baselines(list(scenarios))
    measured = {pid: measured_months(start, today) if start else 0 for pid, start in starts.items()}
    requests = {pid: ({line.kpi_key for line in benefit_lines[s.id] if line.is_derived},
                      month_ends(starts[pid], measured[pid]) if starts[pid] else [])
                for pid, (s, _d, _c) in scenarios.items()}
    kpi_values = _kpi_values(requests)
    result = {}
    for pid, (scenario, _d, currency) in scenarios.items():
        tracks = _track_benefits(pid, benefit_lines[scenario.id], starts[pid], measured[pid], entered, baselines,
                                 kpi_values)
        cost_plan = calc.analyse(cost_lines[scenario.id], []).cost_by_category
        through = max((m for months in actual[pid].values() for m in months), default=0)
        plan, forecast = _analyse(scenario, cost_plan, actual[pid], through, tracks)
        has_actuals = through > 0 or any(t.actual_by_year for t in tracks)
        result[pid] = ForecastSummary(scenario.id, currency, has_actuals, plan.npv, forecast.npv, plan.roi,
                                      forecast.roi, plan.payback_month, forecast.payback_month)
    return result


def actual_cost_count(project: Project) -> int:
    return db.session.scalar(select(func.count()).select_from(TcoActualCost)
                             .where(TcoActualCost.project_id == project.id)) or 0
