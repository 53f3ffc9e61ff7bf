"""Importing CSV and XLSX exports of other CRM systems.

1. ``inspect_file``: the format, the character encoding (UTF-8, UTF-8 with a byte-order mark,
   GB18030 as Chinese Excel writes it, Windows-1252 as Spanish Excel writes it), the separator
   (``,`` ``;`` or tab) and the header line.
2. ``Importer.run(write=False)``: the dry run. Every row is read and checked; each bad row is
   reported with its line number and a reason. Nothing is written.
3. ``Importer.run(write=True)``: the import, in the caller's transaction; it stops at the first bad
   row (``ImportFailed``) so that the caller rolls everything back: all or nothing. Every check that
   depends on the database (references, members) is made again; with ``checked=True`` (the same
   file passed a dry run) the search for external ids repeated within the file is skipped. Rows are matched
   on their external id: a new id adds a record, a known one updates it only if a value differs,
   so importing the same file twice changes nothing.

Rows stream through in chunks of ``CHUNK``: the file is never held in memory, references
(accounts, contacts) and existing records are looked up one chunk at a time, and the external ids
already seen are kept in a temporary table, so memory stays flat however long the file is.
"""

import codecs
import csv
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Integer, MetaData, String, Table, and_, bindparam, func, insert, select, text, update

from planner.auth.models import User
from planner.crm.fields import BOOL_VALUES, CHOICE_ENUMS, FIELDS, FieldSpec, choice_table, header_key
from planner.crm.models import (
    Account,
    Contact,
    ImportProblem,
    Interaction,
    Opportunity,
    OpportunityStage,
    RecordKind,
    ServiceCase,
    search_key,
    valid_email,
    valid_phone,
)
from planner.crm.signals import records_changed
from planner.dates import utc_date
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.projects.models import ProjectMember

CHUNK = 5000
SQLITE_IMPORT_CACHE_KB = 128_000  # bounded: the same whatever the size of the file
SAMPLE_BYTES = 256 * 1024
SPANISH_LETTERS = set("áéíóúüñÁÉÍÓÚÜÑ¿¡€ºª°·«»“”‘’–—…çÇàèìòùÀÈÌÒÙâêîôûäëïöÿ")

# --------------------------------------------------------------------------- reasons a row is refused

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
    """The reason in the reader's language."""
    spec = next((s for s in FIELDS[RecordKind(kind)] if s.name == problem.field), None)
    values = {"field": str(spec.label) if spec else "", "value": problem.value or "", "other": problem.other_line,
              "max": spec.max_length if spec and spec.max_length else "", "choices": ""}
    if problem.code == "columns":
        expected, _sep, found = (problem.value or "").partition("/")
        values.update(value=found, max=expected)
    if spec is not None and spec.type in CHOICE_ENUMS:
        values["choices"] = ", ".join(str(member.label) for member in CHOICE_ENUMS[spec.type])
    return str(REASONS.get(problem.code, problem.code)) % values


class ImportFailed(Exception):
    """The import met a bad row; the caller rolls back and runs a dry run to list them all."""


# --------------------------------------------------------------------------- reading the file


@dataclass
class SourceInfo:
    file_format: str  # csv or xlsx
    encoding: str = ""
    delimiter: str = ","
    headers: list[str] = field(default_factory=list)


FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "format": _l("This is not a CSV file or an Excel workbook (.xlsx) that we can read."),
    "encoding": _l("We could not tell how the text of this file is encoded. Save it as “CSV UTF-8” and try again."),
    "headers": _l("The first line must hold the column names, and it is empty."),
    "too_large": _l("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files, or use the "
                    "command line import."),
}


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _non_ascii_sample(path: Path) -> bytes:
    """Up to SAMPLE_BYTES of the file's lines that hold non-ASCII bytes."""
    found = bytearray()
    with open(path, "rb") as handle:
        for raw_line in handle:
            if any(byte > 0x7F for byte in raw_line):
                found += raw_line
                if len(found) >= SAMPLE_BYTES:
                    break
    return bytes(found)


