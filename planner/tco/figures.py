"""Plotly figures of the TCO model, every text translated on the server and every amount in
the hover text formatted in the reader's locale (the axes use the locale's separators)."""

from babel.numbers import get_currency_symbol
from flask_babel import gettext as _

from planner.charts import PALETTE, figure
from planner.i18n import format_locale, money
from planner.tco import calculations as calc
from planner.tco.models import CostCategory

HEIGHT = 400
CATEGORY_COLOURS = dict(zip(calc.CATEGORIES, PALETTE, strict=True))


def year_labels() -> list[str]:
    return [_("Year %(number)s", number=n) for n in range(1, calc.YEARS + 1)]


def _money_axis(currency: str, title: str) -> dict:
    symbol = get_currency_symbol(currency, locale=format_locale())
    return {"title": {"text": _("%(label)s (%(currency)s)", label=title, currency=symbol)},
            "tickformat": ",.0f", "separatethousands": True, "zeroline": True, "zerolinecolor": "#adb5bd",
            "gridcolor": "#e9ecef", "automargin": True}


def _category_label(category: str) -> str:
    try:
        return str(CostCategory(category).label)
    except ValueError:
        return category


def cost_by_year(analysis: calc.Analysis, currency: str, title=None) -> dict:
    """Stacked columns: the cost of each year, split by category."""
    years = year_labels()
    traces = []
    for category, amounts in analysis.cost_by_category.items():
        traces.append({
            "type": "bar", "name": _category_label(category), "x": years, "y": list(amounts),
            "marker": {"color": CATEGORY_COLOURS.get(category)},
            "customdata": [money(a, currency) for a in amounts],
            "hovertemplate": "%{fullData.name}<br>%{x}: %{customdata}<extra></extra>",
        })
    return figure(traces, title=title or _("Cost by year and category"), barmode="stack", height=HEIGHT,
                  yaxis=_money_axis(currency, _("Cost")), xaxis={"title": {"text": ""}},
                  legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
                  margin={"l": 72, "b": 24})


def cost_comparison(items, currency: str) -> dict:
    """Stacked columns grouped by scenario then year; ``items`` are (scenario, analysis) pairs."""
    years = year_labels()
    categories = [c for c in calc.CATEGORIES if any(c in a.cost_by_category for _s, a in items)]
    x = [[s.name for s, _a in items for _y in years], [y for _s in items for y in years]]
    traces = []
    for category in categories:
        values = [a.cost_by_category.get(category, (calc.ZERO,) * calc.YEARS)[i] for _s, a in items
                  for i in range(calc.YEARS)]
        traces.append({
            "type": "bar", "name": _category_label(category), "x": x, "y": values,
            "marker": {"color": CATEGORY_COLOURS.get(category)},
            "customdata": [money(v, currency) for v in values],
            "hovertemplate": "%{fullData.name}<br>%{x}: %{customdata}<extra></extra>",
        })
    return figure(traces, title=_("Cost by scenario, year and category"), barmode="stack", height=HEIGHT + 40,
                  yaxis=_money_axis(currency, _("Cost")),
                  legend={"orientation": "h", "y": -0.32, "traceorder": "normal"},
                  margin={"l": 72, "b": 24})


def cash_curve(items, currency: str, title=None) -> dict:
    """The cumulative cash position month by month, one line per scenario, from month 0."""
    months = list(range(0, calc.MONTHS + 1))
    traces = []
    for index, (scenario, analysis) in enumerate(items):
        positions = [calc.ZERO] + analysis.monthly_positions()
        traces.append({
            "type": "scatter", "mode": "lines", "name": scenario.name, "x": months, "y": positions,
            "line": {"width": 3, "color": PALETTE[index % len(PALETTE)]},
            "customdata": [money(p, currency) for p in positions],
            "hovertemplate": "%{fullData.name}<br>" + _("Month") + " %{x}: %{customdata}<extra></extra>",
        })
    return figure(
        traces, title=title or _("Cumulative cash position"), height=HEIGHT,
        yaxis=_money_axis(currency, _("Position")),
        xaxis={"title": {"text": _("Months from the start")}, "tickmode": "array",
               "tickvals": [0, 6, 12, 18, 24, 30, 36], "range": [0, calc.MONTHS], "gridcolor": "#e9ecef"},
        shapes=[{"type": "line", "x0": 12 * y, "x1": 12 * y, "y0": 0, "y1": 1, "yref": "paper",
                 "line": {"color": "#ced4da", "width": 1, "dash": "dot"}} for y in (1, 2)],
        legend={"orientation": "h", "y": -0.25}, margin={"l": 72},
    )


def burn_chart(track, currency: str) -> dict:
    """Cumulative spend month by month over the three years: the plan, the actual costs through
    the last month recorded, and the forecast (actuals, then the plan) from there."""
    from planner.tco import forecast as fc

    plan = [calc.ZERO] + fc.cumulative(fc.monthly_plan(track.plan.cost_by_year))
    months = list(range(0, calc.MONTHS + 1))
    actual_months = track.actual_cost_months()[: track.through]
    actual = [calc.ZERO] + fc.cumulative(actual_months)
    expected = fc.cumulative(actual_months + fc.monthly_plan(track.plan.cost_by_year)[track.through:])
    forecast_x = months[track.through:]
    forecast = ([calc.ZERO] + expected)[track.through:]
    hover = "%{fullData.name}<br>" + _("Month") + " %{x}: %{customdata}<extra></extra>"
    traces = [
        {"type": "scatter", "mode": "lines", "name": _("Planned spend"), "x": months, "y": plan,
         "line": {"width": 2, "color": PALETTE[6], "dash": "dot"},
         "customdata": [money(v, currency) for v in plan], "hovertemplate": hover},
        {"type": "scatter", "mode": "lines", "name": _("Forecast spend"), "x": forecast_x, "y": forecast,
         "line": {"width": 2, "color": PALETTE[2], "dash": "dash"},
         "customdata": [money(v, currency) for v in forecast], "hovertemplate": hover},
    ]
    if track.through:
        traces.insert(1, {"type": "scatter", "mode": "lines+markers", "name": _("Actual spend"),
                          "x": months[: track.through + 1], "y": actual,
                          "line": {"width": 3, "color": PALETTE[0]}, "marker": {"size": 5},
                          "customdata": [money(v, currency) for v in actual], "hovertemplate": hover})
    return figure(
        traces, title=_("Spend over the three years: plan, actual and forecast"), height=HEIGHT,
        yaxis=_money_axis(currency, _("Cumulative spend")),
        xaxis={"title": {"text": _("Months from the start of the plan")}, "tickmode": "array",
               "tickvals": [0, 6, 12, 18, 24, 30, 36], "range": [0, calc.MONTHS], "gridcolor": "#e9ecef"},
        shapes=[{"type": "line", "x0": 12 * y, "x1": 12 * y, "y0": 0, "y1": 1, "yref": "paper",
                 "line": {"color": "#ced4da", "width": 1, "dash": "dot"}} for y in (1, 2)],
        legend={"orientation": "h", "y": -0.25}, margin={"l": 72},
    )
