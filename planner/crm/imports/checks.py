"""The checks a row must pass on its own (no database): a value in every required cell, values of
the right type and length, consistent dates and stages. Each refusal is a ``Problem``: the line, a
reason code and the values the reason needs, turned into a sentence in the reader's language by
``describe``."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from planner.crm.fields import CHOICE_ENUMS, FIELDS
from planner.crm.imports.reading import SourceInfo
from planner.crm.imports.values import Bad, ReadOptions, parser
from planner.crm.models import RecordKind

REASONS = {
    "missing": _l("%(field)s is required but the cell is empty."),
    "too_long": _l("%(field)s is longer than %(max)s characters."),
    "bad_date": _l("“%(value)s” in %(field)s is not a date we can read (for example 2026-03-05 or 05/03/2026)."),
    "bad_number": _l("“%(value)s” in %(field)s is not an amount we can read (for example 1234.50)."),
    "negative": _l("%(field)s cannot be negative."),
    "bad_score": _l("“%(value)s” in %(field)s is not a whole number from 1 to 5."),
    "bad_choice": _l("“%(value)s” is not a known %(field)s. Use one of: %(choices)s."),
    "bad_bool": _l("“%(value)s” in %(field)s is neither yes nor no."),
    "unknown_account": _l("No account of this project has the external id “%(value)s”."),
    "unknown_contact": _l("No contact of this project has the external id “%(value)s”."),
    "unknown_user": _l("“%(value)s” is not the e-mail address of a member of this project."),
    "duplicate_id": _l("The external id “%(value)s” already appears on line %(other)s of the file."),
    "closed_before_opened": _l("%(field)s is earlier than the opening date."),
    "closed_needs_date": _l("A won or lost opportunity needs %(field)s."),
    "open_has_date": _l("Only a won or lost opportunity has %(field)s."),
    "columns": _l("This line has %(value)s cells instead of %(max)s; check the separators and quotes."),
}


@dataclass
class Problem:
    line: int
    code: str
    field: str = ""
    value: str = ""
    other_line: int | None = None


def describe(problem, kind: RecordKind) -> str:
    """The reason in the reader's language (``problem``: a ``Problem`` or a stored ``ImportProblem``)."""
    spec = next((s for s in FIELDS[RecordKind(kind)] if s.name == problem.field), None)
    values = {"field": str(spec.label) if spec else "", "value": problem.value or "", "other": problem.other_line,
              "max": spec.max_length if spec and spec.max_length else "", "choices": ""}
    if problem.code == "columns":
        expected, _sep, found = (problem.value or "").partition("/")
        values.update(value=found, max=expected)
    if spec is not None and spec.type in CHOICE_ENUMS:
        values["choices"] = ", ".join(str(member.label) for member in CHOICE_ENUMS[spec.type])
    return str(REASONS.get(problem.code, problem.code)) % values


class RowReader:
    """Reads the mapped cells of each line into values, or the problems found in it."""

    def __init__(self, kind: RecordKind, info: SourceInfo, mapping: dict[str, int], options: ReadOptions):
        self.kind = RecordKind(kind)
        specs = [spec for spec in FIELDS[self.kind] if spec.name in mapping]
        # What read() walks through for each line: (field, column, required, value when empty, parser).
        self.plan = [(spec.name, int(mapping[spec.name]), spec.required,
                      "" if spec.type == "text" else (False if spec.type == "bool" else None), parser(spec, options))
                     for spec in specs]
        self.width = len(info.headers)
        self.csv = info.file_format == "csv"
        self.cross_checks = self.kind in (RecordKind.CASES, RecordKind.OPPORTUNITIES)

    def read(self, line: int, cells: list) -> tuple[dict | None, list[Problem]]:
        """The values of one line, or the problems found in it (this runs for every line of the file)."""
        values, problems = {}, []
        count = len(cells)
        if count > self.width and self.csv and any(c.strip() for c in cells[self.width:]):
            return None, [Problem(line, "columns", value=f"{self.width}/{count}")]
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
        if problems:
            return None, problems
        if self.cross_checks:
            problems = self._cross_checks(line, values)
            if problems:
                return None, problems
        return values, problems

    def _cross_checks(self, line: int, values: dict) -> list[Problem]:
        found = []
        if self.kind is RecordKind.CASES and values.get("closed_at") and values.get("opened_at") \
                and values["closed_at"] < values["opened_at"]:
            found.append(Problem(line, "closed_before_opened", "closed_at"))
        if self.kind is RecordKind.OPPORTUNITIES:
            stage, closed_on = values.get("stage"), values.get("closed_on")
            if stage is not None and stage.is_closed and closed_on is None:
                found.append(Problem(line, "closed_needs_date", "closed_on"))
            elif stage is not None and not stage.is_closed and closed_on is not None:
                found.append(Problem(line, "open_has_date", "closed_on"))
            elif closed_on is not None and values.get("opened_on") and closed_on < values["opened_on"]:
                found.append(Problem(line, "closed_before_opened", "closed_on"))
        return found