def _decoded(sample: bytes, encoding: str) -> str | None:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError:
        return None


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(path):
        return "utf-8"
    sample = _non_ascii_sample(path)
    as_gb, as_cp = _decoded(sample, "gb18030"), _decoded(sample, "cp1252")
    if as_cp is not None:
        unusual = [ch for ch in as_cp if ord(ch) > 0x7F and ch not in SPANISH_LETTERS]
        looks_spanish = len(unusual) <= max(2, len([c for c in as_cp if ord(c) > 0x7F]) // 20)
        if looks_spanish or as_gb is None:
            return "cp1252"
    if as_gb is not None:
        return "gb18030"
    raise DomainError(FILE_ERRORS["encoding"])


def _delimiter(header_line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def inspect_file(path: Path) -> SourceInfo:
    """Format, encoding, separator and column names of an uploaded file."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise DomainError(FILE_ERRORS["empty"])
    if zipfile.is_zipfile(path):
        info = SourceInfo("xlsx")
        try:
            rows = _xlsx_rows(path, info)
            _line, first = next(rows, (1, []))
            rows.close()
        except Exception as exc:  # noqa: BLE001 - any failure to read the workbook means "not readable"
            raise DomainError(FILE_ERRORS["format"]) from exc
        info.headers = [_text(cell) for cell in first]
    else:
        encoding = detect_encoding(path)
        with open(path, encoding=encoding, newline="") as handle:
            try:
                header_line = handle.readline()
            except UnicodeDecodeError as exc:
                raise DomainError(FILE_ERRORS["encoding"]) from exc
        if "\x00" in header_line:
            raise DomainError(FILE_ERRORS["format"])
        info = SourceInfo("csv", encoding, _delimiter(header_line))
        info.headers = next(csv.reader(io.StringIO(header_line), delimiter=info.delimiter), [])
    info.headers = [h.strip().lstrip("\ufeff") for h in info.headers]
    while info.headers and not info.headers[-1]:
        info.headers.pop()
    if not any(info.headers):
        raise DomainError(FILE_ERRORS["headers"])
    return info


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if progress is not None and total and number % CHUNK == 0:
                progress(min(number / total, 1.0))
            yield number, list(row)
    finally:
        workbook.close()


def _csv_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    size = max(path.stat().st_size, 1)
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding=info.encoding, newline="")
        reader = csv.reader(handle, delimiter=info.delimiter)
        for number, row in enumerate(reader, start=1):
            if progress is not None and number % CHUNK == 0:
                progress(min(raw.tell() / size, 1.0))
            yield number, row


def file_rows(path: Path, info: SourceInfo, progress: Callable | None = None) -> Iterator[tuple[int, list]]:
    """(line number, cells) for every line after the header; wholly empty lines are skipped."""
    reader = _xlsx_rows if info.file_format == "xlsx" else _csv_rows
    rows = reader(Path(path), info, progress)
    next(rows, None)  # the header
    if info.file_format == "csv":
        for number, cells in rows:
            if any(cell and not cell.isspace() for cell in cells):
                yield number, cells
    else:
        for number, cells in rows:
            if any(_text(cell) for cell in cells):
                yield number, cells


def preview(path: Path, info: SourceInfo, limit: int = 5) -> list[list[str]]:
    rows = []
    for _number, cells in file_rows(path, info):
        rows.append([_text(cell) for cell in cells][: len(info.headers)])
        if len(rows) >= limit:
            break
    return rows


# --------------------------------------------------------------------------- reading values


class Bad(Exception):
    def __init__(self, code: str, value=""):
        super().__init__(code)
        self.code, self.value = code, str(value)[:200]


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})[/.\-年](\d{1,2})[/.\-月](\d{1,2})日?(?:[ T]*(\d{1,2})[:时](\d{2})(?:[:分](\d{2}))?秒?)?$")


def parse_when(value, day_first: bool) -> datetime:
    """A naive datetime from an ISO string, a d/m/y or m/d/y string, a Chinese date or an Excel cell."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time())
    text_value = str(value).strip()
    try:
        return datetime.fromisoformat(text_value)
    except ValueError:
        pass
    match = _YMD.match(text_value)
    if match:
        year, month, day, hour, minute, second = match.groups()
    else:
        match = _DMY.match(text_value)
        if not match:
            raise Bad("bad_date", text_value)
        first, second_part, year, hour, minute, second = match.groups()
        day, month = (first, second_part) if day_first else (second_part, first)
        if len(year) == 2:
            year = "20" + year
    try:
        result = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise Bad("bad_date", text_value) from None
    return result


def to_utc(value: datetime, zone) -> datetime:
    if value.tzinfo is None:
        if zone is UTC:
            return value.replace(tzinfo=UTC)
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_decimal(value, decimal_comma: bool) -> Decimal:
    if isinstance(value, bool):
        raise Bad("bad_number", value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        cleaned = unicodedata.normalize("NFKC", str(value)).strip()
        for junk in ("€", "$", "¥", "£", "￥", "元", "\u00a0", "\u202f", " ", "'"):
            cleaned = cleaned.replace(junk, "")
        cleaned = cleaned.replace(".", "").replace(",", ".") if decimal_comma else cleaned.replace(",", "")
        if not _NUMBER.match(cleaned):
            raise Bad("bad_number", value)
        number = Decimal(cleaned)
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise Bad("bad_number", value)
    if number < 0:
        raise Bad("negative", value)
    return number.quantize(Decimal("0.01"), ROUND_HALF_UP)


def parse_score(value) -> int:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Bad("bad_score", value) from None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= 5:
        raise Bad("bad_score", value)
    return int(number)


# --------------------------------------------------------------------------- the import


@dataclass
class Outcome:
    rows: int = 0
    bad_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: int = 0


TARGETS = {RecordKind.ACCOUNTS: Account, RecordKind.CONTACTS: Contact, RecordKind.INTERACTIONS: Interaction,
           RecordKind.CASES: ServiceCase, RecordKind.OPPORTUNITIES: Opportunity}
# The rows of the chunk being processed (a temporary table, created by the import itself).
CHUNK_TABLE = Table("crm_import_chunk", MetaData(), Column("line", Integer, primary_key=True),
                    Column("external_id", String(100)), Column("account_ref", String(100)),
                    Column("contact_ref", String(100)))
COLUMN_NAMES = {"opportunity_kind": "kind"}  # attribute → column, where they differ
DATE_FIELD = {RecordKind.ACCOUNTS: "created_at", RecordKind.CONTACTS: "created_at",
              RecordKind.INTERACTIONS: "occurred_at", RecordKind.CASES: "opened_at",
              RecordKind.OPPORTUNITIES: "opened_on"}


class Importer:
    """Reads one file of one kind of record into a project (see the module's description)."""

    def __init__(self, project, kind: RecordKind, path: Path, info: SourceInfo, mapping: dict[str, int], *,
                 day_first: bool = True, decimal_comma: bool = False, timezone: str = "UTC", user=None,
                 on_problem: Callable[[Problem], None] | None = None, on_progress: Callable | None = None,
                 checked: bool = False):
        self.project, self.kind, self.path, self.info = project, RecordKind(kind), Path(path), info
        self.model = TARGETS[self.kind]
        self.table = self.model.__table__
        self.specs = [spec for spec in FIELDS[self.kind] if spec.name in mapping]
        self.mapping = {name: int(index) for name, index in mapping.items()}
        self.day_first, self.decimal_comma = day_first, decimal_comma
        self.zone = UTC if (timezone or "UTC") == "UTC" else ZoneInfo(timezone)
        self.user = user
        self.on_problem = on_problem or (lambda problem: None)
        self.on_progress = on_progress
        self.checked = checked  # this very file passed a dry run: the import can skip the file-only checks
        self.outcome = Outcome()
        self.earliest: date | None = None
        self.contact_keys_changed = False
        self.parsers = {spec.name: self._parser(spec) for spec in self.specs}
        self.columns = [spec.name for spec in self.specs if spec.type not in ("account", "contact", "user")]
        # What _read_row walks through for each line: (field, column, required, value when empty, parser).
        self.plan = [(spec.name, self.mapping[spec.name], spec.required,
                      "" if spec.type == "text" else (False if spec.type == "bool" else None), self.parsers[spec.name])
                     for spec in self.specs]
        self.width = len(info.headers)
        self.csv = info.file_format == "csv"
        self.cross_checks = self.kind in (RecordKind.CASES, RecordKind.OPPORTUNITIES)
        self.defaults = self._defaults(self.kind)
        self.column_pairs = [(name, COLUMN_NAMES.get(name, name)) for name in self.columns]

    # ----------------------------------------------------------------- values

    def _parser(self, spec: FieldSpec) -> Callable:
        kind = spec.type
        if kind == "text" or kind in ("account", "contact", "user"):
            limit = spec.max_length or 10_000

            def parse_text(value):
                text_value = value.strip() if value.__class__ is str else _text(value)
                if len(text_value) > limit:
                    raise Bad("too_long", text_value[:40] + "…")
                return text_value

            return parse_text
        if kind == "datetime":
            return lambda value: to_utc(parse_when(value, self.day_first), self.zone)
        if kind == "date":
            return lambda value: parse_when(value, self.day_first).date()
        if kind == "decimal":
            return lambda value: parse_decimal(value, self.decimal_comma)
        if kind == "score":
            return parse_score
        if kind == "bool":
            def parse_bool(value):
                if isinstance(value, bool):
                    return value
                found = BOOL_VALUES.get(header_key(_text(value)))
                if found is None:
                    raise Bad("bad_bool", value)
                return found

            return parse_bool
        if kind in CHOICE_ENUMS:
            table = choice_table(kind)
            seen: dict[str, object] = {}  # files repeat the same few words: normalise each once

            def parse_choice(value):
                found = seen.get(value) if isinstance(value, str) else None
                if found is None:
                    found = table.get(header_key(_text(value)))
                    if found is None:
                        raise Bad("bad_choice", value)
                    if isinstance(value, str) and len(seen) < 1000:
                        seen[value] = found
                return found

            return parse_choice
        raise ValueError(f"no parser for {kind}")  # pragma: no cover

    def _read_row(self, line: int, cells: list) -> tuple[dict | None, list[Problem]]:
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

    # ----------------------------------------------------------------- references

    def _members(self) -> dict[str, int]:
        rows = db.session.execute(
            select(func.lower(User.email), User.id).join(ProjectMember, ProjectMember.user_id == User.id)
            .where(ProjectMember.project_id == self.project.id))
        return dict(rows.all())

    # Two temporary tables: the external ids seen so far in the file (for duplicates) and the rows of
    # the current chunk, joined to the records and references instead of long IN lists.

    def _temporary_tables(self, create: bool) -> None:
        dialect = db.session.get_bind().dialect.name
        schema = "pg_temp" if dialect == "postgresql" else "temp"
        if create:
            db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS crm_import_seen "
                                    "(external_id VARCHAR(100) PRIMARY KEY, line INTEGER NOT NULL)"))
            db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS crm_import_chunk (line INTEGER PRIMARY KEY, "
                                    "external_id VARCHAR(100) NOT NULL, account_ref VARCHAR(100), "
                                    "contact_ref VARCHAR(100))"))
            db.session.execute(text(f"DELETE FROM {schema}.crm_import_seen"))  # noqa: S608 - fixed names
        else:
            db.session.execute(text(f"DROP TABLE IF EXISTS {schema}.crm_import_seen"))  # noqa: S608
            db.session.execute(text(f"DROP TABLE IF EXISTS {schema}.crm_import_chunk"))  # noqa: S608

    def _load_chunk(self, chunk: list[tuple[int, dict]]) -> None:
        connection = db.session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql("DELETE FROM crm_import_chunk")
        connection.exec_driver_sql(
            f"INSERT INTO crm_import_chunk (line, external_id, account_ref, contact_ref) "  # noqa: S608
            f"VALUES ({mark}, {mark}, {mark}, {mark})",
            [(line, values["external_id"], values.get("account") or None, values.get("contact") or None)
             for line, values in chunk])

    def _duplicates(self, chunk: list[tuple[int, dict]]) -> dict[int, int]:
        """Line → the earlier line holding the same external id (in this chunk or an earlier one)."""
        clashes = dict(db.session.execute(text(
            "SELECT c.line, s.line FROM crm_import_chunk c JOIN crm_import_seen s ON s.external_id = c.external_id")
        ).all())
        first: dict[str, int] = {}
        for line, values in chunk:
            external_id = values["external_id"]
            if line not in clashes:
                if external_id in first:
                    clashes[line] = first[external_id]
                else:
                    first[external_id] = line
        db.session.execute(text(
            "INSERT INTO crm_import_seen (external_id, line) SELECT external_id, MIN(line) FROM crm_import_chunk "
            "WHERE true GROUP BY external_id ON CONFLICT DO NOTHING"))
        return clashes

    def _lookup(self, model, column: str) -> dict[str, int]:
        """The chunk's references (external ids, or ``#<id>``) to this project's accounts or contacts → ids."""
        table = model.__tablename__
        found = dict(db.session.execute(text(
            f"SELECT DISTINCT c.{column}, t.id FROM crm_import_chunk c JOIN {table} t "  # noqa: S608 - fixed names
            f"ON t.project_id = :project AND t.external_id = c.{column}"), {"project": self.project.id}).all())
        internal = {int(ref[1:]): ref for (ref,) in db.session.execute(text(
            f"SELECT DISTINCT {column} FROM crm_import_chunk WHERE {column} LIKE '#%'"))  # noqa: S608
            if ref[1:].isdigit()}
        if internal:
            for row_id in db.session.scalars(select(model.id).where(model.project_id == self.project.id,
                                                                    model.id.in_(list(internal)))):
                found[internal[row_id]] = row_id
        return found

    # ----------------------------------------------------------------- the run

    def run(self, write: bool) -> Outcome:
        self.members = self._members()
        if db.session.get_bind().dialect.name == "sqlite":
            # A larger page cache while the import runs: inserting into big indexes stays in memory.
            db.session.execute(text(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KB}"))
        self._temporary_tables(create=True)
        chunk: list[tuple[int, dict]] = []
        progress = None
        if self.on_progress is not None:
            progress = lambda fraction: self.on_progress(fraction, self.outcome.rows)  # noqa: E731
        try:
            for line, cells in file_rows(self.path, self.info, progress):
                self.outcome.rows += 1
                values, problems = self._read_row(line, cells)
                if problems:
                    self._refuse(problems, write)
                    continue
                chunk.append((line, values))
                if len(chunk) >= CHUNK:
                    self._process(chunk, write)
                    chunk = []
            if chunk:
                self._process(chunk, write)
        finally:
            self._temporary_tables(create=False)
            if db.session.get_bind().dialect.name == "sqlite":
                db.session.execute(text("PRAGMA cache_size = -2000"))  # back to SQLite's default
                db.session.execute(text("PRAGMA shrink_memory"))
        if write:
            self._finish()
        if self.on_progress is not None:
            self.on_progress(1.0, self.outcome.rows)
        return self.outcome

    def _refuse(self, problems: list[Problem], write: bool) -> None:
        self.outcome.bad_rows += 1
        self.outcome.problems += len(problems)
        if write:
            raise ImportFailed(problems[0])
        for problem in problems:
            self.on_problem(problem)

    def _process(self, chunk: list[tuple[int, dict]], write: bool) -> None:
        self._load_chunk(chunk)
        # Repeated external ids are a property of the file alone: a file that passed the dry run has none.
        clashes = {} if (write and self.checked) else self._duplicates(chunk)
        accounts = self._lookup(Account, "account_ref") if "account" in self.mapping else {}
        contacts = self._lookup(Contact, "contact_ref") if "contact" in self.mapping else {}
        good: list[tuple[int, dict]] = []
        for line, values in chunk:
            problems = []
            if line in clashes:
                problems.append(Problem(line, "duplicate_id", "external_id", values["external_id"], clashes[line]))
            if values.get("account"):
                values["account_id"] = accounts.get(values["account"])
                if values["account_id"] is None:
                    problems.append(Problem(line, "unknown_account", "account", values["account"]))
            elif "account" in values:
                values["account_id"] = None
            if values.get("contact"):
                values["contact_id"] = contacts.get(values["contact"])
                if values["contact_id"] is None:
                    problems.append(Problem(line, "unknown_contact", "contact", values["contact"]))
            elif "contact" in values:
                values["contact_id"] = None
            if values.get("captured_by"):
                values["captured_by_id"] = self.members.get(values["captured_by"].lower())
                if values["captured_by_id"] is None:
                    problems.append(Problem(line, "unknown_user", "captured_by", values["captured_by"]))
            elif "captured_by" in values:
                values["captured_by_id"] = None
            if problems:
                self._refuse(problems, write)
            else:
                good.append((line, values))
        self._merge(good, write)

    def _row(self, values: dict) -> dict:
        """The table columns of a parsed row, with the derived search and quality columns."""
        row = {column: values[name] for name, column in self.column_pairs if name in values}
        for name in ("account_id", "contact_id", "captured_by_id"):
            if name in values:
                row[name] = values[name]
        if "name" in row:
            row["name_key"] = search_key(row["name"])
        if "subject" in row:
            row["subject_key"] = search_key(row["subject"])
        return row

    def _merge(self, good: list[tuple[int, dict]], write: bool) -> None:
        if not good:
            return
        table = self.table
        parsed = [(values, self._row(values)) for _line, values in good]
        compared = sorted({name for _values, row in parsed for name in row})
        wanted = [table.c.id, table.c.external_id] + [table.c[name] for name in compared if name != "external_id"]
        if self.kind is RecordKind.CONTACTS:
            wanted += [table.c[name] for name in ("email", "phone", "email_key", "reachable") if name not in compared]
        joined = table.join(CHUNK_TABLE, and_(table.c.project_id == self.project.id,
                                              table.c.external_id == CHUNK_TABLE.c.external_id))
        existing = {row.external_id: row._mapping for row in db.session.execute(select(*wanted).select_from(joined))}
        now = utcnow()
        inserts, updates, dates = [], [], []
        date_column = DATE_FIELD[self.kind]
        base = {**self.defaults, "project_id": self.project.id, "updated_at": now, "created_at": now}
        contacts = self.kind is RecordKind.CONTACTS
        for values, row in parsed:
            old = existing.get(values["external_id"])
            if old is None:
                if row.get("created_at") is None:
                    row.pop("created_at", None)
                if contacts:
                    self._contact_quality(row, row)
                inserts.append({**base, **row})
                dates.append(row.get(date_column) or now)
                continue
            if self.kind is RecordKind.CONTACTS:
                self._contact_quality(row, old)
            if row.get("created_at") is None and "created_at" in row:
                row.pop("created_at")
            if all(_same(old.get(name), value) for name, value in row.items()):
                self.outcome.unchanged += 1
                continue
            row.update(_id=old["id"], updated_at=now)
            updates.append(row)
            self._note_date(old.get(date_column), old.get("closed_on"), row.get(date_column), row.get("closed_on"))
            if self.kind is RecordKind.CONTACTS:
                self.contact_keys_changed = True
        if dates:
            self._note_date(min(dates))
        if self.kind is RecordKind.OPPORTUNITIES:
            self._note_date(*(row["closed_on"] for row in inserts if row.get("closed_on")))
        self.outcome.inserted += len(inserts)
        self.outcome.updated += len(updates)
        if not write:
            return
        if inserts:
            self._insert(inserts, constant={"project_id", "updated_at"} | (
                {"created_at"} if "created_at" not in self.mapping else set()))
            if self.kind is RecordKind.CONTACTS:
                self.contact_keys_changed = True
        by_columns: dict[tuple, list] = {}
        for row in updates:
            by_columns.setdefault(tuple(sorted(row)), []).append(row)
        for names, rows in by_columns.items():
            statement = (update(table).where(table.c.id == bindparam("_id"))
                         .values({name: bindparam(name) for name in names if name != "_id"}))
            db.session.connection().execute(statement, rows)

    def _insert(self, rows: list[dict], constant: set[str]) -> None:
        """Inserts complete rows through the driver's executemany, each value converted by its column
        type exactly as SQLAlchemy would (this is the import's hot loop); ``constant`` columns hold the
        same value in every row and are converted once."""
        connection = db.session.connection()
        dialect = connection.dialect
        names = sorted(rows[0], key=lambda name: name in constant)
        varying = [name for name in names if name not in constant]
        def processor(name):
            return self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

        processors = [processor(name) for name in varying]
        fixed = []
        for name in names[len(varying):]:
            process = processor(name)
            fixed.append(process(rows[0][name]) if process else rows[0][name])
        fixed = tuple(fixed)
        plan = list(zip(varying, processors, strict=True))
        params = [tuple([process(row[name]) if process else row[name] for name, process in plan]) + fixed
                  for row in rows]
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        statement = (f"INSERT INTO {self.table.name} ({', '.join(names)}) "  # noqa: S608 - our table and columns
                     f"VALUES ({', '.join([mark] * len(names))})")
        connection.exec_driver_sql(statement, params)

    @staticmethod
    def _defaults(kind: RecordKind) -> dict:
        """Values for the columns a file did not bring, so every inserted row has every column."""
        defaults = {
            RecordKind.ACCOUNTS: {"segment": "", "industry": "", "country": "", "city": ""},
            RecordKind.CONTACTS: {"account_id": None, "email": "", "phone": "", "job_title": "", "email_key": "",
                                  "reachable": False},
            RecordKind.INTERACTIONS: {"contact_id": None, "purpose": "", "outcome": ""},
            RecordKind.CASES: {"contact_id": None, "closed_at": None, "resolved_first_contact": False,
                               "satisfaction": None},
            RecordKind.OPPORTUNITIES: {"closed_on": None},
        }[kind]
        complete = {"captured_by_id": None, "is_duplicate": False} if kind is RecordKind.CONTACTS else \
            {"captured_by_id": None}
        complete.update(defaults)
        return complete

    def _contact_quality(self, row: dict, old) -> None:
        email = row["email"] if "email" in row else old.get("email", "")
        phone = row["phone"] if "phone" in row else old.get("phone", "")
        if "email" in row:
            row["email_key"] = (email or "").strip().lower()[:254]
        row["reachable"] = valid_email(email) or valid_phone(phone)

    def _note_date(self, *values) -> None:
        for value in values:
            day = utc_date(value)
            if day is not None and (self.earliest is None or day < self.earliest):
                self.earliest = day

    def _finish(self) -> None:
        """After a successful import: duplicate flags, the KPI cache, fresh planner statistics."""
        from planner.crm.services import refresh_duplicates

        if self.kind is RecordKind.CONTACTS and self.contact_keys_changed:
            refresh_duplicates(self.project.id)
        if self.outcome.inserted or self.outcome.updated:
            records_changed.send(self.project.id, kind=self.kind, since=self.earliest)
            refresh_statistics(self.table.name)


def _same(old, new) -> bool:
    if old is None or new is None:
        return (old is None or old == "") and (new is None or new == "")
    if isinstance(new, datetime) and isinstance(old, datetime):
        return old.astimezone(UTC) == new.astimezone(UTC)
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) == bool(new)
    if isinstance(new, Decimal):
        return Decimal(old) == new
    return old == new


