"""Writing checked rows: a new external id adds a record, a known one updates it only where a value
differs (so importing the same file twice changes nothing). Counts what it would do in a check and
does it in an import, in the caller's transaction."""

from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter

from sqlalchemy import Boolean, Enum, bindparam, select, text, update

from planner.crm.imports.references import CHUNK_TABLE
from planner.crm.models import (
    Account,
    Contact,
    Interaction,
    Opportunity,
    RecordKind,
    ServiceCase,
    search_key,
    valid_email,
    valid_phone,
)
from planner.crm.signals import records_changed
from planner.dates import utc_date
from planner.db import UTCDateTime, utcnow
from planner.extensions import db

TARGETS = {RecordKind.ACCOUNTS: Account, RecordKind.CONTACTS: Contact, RecordKind.INTERACTIONS: Interaction,
           RecordKind.CASES: ServiceCase, RecordKind.OPPORTUNITIES: Opportunity}
COLUMN_NAMES = {"opportunity_kind": "kind"}  # attribute → column, where they differ
DATE_FIELD = {RecordKind.ACCOUNTS: "created_at", RecordKind.CONTACTS: "created_at",
              RecordKind.INTERACTIONS: "occurred_at", RecordKind.CASES: "opened_at",
              RecordKind.OPPORTUNITIES: "opened_on"}
REFERENCE_TYPES = ("account", "contact", "user")


