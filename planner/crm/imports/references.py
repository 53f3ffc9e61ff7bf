"""The checks that need the database, one chunk of rows at a time: references to this project's
accounts, contacts and members, and external ids repeated in the file.

Two temporary tables hold the external ids seen so far in the file (for repeats) and the rows of the
current chunk, joined to the records instead of long IN lists, so memory stays flat whatever the
length of the file. An account or contact reference found once is remembered for the rest of the run
(at most ``REMEMBERED`` of them; the records referred to are of another kind than the one imported,
so the import itself never changes what they resolve to): a chunk asks the database only for the
references it is the first to bring. The lookups are written ``external_id IN (SELECT … FROM the
chunk)``, which SQLite answers the same way whatever its statistics say (the chunk's values sorted,
then looked up in the unique index of project and external id); as a join, a new index left without
statistics once made it scan the project's accounts for every row of the chunk, and with statistics
it built a Bloom filter over every account of the table for every chunk.
"""

import re

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text

from planner.auth.models import User
from planner.crm.imports.checks import Problem
from planner.crm.models import Account, Contact, search_key
from planner.extensions import db
from planner.projects.models import ProjectMember

# The rows of the chunk being processed (a temporary table, created by the import itself).
CHUNK_TABLE = Table("crm_import_chunk", MetaData(), Column("line", Integer, primary_key=True),
                    Column("external_id", String(100)), Column("account_ref", String(200)),
                    Column("contact_ref", String(100)))
REMEMBERED = 200_000  # references remembered per run (a few MB); beyond that, forgotten and asked again


