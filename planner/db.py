"""Database helpers shared by every feature: UTC timestamps, SQLite pragmas and index hints."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, event, text
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def install_sqlite_pragmas(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def _sqlite_from_hint(_compiler, _table, hint: str) -> str:
    return hint


# SQLAlchemy's SQLite compiler drops table hints; this one writes them after the table's name.
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


def sqlite_index(statement, model, index_name: str):
    """``statement`` reading ``model`` through the index ``index_name`` on SQLite (``INDEXED BY``;
    other databases plan as they see fit). For the few queries whose speed rests on one index
    whatever the statistics say: SQLite has none for an index a migration added until the next
    ANALYZE, and then guesses that it selects ten rows and prefers it."""
    return statement.with_hint(model, f"INDEXED BY {index_name}", "sqlite")


def enum_column(enum_cls, length: int = 32):
    """A portable enum column: stored as VARCHAR of the member values, no native type."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def delete_all_rows(connection, tables) -> None:
    """Empties ``tables`` (in dependency order) on ``connection``. On PostgreSQL one TRUNCATE, which
    also restarts the id sequences and is not seen by the row triggers that keep decisions and audit
    events from being deleted."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            connection.execute(table.delete())