class Writer:
    def __init__(self, project, kind: RecordKind, specs, outcome, other_fields: bool = False):
        self.project, self.kind, self.outcome = project, RecordKind(kind), outcome
        self.table = TARGETS[self.kind].__table__
        self.mapped = {spec.name for spec in specs}
        columns = [spec.name for spec in specs if spec.type not in REFERENCE_TYPES]
        if other_fields:
            columns.append("other_fields")  # otherwise left out of inserts (NULL) and updates alike
        self.column_pairs = [(name, COLUMN_NAMES.get(name, name)) for name in columns]
        self.defaults = defaults(self.kind)
        self.earliest: date | None = None
        self.contact_keys_changed = False

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

    def _rows(self, good: list[tuple[int, dict]]) -> list[tuple[dict, dict]]:
        """``(values, _row(values))`` for each good row; rows holding every column the mapping feeds (all
        but a few) are built by one C-level ``itemgetter`` instead of a loop."""
        sources = [name for name, _column in self.column_pairs]
        columns = [column for _name, column in self.column_pairs]
        others = []  # the reference ids of fields not mapped: a row holding one takes the general way
        for field, name in (("account", "account_id"), ("contact", "contact_id"), ("captured_by", "captured_by_id")):
            (sources if field in self.mapped else others).append(name)
            if field in self.mapped:
                columns.append(name)
        derived = [(source, key) for source, key in (("name", "name_key"), ("subject", "subject_key"))
                   if source in columns]
        if len(sources) < 2:
            return [(values, self._row(values)) for _line, values in good]
        take = itemgetter(*sources)
        parsed = []
        for _line, values in good:
            try:
                if others and any(name in values for name in others):
                    raise KeyError
                row = dict(zip(columns, take(values), strict=True))
            except KeyError:  # a column missing from this row (an empty name left out, a field an API record
                row = self._row(values)  # does not send), or one more
            else:
                for source, key in derived:
                    row[key] = search_key(row[source])
            parsed.append((values, row))
        return parsed

    def merge(self, good: list[tuple[int, dict]], write: bool) -> None:
        """Counts (and with ``write`` applies) the inserts and updates of the chunk's good rows."""
        if not good:
            return
        table = self.table
        parsed = self._rows(good)
        compared = sorted({name for _values, row in parsed for name in row})
        wanted = [table.c.id, table.c.external_id] + [table.c[name] for name in compared if name != "external_id"]
        contacts = self.kind is RecordKind.CONTACTS
        if contacts:
            wanted += [table.c[name] for name in ("email", "phone", "email_key", "reachable") if name not in compared]
        found = select(*wanted).where(table.c.project_id == self.project.id,  # IN, not a join: see ``references``
                                      table.c.external_id.in_(select(CHUNK_TABLE.c.external_id)))
        existing = {row.external_id: row._mapping for row in db.session.execute(found)}
        by_id = [values["record_id"] for values, _row in parsed if values.get("record_id")]
        if by_id:  # rows our export named "#<id>" (records without an external id): matched on the id itself
            for found in db.session.execute(select(*wanted).where(table.c.project_id == self.project.id,
                                                                  table.c.id.in_(by_id))):
                existing[f"#{found.id}"] = found._mapping
        now = utcnow()
        inserts, updates, dates = [], [], []
        date_column = DATE_FIELD[self.kind]
        base = {**self.defaults, "project_id": self.project.id, "updated_at": now, "created_at": now}
        for values, row in parsed:
            old = existing.get(values["external_id"]) if existing else None
            if values.get("record_id"):
                row.pop("external_id", None)  # "#<id>" is not an external id: the record keeps having none
            if old is None:
                if row.get("created_at") is None:
                    row.pop("created_at", None)
                if contacts:
                    _contact_quality(row, row)
                inserts.append(row)  # completed from ``base`` by _insert
                dates.append(row.get(date_column) or now)
                continue
            if contacts:
                _contact_quality(row, old)
            if row.get("created_at") is None and "created_at" in row:
                row.pop("created_at")
            if all(_same(old.get(name), value) for name, value in row.items()):
                self.outcome.unchanged += 1
                continue
            row.update(_id=old["id"], updated_at=now)
            updates.append(row)
            self._note_date(old.get(date_column), old.get("closed_on"), row.get(date_column), row.get("closed_on"))
            if contacts:
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
            self._insert(inserts, base)
            if contacts:
                self.contact_keys_changed = True
        by_columns: dict[tuple, list] = {}
        for row in updates:
            by_columns.setdefault(tuple(sorted(row)), []).append(row)
        for names, rows in by_columns.items():
            statement = (update(table).where(table.c.id == bindparam("_id"))
                         .values({name: bindparam(name) for name in names if name != "_id"}))
            db.session.connection().execute(statement, rows)

    def _insert(self, rows: list[dict], base: dict) -> None:
        """Inserts the rows, each completed by ``base`` for the columns it does not have, through the
        driver's executemany: one statement for each run of rows with the same columns (as a rule, the
        whole chunk), in the file's order."""
        connection = db.session.connection()
        start = 0
        while start < len(rows):
            keys = rows[start].keys()
            end = start + 1
            while end < len(rows) and rows[end].keys() == keys:
                end += 1
            self._insert_run(connection, rows[start:end], list(keys), base)
            start = end

    def _insert_run(self, connection, rows: list[dict], varying: list[str], base: dict) -> None:
        """Rows with the same columns ``varying``; every value converted for the driver as SQLAlchemy
        would (``bind_converter``; this is the import's hot loop), the columns from ``base`` (the same in
        every row) converted once."""
        dialect = connection.dialect
        constant = [name for name in base if name not in varying]
        fixed: list = []
        for name in constant:
            convert = bind_converter(self.table.c[name], dialect)
            fixed.append(convert(base[name]) if convert else base[name])
        converted = [(index, convert) for index, name in enumerate(varying)
                     if (convert := bind_converter(self.table.c[name], dialect)) is not None]
        if len(varying) == 1:
            only = varying[0]
            take = lambda row: (row[only],)  # noqa: E731 - itemgetter of one name gives no tuple
        else:
            take = itemgetter(*varying)
        if converted:
            params = []
            for row in rows:
                values = list(take(row))
                for index, convert in converted:
                    values[index] = convert(values[index])
                values += fixed
                params.append(tuple(values))  # SQLAlchemy passes on tuples (or dicts) only
        else:
            params = [(*take(row), *fixed) for row in rows]
        names = varying + constant
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        statement = (f"INSERT INTO {self.table.name} ({', '.join(names)}) "  # noqa: S608 - our table and columns
                     f"VALUES ({', '.join([mark] * len(names))})")
        connection.exec_driver_sql(statement, params)

    def _note_date(self, *values) -> None:
        for value in values:
            day = utc_date(value)
            if day is not None and (self.earliest is None or day < self.earliest):
                self.earliest = day

    def finish(self) -> None:
        """After a successful import: duplicate flags, the KPI cache, fresh planner statistics."""
        from planner.crm.services import refresh_duplicates

        if self.kind is RecordKind.CONTACTS and self.contact_keys_changed:
            refresh_duplicates(self.project.id)
        if self.outcome.inserted or self.outcome.updated:
            records_changed.send(self.project.id, kind=self.kind, since=self.earliest)
            refresh_statistics(self.table.name)