class References:
    def __init__(self, project, mapping: dict[str, int], model=None):
        self.project = project
        self.mapping = mapping
        self.model = model  # the kind's model, whose records an external id "#<id>" names by their id
        self.members: dict[str, int] = {}
        # Account and contact references resolved earlier in this run → ids.
        self.known: dict[str, dict[str, int]] = {"account": {}, "contact": {}}

    # ----------------------------------------------------------------- lifetime

    def open(self) -> None:
        self.members = self._members()
        self.known = {"account": {}, "contact": {}}
        schema = self._schema()
        db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS crm_import_seen "
                                "(external_id VARCHAR(100) PRIMARY KEY, line INTEGER NOT NULL)"))
        db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS crm_import_chunk (line INTEGER PRIMARY KEY, "
                                "external_id VARCHAR(100), account_ref VARCHAR(200), contact_ref VARCHAR(100))"))
        db.session.execute(text(f"DELETE FROM {schema}.crm_import_seen"))  # noqa: S608 - fixed names

    def close(self) -> None:
        schema = self._schema()
        db.session.execute(text(f"DROP TABLE IF EXISTS {schema}.crm_import_seen"))  # noqa: S608
        db.session.execute(text(f"DROP TABLE IF EXISTS {schema}.crm_import_chunk"))  # noqa: S608

    @staticmethod
    def _schema() -> str:
        return "pg_temp" if db.session.get_bind().dialect.name == "postgresql" else "temp"

    def _members(self) -> dict[str, int]:
        rows = db.session.execute(
            select(func.lower(User.email), User.id).join(ProjectMember, ProjectMember.user_id == User.id)
            .where(ProjectMember.project_id == self.project.id))
        return dict(rows.all())

    # ----------------------------------------------------------------- one chunk

    def resolve(self, chunk: list[tuple[int, dict, list[Problem]]], find_repeats: bool
                ) -> tuple[list, list[list[Problem]]]:
        """Sets account_id, contact_id and captured_by_id on the chunk's rows; returns the good rows and,
        in line order, the problems of the others (those the row already had, then these).
        ``find_repeats=False`` skips the search for repeated external ids (a file that passed a check has
        none: they are a property of the file alone)."""
        accounts, contacts = self.known["account"], self.known["contact"]
        for known in (accounts, contacts):
            if len(known) > REMEMBERED:
                known.clear()
        self._load(chunk, accounts, contacts)
        clashes = self._repeats(chunk) if find_repeats else {}
        ambiguous = self._accounts(chunk, accounts) if "account" in self.mapping else {}
        if "contact" in self.mapping:
            contacts.update(self._lookup(Contact, "contact_ref"))
        records = self._records(chunk)
        members, model = self.members, self.model
        good, refused = [], []
        for line, values, problems in chunk:  # a row's own problems list, added to (it is not shared)
            external_id = values.get("external_id")
            if external_id and external_id[0] == "#" and model is not None:
                values["record_id"] = records.get(external_id)
                if values["record_id"] is None:
                    problems.append(Problem(line, "unknown_record", "external_id", external_id))
            if clashes and line in clashes:
                problems.append(Problem(line, "duplicate_id", "external_id", values["external_id"], clashes[line]))
            account = values.get("account")
            if account:
                found = values["account_id"] = accounts.get(account)
                if found is None:
                    if account in ambiguous:
                        problems.append(Problem(line, "ambiguous_account", "account", account, ambiguous[account]))
                    else:
                        problems.append(Problem(line, "unknown_account", "account", account))
            elif "account" in values:
                values["account_id"] = None
            contact = values.get("contact")
            if contact:
                found = values["contact_id"] = contacts.get(contact)
                if found is None:
                    problems.append(Problem(line, "unknown_contact", "contact", contact))
            elif "contact" in values:
                values["contact_id"] = None
            member = values.get("captured_by")
            if member:
                found = values["captured_by_id"] = members.get(member.lower())
                if found is None:
                    problems.append(Problem(line, "unknown_user", "captured_by", member))
            elif "captured_by" in values:
                values["captured_by_id"] = None
            if problems:
                refused.append(problems)
            else:
                good.append((line, values))
        return good, refused

    def _load(self, chunk: list[tuple[int, dict, list]], accounts: dict[str, int], contacts: dict[str, int]) -> None:
        """The chunk's rows into the chunk table: external ids, and the references not resolved yet."""
        connection = db.session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql("DELETE FROM crm_import_chunk")
        rows = []
        for line, values, _problems in chunk:
            account, contact = values.get("account"), values.get("contact")
            rows.append((line, values.get("external_id") or None,
                         account if account and account not in accounts else None,
                         contact if contact and contact not in contacts else None))
        connection.exec_driver_sql(
            f"INSERT INTO crm_import_chunk (line, external_id, account_ref, contact_ref) "  # noqa: S608
            f"VALUES ({mark}, {mark}, {mark}, {mark})", rows)

    def _repeats(self, chunk: list[tuple[int, dict, list]]) -> dict[int, int]:
        """Line → the earlier line holding the same external id (in this chunk or an earlier one)."""
        clashes = dict(db.session.execute(text(
            "SELECT c.line, s.line FROM crm_import_chunk c JOIN crm_import_seen s ON s.external_id = c.external_id")
        ).all())
        first: dict[str, int] = {}
        for line, values, _problems in chunk:
            external_id = values.get("external_id")
            if external_id and line not in clashes:
                if external_id in first:
                    clashes[line] = first[external_id]
                else:
                    first[external_id] = line
        db.session.execute(text(
            "INSERT INTO crm_import_seen (external_id, line) SELECT external_id, MIN(line) FROM crm_import_chunk "
            "WHERE external_id IS NOT NULL GROUP BY external_id ON CONFLICT DO NOTHING"))
        return clashes

    def _records(self, chunk) -> dict[str, int]:
        """``#<id>`` external ids of the chunk (written by our export for records without one) → the ids of
        this project's records of the kind."""
        if self.model is None:
            return {}
        wanted = {}
        for _line, values, _problems in chunk:
            external_id = values.get("external_id") or ""
            if external_id.startswith("#") and re.fullmatch(r"[0-9]{1,9}", external_id[1:]):
                wanted[int(external_id[1:])] = external_id
        if not wanted:
            return {}
        model = self.model
        return {wanted[row_id]: row_id for row_id in db.session.scalars(
            select(model.id).where(model.project_id == self.project.id, model.id.in_(list(wanted))))}

    def _accounts(self, chunk, known: dict[str, int]) -> dict[str, int]:
        """Adds the chunk's new account references to ``known`` (→ ids): by external id (or ``#<id>``)
        first, else by the account's exact name when one account only has it; returns the names that
        several accounts have → how many."""
        found = self._lookup(Account, "account_ref")
        known.update(found)
        ambiguous: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        unresolved = {values["account"] for _line, values, _problems in chunk
                      if values.get("account") and values["account"] not in known}
        keys = {search_key(ref): ref for ref in unresolved}
        for start in range(0, len(keys), 1000):
            wanted = list(keys)[start:start + 1000]
            for row_id, name in db.session.execute(select(Account.id, Account.name).where(
                    Account.project_id == self.project.id, Account.name_key.in_(wanted))):
                if name in unresolved:
                    by_name.setdefault(name, []).append(row_id)
        for ref, ids in by_name.items():
            if len(ids) == 1:
                known[ref] = ids[0]
            else:
                ambiguous[ref] = len(ids)
        return ambiguous

    def _lookup(self, model, column: str) -> dict[str, int]:
        """The chunk table's references (external ids, or ``#<id>``) to this project's accounts or contacts
        → ids."""
        table = model.__tablename__
        found = dict(db.session.execute(text(
            f"SELECT t.external_id, t.id FROM {table} t WHERE t.project_id = :project "  # noqa: S608 - fixed names
            f"AND t.external_id IN (SELECT {column} FROM crm_import_chunk)"), {"project": self.project.id}).all())
        internal = {int(ref[1:]): ref for (ref,) in db.session.execute(text(
            f"SELECT DISTINCT {column} FROM crm_import_chunk WHERE {column} LIKE '#%'"))  # noqa: S608
            if re.fullmatch(r"[0-9]{1,18}", ref[1:])}  # an id below 2^63, whatever the file says
        if internal:
            for row_id in db.session.scalars(select(model.id).where(model.project_id == self.project.id,
                                                                    model.id.in_(list(internal)))):
                found[internal[row_id]] = row_id
        return found

