"""The checks a row must pass on its own (no database): a value in every required cell, values of
the right type and length, consistent dates and stages. Each refusal is a ``Problem``: the line, a
reason code and the values the reason needs, turned into a sentence in the reader's language by
``describe``."""

import re
from dataclasses import dataclass

from babel.dates import get_month_names
from flask_babel import format_number, get_locale

from planner.crm.fields import CHOICE_ENUMS, FIELDS, TEXT_TYPES
from planner.crm.imports.reading import SourceInfo, cell_text
from planner.crm.imports.values import Bad, ReadOptions, parser
from planner.crm.models import RecordKind
from planner.forms import EARLIEST_DATE, LATEST_DATE
from planner.i18n import lazy_gettext as _l

REASONS = {
    "missing": _l("%(field)s is required but the cell is empty."),
    "too_long": _l("%(field)s is longer than %(max)s characters."),
    "bad_date": _l("“%(value)s” in %(field)s is not a date we can read (for example 2026-03-05 or 05/03/2026)."),
    "no_such_day": _l("“%(value)s” in %(field)s is not a date: %(month)s has no day %(day)s."),
    "not_leap": _l("“%(value)s” in %(field)s is not a date: %(year)s is not a leap year, so February has no "
                   "day 29."),
    "date_range": _l("“%(value)s” in %(field)s is outside the years %(first)s to %(last)s."),
    "bad_number": _l("“%(value)s” in %(field)s is not an amount we can read (for example 1234.50)."),
    "negative": _l("%(field)s cannot be negative."),
    "bad_score": _l("“%(value)s” in %(field)s is not a whole number from 1 to 5."),
    "bad_choice": _l("“%(value)s” is not a known %(field)s. Use one of: %(choices)s."),
    "bad_bool": _l("“%(value)s” in %(field)s is neither yes nor no."),
    "bad_email": _l("“%(value)s” in %(field)s is not a valid e-mail address."),
    "bad_phone": _l("“%(value)s” in %(field)s is not a phone number: it needs 7 to 15 digits (spaces, dashes "
                    "and a leading + are fine)."),
    "unknown_account": _l("No account of this project has the external id or the name “%(value)s”."),
    "ambiguous_account": _l("%(count)s accounts of this project are named “%(value)s”; use the external id of "
                            "the one you mean."),
    "unknown_record": _l("No record of this kind in this project has the id “%(value)s” (our exports write “#” and "
                         "the id for records without an external id)."),
    "unknown_contact": _l("No contact of this project has the external id “%(value)s”."),
    "unknown_user": _l("“%(value)s” is not the e-mail address of a member of this project."),
    "duplicate_id": _l("The external id “%(value)s” already appears on line %(other)s of the file."),
    "closed_before_opened": _l("%(field)s is earlier than the opening date."),
    "closed_needs_date": _l("A won or lost opportunity needs %(field)s."),
    "open_has_date": _l("Only a won or lost opportunity has %(field)s."),
    "columns": _l("This line has %(value)s cells instead of %(max)s; check the separators and quotes."),
    "cell_too_large": _l("A cell starting on this line is longer than %(limit)s characters, the most a cell may "
                         "hold. The file was not read beyond it."),
    "too_many_cells": _l("This line has cells beyond column %(limit)s, the most an import reads. The file was not "
                         "read beyond it."),
    "too_many_rows": _l("The sheet goes on beyond row %(limit)s, the most an import reads. The file was not read "
                        "beyond it."),
}
FILE_LIMIT_CODES = ("cell_too_large", "too_many_cells", "too_many_rows")


@dataclass
class Problem:
    line: int
    code: str
    field: str = ""
    value: str = ""
    other_line: int | None = None


def _month_name(month: int) -> str:
    names = get_month_names("wide", context="stand-alone", locale=get_locale() or "en")
    return names.get(month, str(month))


def describe(problem, kind: RecordKind) -> str:
    """The reason in the reader's language (``problem``: a ``Problem`` or a stored ``ImportProblem``)."""
    spec = next((s for s in FIELDS[RecordKind(kind)] if s.name == problem.field), None)
    values = {"field": str(spec.label) if spec else "", "value": problem.value or "", "other": problem.other_line,
              "max": spec.max_length if spec and spec.max_length else "", "choices": "", "count": problem.other_line,
              "first": EARLIEST_DATE.year, "last": LATEST_DATE.year, "limit": ""}
    if problem.code == "columns":
        expected, _sep, found = (problem.value or "").partition("/")
        values.update(value=found, max=expected)
    elif problem.code == "no_such_day":
        text, month, day = (problem.value.rsplit("|", 2) + ["", ""])[:3]
        values.update(value=text, month=_month_name(int(month)) if month.isdigit() else month, day=day)
    elif problem.code == "not_leap":
        text, _sep, year = problem.value.rpartition("|")
        values.update(value=text, year=year)
    elif problem.code in FILE_LIMIT_CODES:
        values["limit"] = format_number(int(problem.value)) if (problem.value or "").isdigit() else problem.value
    if spec is not None and spec.type in CHOICE_ENUMS:
        values["choices"] = ", ".join(str(member.label) for member in CHOICE_ENUMS[spec.type])
    return str(REASONS.get(problem.code, problem.code)) % values


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


