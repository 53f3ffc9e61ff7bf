"""CRM records written through the API, with the import's own checks (``planner.crm.imports``): the
same field names as an import's columns, the same readers of values, the same reasons for a refusal.

- ``read_one`` checks the fields of one record (create, or the fields a change sends) and resolves
  its references (accounts and contacts by external id or ``#id``, members by e-mail address).
- ``upsert`` writes up to ``MAX_BULK`` records by external id, all or nothing: every record is
  checked first; any problem refuses the whole call with each record's problems; otherwise a new
  external id adds a record and a known one updates it, through the import's writer.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from planner.audit.services import record, register
from planner.crm.fields import STORED, filled
from planner.crm.imports.checks import Problem, RowReader, describe
from planner.crm.imports.importer import Outcome
from planner.crm.imports.reading import SourceInfo
from planner.crm.imports.references import References
from planner.crm.imports.values import Bad, ReadOptions
from planner.crm.imports.writing import Writer
from planner.crm.models import RecordKind
from planner.crm.services import Filled
from planner.i18n import lazy_gettext as _l

MAX_BULK = 10_000
CHUNK = 2_000
REFERENCES = {"account": "account_id", "contact": "contact_id", "captured_by": "captured_by_id"}


for _kind in RecordKind:
    register(f"crm.{_kind.value}.upserted", Filled(
        _l("Wrote %(kind)s through the API: %(inserted)s added, %(updated)s updated, %(unchanged)s unchanged."),
        kind=_kind.label, inserted="%(inserted)s", updated="%(updated)s", unchanged="%(unchanged)s"))


@dataclass
class Refusal:
    """Why records were refused: a list of {"index", "field", "code", "detail"} dicts."""

    errors: list[dict] = field(default_factory=list)


def field_names(kind: RecordKind) -> list[str]:
    return [spec.name for spec in STORED[RecordKind(kind)]]


def _error(index: int | None, problem: Problem, kind: RecordKind) -> dict:
    if problem.code == "duplicate_id":
        detail = _("The external id “%(value)s” is also in record %(other)s of this request.",
                   value=problem.value, other=problem.other_line)
    else:
        detail = describe(problem, kind)
    found = {"field": problem.field, "code": problem.code, "detail": detail}
    if index is not None:
        found = {"index": index, **found}
    return found


def _shape_errors(kind: RecordKind, data, index: int | None) -> list[dict]:
    """A record must be a JSON object of known fields, each a single value."""
    where = {} if index is None else {"index": index}
    if not isinstance(data, dict):
        return [{**where, "field": "", "code": "not_an_object",
                 "detail": _("Each record is a JSON object of field names and values.")}]
    known = set(field_names(kind))
    errors = []
    for name, value in data.items():
        if name not in known:
            errors.append({**where, "field": str(name)[:100], "code": "unknown_field",
                           "detail": _("“%(field)s” is not a field of this kind of record. The fields are: "
                                       "%(fields)s.", field=str(name)[:100], fields=", ".join(sorted(known)))})
        elif isinstance(value, (dict, list)):
            errors.append({**where, "field": name, "code": "not_a_value",
                           "detail": _("“%(field)s” takes a single value: text, a number, true or false.",
                                       field=name)})
        elif isinstance(value, str) and not _storable(value):
            errors.append({**where, "field": name, "code": "bad_character",
                           "detail": _("“%(field)s” contains a character that cannot be stored.", field=name)})
    return errors


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _safe(parse, name: str):
    """A value reader that turns an out-of-range value (a year 1 in another time zone…) into a refusal."""
    code = {"datetime": "bad_date", "date": "bad_date", "decimal": "bad_number", "score": "bad_score"}

    def read(value):
        try:
            return parse(value)
        except (OverflowError, ValueError, ArithmeticError) as error:
            if isinstance(error, Bad):
                raise
            raise Bad(code.get(name, "bad_choice"), value) from None

    return read


# Kinds whose records belong to an account (the tables require it, as the web's forms do).
ACCOUNT_REQUIRED = {RecordKind.INTERACTIONS, RecordKind.CASES, RecordKind.OPPORTUNITIES}


class _Reader:
    """The import's row checks over JSON objects with the given fields."""

    def __init__(self, project, kind: RecordKind, names: list[str], external_id_required: bool):
        self.kind = RecordKind(kind)
        self.names = [name for name in field_names(kind) if name in names]
        self.mapping = {name: index for index, name in enumerate(self.names)}
        info = SourceInfo(file_format="json", headers=list(self.names))
        self.rows = RowReader(self.kind, info, self.mapping, ReadOptions())
        types = {spec.name: spec.type for spec in STORED[self.kind]}
        self.rows.plan = [(name, index, required and (external_id_required or name != "external_id"), empty,
                           _safe(parse, types[name])) for name, index, required, empty, parse in self.rows.plan]
        self.references = References(project, self.mapping)

    def cells(self, data: dict) -> list:
        return [data.get(name) for name in self.names]

    def read(self, line: int, data: dict, creating: bool) -> tuple[dict | None, list[Problem]]:
        values, problems = self.rows.read(line, self.cells(data))
        if self.kind in ACCOUNT_REQUIRED and (creating or "account" in data) \
                and not (data if problems else values).get("account"):
            problems = [*problems, Problem(line, "missing", "account")]
        return (None, problems) if problems else (values, problems)


