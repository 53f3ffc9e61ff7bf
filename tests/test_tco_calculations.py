"""The TCO arithmetic: properties checked with Hypothesis, and worked examples done by hand."""

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.tco import calculations as calc

pytestmark = pytest.mark.no_app

cents = st.integers(min_value=0, max_value=10**13).map(lambda n: D(n).scaleb(-2))
signed_cents = st.integers(min_value=-(10**13), max_value=10**13).map(lambda n: D(n).scaleb(-2))
three = st.tuples(cents, cents, cents)
cost_items = st.lists(st.builds(calc.CostItem, st.sampled_from(calc.CATEGORIES), three), max_size=25)
benefit_lines = st.lists(three, max_size=10)
rates = st.integers(min_value=0, max_value=5000).map(lambda n: D(n).scaleb(-2))  # 0.00 … 50.00 %


def exact_sum(values) -> Fraction:
    return sum((Fraction(v) for v in values), Fraction(0))


# --------------------------------------------------------------------------- properties


@given(cost_items, benefit_lines, st.randoms(use_true_random=False))
def test_totals_equal_the_sum_of_the_lines_in_any_order(costs, benefits, random):
    shuffled_costs, shuffled_benefits = costs[:], benefits[:]
    random.shuffle(shuffled_costs)
    random.shuffle(shuffled_benefits)
    a = calc.analyse(costs, benefits)
    b = calc.analyse(shuffled_costs, shuffled_benefits)
    for year in range(3):
        assert a.cost_by_year[year] == exact_sum(item.amounts[year] for item in costs)
        assert a.benefit_by_year[year] == exact_sum(line[year] for line in benefits)
    assert a.total_cost == exact_sum(v for item in costs for v in item.amounts)
    assert a.total_benefit == exact_sum(v for line in benefits for v in line)
    assert (a.cost_by_year, a.benefit_by_year, a.total_cost) == (b.cost_by_year, b.benefit_by_year, b.total_cost)
    assert a.cost_by_category == b.cost_by_category
    assert calc.add_up(a.category_total(c) for c in a.cost_by_category) == a.total_cost
    for category in a.cost_by_category:
        assert a.category_total(category) == exact_sum(
            v for item in costs if item.category == category for v in item.amounts)


@given(cost_items)
def test_shares_stay_between_0_and_100_percent_and_add_up(costs):
    a = calc.analyse(costs, [])
    shares = [a.first_year_share, a.licence_share, a.services_share, a.other_share]
    if a.total_cost == 0:
        assert shares == [None] * 4
        return
    for share in shares:
        assert 0 <= share <= 1
    # licences + services + the rest is the whole; at 60 digits this holds to the last digit
    assert abs(a.licence_share + a.services_share + a.other_share - 1) < D("1e-50")


@given(st.tuples(signed_cents, signed_cents, signed_cents))
def test_npv_at_a_zero_rate_equals_the_net_sum(net):
    assert calc.npv(net, D(0)) == exact_sum(net)


@given(cost_items, benefit_lines)
def test_npv_of_a_scenario_at_zero_percent_is_its_three_year_net(costs, benefits):
    a = calc.analyse(costs, benefits, D(0))
    assert a.npv == a.net_total == a.total_benefit - a.total_cost


@given(st.tuples(signed_cents, signed_cents, signed_cents), rates)
def test_npv_matches_the_exact_discounting_formula(net, rate):
    r = Fraction(rate) / 100
    expected = sum(Fraction(value) / (1 + r) ** (t + 1) for t, value in enumerate(net))
    assert abs(Fraction(calc.npv(net, rate)) - expected) < Fraction(1, 10**40)


def positions_oracle(net):
    """End-of-month positions with exact fractions: the year's net spread over 12 months."""
    positions, before = [], Fraction(0)
    for value in net:
        for k in range(1, 13):
            positions.append(before + Fraction(value) * k / 12)
        before += Fraction(value)
    return positions


@given(cost_items, benefit_lines)
@settings(max_examples=300)
def test_payback_is_the_first_month_the_cumulative_position_turns_non_negative(costs, benefits):
    a = calc.analyse(costs, benefits)
    positions = positions_oracle(a.net_by_year)
    expected = next((m for m, p in enumerate(positions, start=1) if p >= 0), None)
    if a.is_empty:
        assert a.payback_month is None
        return
    assert a.payback_month == expected
    if expected is not None:
        assert all(p < 0 for p in positions[: expected - 1])
    # the monthly positions shown in the chart agree with the oracle (to 40 digits)
    assert all(abs(Fraction(x) - y) < Fraction(1, 10**40) for x, y in zip(a.monthly_positions(), positions,
                                                                            strict=True))
    assert a.monthly_positions()[11::12] == list(a.cumulative_by_year)


@given(st.lists(st.integers(min_value=0, max_value=10**9).map(lambda n: D(n).scaleb(-3)), min_size=1, max_size=20))
def test_rounding_happens_only_at_display(thousandths):
    """Sub-cent amounts (derived benefits) are kept exact: the total is the exact sum, not the sum
    of amounts rounded one by one."""
    a = calc.analyse([], [(v, D(0), D(0)) for v in thousandths])
    assert a.total_benefit == exact_sum(thousandths)
    assert a.net_total == exact_sum(thousandths)


def test_rounding_at_display_can_differ_from_rounding_each_line():
    lines = [(D("0.004"), D(0), D(0))] * 3  # three derived benefits of 0.4 cents each
    a = calc.analyse([], lines)
    assert a.total_benefit == D("0.012")
    assert a.total_benefit.quantize(D("0.01")) == D("0.01")  # rounded once, at display
    assert sum(line[0].quantize(D("0.01")) for line in lines) == D("0.00")  # what early rounding would give


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3),
       st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**6))
