"""The migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_the_models_and_the_migrations_agree(app, db):
    context = MigrationContext.configure(db.session.connection(),
                                         opts={"compare_type": True, "render_as_batch": True})
    differences = compare_metadata(context, db.metadata)
    assert not differences, "run `flask db migrate`; the models differ from the migrations:\n" + "\n".join(
        str(d) for d in differences)


def test_there_is_a_single_migration_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    config = Config(app.extensions["migrate"].directory + "/alembic.ini")
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


@pytest.mark.no_app
def test_an_analysed_sqlite_database_gets_statistics_for_the_api_indexes(tmp_path, monkeypatch):
    """0025 added (project, updated_at) indexes; on a database analysed before, SQLite preferred the
    new index it had no figures for and sorted the whole project to show one page of a list."""
    import sqlite3

    import flask_migrate

    from planner import ROOT, create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "old.db"
    app = create_app({"PLANNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    directory = str(ROOT / "migrations")
    list_query = "EXPLAIN QUERY PLAN SELECT id FROM crm_accounts WHERE project_id = 1 ORDER BY name_key, id LIMIT 51"
    with app.app_context():
        flask_migrate.upgrade(directory=directory, revision="0024_approvals")
    with sqlite3.connect(path) as conn:  # foreign keys off: records of a project that is not there
        conn.executemany(
            "INSERT INTO crm_accounts (name, name_key, segment, industry, country, city, project_id, created_at,"
            " updated_at) VALUES (?, ?, '', '', '', '', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            [(f"Account {n}", f"account {n:04d}") for n in range(300)])
        conn.execute("ANALYZE")
    with app.app_context():
        flask_migrate.upgrade(directory=directory, revision="0026_webhooks")
    with sqlite3.connect(path) as conn:
        assert "ix_crm_accounts_project_updated" in str(conn.execute(list_query).fetchall())  # the trap
    with app.app_context():
        flask_migrate.upgrade(directory=directory)
        from planner.extensions import db

        db.engine.dispose()
    with sqlite3.connect(path) as conn:
        analysed = {row[0] for row in conn.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'crm_accounts'")}
        assert {"ix_crm_accounts_project_updated", "ix_crm_accounts_project_keyset"} <= analysed
        plan = str(conn.execute(list_query).fetchall())
    assert "ix_crm_accounts_project_name" in plan and "TEMP B-TREE" not in plan
