"""A stamp that changes whenever the data behind the app's pages changes, so a page built from many
tables can cache what it computed and know for sure when that is out of date (the executive
dashboard's cards, ``planner.dashboard.cards_cache``).

How it stays true whatever writes the data (ORM objects, Core bulk statements such as the CRM
import, raw SQL from a migration or the CLI):

- every statement the engine sends is looked at once (a cheap prefix test): an INSERT, UPDATE or
  DELETE on a table outside ``UNRELATED`` (or any statement we cannot classify: DDL, TRUNCATE, a
  ``WITH`` query) marks the connection's transaction as having changed data;
- when that transaction commits (or releases a savepoint, which is how the test suite commits), a
  new random stamp is written **in the same transaction**, just before the commit. A reader that
  sees the new data therefore sees the new stamp too, and a transaction that rolls back takes its
  stamp with it.

The stamp is random rather than a counter so that two histories of the same database (a test
rolled back, then another one) never reuse a stamp for different data. Reading it is one indexed
query (``current()``). Only a change in data behind no cached page (sign-ins, sessions, the audit
log, notifications, job progress…) leaves it alone, so reading pages never invalidates anything.
"""

import re
import secrets

from flask import Flask
from sqlalchemy import BigInteger, Integer, event, select
from sqlalchemy.orm import Mapped, mapped_column

from planner.extensions import db

ROW_ID = 1

# Tables whose rows no cached page shows: written while people only read (sessions, rate limits,
# the audit log, notifications) or while a job runs (its progress), they must not empty the caches.
UNRELATED = frozenset({
    "data_stamps", "user_sessions", "rate_counters", "audit_events", "form_submissions", "users",
    "api_tokens", "calendar_tokens", "notifications", "outbox_mails", "notification_digests",
    "notification_reminders", "notification_choices", "webhook_deliveries", "uploads", "upload_chunks",
    "crm_import_jobs", "crm_import_problems", "crm_import_mappings", "setup_dismissals", "alembic_version",
})
READING = frozenset({"SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SHOW",
                     "SET", "EXPLAIN", "VALUES", "ANALYZE"})
_WRITE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+[\"`]?(\w+)",
                    re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*(\w+)")
_SCHEMA = frozenset({"CREATE", "ALTER", "DROP"})
_CHANGED = "datastamp_changed"
_SCHEMA_CHANGED = "datastamp_schema_changed"
_TABLE_SEEN = "datastamp_table_seen"
_OUTER = "datastamp_outer"


class DataStamp(db.Model):
    __tablename__ = "data_stamps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger, nullable=False)


def _classify(statement: str) -> str | None:
    """None when ``statement`` changes no data a cached page shows, "schema" for DDL, else "data"
    (when unsure: "data")."""
    write = _WRITE.match(statement)
    if write:
        return None if write.group(1).lower() in UNRELATED else "data"
    first = _FIRST_WORD.match(statement)
    word = first.group(1).upper() if first else ""
    if word in READING:
        return None
    return "schema" if word in _SCHEMA else "data"


def changes_data(statement: str) -> bool:
    """Whether ``statement`` may change data some cached page shows (when unsure: yes)."""
    return _classify(statement) is not None


def current() -> int | None:
    """The stamp of the data this session reads (None on a database that has never been written)."""
    return db.session.scalar(select(DataStamp.stamp).where(DataStamp.id == ROW_ID))


def _stamp_table_exists(cursor, dialect: str) -> bool:
    if dialect == "postgresql":
        cursor.execute("SELECT to_regclass('data_stamps') IS NOT NULL")
    else:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'data_stamps'")
    return bool(cursor.fetchone()[0])


def _new_stamp(conn) -> None:
    if not conn.info.pop(_CHANGED, False):
        return
    stamp = secrets.randbits(62)
    cursor = conn.connection.dbapi_connection.cursor()  # below SQLAlchemy: no events, no autobegin
    try:
        # Migrations run before the one that creates the table (or after downgrading below it): the
        # table's existence is checked once per database connection, again after a schema change.
        if conn.info.pop(_SCHEMA_CHANGED, False):
            conn.info.pop(_TABLE_SEEN, None)
        if not conn.info.get(_TABLE_SEEN):
            if not _stamp_table_exists(cursor, conn.dialect.name):
                return
            conn.info[_TABLE_SEEN] = True
        cursor.execute(f"INSERT INTO data_stamps (id, stamp) VALUES ({ROW_ID}, {stamp}) "  # noqa: S608 - ints
                       f"ON CONFLICT (id) DO UPDATE SET stamp = {stamp}")
    finally:
        cursor.close()


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _look(conn, _cursor, statement, _parameters, _context, _executemany):
        kind = _classify(statement)
        if kind is not None:
            conn.info[_CHANGED] = True
            if kind == "schema":
                conn.info[_SCHEMA_CHANGED] = True

    @event.listens_for(engine, "commit")
    def _on_commit(conn):
        _new_stamp(conn)
        conn.info.pop(_OUTER, None)

    # Savepoints: what changed before one is set aside while it runs; rolling it back forgets what
    # changed inside it, releasing it writes a stamp covering both (the test suite's commits).
    @event.listens_for(engine, "savepoint")
    def _on_savepoint(conn, _name):
        conn.info.setdefault(_OUTER, []).append(conn.info.pop(_CHANGED, False))

    @event.listens_for(engine, "release_savepoint")
    def _on_release(conn, _name, _context):
        outer = conn.info.get(_OUTER)
        if outer and outer.pop():
            conn.info[_CHANGED] = True
        _new_stamp(conn)

    @event.listens_for(engine, "rollback_savepoint")
    def _on_rollback_savepoint(conn, _name, _context):
        outer = conn.info.get(_OUTER)
        conn.info[_CHANGED] = outer.pop() if outer else conn.info.get(_CHANGED, False)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn):
        for name in (_CHANGED, _SCHEMA_CHANGED, _OUTER):
            conn.info.pop(name, None)
