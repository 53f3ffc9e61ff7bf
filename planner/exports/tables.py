"""Tables of typed cells, written as CSV (UTF-8 with a BOM) or as an XLSX workbook.

A column has a kind; in the workbook each kind becomes a real cell type with a number format (dates
are dates, percentages are ratios with a percent format, scores are numbers), and text is always
stored as text, so a value starting with "=" is never run as a formula. In the CSV, numbers have a
decimal point whatever the language (as the TCO export does), dates are ISO 8601, and text that a
spreadsheet would run as a formula gets the apostrophe of ``planner.spreadsheet.safe_cell``.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planner.spreadsheet import safe_cell

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "0.00"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    DATETIME = "datetime"  # a naive datetime already in the reader's time zone
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"  # a ratio: 0.25 is 25 %


WIDTHS = {Kind.TEXT: 22, Kind.LONG_TEXT: 48, Kind.DATE: 12, Kind.DATETIME: 17, Kind.INTEGER: 10,
          Kind.NUMBER: 12, Kind.PERCENT: 12}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (a KPI column holds ratios and 1–5 scores)."""

    value: object
    kind: Kind


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)

    def cells(self):
        for row in self.rows:
            yield [(value.value, value.kind) if isinstance(value, Cell) else (value, column.kind)
                   for value, column in zip(row, self.columns, strict=True)]


def _csv_value(value, kind: Kind) -> str:
    if value is None or value == "":
        return ""
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        return safe_cell(value)
    if kind == Kind.DATE:
        return value.isoformat()
    if kind == Kind.DATETIME:
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese and accented text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(column.header) for column in table.columns])
    for row in table.cells():
        writer.writerow([_csv_value(value, kind) for value, kind in row])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_value(value, kind: Kind):
    if value is None or value == "":
        return None
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        return ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters an XLSX file cannot hold
    if kind == Kind.DATETIME and isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if kind in (Kind.NUMBER, Kind.PERCENT) and isinstance(value, Decimal):
        return float(value) if value.as_tuple().exponent < -10 else value
    return value


FORMATS = {Kind.DATE: DATE_FORMAT, Kind.DATETIME: DATETIME_FORMAT, Kind.PERCENT: PERCENT_FORMAT,
           Kind.NUMBER: NUMBER_FORMAT, Kind.INTEGER: "0"}


def sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Sheet"


def write_sheet(ws, table: Table) -> None:
    ws.title = sheet_title(table.title)
    for index, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS[column.kind]
    for row_index, row in enumerate(table.cells(), start=2):
        for col_index, (value, kind) in enumerate(row, start=1):
            written = _xlsx_value(value, kind)
            cell = ws.cell(row=row_index, column=col_index, value=written)
            if written is None:
                continue
            if kind in (Kind.TEXT, Kind.LONG_TEXT):
                cell.data_type = "s"  # text stays text: "=1+1" typed by a user is never a formula
                if kind == Kind.LONG_TEXT:
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
            else:
                cell.number_format = FORMATS[kind]
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def to_xlsx(*tables: Table) -> bytes:
    workbook = Workbook()
    first = True
    for table in tables:
        ws = workbook.active if first else workbook.create_sheet()
        first = False
        write_sheet(ws, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_local(moment: datetime | None, timezone) -> datetime | None:
    """A stored UTC moment in the reader's time zone, without the zone (spreadsheets have none)."""
    if moment is None:
        return None
    return moment.astimezone(timezone).replace(tzinfo=None)
