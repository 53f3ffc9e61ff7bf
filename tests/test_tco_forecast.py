"""The plan-vs-actual arithmetic: realised KPI gains, the forecast from actuals and plan, exact
Decimal results against figures worked out by hand."""

from decimal import Decimal as D
from decimal import localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.tco import calculations as calc
from planner.tco import forecast as fc

pytestmark = pytest.mark.no_app

amounts = st.decimals(min_value=0, max_value=D("999999999.99"), places=2, allow_nan=False, allow_infinity=False)
signed = st.decimals(min_value=D("-99999999.99"), max_value=D("99999999.99"), places=2, allow_nan=False,
                     allow_infinity=False)
years = st.tuples(amounts, amounts, amounts)
ratio = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)


@given(measured=ratio, baseline=ratio, volume=amounts, unit=amounts)
def test_realised_gain_is_the_measured_improvement_times_volume_and_unit_value_over_twelve(measured, baseline,
                                                                                        volume, unit):
    gain = fc.realised_gain(measured, baseline, volume, unit)
    with localcontext() as ctx:
        ctx.prec = 80
        assert gain * 12 == pytest.approx((measured - baseline) * volume * unit, abs=D("1e-30"))
    assert (gain > 0) == (measured > baseline and volume > 0 and unit > 0)
    assert fc.realised_gain(measured, baseline, volume, unit, months=12) == (measured - baseline) * volume * unit


@given(baseline=ratio, gain=st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False),
       volume=amounts, unit=amounts)
def test_measuring_the_planned_gain_every_month_realises_the_plan(baseline, gain, volume, unit):
    plan = calc.kpi_benefit((gain, gain, gain), volume, unit)
    measured = baseline + gain / 100
    monthly = [fc.realised_gain(measured, baseline, volume, unit)] * 36
    forecast = fc.kpi_benefit_forecast(plan, monthly)
    for planned, got in zip(plan, forecast, strict=True):
        assert got == pytest.approx(planned, abs=D("1e-40"))


@given(plan=st.dictionaries(st.sampled_from(calc.CATEGORIES), years, max_size=4))
def test_a_forecast_without_actuals_is_the_plan(plan):
    assert fc.costs_forecast(plan, {}, 0) == plan


@given(plan=st.dictionaries(st.sampled_from(calc.CATEGORIES), years, max_size=4),
       monthly=st.lists(signed, min_size=36, max_size=36))
def test_a_forecast_with_every_month_actual_is_the_actuals(plan, monthly):
    actual = {category: dict(enumerate(monthly, start=1)) for category in plan}
    forecast = fc.costs_forecast(plan, actual, 36)
    for category in plan:
        assert forecast[category] == tuple(sum(monthly[12 * y:12 * y + 12], D(0)) for y in range(3))


@given(plan=years, realised=st.lists(signed, min_size=36, max_size=36))
def test_kpi_benefits_follow_the_plan_without_measures_and_the_measures_when_complete(plan, realised):
    assert fc.kpi_benefit_forecast(plan, []) == plan
    assert fc.kpi_benefit_forecast(plan, realised) == tuple(sum(realised[12 * y:12 * y + 12], D(0)) for y in range(3))


@given(plan=years, actual=st.dictionaries(st.sampled_from([1, 2, 3]), amounts))
def test_entered_benefits_take_the_actual_of_each_year_that_has_one(plan, actual):
    forecast = fc.entered_benefit_forecast(plan, actual)
    assert forecast == tuple(actual.get(y + 1, plan[y]) for y in range(3))
    assert fc.entered_benefit_forecast(plan, {}) == plan


@given(plan=years, actual=st.dictionaries(st.integers(1, 36), amounts), through=st.integers(0, 36))
def test_the_forecast_adds_actual_months_and_the_rest_of_the_plan(plan, actual, through):
    forecast = fc.cost_forecast(plan, actual, through)
    spent = sum((a for m, a in actual.items() if m <= through), D(0))
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        expected = spent + calc.add_up(plan) - fc.plan_to(plan, through)
    assert calc.add_up(forecast) == pytest.approx(expected, abs=D("1e-45"))  # twelfths cut at 60 digits


def test_kpi_trend_holds_the_average_of_the_last_three_months():
    plan = (D(1200), D(1200), D(1200))
    forecast = fc.kpi_benefit_forecast(plan, [D(10), D(20), D(30), D(40)])
    # months 1-4 realised (100), months 5-36 at the average of 20, 30, 40 = 30.
    assert forecast == (D(100) + 8 * D(30), 12 * D(30), 12 * D(30))


def test_variance_and_share():
    assert fc.variance(D("110"), D("100")) == (D("10"), D("0.1"))
    assert fc.variance(D("5"), D("0")) == (D("5"), None)


# --------------------------------------------------------------------------- worked by hand

def hand_model():
    """Licences 12,000 a year; implementation 60,000 in year 1. Six months of actuals: licences
    on plan (1,000 a month), implementation 9,000 a month (plan 5,000). A benefit planned at
    30,000 / 50,000 / 50,000 brought 24,000 in year 1. Discount rate 10 %."""
    plan = {calc.LICENCES: (D(12000), D(12000), D(12000)), calc.IMPLEMENTATION: (D(60000), D(0), D(0))}
    actual = {calc.LICENCES: {m: D(1000) for m in range(1, 7)}, calc.IMPLEMENTATION: {m: D(9000) for m in range(1, 7)}}
    return plan, actual


def test_forecast_worked_by_hand():
    plan, actual = hand_model()
    costs = fc.costs_forecast(plan, actual, 6)
    assert costs == {calc.LICENCES: (D(12000), D(12000), D(12000)), calc.IMPLEMENTATION: (D(84000), D(0), D(0))}
    benefit = fc.entered_benefit_forecast((D(30000), D(50000), D(50000)), {1: D(24000)})
    planned = calc.analyse([calc.CostItem(c, a) for c, a in plan.items()], [(D(30000), D(50000), D(50000))], D(10))
    forecast = calc.analyse([calc.CostItem(c, a) for c, a in costs.items()], [benefit], D(10))
    assert planned.net_by_year == (D(-42000), D(38000), D(38000))
    assert forecast.net_by_year == (D(-72000), D(38000), D(38000))
    assert (planned.total_cost, forecast.total_cost) == (D(96000), D(120000))
    assert forecast.roi == D("0.0" + "3" * 60)  # 4,000 / 120,000 = 1/30, to 60 digits
    assert planned.payback_month == 26  # -4,000 after year 2, +38,000/12 a month: month 2 of year 3
    assert forecast.payback_month == 35  # -34,000 after year 2: month 11 of year 3
    with localcontext() as ctx:
        ctx.prec = calc.PRECISION
        assert forecast.npv == D(-72000) / D("1.1") + D(38000) / D("1.21") + D(38000) / D("1.331")
    total = fc.variance(D(6000 + 54000), fc.plan_to(plan[calc.LICENCES], 6) + fc.plan_to(plan[calc.IMPLEMENTATION], 6))
    assert total == (D(24000), D("0." + "6" * 59 + "7"))
