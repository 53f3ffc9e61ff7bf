"""CSV exports of the record lists, streamed row by row (memory stays flat at any size).

The columns are the import's fields with their names in the reader's language, so an exported file
imports back with the mapping proposed automatically. Cells that a spreadsheet would run as a
formula (starting with ``= + - @``, a tab or a carriage return) are prefixed with an apostrophe,
which the import takes off again.
"""

import csv
import io

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from planner.auth.models import User
from planner.crm.fields import STORED
from planner.crm.models import Account, Contact, RecordKind
from planner.extensions import db
from planner.spreadsheet import safe_cell

BATCH = 1000


def _reference(external_id, row_id) -> str:
    if row_id is None:
        return ""
    return external_id or f"#{row_id}"


def columns_for(kind: RecordKind, listing):
    """The SELECT for the export: the record's columns plus the external ids and e-mails it refers to."""
    model = listing.model
    user = aliased(User)
    picked = [model.id, model.external_id, user.email.label("captured_by_email")]
    query = select().select_from(model).outerjoin(user, user.id == model.captured_by_id)
    if hasattr(model, "account_id"):
        account = aliased(Account)
        query = query.outerjoin(account, account.id == model.account_id)
        picked += [model.account_id, account.external_id.label("account_external_id")]
    if hasattr(model, "contact_id"):
        contact = aliased(Contact)
        query = query.outerjoin(contact, contact.id == model.contact_id)
        picked += [model.contact_id, contact.external_id.label("contact_external_id")]
    for spec in STORED[kind]:
        if spec.name not in ("external_id", "captured_by", "account", "contact"):
            picked.append(getattr(model, spec.name))
    picked.append(model.other_fields)
    query = query.add_columns(*picked)
    if listing.query.whereclause is not None:
        query = query.where(listing.query.whereclause)
    return query.order_by(model.id)


class Formatter:
    """Turns a row into cells, with every word and time settled in the reader's language and zone
    when it is built, so the rows can be written after the request has ended."""

    def __init__(self, kind: RecordKind, timezone, others: list[str] = ()):
        from planner.crm.fields import CHOICE_ENUMS

        self.specs = STORED[RecordKind(kind)]
        self.timezone = timezone
        self.others = list(others)
        self.headers = [str(spec.label) for spec in self.specs] + self.others
        self.yes, self.no = _("Yes"), _("No")
        self.labels = {member: str(member.label) for enum in CHOICE_ENUMS.values() for member in enum}

    def when(self, value) -> str:
        """``2026-03-05 17:30:15+08:00``: the reader's local time to the second (so the file imports back
        unchanged), with its offset so nothing is ambiguous."""
        local = value.astimezone(self.timezone)
        offset = local.strftime("%z") or "+0000"
        return local.strftime("%Y-%m-%d %H:%M:%S") + offset[:3] + ":" + offset[3:]

    def cell(self, spec, row) -> str:
        if spec.name == "external_id":
            return row.external_id or f"#{row.id}"  # imports back onto the same record (never as an external id)
        if spec.name == "captured_by":
            return row.captured_by_email or ""
        if spec.name == "account":
            return _reference(row.account_external_id, row.account_id)
        if spec.name == "contact":
            return _reference(row.contact_external_id, row.contact_id)
        value = getattr(row, spec.name)
        if value is None:
            return ""
        if spec.type == "datetime":
            return self.when(value)
        if spec.type == "date":
            return value.isoformat()
        if spec.type == "bool":
            return self.yes if value else self.no
        if spec.type in ("channel", "opportunity_kind", "stage"):
            return self.labels[value]
        return str(value)

    def row(self, row) -> list[str]:
        cells = [safe_cell(self.cell(spec, row)) for spec in self.specs]
        if self.others:
            other = row.other_fields or {}
            cells += [safe_cell(other.get(name, "")) for name in self.others]
        return cells


def other_names(statement) -> list[str]:
    """The names of the other fields the exported records hold, in the order first met (a first pass over
    that one column; at most ``MAX_COLUMNS``)."""
    from planner.crm.imports.reading import MAX_COLUMNS

    names: dict[str, None] = {}
    for (found,) in db.session.execute(statement.with_only_columns(statement.selected_columns.other_fields)
                                       .execution_options(yield_per=BATCH)):
        if found:
            for name in found:
                if name not in names and len(names) < MAX_COLUMNS:
                    names[name] = None
    return list(names)


def rows(app, kind: RecordKind, listing, timezone):
    """The CSV text in chunks: a UTF-8 byte-order mark (so spreadsheets read the Chinese and Spanish
    letters right), the header line, then the rows. Everything request-bound is settled here; the
    rows are read in an application context of their own, while the response is sent."""
    statement = columns_for(RecordKind(kind), listing)
    formatter = Formatter(kind, timezone, other_names(statement))
    statement = statement.execution_options(yield_per=BATCH)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([safe_cell(header) for header in formatter.headers])
        yield "\ufeff" + buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        with app.app_context():
            for count, row in enumerate(db.session.execute(statement), start=1):
                writer.writerow(formatter.row(row))
                if count % BATCH == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    return generate()
