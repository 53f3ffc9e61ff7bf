"""The report's charts as static SVG: the geometry is computed here, ``templates/report/_svg.html``
draws it. Static SVG is in the page when it is printed (no script has to run first), scales with
the page and keeps its text selectable in the PDF.

Every text is translated here or in the template; numbers and money use Babel's formats in the
reader's locale.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from planner.charts import RAG
from planner.i18n import money, money_compact, number, percent

WIDTH = 480  # the viewBox width; the SVG scales to its box
ROW = 42  # height of one labelled bar
BAR = 14
TOP = 8
INK = "#212529"
MUTED = "#6c757d"
COST, BENEFIT = "#fd7e14", "#198754"


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float  # top of the row (the label's line)
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Mark:
    """A short vertical mark across one bar (a target, a baseline)."""

    x: float
    y: float
    kind: str  # "target" | "baseline"


@dataclass(frozen=True)
class Guide:
    """A dashed vertical line across the whole plot (a threshold), with its label under the bars."""

    x: float
    label: str


@dataclass(frozen=True)
class LegendItem:
    kind: str  # "target" | "baseline" | "box"
    label: str
    colour: str = INK


@dataclass
class BarChart:
    """Horizontal bars, one per row: the label and the value on a line, the bar below it."""

    title: str
    description: str
    bars: list[Bar] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    guides: list[Guide] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    width: int = WIDTH
    bar_height: int = BAR

    @property
    def plot_bottom(self) -> float:
        return TOP + ROW * len(self.bars)

    @property
    def height(self) -> float:
        return self.plot_bottom + (18 if self.guides else 0) + (24 if self.legend else 4)

    @property
    def legend_y(self) -> float:
        return self.plot_bottom + (18 if self.guides else 0) + 12


def _scale(value, maximum) -> float:
    if value is None or not maximum:
        return 0.0
    share = max(0.0, min(1.0, float(value) / float(maximum)))
    return round(share * WIDTH, 1)


def _bar(index: int, label, value, maximum, text: str, colour: str) -> Bar:
    return Bar(str(label), text, TOP + index * ROW, 0, max(_scale(value, maximum), 0.0), colour)


def _bar_top(bar: Bar) -> float:
    return bar.y + 18


# --------------------------------------------------------------------------- the report's charts


def sins_chart(rows) -> BarChart:
    """The score of each sin (0–100), coloured by level, with the amber and red thresholds."""
    from planner.methodology.scoring import GREEN_BELOW, RED_FROM

    chart = BarChart(
        title=_("Seven-sins risk by sin"),
        description=_("Bar chart of the risk score of each of the seven sins, from 0 to 100; the dashed lines "
                      "mark %(amber)s (some risk) and %(red)s (high risk).",
                      amber=number(GREEN_BELOW), red=number(RED_FROM)))
    for index, row in enumerate(rows):
        text = _("%(score)s / 100", score=number(row.score)) if row.score is not None else "—"
        chart.bars.append(_bar(index, f"{row.number}. {row.short_title}", row.score, 100, text,
                               RAG.get(row.level or "grey", RAG["grey"])))
    chart.guides = [Guide(_scale(limit, 100), number(limit)) for limit in (GREEN_BELOW, RED_FROM)]
    return chart


def _kpi_text(key, value) -> str:
    if value is None:
        return "—"
    return percent(value, 1) if key.is_ratio else _("%(score)s / 5", score=number(value, 2))


def kpi_chart(rows) -> BarChart:
    """Each KPI's value against its target (a dark mark) and baseline (a grey mark). Ratios run
    from 0 to 100 %, satisfaction from 0 to 5."""
    chart = BarChart(
        title=_("KPIs against baseline and target"),
        description=_("Bar chart of each KPI's current value; a dark mark shows its target and a grey mark its "
                      "baseline. Percentages run from %(low)s to %(high)s, satisfaction from 0 to 5.",
                      low=percent(0), high=percent(1)),
        legend=[LegendItem("target", _("Target")), LegendItem("baseline", _("Baseline"), MUTED)])
    for index, row in enumerate(rows):
        maximum = 1 if row.key.is_ratio else 5
        bar = _bar(index, row.key.label, row.value, maximum, _kpi_text(row.key, row.value),
                   RAG.get(row.status.rag, RAG["grey"]))
        chart.bars.append(bar)
        for value, kind in ((row.baseline, "baseline"), (row.target, "target")):
            if value is not None:
                chart.marks.append(Mark(_scale(value, maximum), _bar_top(bar), kind))
    return chart


def feedback_chart(group, threshold: float) -> BarChart:
    """The average rating (1–5) of each ADKAR dimension; the dashed line marks the barrier threshold."""
    from planner.feedback.models import DIMENSIONS

    chart = BarChart(
        title=_("Average rating by ADKAR dimension"),
        description=_("Bar chart of the average rating, from 1 to 5, of each ADKAR dimension; the dashed line "
                      "marks %(threshold)s, the barrier threshold.", threshold=number(threshold, 0)))
    for index, dimension in enumerate(DIMENSIONS):
        value = group.averages.get(dimension)
        colour = RAG["red"] if value is not None and value <= threshold else "#0d6efd"
        chart.bars.append(_bar(index, dimension.label, value, 5, number(value, 1) if value is not None else "—",
                               colour))
    chart.guides = [Guide(_scale(threshold, 5), number(threshold, 0))]
    return chart


# --------------------------------------------------------------------------- TCO columns


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # the amount, for the tooltip and screen readers


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass
class ColumnChart:
    title: str
    description: str
    columns: list[Column]
    ticks: list[Tick]
    groups: list[tuple[float, str]]  # (centre x, year label)
    legend: list[LegendItem]
    width: int = WIDTH
    height: int = 250
    left: int = 64
    top: int = 10
    bottom: int = 200  # the zero line


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) that covers ``maximum`` in about ``ticks`` steps."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _compact(amount: float, currency: str) -> str:
    return money_compact(Decimal(str(amount)), currency)


def tco_chart(summary: dict) -> ColumnChart:
    """Cost and benefit of each of the three years, side by side."""
    currency = summary["currency"]
    costs = [float(v) for v in summary["cost_by_year"]]
    benefits = [float(v) for v in summary["benefit_by_year"]]
    top_value = max(costs + benefits + [0.0])
    step = nice_step(top_value)
    steps = max(1, math.ceil(top_value / step)) if top_value > 0 else 1
    chart = ColumnChart(
        title=_("Cost and benefits by year"),
        description=_("Column chart of the plan scenario's cost and benefits in each of the three years."),
        columns=[], ticks=[], groups=[],
        legend=[LegendItem("box", _("Cost"), COST), LegendItem("box", _("Benefits"), BENEFIT)])
    plot_height = chart.bottom - chart.top
    scale = plot_height / (step * steps)
    for n in range(steps + 1):
        chart.ticks.append(Tick(round(chart.bottom - n * step * scale, 1), _compact(n * step, currency)))
    group_width = (chart.width - chart.left) / len(costs)
    column = min(48.0, group_width * 0.32)
    for index, (cost, benefit) in enumerate(zip(costs, benefits, strict=True)):
        centre = chart.left + group_width * (index + 0.5)
        chart.groups.append((round(centre, 1), _("Year %(number)s", number=number(index + 1))))
        for offset, value, colour, amount in ((-column - 2, cost, COST, summary["cost_by_year"][index]),
                                              (2, benefit, BENEFIT, summary["benefit_by_year"][index])):
            height = round(max(value, 0.0) * scale, 1)
            chart.columns.append(Column(round(centre + offset, 1), round(chart.bottom - height, 1), round(column, 1),
                                        height, colour, money(amount, currency)))
    return chart
