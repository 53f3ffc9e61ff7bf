"""Plan against reality: pure arithmetic on ``Decimal`` (no Flask, no database).

Conventions (the plan-vs-actual page states them to the reader):

- **Months of the plan** are numbered 1…36 from the plan's first month; the plan of a year is
  spread evenly over its twelve months (as for the payback month in ``calculations``).
- **Actual costs to date** run through the last month that has an actual cost recorded
  (``through``); the months after it follow the plan.
- **Forecast of a cost category** for year *y* = the actual costs of the months of *y* up to
  ``through`` + the plan of *y* × (months of *y* after ``through``) / 12.
- **Realised gain of a KPI-derived benefit** in one month = (the KPI's measured value − its
  baseline) × the line's volume a year × the value of one unit / 12. KPI values are stored as the
  KPI page shows them: a ratio between 0 and 1 (so a rise of 0.05 is 5 points, 5 % of the
  volume), or the 1-to-5 satisfaction score. This is the planned formula with the measured
  improvement in place of the planned one.
- **Forecast of a KPI-derived benefit**: the realised gain of every month measured so far, then,
  for each later month, the trend so far: the average realised gain of the last three months
  measured (fewer when fewer are measured). With no month measured it is the plan.
- **Forecast of a benefit entered by hand**: its actual amount for each year that has one, the
  plan for the others.
- **Variance** = actual − plan for the same months; its **share** = variance / plan (None when the
  plan is zero).
"""

from decimal import Decimal, localcontext

from planner.tco import calculations as calc

ZERO = Decimal(0)
MONTHS = calc.MONTHS
TREND_MONTHS = 3

Amounts = calc.Amounts


def year_of(month: int) -> int:
    """0, 1 or 2: the year (counted from 0) holding ``month`` (1…36)."""
    return (month - 1) // 12


def plan_of_month(amounts: Amounts, month: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        return amounts[year_of(month)] / 12


def monthly_plan(amounts: Amounts) -> list[Decimal]:
    return [plan_of_month(amounts, m) for m in range(1, MONTHS + 1)]


def cost_forecast(plan: Amounts, actual: dict[int, Decimal], through: int) -> Amounts:
    """One category's forecast per year: actual months up to ``through``, the plan after it."""
    through = max(0, min(MONTHS, through))
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        years = []
        for year in range(calc.YEARS):
            months = range(12 * year + 1, 12 * year + 13)
            done = sum((actual.get(m, ZERO) for m in months if m <= through), ZERO)
            left = sum(1 for m in months if m > through)
            years.append(done + plan[year] * left / 12)
        return tuple(years)


def costs_forecast(plan: dict[str, Amounts], actual: dict[str, dict[int, Decimal]], through: int) -> dict[str, Amounts]:
    zero = (ZERO,) * calc.YEARS
    categories = list(plan) + [c for c in actual if c not in plan]
    return {c: cost_forecast(plan.get(c, zero), actual.get(c, {}), through) for c in categories}


def realised_gain(measured: Decimal, baseline: Decimal, volume: Decimal, unit_value: Decimal,
                  months: int = 1) -> Decimal:
    """(measured − baseline) × volume a year × value of one unit × months / 12."""
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        return (Decimal(measured) - Decimal(baseline)) * volume * unit_value * months / 12


def kpi_benefit_forecast(plan: Amounts, realised: list[Decimal]) -> Amounts:
    """``realised``: the realised gain of months 1…k (k ≤ 36), in order."""
    realised = list(realised)[:MONTHS]
    if not realised:
        return tuple(plan)
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        recent = realised[-TREND_MONTHS:]
        trend = sum(recent, ZERO) / len(recent)
        years = [ZERO] * calc.YEARS
        for month in range(1, MONTHS + 1):
            years[year_of(month)] += realised[month - 1] if month <= len(realised) else trend
        return tuple(years)


def entered_benefit_forecast(plan: Amounts, actual: dict[int, Decimal]) -> Amounts:
    """``actual``: {year (1…3): amount} for the years that have one."""
    return tuple(actual.get(year + 1, plan[year]) for year in range(calc.YEARS))


def cumulative(values) -> list[Decimal]:
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        running, found = ZERO, []
        for value in values:
            running += value
            found.append(running)
        return found


def variance(actual: Decimal, plan: Decimal) -> tuple[Decimal, Decimal | None]:
    """(actual − plan, (actual − plan) / plan or None when the plan is zero)."""
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        difference = actual - plan
        return difference, (difference / plan if plan else None)


def plan_to(amounts: Amounts, through: int) -> Decimal:
    """The plan of months 1…``through``."""
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        return sum((plan_of_month(amounts, m) for m in range(1, max(0, min(MONTHS, through)) + 1)), ZERO)