def test_kpi_benefit_is_gain_times_volume_times_value(gains, volume, value):
    result = calc.kpi_benefit([D(g) for g in gains], D(volume), D(value), ratio=True)
    assert list(result) == [Fraction(g, 100) * volume * value for g in gains]
    score = calc.kpi_benefit([D(g) for g in gains], D(volume), D(value), ratio=False)
    assert list(score) == [g * volume * value for g in gains]


# --------------------------------------------------------------------------- worked examples


def test_worked_example_paying_back_in_year_two():
    """Costs 120,000 / 30,000 / 30,000; benefits 60,000 / 102,000 / 90,000; discount rate 10 %.

    By hand:
    - three-year cost 180,000; first-year share 120,000 / 180,000 = 66.67 %
    - net flows: −60,000, +72,000, +60,000 (three-year net +72,000)
    - cumulative: −60,000, +12,000, +72,000
    - year 2 adds 72,000 / 12 = 6,000 a month: −60,000 + 6,000 × k ≥ 0 first for k = 10,
      so payback in month 12 + 10 = 22 (month 21 ends at −6,000)
    - NPV = −60,000 / 1.1 + 72,000 / 1.21 + 60,000 / 1.331
          = −54,545.4545… + 59,504.1322… + 45,078.8880… = 50,037.5657…
    """
    costs = [calc.CostItem(calc.LICENCES, (D(60000), D(0), D(0))),
             calc.CostItem(calc.IMPLEMENTATION, (D(60000), D(30000), D(30000)))]
    benefits = [(D(60000), D(102000), D(90000))]
    a = calc.analyse(costs, benefits, D(10))
    assert a.total_cost == D(180000)
    assert a.first_year_share.quantize(D("0.0001")) == D("0.6667")
    assert a.net_by_year == (D(-60000), D(72000), D(60000))
    assert a.cumulative_by_year == (D(-60000), D(12000), D(72000))
    assert a.position_at_month(21) == D(-6000)
    assert a.position_at_month(22) == D(0)
    assert a.payback_month == 22
    assert a.npv.quantize(D("0.01")) == D("50037.57")
    assert a.licence_share.quantize(D("0.0001")) == D("0.3333")  # 60,000 / 180,000
    assert a.services_share.quantize(D("0.0001")) == D("0.6667")  # 120,000 / 180,000
    assert a.roi == D("0.4")  # 72,000 / 180,000
    assert [c.status for c in a.checks()] == ["typical", "typical"]


def test_worked_example_never_paying_back():
    """Costs 200,000 / 50,000 / 50,000; benefits 20,000 / 60,000 / 70,000; discount rate 8 %.

    By hand:
    - net flows: −180,000, +10,000, +20,000; cumulative: −180,000, −170,000, −150,000, so the
      position never reaches zero within 36 months: no payback month
    - NPV = −180,000 / 1.08 + 10,000 / 1.1664 + 20,000 / 1.259712
          = −166,666.6667 + 8,573.3882 + 15,876.6437 = −142,216.6348…
    - first-year share 200,000 / 300,000 = 66.67 %; all licences, so services share 0 %
      (a marked difference: under half of the cost on services)
    """
    costs = [calc.CostItem(calc.LICENCES, (D(200000), D(50000), D(50000)))]
    a = calc.analyse(costs, [(D(20000), D(60000), D(70000))], D(8))
    assert a.cumulative_by_year == (D(-180000), D(-170000), D(-150000))
    assert a.payback_month is None
    assert a.npv.quantize(D("0.01")) == D("-142216.63")
    assert a.services_share == 0
    assert [c.status for c in a.checks()] == ["typical", "marked_low"]


def test_reference_checks_mark_a_low_first_year_and_heavy_services():
    spread = calc.analyse([calc.CostItem(calc.LICENCES, (D(100), D(100), D(100)))], [])
    assert spread.checks()[0].status == "marked_low"  # 33 %: more than 10 points under 60 %
    close = calc.analyse([calc.CostItem(calc.CUSTOMISATION, (D(55), D(25), D(20)))], [])
    assert close.checks()[0].status == "slightly_below"  # 55 %
    assert close.checks()[1].status == "marked_high"  # 100 % services: above the 90 % ceiling
    edge = calc.analyse([calc.CostItem(calc.CUSTOMISATION, (D(50), D(40), D(0))),
                         calc.CostItem(calc.LICENCES, (D(10), D(0), D(0)))], [])
    assert edge.first_year_share == D("0.6") and edge.services_share == D("0.9")
    assert [c.status for c in edge.checks()] == ["typical", "typical"]  # both exactly on the reference
    assert [c.status for c in calc.analyse([], []).checks()] == ["no_data", "no_data"]


def test_a_model_without_amounts_has_no_payback_and_benefits_alone_pay_back_at_once():
    assert calc.analyse([], []).payback_month is None
    assert calc.analyse([], [(D(1), D(0), D(0))]).payback_month == 1


def test_a_position_turning_negative_again_keeps_the_first_payback_month():
    costs = [calc.CostItem(calc.OTHER, (D(0), D(600), D(0)))]
    a = calc.analyse(costs, [(D(120), D(0), D(0))])
    assert a.cumulative_by_year == (D(120), D(-480), D(-480))
    assert a.payback_month == 1


def test_derived_benefit_example_from_the_form():
    """First-contact resolution up 5 points on 40,000 cases, 12 per repeat contact: 24,000."""
    assert calc.kpi_benefit([D(5), D(0), D("2.5")], D(40000), D(12)) == (D(24000), D(0), D(12000))
    assert calc.kpi_benefit([D("0.2"), D(0), D(0)], D(1000), D(50), ratio=False)[0] == D(10000)
