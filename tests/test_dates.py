"""One "today", two meanings (planner.dates): the edge of a reader in UTC+8 just after midnight,
when their calendar is already on 2 March and UTC is still on 1 March."""

from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from flask_login import login_user
from sqlalchemy import select

from planner import dates
from planner.change.models import TaskStatus
from planner.dashboard.health import OVERDUE_AMBER, Rule
from planner.dashboard.services import cards
from planner.kpis.services import kpi_status_by_project
from planner.rollout.models import Stage, StageStatus
from tests.change_factories import make_stage, make_task
from tests.helpers import login

NOW = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 2 March 00:30 in Shanghai
UTC_DAY, SHANGHAI_DAY = date(2026, 3, 1), date(2026, 3, 2)


@contextmanager
def reading_as(app, user):
    """A request of ``user`` in its own app context, like a real request (Babel keeps the time zone
    it chose for the rest of the context)."""
    with app.app_context(), app.test_request_context("/"):
        login_user(user)
        yield


@pytest.fixture
def after_midnight_in_shanghai(monkeypatch):
    monkeypatch.setattr(dates, "utcnow", lambda: NOW)


@pytest.fixture
def readers(make_user, make_project, add_member):
    shanghai = make_user(name="上海经理", timezone="Asia/Shanghai")
    project = make_project(manager=shanghai)
    london = make_user(name="伦敦经理", timezone="UTC")
    add_member(project, london, manager=True, sponsor=True)
    return project, shanghai, london


def test_outside_a_request_both_days_are_utc(after_midnight_in_shanghai):
    assert dates.utc_today() == dates.local_today() == UTC_DAY


def test_the_readers_day_has_turned_while_utc_has_not(app, after_midnight_in_shanghai, readers):
    _project, shanghai, london = readers
    with reading_as(app, shanghai):
        assert dates.local_today() == SHANGHAI_DAY
        assert dates.utc_today() == UTC_DAY
        assert dates.local_date(NOW) == SHANGHAI_DAY
    with reading_as(app, london):
        assert dates.local_today() == dates.utc_today() == UTC_DAY


def test_a_task_due_on_1_march_is_overdue_for_the_reader_in_shanghai_only(
        make_client, after_midnight_in_shanghai, readers):
    project, shanghai, london = readers
    make_task(project, title="上线前培训", due_date=UTC_DAY)
    make_task(project, title="已完成的培训", due_date=UTC_DAY, status=TaskStatus.DONE)
    url = f"/projects/{project.id}/change/tasks?view=overdue&lang=en"
    in_shanghai, in_london = make_client(), make_client()
    login(in_shanghai, shanghai)
    login(in_london, london)
    page = in_shanghai.get(url).get_data(as_text=True)
    assert "上线前培训" in page and "1 day late" in page and "已完成的培训" not in page
    page = in_london.get(url).get_data(as_text=True)
    assert "上线前培训" not in page and "day late" not in page


def test_the_dashboard_counts_overdue_on_the_readers_day_and_kpis_on_the_utc_day(
        app, db, after_midnight_in_shanghai, readers, monkeypatch):
    project, shanghai, london = readers
    for n in range(OVERDUE_AMBER):
        make_task(project, title=f"上线前培训{n}", due_date=UTC_DAY)
    asked = []
    monkeypatch.setattr("planner.dashboard.services.kpi_status_by_project",
                        lambda ids, as_of: asked.append(as_of) or kpi_status_by_project(ids, as_of))
    for reader, overdue in ((shanghai, True), (london, False)):
        with reading_as(app, reader):
            (card,) = cards(reader)
        assert any(reason.rule == Rule.OVERDUE_TASKS for reason in card.health.reasons) is overdue
    assert asked == [UTC_DAY, UTC_DAY]


def test_a_stage_may_start_on_the_readers_today_not_the_day_after(
        make_client, db, after_midnight_in_shanghai, readers):
    project, shanghai, london = readers
    stage = make_stage(project, name="试点", position=1)
    in_shanghai, in_london = make_client(), make_client()
    login(in_shanghai, shanghai)
    login(in_london, london)
    start = f"/projects/{project.id}/rollout/stages/{stage.id}/start"
    refused = in_london.post(start, data={"actual_start": SHANGHAI_DAY.isoformat(), "version": str(stage.version)},
                             follow_redirects=True)
    assert "A stage cannot start in the future." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Stage.status).where(Stage.id == stage.id)) == StageStatus.PLANNED
    started = in_shanghai.post(start, data={"actual_start": SHANGHAI_DAY.isoformat(), "version": str(stage.version)})
    assert started.status_code == 302
    db.session.expire_all()
    started_stage = db.session.get(Stage, stage.id)
    assert started_stage.status == StageStatus.ACTIVE and started_stage.actual_start == SHANGHAI_DAY
