"""Change-management tasks and quick wins, through HTTP, with the permission cases."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEvent
from planner.change import services
from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskCategory, TaskStatus
from planner.change.starter import STARTER_TASKS
from planner.kpis.definitions import KpiKey
from planner.projects.models import ProjectMember
from tests.change_factories import count_queries, make_quick_win, make_stage, make_task
from tests.helpers import login


@pytest.fixture
def team(make_user, make_project, add_member, db):
    """A project with a manager, a sponsor and two staff members, and another project."""
    manager = make_user(name="经理")
    project = make_project(manager=manager)
    staff = make_user(name="员工甲")
    colleague = make_user(name="员工乙")
    sponsor = make_user(name="发起人")
    staff_member = add_member(project, staff, team="客服")
    colleague_member = add_member(project, colleague, team="销售")
    add_member(project, sponsor, sponsor=True)
    manager_member = db.session.scalar(select(ProjectMember).where(ProjectMember.user_id == manager.id))
    other = make_project(manager=make_user())
    return {"project": project, "other": other, "manager": manager, "staff": staff, "colleague": colleague,
            "sponsor": sponsor, "staff_member": staff_member, "colleague_member": colleague_member,
            "manager_member": manager_member}


def task_form(**overrides):
    data = {"title": "编写培训计划", "description": "按岗位安排", "category": "training", "owner_id": "",
            "due_date": "2026-06-01", "stage_id": "", "status": "open", "notes": ""}
    data.update(overrides)
    return data


def tasks_of(db, project):
    db.session.expire_all()
    return db.session.scalars(select(ChangeTask).where(ChangeTask.project_id == project.id)).all()


# --------------------------------------------------------------------------- creating and assigning


def test_a_project_manager_creates_and_assigns_a_task(client, team, db):
    project = team["project"]
    stage = make_stage(project, name="试点")
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/change/tasks/new", data=task_form(
        owner_id=str(team["staff_member"].id), stage_id=str(stage.id), category="communication"))
    assert response.status_code == 302
    [task] = tasks_of(db, project)
    assert (task.title, task.category, task.owner_id, task.stage_id, task.due_date, task.status) == (
        "编写培训计划", TaskCategory.COMMUNICATION, team["staff_member"].id, stage.id, date(2026, 6, 1),
        TaskStatus.OPEN)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.project_id == project.id)) == "task.created"


@pytest.mark.parametrize("role", ["staff", "sponsor"])
def test_only_project_managers_create_tasks(client, team, db, role):
    login(client, team[role])
    project = team["project"]
    assert client.get(f"/projects/{project.id}/change/tasks/new").status_code == 403
    response = client.post(f"/projects/{project.id}/change/tasks/new",
                           data=task_form(owner_id=str(team["staff_member"].id)))
    assert response.status_code == 403
    assert tasks_of(db, project) == []


def test_an_owner_or_stage_from_another_project_is_refused_in_the_readers_language(client, team, make_user,
                                                                                  add_member, db):
    project, other = team["project"], team["other"]
    outsider = add_member(other, make_user())
    foreign_stage = make_stage(other)
    team["manager"].language = "es"
    db.session.commit()
    login(client, team["manager"])
    page = client.post(f"/projects/{project.id}/change/tasks/new",
                       data=task_form(owner_id=str(outsider.id), stage_id=str(foreign_stage.id))).get_data(as_text=True)
    assert page.count("Elige una de las opciones.") == 2
    page = client.post(f"/projects/{project.id}/change/tasks/new",
                       data=task_form(title="", owner_id="abc")).get_data(as_text=True)
    assert "Este campo es obligatorio." in page and "Elige una de las opciones." in page
    assert tasks_of(db, project) == []


def test_the_manager_reassigns_and_edits_every_field(client, team, db):
    project = team["project"]
    task = make_task(project, owner=team["staff_member"])
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/change/tasks/{task.id}", data=task_form(
        title="新标题", owner_id=str(team["colleague_member"].id), status="done", category="data"))
    assert response.status_code == 302
    [task] = tasks_of(db, project)
    assert (task.title, task.owner_id, task.status, task.category) == (
        "新标题", team["colleague_member"].id, TaskStatus.DONE, TaskCategory.DATA)
    assert task.completed_at is not None


# --------------------------------------------------------------------------- staff update what they own


def test_staff_update_the_status_and_notes_of_a_task_they_own_and_nothing_else(client, team, db):
    project = team["project"]
    task = make_task(project, title="原标题", owner=team["staff_member"], due_date=date(2026, 5, 1))
    login(client, team["staff"])
    page = client.get(f"/projects/{project.id}/change/tasks/{task.id}").get_data(as_text=True)
    assert 'name="notes"' in page and 'name="title"' not in page and 'name="owner_id"' not in page
    response = client.post(f"/projects/{project.id}/change/tasks/{task.id}", data=task_form(
        title="被改的标题", owner_id=str(team["colleague_member"].id), due_date="2030-01-01",
        status="in_progress", notes="已预订会议室"))
    assert response.status_code == 302
    [task] = tasks_of(db, project)
    assert (task.status, task.notes) == (TaskStatus.IN_PROGRESS, "已预订会议室")
    assert (task.title, task.owner_id, task.due_date) == ("原标题", team["staff_member"].id, date(2026, 5, 1))


def test_staff_move_their_own_task_on_the_board(client, team, db):
    project = team["project"]
    task = make_task(project, owner=team["staff_member"])
    login(client, team["staff"])
    response = client.post(f"/projects/{project.id}/change/tasks/{task.id}/status",
                           data={"status": "done", "view": "mine"})
    assert response.status_code == 302 and response.headers["Location"].endswith("view=mine")
    [task] = tasks_of(db, project)
    assert task.status == TaskStatus.DONE and task.completed_at is not None


@pytest.mark.parametrize("role", ["staff", "sponsor"])
def test_members_cannot_update_a_task_they_do_not_own(client, team, db, role):
    project = team["project"]
    task = make_task(project, title="别人的任务", owner=team["colleague_member"])
    login(client, team[role])
    assert client.get(f"/projects/{project.id}/change/tasks/{task.id}").status_code == 403
    assert client.post(f"/projects/{project.id}/change/tasks/{task.id}",
                       data={"status": "done", "notes": "x"}).status_code == 403
    assert client.post(f"/projects/{project.id}/change/tasks/{task.id}/status",
                       data={"status": "cancelled"}).status_code == 403
    assert client.post(f"/projects/{project.id}/change/tasks/{task.id}/delete").status_code == 403
    [task] = tasks_of(db, project)
    assert (task.status, task.notes) == (TaskStatus.OPEN, "")


def test_the_board_only_offers_status_changes_on_tasks_the_reader_may_change(client, team):
    project = team["project"]
    mine = make_task(project, title="我的任务", owner=team["staff_member"])
    theirs = make_task(project, title="同事的任务", owner=team["colleague_member"])
    login(client, team["staff"])
    page = client.get(f"/projects/{project.id}/change/tasks").get_data(as_text=True)
    assert f"/change/tasks/{mine.id}/status" in page
    assert f"/change/tasks/{theirs.id}/status" not in page
    assert "/change/tasks/new" not in page


def test_ids_from_another_project_are_not_found_and_nothing_changes(client, team, db):
    project, other = team["project"], team["other"]
    foreign = make_task(other, title="乙方任务")
    login(client, team["manager"])
    for path in (f"/change/tasks/{foreign.id}", f"/change/tasks/{foreign.id}/status",
                 f"/change/tasks/{foreign.id}/delete"):
        assert client.post(f"/projects/{project.id}{path}", data=task_form(status="done")).status_code == 404
    [task] = tasks_of(db, other)
    assert (task.title, task.status) == ("乙方任务", TaskStatus.OPEN)


def test_a_manager_deletes_a_task(client, team, db):
    project = team["project"]
    task = make_task(project)
    login(client, team["manager"])
    assert client.post(f"/projects/{project.id}/change/tasks/{task.id}/delete").status_code == 302
    assert tasks_of(db, project) == []


def test_an_archived_project_takes_no_new_tasks(client, team, db):
    project = team["project"]
    project.archived_at = project.created_at
    db.session.commit()
    login(client, team["manager"])
    assert client.post(f"/projects/{project.id}/change/tasks/new", data=task_form()).status_code == 302
    assert tasks_of(db, project) == []


# --------------------------------------------------------------------------- views


def test_my_tasks_overdue_and_by_stage_views(client, team):
    project = team["project"]
    today = date.today()
    pilot = make_stage(project, name="试点阶段", position=1)
    wave = make_stage(project, name="第一批", position=2)
    make_task(project, title="我的逾期任务", owner=team["staff_member"], due_date=today - timedelta(days=3),
              stage=pilot)
    make_task(project, title="我的未来任务", owner=team["staff_member"], due_date=today + timedelta(days=3),
              stage=wave)
    make_task(project, title="同事的逾期任务", owner=team["colleague_member"], due_date=today - timedelta(days=1))
    make_task(project, title="已完成的旧任务", owner=team["staff_member"], due_date=today - timedelta(days=9),
              status=TaskStatus.DONE, category=TaskCategory.DATA)
    login(client, team["staff"])
    base = f"/projects/{project.id}/change/tasks"
    mine = client.get(base + "?view=mine&lang=en").get_data(as_text=True)
    assert "我的逾期任务" in mine and "我的未来任务" in mine and "同事的逾期任务" not in mine
    overdue = client.get(base + "?view=overdue").get_data(as_text=True)
    assert "我的逾期任务" in overdue and "同事的逾期任务" in overdue
    assert "我的未来任务" not in overdue and "已完成的旧任务" not in overdue
    assert "3 days late" in overdue and "1 day late" in overdue
    by_stage = client.get(base + "?view=stage").get_data(as_text=True)
    assert by_stage.index("试点阶段") < by_stage.index("我的逾期任务") < by_stage.index("第一批") \
        < by_stage.index("我的未来任务") < by_stage.index("Not linked to a stage") < by_stage.index("同事的逾期任务")
    filtered = client.get(base + "?category=data").get_data(as_text=True)
    assert "已完成的旧任务" in filtered and "我的逾期任务" not in filtered


def test_overview_counts_open_overdue_and_mine(client, team):
    project = team["project"]
    today = date.today()
    make_task(project, owner=team["staff_member"], due_date=today - timedelta(days=2))
    make_task(project, owner=team["staff_member"], status=TaskStatus.IN_PROGRESS)
    make_task(project, owner=team["colleague_member"], due_date=today - timedelta(days=5))
    make_task(project, owner=team["staff_member"], status=TaskStatus.CANCELLED, due_date=today - timedelta(days=5))
    login(client, team["staff"])
    counts = services.task_counts(project, team["staff_member"].id, today)
    assert (counts.open, counts.overdue, counts.mine_open, counts.total) == (3, 2, 2, 4)
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Change-management tasks" in page and "Still to do" in page


# --------------------------------------------------------------------------- starter tasks


def test_starter_tasks_are_created_in_the_readers_language_once_and_stay_editable(client, team, db):
    project = team["project"]
    team["manager"].language = "es"
    db.session.commit()
    login(client, team["manager"])
    assert client.post(f"/projects/{project.id}/change/tasks/starter").status_code == 302
    tasks = tasks_of(db, project)
    assert len(tasks) == len(STARTER_TASKS)
    titles = {t.title for t in tasks}
    assert "Escribe el plan de formación para cada puesto" in titles
    assert {t.category for t in tasks} >= {TaskCategory.SPONSORSHIP, TaskCategory.TRAINING, TaskCategory.FEEDBACK,
                                           TaskCategory.COMMUNICATION, TaskCategory.PROCESS}
    assert all(t.due_date is not None and t.owner_id is None for t in tasks)
    client.post(f"/projects/{project.id}/change/tasks/starter")
    assert len(tasks_of(db, project)) == len(STARTER_TASKS)
    training = next(t for t in tasks if t.starter_key == "training-plan")
    client.post(f"/projects/{project.id}/change/tasks/{training.id}", data=task_form(title="Plan de formación propio"))
    assert db.session.get(ChangeTask, training.id).title == "Plan de formación propio"


def test_starter_tasks_in_chinese(client, team, db):
    team["manager"].language = "zh"
    db.session.commit()
    login(client, team["manager"])
    client.post(f"/projects/{team['project'].id}/change/tasks/starter")
    titles = {t.title for t in tasks_of(db, team["project"])}
    assert "为每个岗位编写培训计划" in titles


def test_staff_cannot_load_starter_tasks(client, team, db):
    login(client, team["staff"])
    assert client.post(f"/projects/{team['project'].id}/change/tasks/starter").status_code == 403
    assert tasks_of(db, team["project"]) == []


def test_overdue_tasks_by_project_in_one_query(team, make_project, make_user, db):
    project, other = team["project"], team["other"]
    third = make_project(manager=make_user())
    today = date(2026, 6, 10)
    make_task(project, due_date=date(2026, 6, 9))
    make_task(project, due_date=date(2026, 6, 1), status=TaskStatus.IN_PROGRESS)
    make_task(project, due_date=date(2026, 6, 10))  # due today: not overdue yet
    make_task(project, due_date=date(2026, 6, 1), status=TaskStatus.DONE)
    make_task(other, due_date=date(2026, 5, 1), status=TaskStatus.CANCELLED)
    make_task(other, due_date=date(2026, 5, 1))
    ids = [project.id, other.id, third.id]
    with count_queries(db) as statements:
        result = services.overdue_tasks_by_project(ids, today)
    assert result == {ids[0]: 2, ids[1]: 1, ids[2]: 0}
    assert len(statements) == 1


# --------------------------------------------------------------------------- quick wins


def win_form(**overrides):
    data = {"title": "投诉一天内回复", "benefit": "投诉回复时间从三天缩短到一天", "kpi": "", "kpi_target": "",
            "owner_id": "", "target_date": "2026-07-01", "status": "planned", "achieved_on": "", "result": ""}
    data.update(overrides)
    return data


def wins_of(db, project):
    db.session.expire_all()
    return db.session.scalars(select(QuickWin).where(QuickWin.project_id == project.id)).all()


def test_a_manager_registers_a_quick_win_with_a_kpi_target(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/change/quick-wins/new",
                           data=win_form(kpi="first_contact_resolution", kpi_target="85",
                                         owner_id=str(team["staff_member"].id)))
    assert response.status_code == 302
    [win] = wins_of(db, project)
    assert (win.kpi, win.kpi_target, win.owner_id, win.target_date, win.status) == (
        KpiKey.FIRST_CONTACT_RESOLUTION, Decimal("0.85"), team["staff_member"].id, date(2026, 7, 1),
        QuickWinStatus.PLANNED)
    page = client.get(f"/projects/{project.id}/change/quick-wins?lang=en").get_data(as_text=True)
    assert "First-contact resolution → 85%" in page


def test_a_satisfaction_target_is_a_score_typed_in_the_locale(client, team, db):
    team["manager"].language = "es"
    db.session.commit()
    login(client, team["manager"])
    project = team["project"]
    client.post(f"/projects/{project.id}/change/quick-wins/new", data=win_form(kpi="satisfaction", kpi_target="4,5"))
    [win] = wins_of(db, project)
    assert win.kpi_target == Decimal("4.5")
    page = client.get(f"/projects/{project.id}/change/quick-wins/{win.id}").get_data(as_text=True)
    assert 'value="4,50"' in page


@pytest.mark.parametrize("kpi, target, message", [
    ("satisfaction", "7", "Enter a score from 1 to 5."),
    ("adoption", "120", "Enter a percentage from 0 to 100."),
    ("", "50", "Choose the KPI this target applies to."),
])
def test_an_impossible_target_is_refused(client, team, db, kpi, target, message):
    login(client, team["manager"])
    page = client.post(f"/projects/{team['project'].id}/change/quick-wins/new?lang=en",
                       data=win_form(kpi=kpi, kpi_target=target)).get_data(as_text=True)
    assert message in page
    assert wins_of(db, team["project"]) == []


def test_achieving_and_celebrating_a_quick_win(client, team, db):
    project = team["project"]
    win = make_quick_win(project, title="首个速赢")
    login(client, team["manager"])
    base = f"/projects/{project.id}/change/quick-wins/{win.id}"
    client.post(base + "/celebrate", data={f"w{win.id}-celebrated_on": "2026-07-02"})
    assert wins_of(db, project)[0].celebrated_on is None  # not achieved yet
    client.post(base, data=win_form(title="首个速赢", status="achieved", achieved_on="2026-06-28",
                                    result="回复时间降到一天"))
    client.post(base + "/celebrate", data={f"w{win.id}-celebrated_on": "2026-06-20"})
    assert wins_of(db, project)[0].celebrated_on is None  # before it was achieved
    response = client.post(base + "/celebrate", data={f"w{win.id}-celebrated_on": "2026-07-02",
                                                      f"w{win.id}-note": "团队午餐庆祝"})
    assert response.status_code == 302
    [win] = wins_of(db, project)
    assert (win.status, win.achieved_on, win.celebrated_on, win.celebration_note) == (
        QuickWinStatus.ACHIEVED, date(2026, 6, 28), date(2026, 7, 2), "团队午餐庆祝")
    page = client.post(base + "?lang=en", data=win_form(title="首个速赢", status="in_progress")).get_data(as_text=True)
    assert "This quick win has been celebrated, so it stays achieved." in page
    assert wins_of(db, project)[0].status == QuickWinStatus.ACHIEVED


@pytest.mark.parametrize("role", ["staff", "sponsor"])
def test_only_managers_change_quick_wins(client, team, db, role):
    project = team["project"]
    win = make_quick_win(project, title="原速赢", status=QuickWinStatus.ACHIEVED)
    login(client, team[role])
    base = f"/projects/{project.id}/change/quick-wins"
    assert client.get(base).status_code == 200
    assert client.post(base + "/new", data=win_form()).status_code == 403
    assert client.post(f"{base}/{win.id}", data=win_form(title="改")).status_code == 403
    assert client.post(f"{base}/{win.id}/celebrate", data={f"w{win.id}-celebrated_on": "2026-07-02"}).status_code == 403
    assert client.post(f"{base}/{win.id}/delete").status_code == 403
    [win] = wins_of(db, project)
    assert (win.title, win.celebrated_on) == ("原速赢", None)


def test_quick_wins_of_another_project_are_not_found(client, team, db):
    foreign = make_quick_win(team["other"], title="乙方速赢", status=QuickWinStatus.ACHIEVED)
    login(client, team["manager"])
    base = f"/projects/{team['project'].id}/change/quick-wins/{foreign.id}"
    assert client.post(base, data=win_form()).status_code == 404
    assert client.post(base + "/celebrate", data={f"w{foreign.id}-celebrated_on": "2026-07-02"}).status_code == 404
    assert client.post(base + "/delete").status_code == 404
    [win] = wins_of(db, team["other"])
    assert (win.title, win.celebrated_on) == ("乙方速赢", None)


def test_achieved_versus_planned_on_the_overview_and_in_bulk(client, team, db):
    project, other = team["project"], team["other"]
    for status in (QuickWinStatus.ACHIEVED, QuickWinStatus.ACHIEVED, QuickWinStatus.PLANNED,
                   QuickWinStatus.IN_PROGRESS, QuickWinStatus.DROPPED):
        make_quick_win(project, status=status)
    make_quick_win(other, status=QuickWinStatus.DROPPED)
    ids = [project.id, other.id]
    with count_queries(db) as statements:
        assert services.quick_wins_by_project(ids) == {ids[0]: (2, 4), ids[1]: (0, 0)}
    assert len(statements) == 1
    login(client, team["staff"])
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "of 4 planned quick wins achieved" in page
    assert '<span class="stat-value">2</span>' in page


def test_user_text_in_tasks_and_quick_wins_is_escaped(client, team):
    project = team["project"]
    make_task(project, title="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>",
              owner=team["staff_member"])
    make_quick_win(project, title="<b>粗体</b>", benefit="<script>alert(3)</script>")
    login(client, team["staff"])
    tasks = client.get(f"/projects/{project.id}/change/tasks?view=mine").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in tasks and "&lt;script&gt;alert(1)&lt;/script&gt;" in tasks
    assert "<img src=x" not in tasks
    wins = client.get(f"/projects/{project.id}/change/quick-wins").get_data(as_text=True)
    assert "<b>粗体</b>" not in wins and "&lt;b&gt;粗体&lt;/b&gt;" in wins and "<script>alert(3)" not in wins


def test_every_task_change_is_audited(client, team, db):
    project = team["project"]
    task = make_task(project, owner=team["staff_member"])
    login(client, team["staff"])
    client.post(f"/projects/{project.id}/change/tasks/{task.id}/status", data={"status": "done"})
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert actions == ["task.done"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_the_task_board_runs_the_same_queries_whatever_the_number_of_tasks(client, team, db):
    project = team["project"]
    login(client, team["staff"])

    def queries_for_board():
        with count_queries(db) as statements:
            assert client.get(f"/projects/{project.id}/change/tasks").status_code == 200
        return len(statements)

    stage = make_stage(project)
    make_task(project, owner=team["staff_member"], stage=stage)
    few = queries_for_board()
    members = [team["staff_member"], team["colleague_member"], team["manager_member"]]
    for n in range(30):
        make_task(project, owner=members[n % 3], stage=make_stage(project) if n % 5 == 0 else stage,
                  due_date=date.today() - timedelta(days=n - 10))
    assert queries_for_board() == few
