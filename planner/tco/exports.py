"""The TCO model as an XLSX workbook (values, or formulas for the totals) and as CSV.

Texts are in the reader's language. In the workbook amounts are numbers with a currency
number format, shares are numbers with a percent format. The CSV holds plain numbers with a
decimal point (whatever the language), so any program can read them back.
"""

import csv
import io
import re
from decimal import Decimal

from babel.numbers import get_currency_precision, get_currency_symbol
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname

from planner.i18n import format_locale, percent
from planner.spreadsheet import safe_cell
from planner.tco import calculations as calc
from planner.tco.actuals import plan_months
from planner.tco.models import CostCategory
from planner.tco.texts import derivation_text, payback_text

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
PERCENT = "0.0%"
FIRST_YEAR_COL, TOTAL_COL = 3, 6  # years in C–E, the three-year total in F


def filename(project, extension: str) -> str:
    base = re.sub(r'[\\/:*?"<>|\r\n]+', " ", project.name).strip() or "project"
    return f"{base} - TCO.{extension}"


def currency_format(currency: str) -> str:
    """An Excel number format for the currency, with its symbol where the reader's region puts it."""
    locale = format_locale()
    symbol = get_currency_symbol(currency, locale=locale).replace('"', "")
    digits = get_currency_precision(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    positive = f'"{symbol}"{number}' if pattern.strip().startswith("¤") else f'{number}" {symbol}"'
    return f"{positive};-{positive}"


def plain(value: Decimal) -> str:
    """An exact amount as text: two decimals when that is exact, else every digit (no exponent)."""
    cents = value.quantize(Decimal("0.01"))
    return format(cents if cents == value else value.normalize(), "f")


def _label(enum_value) -> str:
    return str(enum_value.label)


def _sheet_title(name: str, taken: set) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:28] or "TCO"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:26]} {n}", n + 1
    taken.add(title.lower())
    return title


class Formula(str):
    """A formula we wrote. Any other text starting with "=" (a user's description) stays text."""


def _set(ws, row: int, column: int, value):
    cell = ws.cell(row=row, column=column, value=_cell_value(value))
    if isinstance(value, str) and not isinstance(value, Formula):
        cell.data_type = "s"
    return cell


def _cell_value(value):
    """Decimals go in as they are, except the endless ones (a discounted amount, a share),
    which are cut at ten decimal places: a spreadsheet keeps about fifteen digits anyway."""
    if isinstance(value, Decimal) and value.as_tuple().exponent < -10:
        return value.quantize(Decimal("1e-10"))
    return value