def read_one(project, kind: RecordKind, data, *, partial: bool) -> tuple[dict | None, list[dict]]:
    """The model attributes of one record (all its fields, or with ``partial`` those sent), or the errors."""
    errors = _shape_errors(kind, data, None)
    if errors:
        return None, errors
    reader = _Reader(project, kind, list(data) if partial else field_names(kind), external_id_required=False)
    if not partial:
        data = {name: data.get(name) for name in reader.names}
    values, problems = reader.read(1, data, creating=not partial)
    if problems:
        return None, [_error(None, problem, kind) for problem in problems]
    references_needed = any(name in values for name in REFERENCES)
    if references_needed:
        reader.references.open()
        try:
            values.setdefault("external_id", "")
            good, refused = reader.references.resolve([(1, values, [])], find_repeats=False)
        finally:
            reader.references.close()
        if refused:
            return None, [_error(None, problem, kind) for problem in refused[0]]
        values = good[0][1]
        if not data.get("external_id") and "external_id" not in data:
            values.pop("external_id", None)
    attributes = {}
    for name, value in values.items():
        if name in REFERENCES or name in ("account_id", "contact_id", "captured_by_id"):
            continue
        if name == "created_at" and value is None:
            continue
        attributes[name] = value
    for name, column in REFERENCES.items():
        if name in values:
            attributes[column] = values.get(column)
    if "external_id" in attributes:
        attributes["external_id"] = attributes["external_id"] or None
    return attributes, []


def upsert(project, kind: RecordKind, records: list, actor) -> Outcome | Refusal:
    """Writes the records by external id, all or nothing (the caller commits, or rolls back on a Refusal)."""
    kind = RecordKind(kind)
    errors = []
    for index, data in enumerate(records):
        errors += _shape_errors(kind, data, index)
    if errors:
        return Refusal(errors)
    names = sorted({name for data in records for name in data})
    reader = _Reader(project, kind, names, external_id_required=True)
    outcome = Outcome()
    written = filled(kind, reader.mapping)
    specs = [spec for spec in STORED[kind] if spec.name in written]
    writer = Writer(project, kind, specs, outcome)
    reader.references.open()
    try:
        for write in (False, True):
            chunk: list[tuple[int, dict, list]] = []
            for index, data in enumerate(records):
                if not write:
                    outcome.rows += 1
                values, problems = reader.read(index, data, creating=True)
                if problems:
                    errors += [_error(index, problem, kind) for problem in problems]
                    continue
                chunk.append((index, values, []))
                if len(chunk) >= CHUNK:
                    errors += _resolve(reader, writer, chunk, write, kind)
                    chunk = []
            if chunk:
                errors += _resolve(reader, writer, chunk, write, kind)
            if errors:
                return Refusal(errors)
            if not write:
                outcome.inserted = outcome.updated = outcome.unchanged = 0  # counted again while writing
                reader.references.open()  # forget the external ids seen by the check
    finally:
        reader.references.close()
    writer.finish()
    record(f"crm.{kind.value}.upserted", project=project, actor=actor, inserted=outcome.inserted,
           updated=outcome.updated, unchanged=outcome.unchanged)
    return outcome


def _resolve(reader: _Reader, writer: Writer, chunk: list, write: bool, kind: RecordKind) -> list[dict]:
    good, refused = reader.references.resolve(chunk, find_repeats=not write)
    errors = [_error(problems[0].line, problem, kind) for problems in refused for problem in problems]
    if not errors:
        writer.merge(good, write)
    return errors
