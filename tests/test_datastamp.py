"""The data stamp (planner.datastamp) and the dashboard cards kept until it changes
(planner.dashboard.rendered): a kept card is never older than the data a reader could see."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text, update

from planner import datastamp
from planner.audit.services import record
from planner.change.models import ChangeTask, TaskStatus
from planner.crm.models import Account as CrmAccount
from tests.change_factories import count_queries, make_task
from tests.helpers import login
from tests.test_dashboard import cards_of

TODAY = datetime.now(UTC).date()


@pytest.mark.parametrize("statement, changes", [
    ("INSERT INTO crm_accounts (project_id, name) VALUES (?, ?)", True),
    ("  update change_tasks SET status=? WHERE id=?", True),
    ('DELETE FROM "kpi_snapshots" WHERE project_id = %(p)s', True),
    ("INSERT OR REPLACE INTO stages (id) VALUES (1)", True),
    ("INSERT INTO user_sessions (id) VALUES (?)", False),
    ("UPDATE users SET last_seen_at = ?", False),
    ("INSERT INTO audit_events (action) VALUES (?)", False),
    ("UPDATE crm_import_jobs SET rows_done = ?", False),
    ("SELECT * FROM crm_accounts", False),
    ("PRAGMA foreign_keys=ON", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("WITH doomed AS (SELECT id FROM stages) DELETE FROM stages WHERE id IN (SELECT id FROM doomed)", True),
    ("TRUNCATE projects", True),
    ("CREATE TABLE anything (id INTEGER)", True),
    ("ALTER TABLE projects ADD COLUMN x INTEGER", True),
])
def test_statements_that_may_change_what_a_page_shows(statement, changes):
    assert datastamp.changes_data(statement) is changes


def test_a_commit_changing_shown_data_renews_the_stamp_and_nothing_else_does(db, make_project):
    project = make_project()
    db.session.commit()
    first = datastamp.current()
    assert first is not None

    db.session.add(CrmAccount(project_id=project.id, name="Acme"))
    db.session.rollback()
    assert datastamp.current() == first  # rolled back: nothing changed

    db.session.scalar(select(func.count()).select_from(CrmAccount))
    db.session.commit()
    assert datastamp.current() == first  # reading changes nothing

    nested = db.session.begin_nested()
    db.session.add(CrmAccount(project_id=project.id, name="Undone"))
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert datastamp.current() == first  # a change undone with its savepoint

    record("auth.login.ok")  # the audit log is shown on no cached page
    db.session.commit()
    assert datastamp.current() == first

    db.session.execute(insert(CrmAccount), [{"project_id": project.id, "name": f"Bulk {n}"} for n in range(3)])
    db.session.commit()  # a Core bulk statement, as the CRM import writes
    second = datastamp.current()
    assert second not in (None, first)

    db.session.execute(text("UPDATE crm_accounts SET name = 'Renamed' WHERE project_id = :p"), {"p": project.id})
    db.session.commit()  # raw SQL too
    assert datastamp.current() not in (first, second)


@pytest.mark.real_db
def test_a_change_committed_by_another_connection_renews_the_stamp_the_app_reads(db, make_project):
    project = make_project()
    db.session.commit()
    before = datastamp.current()
    with db.engine.connect() as worker:  # as the worker or another web host commits
        worker.execute(insert(CrmAccount).values(project_id=project.id, name="From the worker"))
        worker.commit()
    db.session.rollback()  # a new transaction sees what was committed meanwhile
    assert datastamp.current() not in (None, before)


@pytest.fixture
def followed(db, make_user, make_project, add_member):
    sponsor = make_user(language="en")
    manager = make_user()
    project = make_project(manager=manager, name="Northwind", currency="EUR")
    add_member(project, sponsor, sponsor=True)
    tasks = [make_task(project, due_date=TODAY - timedelta(days=3)) for _ in range(5)]
    db.session.commit()
    return {"sponsor": sponsor, "manager": manager, "project": project, "tasks": tasks}


def overdue_rule(client, lang="en"):
    cards, _page = cards_of(client.get(f"/dashboard?lang={lang}"))
    return cards["Northwind"]["rules"].get("overdue_tasks"), cards["Northwind"]["text"]


def test_a_kept_card_follows_a_change_made_through_the_web_by_someone_else(app, client, followed):
    login(client, followed["sponsor"])
    assert overdue_rule(client)[0] == "red"
    assert overdue_rule(client)[0] == "red"  # kept
    assert len(app.extensions["dashboard_cards"]) >= 1

    manager = app.test_client()
    login(manager, followed["manager"])
    project = followed["project"]
    for task in followed["tasks"][:4]:
        response = manager.post(f"/projects/{project.id}/change/tasks/{task.id}/status", data={"status": "done"})
        assert response.status_code in (302, 303)
    level, shown = overdue_rule(client)
    assert level == "amber" and "1 change task is past its due date" in shown


def test_a_kept_card_follows_a_bulk_statement(client, db, followed):
    login(client, followed["sponsor"])
    assert overdue_rule(client)[0] == "red"
    db.session.execute(update(ChangeTask).where(ChangeTask.project_id == followed["project"].id)
                       .values(status=TaskStatus.DONE))
    db.session.commit()
    assert overdue_rule(client)[0] is None


def test_a_card_is_kept_per_language(client, followed):
    login(client, followed["sponsor"])
    assert "past their due date" in overdue_rule(client, "en")[1]
    assert "past their due date" not in overdue_rule(client, "es")[1]
    zh = overdue_rule(client, "zh")[1]
    assert "past their due date" not in zh and "逾期" in zh
    assert "past their due date" in overdue_rule(client, "en")[1]


def test_nothing_is_kept_when_the_setting_is_zero(app, client, followed):
    from planner.dashboard.rendered import Kept

    app.extensions["dashboard_cards"] = Kept(0)
    try:
        login(client, followed["sponsor"])
        assert overdue_rule(client)[0] == "red"
        assert len(app.extensions["dashboard_cards"]) == 0
    finally:
        app.extensions.pop("dashboard_cards")


def test_a_kept_card_is_rendered_again_once_too_old(app, client, db, followed, monkeypatch):
    """A change made outside the app (no stamp) shows once the kept card is older than the limit."""
    from planner.dashboard import rendered

    login(client, followed["sponsor"])
    assert overdue_rule(client)[0] == "red"  # computes the KPI values (a write: a new stamp)
    assert overdue_rule(client)[0] == "red"  # renders and keeps the cards
    stamp = datastamp.current()
    kept = app.extensions["dashboard_cards"]
    for task in followed["tasks"]:
        task.status = TaskStatus.DONE
    db.session.commit()
    db.session.execute(update(datastamp.DataStamp).values(stamp=stamp))  # as if no stamp had seen it
    db.session.commit()
    assert datastamp.current() == stamp
    assert overdue_rule(client)[0] == "red"  # still the kept card
    now = rendered.time.monotonic()
    monkeypatch.setattr(rendered.time, "monotonic", lambda: now + kept.max_age + 1)
    assert overdue_rule(client)[0] is None


def test_reading_the_key_pages_leaves_the_stamp_alone(app, db):
    """Once each page has computed what it caches (KPI values), reading pages changes no data a kept
    card shows: otherwise every visit would throw the dashboard's cards away."""
    from planner import demo
    from tests.key_pages import DEMO_PASSWORD, pages

    ctx = demo.load()
    clients = {}
    shown = [page for language in ("en", "zh") for page in pages(ctx, language) if page.user]
    for page in shown:
        if page.user not in clients:
            clients[page.user] = app.test_client()
            login(clients[page.user], ctx.users[page.user], password=DEMO_PASSWORD)
    for page in shown:
        assert clients[page.user].get(page.path).status_code == 200, page
    for page in shown:
        before = datastamp.current()
        with count_queries(db) as statements:
            assert clients[page.user].get(page.path).status_code == 200, page
        writes = [statement[:160] for statement in statements if datastamp.changes_data(statement)]
        assert datastamp.current() == before, f"reading {page.name} ({page.path}) changed the stamp: {writes}"
