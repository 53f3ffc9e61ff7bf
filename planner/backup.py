"""Backup and restore: ``flask backup FILE`` and ``flask restore FILE``.

A backup is a zip file:

- ``manifest.json``: the format name and version, the database schema's Alembic revision, when it
  was made, the row count of every table and the list of uploaded files;
- ``tables/<table>.jsonl``: every row of every table, one JSON object per line, values written by
  column type (dates and times in ISO 8601, decimals as text, so nothing is rounded);
- ``files/…``: the uploaded files kept in the instance folder (CRM import files).

The rows are read in one snapshot: on PostgreSQL a single REPEATABLE READ, READ ONLY transaction;
on SQLite from a copy made with SQLite's online backup API, which is consistent even while the
application writes. A restore needs the same schema revision (an empty database is first brought
to it), refuses a database that already holds data unless forced, and writes everything in one
transaction: either all of the backup is there afterwards, or nothing changed.
"""

import base64
import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import Date, DateTime, Integer, LargeBinary, Numeric, create_engine, func, inspect, select, text
from sqlalchemy.types import TypeDecorator

from planner.db import delete_all_rows, utcnow
from planner.extensions import db

FORMAT = "rollout-backup"
FORMAT_VERSION = 1
UPLOAD_FOLDERS = ("imports",)  # inside the instance folder
# Not data: the schema's version, and the stamp of the data (planner.datastamp), which the restore's
# own writes renew.
SKIPPED_TABLES = {"alembic_version", "data_stamps"}
BATCH = 1000


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why (for the command line)."""


@dataclass
class Summary:
    tables: dict
    files: int
    revision: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --------------------------------------------------------------------------- values


def _kind(column) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl if not isinstance(kind.impl, type) else kind.impl()
    if isinstance(kind, DateTime):
        return datetime
    if isinstance(kind, Date):
        return date
    if isinstance(kind, Numeric):
        return Decimal
    if isinstance(kind, LargeBinary):
        return bytes
    return None


def _encode(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(value, kind):
    if value is None or kind is None:
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if kind is bytes:
        return base64.b64decode(value)
    return value


def _tables():
    return [table for table in db.metadata.sorted_tables if table.name not in SKIPPED_TABLES]


def _revision(connection) -> str:
    if not inspect(connection).has_table("alembic_version"):
        return ""
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""


# --------------------------------------------------------------------------- backup


def _upload_files(instance: Path) -> list[tuple[Path, str]]:
    found = []
    for folder in UPLOAD_FOLDERS:
        root = instance / folder
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    found.append((path, path.relative_to(instance).as_posix()))
    return found


def _dump(connection, archive: zipfile.ZipFile) -> dict:
    counts = {}
    for table in _tables():
        rows = 0
        order = list(table.primary_key.columns) or list(table.columns)
        with archive.open(f"tables/{table.name}.jsonl", "w") as out:
            for row in connection.execute(select(table).order_by(*order)).mappings():
                line = json.dumps({key: _encode(value) for key, value in row.items()}, ensure_ascii=False)
                out.write(line.encode("utf-8") + b"\n")
                rows += 1
        counts[table.name] = rows
    return counts


def backup(target: Path) -> Summary:
    """Writes the whole database and the uploaded files to ``target`` (a zip file)."""
    target = Path(target)
    instance = Path(current_app.instance_path)
    engine = db.engine
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if engine.dialect.name == "sqlite":
            counts, revision = _dump_sqlite(engine, archive)
        else:
            with (engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
                  connection.begin()):
                connection.execute(text("SET TRANSACTION READ ONLY"))
                revision = _revision(connection)
                counts = _dump(connection, archive)
        files = _upload_files(instance)
        for path, name in files:
            archive.write(path, f"files/{name}")
        manifest = {
            "format": FORMAT, "version": FORMAT_VERSION, "revision": revision, "created_at": utcnow().isoformat(),
            "dialect": engine.dialect.name, "tables": counts, "files": [name for _path, name in files],
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    partial.replace(target)
    return Summary(tables=counts, files=len(files), revision=revision)


def _dump_sqlite(engine, archive) -> tuple[dict, str]:
    database = engine.url.database
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "snapshot.db"
        source = sqlite3.connect(database) if database and database != ":memory:" else None
        if source is None:
            raise BackupError("An in-memory SQLite database cannot be backed up.")
        try:
            with sqlite3.connect(copy) as destination:
                source.backup(destination)  # SQLite's online backup: one consistent state
        finally:
            source.close()
        snapshot = create_engine(f"sqlite:///{copy}")
        try:
            with snapshot.connect() as connection:
                return _dump(connection, archive), _revision(connection)
        finally:
            snapshot.dispose()


# --------------------------------------------------------------------------- restore


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as error:
        raise BackupError("This file is not a Rollout backup (no readable manifest.json).") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("This file is not a Rollout backup.")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > FORMAT_VERSION:
        raise BackupError(f"This backup has format version {manifest.get('version')}; this version of Rollout "
                          f"reads version {FORMAT_VERSION} and earlier.")
    return manifest


def database_rows() -> dict:
    """Row counts of the tables that hold anything (an empty dict for an empty database)."""
    existing = set(inspect(db.engine).get_table_names())
    counts = {}
    for table in _tables():
        if table.name in existing:
            found = db.session.scalar(select(func.count()).select_from(table))
            if found:
                counts[table.name] = found
    db.session.rollback()
    return counts


def restore(source: Path, force: bool = False) -> Summary:
    """Puts a backup into the database (and its files into the instance folder)."""
    import flask_migrate

    from planner import ROOT

    with zipfile.ZipFile(Path(source)) as archive:
        manifest = read_manifest(archive)
        revision = manifest.get("revision") or ""
        with db.engine.connect() as connection:
            current = _revision(connection)
        if not current:
            flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision=revision or "head")
            current = revision
        if current != revision:
            raise BackupError(f"The backup's schema is at revision {revision!r}, the database at {current!r}. "
                              "Restore into a database at the same revision (an empty one is brought to it).")
        found = database_rows()
        if found and not force:
            raise BackupError(f"The database is not empty ({sum(found.values())} rows in {len(found)} tables). "
                              "Use --force to replace everything in it with the backup.")
        names = set(archive.namelist())
        tables = _tables()
        missing = [t.name for t in tables if f"tables/{t.name}.jsonl" not in names]
        if missing:
            raise BackupError(f"The backup has no data for the tables {', '.join(missing)}.")
        counts = {}
        engine = db.engine
        with engine.begin() as connection:
            delete_all_rows(connection, tables)
            for table in tables:
                kinds = {column.name: _kind(column) for column in table.columns}
                counts[table.name] = _load(connection, archive, table, kinds)
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection, tables)
        files = _restore_files(archive, manifest)
    db.session.expire_all()
    return Summary(tables=counts, files=files, revision=revision)


def _load(connection, archive, table, kinds) -> int:
    columns = set(kinds)
    count, batch = 0, []
    with archive.open(f"tables/{table.name}.jsonl") as lines:
        for raw in lines:
            if not raw.strip():
                continue
            row = json.loads(raw)
            unknown = set(row) - columns
            if unknown:
                raise BackupError(f"{table.name}: columns {sorted(unknown)} are not in this schema.")
            batch.append({key: _decode(value, kinds[key]) for key, value in row.items()})
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                count, batch = count + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(connection, tables) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement is not False:
                # Names from our own metadata, not from the backup file.
                top = connection.execute(select(func.max(column))).scalar()
                connection.execute(text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
                                   {"table": f'"{table.name}"', "column": column.name, "value": top or 1,
                                    "called": top is not None})


def _safe_name(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] not in UPLOAD_FOLDERS:
        return None
    return path


def _restore_files(archive, manifest) -> int:
    instance = Path(current_app.instance_path)
    for folder in UPLOAD_FOLDERS:
        shutil.rmtree(instance / folder, ignore_errors=True)
    count = 0
    for name in manifest.get("files", []):
        relative = _safe_name(name)
        if relative is None:
            raise BackupError(f"Refusing the file name {name!r} in the backup.")
        target = instance.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(f"files/{name}") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        count += 1
    return count