def refresh_statistics(table_name: str) -> None:
    """Lets the query planner know the table grew (a quick sampled ANALYZE)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.execute(text("PRAGMA analysis_limit=1000"))
        db.session.execute(text(f"ANALYZE {table_name}"))  # noqa: S608 - a table name of ours
    elif dialect == "postgresql":
        db.session.execute(text(f"ANALYZE {table_name}"))  # noqa: S608


# --------------------------------------------------------------------------- progress, for long imports


def progress_path(folder: Path, job_id: int) -> Path:
    return Path(folder) / f"job-{int(job_id)}.progress.json"


def write_progress(folder: Path, job_id: int, fraction: float, rows: int, phase: str) -> None:
    path = progress_path(folder, job_id)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"fraction": round(fraction, 3), "rows": rows, "phase": phase}))
    os.replace(temporary, path)


def read_progress(folder: Path, job_id: int) -> dict:
    try:
        return json.loads(progress_path(folder, job_id).read_text())
    except (OSError, ValueError):
        return {"fraction": 0, "rows": 0, "phase": ""}


def problem_rows(job_id: int, problems: list[Problem]) -> list[dict]:
    return [{"job_id": job_id, "line": p.line, "field": p.field, "code": p.code, "value": p.value or "",
             "other_line": p.other_line} for p in problems]


def save_problems(job_id: int, problems: list[Problem]) -> None:
    if problems:
        db.session.execute(insert(ImportProblem), problem_rows(job_id, problems))


__all__ = ["Importer", "ImportFailed", "Problem", "SourceInfo", "inspect_file", "describe", "OpportunityStage"]