class _Sheet:
    """Writes rows and remembers the cells of the totals, so the summary can refer to them."""

    def __init__(self, ws, money_format: str):
        self.ws, self.money_format, self.row = ws, money_format, 1
        self.refs: dict[str, str] = {}

    def ref(self, column: int, row: int | None = None) -> str:
        return f"{get_column_letter(column)}{row or self.row}"

    def put(self, column: int, value, fmt: str | None = None, bold=False, fill=None):
        cell = _set(self.ws, self.row, column, value)
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = BOLD
        if fill:
            cell.fill = fill
        return cell

    def header(self, labels):
        for column, label in enumerate(labels, start=1):
            cell = self.put(column, str(label), bold=True, fill=HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.row += 1

    def amounts_row(self, first: str, second: str, amounts, formulas: bool, extra=None, bold=False,
                    fill=None) -> int:
        self.put(1, first, bold=bold, fill=fill)
        self.put(2, second, bold=bold, fill=fill)
        for offset, amount in enumerate(amounts):
            self.put(FIRST_YEAR_COL + offset, amount, self.money_format, bold=bold, fill=fill)
        start, end = self.ref(FIRST_YEAR_COL), self.ref(FIRST_YEAR_COL + 2)
        total = Formula(f"=SUM({start}:{end})") if formulas else calc.add_up(amounts)
        self.put(TOTAL_COL, total, self.money_format, bold=True, fill=fill)
        if extra:
            self.put(TOTAL_COL + 1, extra)
        row = self.row
        self.row += 1
        return row


def _scenario_sheet(ws, project, scenario, analysis, money_format: str, formulas: bool) -> _Sheet:
    sheet = _Sheet(ws, money_format)
    years = [_("Year %(number)s", number=n) for n in range(1, calc.YEARS + 1)]
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 42
    for column in "CDEF":
        ws.column_dimensions[column].width = 17
    ws.column_dimensions["G"].width = 48

    sheet.put(1, scenario.name, bold=True).font = Font(bold=True, size=14)
    sheet.row += 1
    for key, label, value, fmt in (
        ("project", _("Project"), project.name, None),
        ("deployment", _("Deployment model"), _label(scenario.deployment), None),
        ("currency", _("Currency"), project.currency, None),
        ("preferred", _("Plan scenario"), _("Yes") if scenario.is_preferred else _("No"), None),
        ("rate", _("Discount rate (% a year)"), scenario.discount_rate / 100, "0.00%"),
        ("budget", _("Approved three-year budget"), scenario.approved_budget, money_format),
    ):
        sheet.put(1, label, bold=True)
        sheet.put(2, value, fmt)
        sheet.refs[key] = sheet.ref(2)
        sheet.row += 1
    sheet.row += 1

    # Costs
    sheet.put(1, _("Costs"), bold=True).font = Font(bold=True, size=12)
    sheet.row += 1
    sheet.header([_("Category"), _("Description"), *years, _("Three-year total")])
    first_cost = sheet.row
    rows_by_group = {"licences": [], "services": []}
    for line in scenario.sorted_cost_lines():
        row = sheet.amounts_row(_label(line.category), line.description, line.amounts, formulas)
        if line.category.value in calc.LICENCE_CATEGORIES:
            rows_by_group["licences"].append(row)
        elif line.category.value in calc.SERVICE_CATEGORIES:
            rows_by_group["services"].append(row)
    last_cost = sheet.row - 1
    cost_totals = _totals_row(sheet, _("Total cost"), analysis.cost_by_year, first_cost, last_cost, formulas)
    sheet.refs["cost"] = sheet.ref(TOTAL_COL, cost_totals)
    sheet.refs["cost_y1"] = sheet.ref(FIRST_YEAR_COL, cost_totals)
    sheet.row += 1

    # Costs by category
    sheet.put(1, _("Cost by category"), bold=True).font = Font(bold=True, size=12)
    sheet.row += 1
    sheet.header([_("Category"), "", *years, _("Three-year total")])
    for category, amounts in analysis.cost_by_category.items():
        sheet.amounts_row(_label(CostCategory(category)), "", amounts, formulas)
    sheet.row += 1

    # Benefits
    sheet.put(1, _("Benefits"), bold=True).font = Font(bold=True, size=12)
    sheet.row += 1
    sheet.header([_("Kind of benefit"), _("Description"), *years, _("Three-year total"), _("How it is computed")])
    first_benefit = sheet.row
    for line in scenario.benefit_lines:
        basis = derivation_text(line, project.currency) if line.is_derived else _("Entered per year")
        sheet.amounts_row(_label(line.kind), line.description, line.amounts, formulas, extra=basis)
    last_benefit = sheet.row - 1
    benefit_totals = _totals_row(sheet, _("Total benefits"), analysis.benefit_by_year, first_benefit,
                                 last_benefit, formulas)
    sheet.refs["benefit"] = sheet.ref(TOTAL_COL, benefit_totals)
    sheet.row += 1

    # Cash flow and results
    sheet.put(1, _("Cash flow"), bold=True).font = Font(bold=True, size=12)
    sheet.row += 1
    sheet.header(["", "", *years, _("Three-year total")])
    if formulas:
        net = [Formula(f"={sheet.ref(c, benefit_totals)}-{sheet.ref(c, cost_totals)}")
               for c in range(FIRST_YEAR_COL, FIRST_YEAR_COL + 3)]
    else:
        net = list(analysis.net_by_year)
    net_row = sheet.amounts_row(_("Net flow (benefits − costs)"), "", net, formulas, bold=True)
    sheet.refs["net"] = sheet.ref(TOTAL_COL, net_row)
    if formulas:
        cumulative = [Formula(f"={sheet.ref(FIRST_YEAR_COL, net_row)}")] + [
            Formula(f"={sheet.ref(c - 1, net_row + 1)}+{sheet.ref(c, net_row)}")
            for c in range(FIRST_YEAR_COL + 1, FIRST_YEAR_COL + 3)]
    else:
        cumulative = list(analysis.cumulative_by_year)
    sheet.put(1, _("Cumulative cash position"), bold=True)
    for offset, value in enumerate(cumulative):
        sheet.put(FIRST_YEAR_COL + offset, value, money_format)
    sheet.row += 2

    sheet.put(1, _("Results"), bold=True).font = Font(bold=True, size=12)
    sheet.row += 1
    net_range = f"{sheet.ref(FIRST_YEAR_COL, net_row)}:{sheet.ref(FIRST_YEAR_COL + 2, net_row)}"
    total_cost_ref = sheet.refs["cost"]

    def share(rows, value):
        if not formulas:
            return value
        if not rows:
            return 0
        parts = "+".join(sheet.ref(TOTAL_COL, r) for r in rows)
        return Formula(f"=IF({total_cost_ref}=0,\"\",({parts})/{total_cost_ref})")

    results = [
        ("npv", _("Net present value"),
         Formula(f"=NPV({sheet.refs['rate']},{net_range})") if formulas else analysis.npv, money_format),
        ("roi", _("Return on investment (net ÷ cost)"),
         Formula(f"=IF({total_cost_ref}=0,\"\",{sheet.refs['net']}/{total_cost_ref})") if formulas else analysis.roi,
         PERCENT),
        ("payback", _("Payback month"), analysis.payback_month or payback_text(None), "0"),
        ("first_year", _("First-year share of the three-year cost"),
         Formula(f"=IF({total_cost_ref}=0,\"\",{sheet.refs['cost_y1']}/{total_cost_ref})") if formulas
         else analysis.first_year_share, PERCENT),
        ("services", _("Share on customisation, integration, deployment and support"),
         share(rows_by_group["services"], analysis.services_share), PERCENT),
        ("licences", _("Share on licences and subscriptions"),
         share(rows_by_group["licences"], analysis.licence_share), PERCENT),
    ]
    for key, label, value, fmt in results:
        sheet.put(1, label, bold=True)
        sheet.put(2, value if value is not None else "", fmt)
        sheet.refs[key] = sheet.ref(2)
        sheet.row += 1
    sheet.row += 1
    sheet.put(1, _("Net present value: each year's net flow is discounted as if it arrived at the end of "
                   "that year. Payback: yearly amounts are spread evenly over their twelve months; the "
                   "payback month is the first month whose cumulative position is zero or more."))
    ws.freeze_panes = "A2"
    return sheet


def _totals_row(sheet: _Sheet, label: str, amounts, first: int, last: int, formulas: bool) -> int:
    if formulas:
        values = [Formula(f"=SUM({sheet.ref(c, first)}:{sheet.ref(c, last)})") if last >= first else 0
                  for c in range(FIRST_YEAR_COL, FIRST_YEAR_COL + 3)]
    else:
        values = list(amounts)
    return sheet.amounts_row(label, "", values, formulas, bold=True, fill=TOTAL_FILL)


def workbook(project, scenarios, with_formulas: bool = False, track=None) -> bytes:
    """``track``: the plan scenario against reality (``planner.tco.actuals.tracking``), for its
    "Actual" and "Forecast" sheets; None leaves them out (no plan scenario or no first month)."""
    money_format = currency_format(project.currency)
    wb = Workbook()
    summary = wb.active
    summary.title = _sheet_title(_("Summary"), set())
    taken = {summary.title.lower()}
    sheets = []
    for scenario in scenarios:
        analysis = scenario.analysis()
        ws = wb.create_sheet(_sheet_title(scenario.name, taken))
        sheets.append((scenario, analysis, ws.title, _scenario_sheet(ws, project, scenario, analysis, money_format,
                                                                      with_formulas)))
    _summary_sheet(summary, project, sheets, money_format, with_formulas)
    if track is not None:
        actual_sheet(wb.create_sheet(_sheet_title(_("Actual"), taken)), project, track, money_format, with_formulas)
        forecast_sheet(wb.create_sheet(_sheet_title(_("Forecast"), taken)), project, track, money_format,
                       with_formulas)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _summary_sheet(ws, project, sheets, money_format: str, formulas: bool) -> None:
    ws.column_dimensions["A"].width = 46
    ws.cell(row=1, column=1, value=_("Three-year TCO and ROI")).font = Font(bold=True, size=14)
    _set(ws, 2, 1, project.name)
    ws.cell(row=3, column=1, value=_("Amounts in %(currency)s", currency=project.currency))
    ws.cell(row=5, column=1, value=_("Scenario")).font = BOLD
    ws.cell(row=5, column=1).fill = HEADER_FILL
    rows = [
        ("deployment", _("Deployment model"), None),
        ("preferred", _("Plan scenario"), None),
        ("cost", _("Three-year cost"), money_format),
        ("benefit", _("Three-year benefits"), money_format),
        ("net", _("Net over three years"), money_format),
        ("npv", _("Net present value"), money_format),
        ("roi", _("Return on investment (net ÷ cost)"), PERCENT),
        ("payback", _("Payback month"), "0"),
        ("first_year", _("First-year share of the three-year cost"), PERCENT),
        ("services", _("Share on customisation, integration, deployment and support"), PERCENT),
        ("licences", _("Share on licences and subscriptions"), PERCENT),
        ("budget", _("Approved three-year budget"), money_format),
    ]
    for offset, (_key, label, _fmt) in enumerate(rows):
        ws.cell(row=6 + offset, column=1, value=label).font = BOLD
    for index, (scenario, analysis, title, sheet) in enumerate(sheets):
        column = 2 + index
        ws.column_dimensions[get_column_letter(column)].width = 22
        head = _set(ws, 5, column, scenario.name)
        head.font, head.fill = BOLD, HEADER_FILL
        values = {
            "deployment": _label(scenario.deployment),
            "preferred": _("Yes") if scenario.is_preferred else _("No"),
            "cost": analysis.total_cost, "benefit": analysis.total_benefit, "net": analysis.net_total,
            "npv": analysis.npv, "roi": analysis.roi,
            "payback": analysis.payback_month or payback_text(None),
            "first_year": analysis.first_year_share, "services": analysis.services_share,
            "licences": analysis.licence_share, "budget": scenario.approved_budget,
        }
        for offset, (key, _label_text, fmt) in enumerate(rows):
            value = values[key]
            if formulas and key in sheet.refs and key != "payback":
                value = Formula(f"={quote_sheetname(title)}!{sheet.refs[key]}")
            cell = _set(ws, 6 + offset, column, value if value is not None else "")
            if fmt:
                cell.number_format = fmt
    ws.freeze_panes = "B6"


def _text(value: str) -> str:
    """User text for a CSV cell; a leading = + - @ would make a spreadsheet run it as a formula."""
    return safe_cell(value)


def csv_text(project, scenarios) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    years = [_("Year %(number)s", number=n) for n in range(1, calc.YEARS + 1)]
    writer.writerow([_("Scenario"), _("Deployment model"), _("Section"), _("Category or kind"), _("Description"),
                     _("Derived from a KPI"), *years, _("Three-year total"), _("Currency")])
    for scenario in scenarios:
        analysis = scenario.analysis()
        head = [_text(scenario.name), _label(scenario.deployment)]

        def amounts_row(section, what, description, kpi, amounts, head=head):
            writer.writerow([*head, section, what, description, kpi, *(plain(a) for a in amounts),
                             plain(calc.add_up(amounts)), project.currency])

        for line in scenario.sorted_cost_lines():
            amounts_row(_("Cost"), _label(line.category), _text(line.description), "", line.amounts)
        for line in scenario.benefit_lines:
            amounts_row(_("Benefit"), _label(line.kind), _text(line.description),
                        str(line.kpi_key.label) if line.kpi_key else "", line.amounts)
        result = _("Result")
        amounts_row(result, _("Total cost"), "", "", analysis.cost_by_year)
        amounts_row(result, _("Total benefits"), "", "", analysis.benefit_by_year)
        amounts_row(result, _("Net flow (benefits − costs)"), "", "", analysis.net_by_year)
        rate = percent(scenario.discount_rate / 100, _places(scenario.discount_rate))
        npv = plain(analysis.npv.quantize(Decimal("0.01")))
        writer.writerow([*head, result, _("Net present value"), _("At %(rate)s a year", rate=rate), "", "", "", "",
                         npv, project.currency])
        writer.writerow([*head, result, _("Payback month"), payback_text(analysis.payback_month), "", "", "", "",
                         analysis.payback_month or "", ""])
    return out.getvalue()


def _places(rate: Decimal) -> int:
    """The decimal places a rate was entered with (8 → 0, 7.5 → 1), so it reads as typed."""
    return max(0, -rate.normalize().as_tuple().exponent)


# --------------------------------------------------------------------------- actual and forecast


def _title(sheet: _Sheet, text: str, size: int = 12) -> None:
    sheet.put(1, text, bold=True).font = Font(bold=True, size=size)
    sheet.row += 1


def _widths(ws, widths: dict) -> None:
    for column, width in widths.items():
        ws.column_dimensions[column].width = width


def actual_sheet(ws, project, track, money_format: str, formulas: bool) -> None:
    """What happened: actual costs month by month and per year, and the benefits' actual amounts."""
    sheet = _Sheet(ws, money_format)
    _widths(ws, {"A": 30, "B": 42, "C": 17, "D": 17, "E": 17, "F": 17})
    _title(sheet, _("Actual"), 14)
    sheet.put(1, _("Plan scenario"), bold=True)
    sheet.put(2, track.scenario.name)
    sheet.row += 1
    sheet.put(1, _("Year 1 starts on"), bold=True)
    sheet.put(2, track.start, "yyyy-mm-dd")
    sheet.row += 1
    sheet.put(1, _("Actual costs through month"), bold=True)
    sheet.put(2, track.through, "0")
    sheet.row += 2

    _title(sheet, _("Actual costs by month"))
    categories = [c for c in calc.CATEGORIES if c in track.actual_by_category]
    months = plan_months(track.start)
    sheet.header([_("Month"), _("Month of the plan"), *(_label(CostCategory(c)) for c in categories), _("Total")])
    first = sheet.row
    for number in range(1, track.through + 1):
        sheet.put(1, months[number - 1], "yyyy-mm")
        sheet.put(2, number, "0")
        for offset, category in enumerate(categories):
            sheet.put(3 + offset, track.actual_by_category[category].get(number, calc.ZERO), money_format)
        last_column = 3 + len(categories)
        total = (Formula(f"=SUM({sheet.ref(3)}:{sheet.ref(last_column - 1)})") if formulas and categories
                 else calc.add_up(track.actual_by_category[c].get(number, calc.ZERO) for c in categories))
        sheet.put(last_column, total, money_format, bold=True)
        sheet.row += 1
    last = sheet.row - 1
    sheet.row += 1

    _title(sheet, _("Actual costs by year"))
    years = [_("Year %(number)s", number=n) for n in range(1, calc.YEARS + 1)]
    sheet.header([_("Category"), "", *years, _("Three-year total")])
    first_year_row = sheet.row
    for offset, category in enumerate(categories):
        amounts = _actual_years(track.actual_by_category[category], track.through)
        if formulas and last >= first:
            column = get_column_letter(3 + offset)
            months_range = f"$B${first}:$B${last}"
            amounts = [Formula(f'=SUMIFS({column}${first}:{column}${last},{months_range},">={12 * y + 1}",'
                               f'{months_range},"<={12 * y + 12}")') for y in range(calc.YEARS)]
        sheet.amounts_row(_label(CostCategory(category)), "", amounts, formulas)
    totals = [calc.add_up(_actual_years(track.actual_by_category[c], track.through)[y] for c in categories)
              for y in range(calc.YEARS)]
    _totals_row(sheet, _("Total cost"), totals, first_year_row, sheet.row - 1, formulas)
    sheet.row += 1

    _title(sheet, _("Benefits"))
    sheet.header([_("Kind of benefit"), _("Description"), *years, _("Three-year total"), _("How it is computed")])
    first_benefit = sheet.row
    for benefit in track.benefits:
        line = benefit.line
        amounts = [benefit.actual_by_year.get(y, calc.ZERO) for y in range(1, calc.YEARS + 1)]
        basis = (_("Measured from the KPI against its baseline") if line.is_derived and benefit.has_baseline
                 else _("No KPI baseline: nothing can be realised yet.") if line.is_derived
                 else _("Entered by hand") if benefit.actual_by_year else _("Entered by hand; no actual amount yet"))
        sheet.amounts_row(_label(line.kind), line.description, amounts, formulas, extra=basis)
    totals = [calc.add_up(b.actual_by_year.get(y, calc.ZERO) for b in track.benefits) for y in range(1, 4)]
    _totals_row(sheet, _("Total benefits"), totals, first_benefit, sheet.row - 1, formulas)
    ws.freeze_panes = "A2"


def _actual_years(months: dict, through: int) -> list:
    return [calc.add_up(months.get(m, calc.ZERO) for m in range(12 * y + 1, 12 * y + 13) if m <= through)
            for y in range(calc.YEARS)]


def forecast_sheet(ws, project, track, money_format: str, formulas: bool) -> None:
    """Actuals to date and the plan for the rest, with the results beside the plan's."""
    sheet = _Sheet(ws, money_format)
    _widths(ws, {"A": 34, "B": 42, "C": 17, "D": 17, "E": 17, "F": 17, "G": 17})
    years = [_("Year %(number)s", number=n) for n in range(1, calc.YEARS + 1)]
    forecast, plan = track.forecast, track.plan
    _title(sheet, _("Forecast"), 14)
    sheet.put(1, _("Plan scenario"), bold=True)
    sheet.put(2, track.scenario.name)
    sheet.row += 1
    sheet.put(1, _("Discount rate (% a year)"), bold=True)
    rate = sheet.ref(2)
    sheet.put(2, track.scenario.discount_rate / 100, "0.00%")
    sheet.row += 2

    _title(sheet, _("Costs"))
    sheet.header([_("Category"), "", *years, _("Three-year total")])
    first = sheet.row
    for category, amounts in forecast.cost_by_category.items():
        sheet.amounts_row(_label(CostCategory(category)), "", amounts, formulas)
    cost_row = _totals_row(sheet, _("Total cost"), forecast.cost_by_year, first, sheet.row - 1, formulas)
    sheet.row += 1

    _title(sheet, _("Benefits"))
    sheet.header([_("Kind of benefit"), _("Description"), *years, _("Three-year total")])
    first = sheet.row
    for benefit in track.benefits:
        sheet.amounts_row(_label(benefit.line.kind), benefit.line.description, benefit.forecast, formulas)
    benefit_row = _totals_row(sheet, _("Total benefits"), forecast.benefit_by_year, first, sheet.row - 1, formulas)
    sheet.row += 1

    _title(sheet, _("Cash flow"))
    sheet.header(["", "", *years, _("Three-year total")])
    net = ([Formula(f"={sheet.ref(c, benefit_row)}-{sheet.ref(c, cost_row)}")
            for c in range(FIRST_YEAR_COL, FIRST_YEAR_COL + 3)] if formulas else list(forecast.net_by_year))
    net_row = sheet.amounts_row(_("Net flow (benefits − costs)"), "", net, formulas, bold=True)
    sheet.row += 1

    _title(sheet, _("Results"))
    sheet.header(["", _("Plan"), _("Forecast")])
    net_range = f"{sheet.ref(FIRST_YEAR_COL, net_row)}:{sheet.ref(FIRST_YEAR_COL + 2, net_row)}"
    cost_total, net_total = sheet.ref(TOTAL_COL, cost_row), sheet.ref(TOTAL_COL, net_row)
    rows = [
        (_("Three-year cost"), plan.total_cost, Formula(f"={cost_total}") if formulas else forecast.total_cost,
         money_format),
        (_("Three-year benefits"), plan.total_benefit,
         Formula(f"={sheet.ref(TOTAL_COL, benefit_row)}") if formulas else forecast.total_benefit, money_format),
        (_("Net present value"), plan.npv, Formula(f"=NPV({rate},{net_range})") if formulas else forecast.npv,
         money_format),
        (_("Return on investment (net ÷ cost)"), plan.roi,
         Formula(f'=IF({cost_total}=0,"",{net_total}/{cost_total})') if formulas else forecast.roi, PERCENT),
        (_("Payback month"), plan.payback_month or payback_text(None),
         forecast.payback_month or payback_text(None), "0"),
    ]
    for label, planned, expected, fmt in rows:
        sheet.put(1, label, bold=True)
        sheet.put(2, planned if planned is not None else "", fmt)
        sheet.put(3, expected if expected is not None else "", fmt)
        sheet.row += 1
    sheet.row += 1
    sheet.put(1, _("Costs: actual through the last month with an actual cost, then the plan. Benefits derived "
                   "from a KPI: measured months, then the average of the last three. Benefits entered by hand: "
                   "the actual amount of each year that has one, else the plan."))
    ws.freeze_panes = "A2"
