"""Importing actual costs from a CSV or XLSX file of invoices or a finance export.

The file is read like a CRM import (``planner.crm.imports``: format, encoding and separator
detected, a semicolon-separated file proposes decimal commas, dates day-first or month-first) and
checked the same way: every row on its own, every bad row reported with its line number. The
import is all or nothing: with one bad row, nothing is saved. Files are small (at most
``MAX_ROWS`` rows), so the check and the import run in the request.

Columns, found by their name in English, Spanish or Chinese: month (or date), category, amount,
and optionally description and reference. A category is its name in any of the three languages
or its key (``licences``).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _

from planner.audit.services import record
from planner.crm.fields import header_key
from planner.crm.imports.checks import REASONS
from planner.crm.imports.reading import FileRefused, cell_text, file_rows, inspect_file
from planner.crm.imports.values import Bad, parse_decimal, parse_when
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import number
from planner.tco import actuals
from planner.tco.models import ActualSource, CostCategory
from planner.uploads import storage

MAX_ROWS = 2000
LIMIT_MB = 2
REQUIRED = ("month", "category", "amount")
COLUMNS = {
    "month": _l("Month"),
    "category": _l("Category"),
    "amount": _l("Amount"),
    "description": _l("Description"),
    "reference": _l("Reference"),
}
SYNONYMS = {
    "month": ["month", "date", "invoice date", "booking date", "period", "mes", "fecha", "fecha de factura",
              "periodo", "月份", "日期", "发票日期", "记账日期", "期间"],
    "category": ["category", "cost category", "categoría", "categoria", "categoría de costo", "类别", "成本类别"],
    "amount": ["amount", "total", "net amount", "importe", "monto", "importe neto", "金额", "总额", "净额"],
    "description": ["description", "concept", "supplier", "descripción", "descripcion", "concepto", "proveedor",
                    "说明", "描述", "摘要", "供应商"],
    "reference": ["reference", "invoice", "invoice number", "referencia", "factura", "número de factura",
                  "参考号", "发票号", "发票号码", "凭证号"],
}
LENGTHS = {"description": 200, "reference": 80}


@dataclass
class Checked:
    rows: list[dict] = field(default_factory=list)  # the good rows, ready to save
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)
    file_problem: str | None = None  # the file cannot be read at all

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.problems and bool(self.rows)

    def total(self) -> Decimal:
        return sum((row["amount"] for row in self.rows), Decimal(0))

    def by_category(self) -> list[tuple[CostCategory, int, Decimal]]:
        found: dict[CostCategory, list] = {}
        for row in self.rows:
            entry = found.setdefault(row["category"], [0, Decimal(0)])
            entry[0] += 1
            entry[1] += row["amount"]
        return [(c, found[c][0], found[c][1]) for c in CostCategory if c in found]


def _category_names() -> dict[str, CostCategory]:
    names = {}
    for category in CostCategory:
        names[header_key(category.value.replace("_", " "))] = category
        names[header_key(category.value)] = category
        for language in ("en", "es", "zh"):
            with force_locale(language):
                names[header_key(str(category.label))] = category
    return names


def _columns(headers: list[str]) -> dict[str, int]:
    wanted = {header_key(name): column for column, names in SYNONYMS.items() for name in names}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = wanted.get(header_key(header))
        if column and column not in found:
            found[column] = index
    return found


def _amount(value, decimal_comma: bool) -> Decimal:
    """An amount, negative for a credit note (``parse_decimal`` reads the size)."""
    text = cell_text(value) if not isinstance(value, (int, float, Decimal)) else value
    negative = isinstance(text, str) and (text.startswith("-") or text.startswith("(") and text.endswith(")"))
    if isinstance(text, str):
        text = text.strip("-()").strip()
    elif text < 0:
        negative, text = True, -text
    amount = parse_decimal(text, decimal_comma)
    return -amount if negative else amount


def check(path: Path, start: date, *, day_first: bool = True, decimal_comma: bool | None = None) -> Checked:
    """Reads and checks every row; ``decimal_comma`` None: a comma when the CSV is semicolon-separated."""
    result = Checked()
    try:
        info = inspect_file(path)
    except DomainError as exc:
        result.file_problem = str(exc.message)
        return result
    if decimal_comma is None:
        decimal_comma = info.delimiter == ";"
    columns = _columns(info.headers)
    missing = [str(COLUMNS[c]) for c in REQUIRED if c not in columns]
    if missing:
        result.file_problem = _("The file needs a column for each of: %(columns)s. Its first line names the "
                                "columns: %(found)s.", columns=", ".join(missing),
                                found=", ".join(h for h in info.headers if h) or "—")
        return result
    categories = _category_names()
    try:
        for count, (line, cells) in enumerate(file_rows(path, info), start=1):
            if count > MAX_ROWS:
                result.file_problem = _("The file has more than %(max)s rows. Split it into smaller files.",
                                        max=number(MAX_ROWS))
                result.rows.clear()
                return result
            row, wrong = _row(cells, columns, categories, start, day_first, decimal_comma)
            if wrong:
                result.problems.extend((line, message) for message in wrong)
            else:
                result.rows.append(row)
    except FileRefused as refused:  # a cell or a sheet beyond the reader's limits
        result.file_problem = _("Line %(line)s: %(reason)s", line=refused.line, reason=str(REASONS[refused.code]) % {
            "limit": number(refused.limit)})
        result.rows.clear()
        return result
    if not result.rows and not result.problems:
        result.file_problem = _("The file has no row of data under its column names.")
    return result


def _cell(cells, columns, name):
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def _row(cells, columns, categories, start, day_first, decimal_comma) -> tuple[dict, list[str]]:
    row, wrong = {}, []
    for name in REQUIRED:
        if not cell_text(_cell(cells, columns, name)):
            wrong.append(_("The column “%(column)s” is empty.", column=COLUMNS[name]))
    if wrong:
        return row, wrong
    raw_month = _cell(cells, columns, "month")
    try:
        month = actuals.first_of_month(parse_when(raw_month, day_first).date())
        if not 1 <= actuals.month_number(start, month) <= actuals.fc.MONTHS:
            wrong.append(_("%(value)s is outside the three years of the plan.", value=cell_text(raw_month)))
        row["month"] = month
    except Bad:
        wrong.append(_("“%(value)s” is not a date.", value=cell_text(raw_month)[:60]))
    raw_category = cell_text(_cell(cells, columns, "category"))
    category = categories.get(header_key(raw_category))
    if category is None:
        wrong.append(_("“%(value)s” is not a cost category.", value=raw_category[:60]))
    row["category"] = category
    raw_amount = _cell(cells, columns, "amount")
    try:
        row["amount"] = _amount(raw_amount, decimal_comma)
    except Bad:
        wrong.append(_("“%(value)s” is not an amount.", value=cell_text(raw_amount)[:60]))
    for name, limit in LENGTHS.items():
        text = cell_text(_cell(cells, columns, name))
        if len(text) > limit:
            wrong.append(_("The column “%(column)s” is longer than %(max)s characters.", column=COLUMNS[name],
                           max=number(limit)))
        row[name] = text[:limit]
    return row, wrong


def receive(stream, filename: str = "") -> Path:
    """The upload in a temporary file (the caller removes it); DomainError past ``LIMIT_MB``."""
    suffix = ".xlsx" if (filename or "").lower().endswith(".xlsx") else ".csv"
    try:
        path, _size = storage.receive(stream, LIMIT_MB * 1024 * 1024, suffix)
    except storage.TooLarge:
        raise DomainError(_l("The file is larger than %(limit)s MB. Split it into smaller files.",
                             limit=LIMIT_MB)) from None
    return path


def save(project, checked: Checked, start: date, filename: str, user) -> int:
    """Adds every row (the caller commits): all or nothing, so only for a file without problems."""
    if not checked.ok:
        raise DomainError(_l("The file has problems: nothing was imported."))
    for row in checked.rows:
        actuals.add_actual_cost(project, start, category=row["category"], month=row["month"], amount=row["amount"],
                                description=row["description"], reference=row["reference"],
                                source=ActualSource.IMPORT, user=user, audit=False)
    record("tco.actual_costs_imported", project=project, count=len(checked.rows), filename=filename[:120])
    db.session.flush()
    return len(checked.rows)