def compose_name(first: str, last: str) -> str:
    """A person's name from its parts: "Ana García"; a Chinese name family name first, without a space
    (名 "小明", 姓 "王" → "王小明")."""
    if first and last:
        return last + first if _HAN.search(first + last) else f"{first} {last}"
    return first or last


NAME_PARTS = ("first_name", "last_name")


def other_columns(headers: list[str], mapping: dict[str, int], dropped=()) -> list[tuple[int, str]]:
    """(index, name) of the columns that feed no field and were not left out: their values are kept
    with each record as other fields (a column without a name is called "#<its number>")."""
    used = {int(index) for index in mapping.values()}
    dropped = {int(index) for index in dropped}
    return [(index, header or f"#{index + 1}") for index, header in enumerate(headers)
            if index not in used and index not in dropped]


class RowReader:
    """Reads the mapped cells of each line into values, with every problem found in it (not only the
    first); the columns mapped to no field go, as they are, into ``other_fields`` (unless dropped)."""

    def __init__(self, kind: RecordKind, info: SourceInfo, mapping: dict[str, int], options: ReadOptions,
                 others: list[tuple[int, str]] | None = None):
        self.kind = RecordKind(kind)
        specs = [spec for spec in FIELDS[self.kind] if spec.name in mapping]
        self.name_parts = [name for name in NAME_PARTS if name in mapping]
        # What read() walks through for each line: (field, column, required, value when empty, parser).
        self.plan = [(spec.name, int(mapping[spec.name]),
                      spec.required and not (spec.name == "name" and self.name_parts),
                      "" if spec.type in TEXT_TYPES else (False if spec.type == "bool" else None),
                      parser(spec, options))
                     for spec in specs]
        self.name_required = any(spec.name == "name" and spec.required for spec in FIELDS[self.kind])
        self.name_limit = next((spec.max_length for spec in FIELDS[self.kind] if spec.name == "name"), None)
        self.others = others or []
        self.width = len(info.headers)
        self.csv = info.file_format == "csv"
        self.cross_checks = self.kind in (RecordKind.CASES, RecordKind.OPPORTUNITIES)

    def read(self, line: int, cells: list) -> tuple[dict, list[Problem]]:
        """The values of one line and the problems found in it (this runs for every line of the file).
        With problems, the values are those that could be read (references are still checked)."""
        values, problems = {}, []
        count = len(cells)
        if count > self.width and self.csv and any(c.strip() for c in cells[self.width:]):
            return values, [Problem(line, "columns", value=f"{self.width}/{count}")]
        for name, index, required, empty, parse in self.plan:
            raw = cells[index] if index < count else None
            if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
                if required:
                    problems.append(Problem(line, "missing", name))
                else:
                    values[name] = empty
                continue
            try:
                values[name] = parse(raw)
            except Bad as bad:
                problems.append(Problem(line, bad.code, name, bad.value))
        if self.name_parts:
            self._compose_name(line, values, problems)
        if self.others:
            found = {}
            for index, header in self.others:
                if index < count:
                    text = cell_text(cells[index])
                    if text:
                        found[header] = text
            values["other_fields"] = found or None
        if self.cross_checks:
            problems += self._cross_checks(line, values, {problem.field for problem in problems})
        return values, problems

    def _compose_name(self, line: int, values: dict, problems: list[Problem]) -> None:
        first, last = values.pop("first_name", "") or "", values.pop("last_name", "") or ""
        if values.get("name"):
            return
        name = compose_name(first, last)
        if not name:
            if self.name_required and not any(p.field in NAME_PARTS for p in problems):
                problems.append(Problem(line, "missing", "name"))
            return
        if self.name_limit and len(name) > self.name_limit:
            problems.append(Problem(line, "too_long", "name", name[:40] + "…"))
            return
        values["name"] = name

    def _cross_checks(self, line: int, values: dict, bad: set[str]) -> list[Problem]:
        found = []
        if self.kind is RecordKind.CASES and values.get("closed_at") and values.get("opened_at") \
                and values["closed_at"] < values["opened_at"]:
            found.append(Problem(line, "closed_before_opened", "closed_at"))
        if self.kind is RecordKind.OPPORTUNITIES and "stage" in values:
            stage, closed_on = values.get("stage"), values.get("closed_on")
            if stage is not None and stage.is_closed and closed_on is None and "closed_on" not in bad:
                found.append(Problem(line, "closed_needs_date", "closed_on"))
            elif stage is not None and not stage.is_closed and closed_on is not None:
                # Salesforce, HubSpot and others fill "Close Date" on open deals with the date they are
                # expected to close: kept as that, unless the file also brings an expected date.
                if values.get("expected_close_on") is None:
                    values["expected_close_on"], values["closed_on"] = closed_on, None
                else:
                    found.append(Problem(line, "open_has_date", "closed_on"))
            elif closed_on is not None and values.get("opened_on") and closed_on < values["opened_on"]:
                found.append(Problem(line, "closed_before_opened", "closed_on"))
        return found