_SQLITE_DATETIME = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"


def bind_converter(column, dialect):
    """The function turning a value of ``column`` into what the driver is given, as SQLAlchemy's bind
    processor for the column's type does (None: the value as it is), made cheaper where an import
    repeats it for every row: a UTC time on SQLite is formatted by ``isoformat`` into the very text
    SQLAlchemy writes; the members of an enumeration and yes/no are converted once, beforehand."""
    impl = column.type.dialect_impl(dialect)
    process = impl.bind_processor(dialect)
    if process is None:
        return None
    if isinstance(column.type, UTCDateTime) and dialect.name == "sqlite" \
            and getattr(column.type.impl.dialect_impl(dialect), "_storage_format", None) == _SQLITE_DATETIME:

        def utc_text(value):
            if value is None:
                return None
            if value.tzinfo is not UTC:
                if value.tzinfo is None:
                    raise ValueError("naive datetime given to a UTC column")
                value = value.astimezone(UTC)
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")

        return utc_text
    members = column.type.enum_class if isinstance(column.type, Enum) else None
    if members is not None or isinstance(column.type, Boolean):
        kind = members or bool
        known = {value: process(value) for value in (members or (False, True))}

        def remembered(value):
            return known[value] if value.__class__ is kind else process(value)

        return remembered
    return process


def defaults(kind: RecordKind) -> dict:
    """Values for the columns a file did not bring, so every inserted row has every column."""
    found = {
        RecordKind.ACCOUNTS: {"segment": "", "industry": "", "country": "", "city": ""},
        RecordKind.CONTACTS: {"account_id": None, "email": "", "phone": "", "job_title": "", "email_key": "",
                              "reachable": False},
        RecordKind.INTERACTIONS: {"contact_id": None, "purpose": "", "outcome": ""},
        RecordKind.CASES: {"contact_id": None, "closed_at": None, "resolved_first_contact": False,
                           "satisfaction": None},
        RecordKind.OPPORTUNITIES: {"closed_on": None, "expected_close_on": None},
    }[kind]
    complete = {"captured_by_id": None, "is_duplicate": False} if kind is RecordKind.CONTACTS else \
        {"captured_by_id": None}
    complete.update(found)
    return complete


def _contact_quality(row: dict, old) -> None:
    email = row["email"] if "email" in row else old.get("email", "")
    phone = row["phone"] if "phone" in row else old.get("phone", "")
    if "email" in row:
        row["email_key"] = (email or "").strip().lower()[:254]
    row["reachable"] = valid_email(email) or valid_phone(phone)


def _same(old, new) -> bool:
    if old is None or new is None:
        return (old is None or old == "") and (new is None or new == "")
    if isinstance(new, datetime) and isinstance(old, datetime):
        old, new = old.astimezone(UTC), new.astimezone(UTC)
        if new.microsecond == 0:  # a file gives seconds at most (our exports too): compare to the second
            old = old.replace(microsecond=0)
        return old == new
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
