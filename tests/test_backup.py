"""Backup and restore (``flask backup FILE``, ``flask restore FILE``): the demo goes out and comes
back identical, table by table, uploads included; a database that holds data is left alone unless
forced; broken or foreign files are refused with a message."""

import json
import zipfile
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from planner import backup, demo
from planner.auth.models import User
from planner.extensions import db as database
from tests.helpers import empty_tables

# A backup reads the database file or its own connection, and a restore writes through one: real commits.
pytestmark = pytest.mark.real_db


def every_table(db) -> dict:
    """Every row of every table the backup keeps, in primary-key order, as the backup encodes values.
    (The data stamp is not kept: the restore's own writes renew it.)"""
    db.session.rollback()
    found = {}
    with db.engine.connect() as connection:
        for table in backup._tables():
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [{key: backup._encode(value) for key, value in row.items()}
                                 for row in connection.execute(select(table).order_by(*order)).mappings()]
    return found


@pytest.fixture
def demo_world(app, db):
    demo.load()
    uploads = Path(current_app.instance_path) / "imports"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "job-1.csv").write_bytes("name;城市\nÄrger GmbH;上海\n".encode())
    (uploads / "nested").mkdir(exist_ok=True)
    (uploads / "nested" / "job-2.xlsx").write_bytes(b"PK\x03\x04 binary \x00\xff")
    yield uploads
    import shutil

    shutil.rmtree(uploads, ignore_errors=True)


def test_the_demo_comes_back_identical_in_an_empty_database(app, db, demo_world, tmp_path):
    before = every_table(db)
    assert sum(len(rows) for rows in before.values()) > 500
    assert all(before[name] for name in ("users", "projects", "feedback_responses", "signoff_decisions",
                                         "audit_events", "crm_interactions"))
    file = tmp_path / "rollout.zip"
    result = app.test_cli_runner().invoke(args=["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert "format 1" in result.output

    with zipfile.ZipFile(file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "rollout-backup" and manifest["version"] == 1
        assert manifest["revision"] and manifest["tables"]["users"] == len(before["users"])
        assert {"imports/job-1.csv", "imports/nested/job-2.xlsx"} <= set(manifest["files"])

    empty_tables(db)
    import shutil

    shutil.rmtree(demo_world)
    assert backup.database_rows() == {}
    result = app.test_cli_runner().invoke(args=["restore", str(file)])
    assert result.exit_code == 0, result.output
    after = every_table(db)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the restore"
    assert (demo_world / "job-1.csv").read_bytes() == "name;城市\nÄrger GmbH;上海\n".encode()
    assert (demo_world / "nested" / "job-2.xlsx").read_bytes() == b"PK\x03\x04 binary \x00\xff"

    # New rows get fresh ids (PostgreSQL's sequences follow the restored ids).
    from tests.factories import make_user

    newcomer = make_user(email="after-restore@example.com")
    assert newcomer.id > max(row["id"] for row in before["users"])


def test_a_database_with_data_is_refused_unless_forced(app, db, demo_world, tmp_path):
    file = tmp_path / "rollout.zip"
    backup.backup(file)
    before = every_table(db)
    from tests.factories import make_user

    make_user(email="added-later@example.com")
    changed = every_table(db)
    result = app.test_cli_runner().invoke(args=["restore", str(file)])
    assert result.exit_code != 0
    assert "not empty" in result.output and "--force" in result.output
    assert every_table(db) == changed

    result = app.test_cli_runner().invoke(args=["restore", "--force", str(file)])
    assert result.exit_code == 0, result.output
    assert every_table(db) == before
    assert database.session.scalar(select(func.count()).select_from(User).where(
        User.email == "added-later@example.com")) == 0


def test_files_that_are_not_backups_are_refused(app, db, tmp_path):
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    result = app.test_cli_runner().invoke(args=["restore", str(not_zip)])
    assert result.exit_code != 0

    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "something-else", "version": 1}))
    result = app.test_cli_runner().invoke(args=["restore", str(other)])
    assert result.exit_code != 0 and "not a Rollout backup" in result.output

    future = tmp_path / "future.zip"
    with zipfile.ZipFile(future, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "rollout-backup", "version": 99}))
    result = app.test_cli_runner().invoke(args=["restore", str(future)])
    assert result.exit_code != 0 and "format version 99" in result.output


def edited_backup(tmp_path, manifest_changes: dict, extra_files: dict | None = None) -> Path:
    """A backup of the current database whose manifest has ``manifest_changes`` and which holds
    ``extra_files`` (archive name → content) besides its own."""
    file = tmp_path / "rollout.zip"
    backup.backup(file)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(file) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "manifest.json":
                data = json.dumps(json.loads(data) | manifest_changes).encode()
            target.writestr(item, data)
        for name, content in (extra_files or {}).items():
            target.writestr(name, content)
    return edited


def test_a_backup_from_another_schema_revision_is_refused(app, db, tmp_path):
    edited = edited_backup(tmp_path, {"revision": "0001_foundation"})
    result = app.test_cli_runner().invoke(args=["restore", str(edited)])
    assert result.exit_code != 0 and "revision" in result.output


def test_file_names_leaving_the_upload_folder_are_refused(app, db, tmp_path):
    evil = edited_backup(tmp_path, {"files": ["imports/../../escaped.txt"]},
                         {"files/imports/../../escaped.txt": "x"})
    result = app.test_cli_runner().invoke(args=["restore", str(evil)])
    assert result.exit_code != 0 and "Refusing" in result.output
    assert not (Path(current_app.instance_path).parent / "escaped.txt").exists()


@pytest.mark.no_app
def test_values_keep_their_type_through_the_file():
    from datetime import UTC, date, datetime
    from decimal import Decimal

    assert backup._decode(backup._encode(Decimal("999999999999.99")), Decimal) == Decimal("999999999999.99")
    moment = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    assert backup._decode(backup._encode(moment), datetime) == moment
    assert backup._decode(backup._encode(date(1900, 1, 1)), date) == date(1900, 1, 1)
    assert backup._decode(backup._encode(b"\x00\xff"), bytes) == b"\x00\xff"


def test_a_restore_renews_the_data_stamp(app, db, tmp_path):
    """Kept pages (the dashboard's cards) must not outlive the data a restore replaced."""
    from planner import datastamp

    demo.load()
    db.session.commit()
    backup.backup(tmp_path / "demo.zip")
    before = datastamp.current()
    backup.restore(tmp_path / "demo.zip", force=True)
    db.session.rollback()
    assert datastamp.current() not in (None, before)
