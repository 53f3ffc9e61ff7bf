"""Access rules for change-management tasks and quick wins.

Tasks: every member reads the board; project managers create, assign and delete; a task's owner
(here the staff member) may update its status and notes; nobody else may open it for editing."""

from datetime import date

from planner.change.models import QuickWinStatus
from planner.kpis.definitions import KpiKey
from tests.access.matrix import FORBIDDEN, MANAGERS, MEMBERS, NOT_FOUND, Rule, expect, foreign
from tests.change_factories import make_quick_win, make_stage, make_task

OWNER_OR_MANAGER = expect(sponsor=FORBIDDEN, admin=FORBIDDEN)  # the staff member owns the task
ANY_MEMBER_404 = expect(staff=NOT_FOUND, sponsor=NOT_FOUND, manager=NOT_FOUND, admin=NOT_FOUND)

TASK = {"title": "培训计划", "category": "training", "status": "open", "owner_id": "", "stage_id": ""}
STATUS = {"status": "in_progress"}
WIN = {"title": "首个速赢", "benefit": "回复时间缩短一半", "status": "planned"}

RULES = [
    Rule("change.tasks", "/projects/{project}/change/tasks", MEMBERS),
    Rule("change.tasks", "/projects/{project}/change/tasks?view=stage", MEMBERS),
    Rule("change.task_new", "/projects/{project}/change/tasks/new", MANAGERS),
    Rule("change.task_new", "/projects/{project}/change/tasks/new", MANAGERS, method="POST", data=TASK),
    Rule("change.task_edit", "/projects/{project}/change/tasks/{staff_task}", OWNER_OR_MANAGER),
    Rule("change.task_edit", "/projects/{project}/change/tasks/{staff_task}", OWNER_OR_MANAGER, method="POST",
         data={**TASK, "notes": "已联系"}),
    Rule("change.task_edit", "/projects/{project}/change/tasks/{manager_task}", MANAGERS),
    Rule("change.task_edit", "/projects/{project}/change/tasks/{manager_task}", MANAGERS, method="POST", data=TASK),
    Rule("change.task_edit", "/projects/{project}/change/tasks/{foreign_task}", ANY_MEMBER_404),
    Rule("change.task_edit", "/projects/{project}/change/tasks/{foreign_task}", ANY_MEMBER_404, method="POST",
         data=TASK),
    Rule("change.task_status", "/projects/{project}/change/tasks/{staff_task}/status", OWNER_OR_MANAGER,
         method="POST", data=STATUS),
    Rule("change.task_status", "/projects/{project}/change/tasks/{manager_task}/status", MANAGERS,
         method="POST", data=STATUS),
    Rule("change.task_status", "/projects/{project}/change/tasks/{foreign_task}/status", ANY_MEMBER_404,
         method="POST", data=STATUS),
    Rule("change.task_delete", "/projects/{project}/change/tasks/{manager_task}/delete", MANAGERS, method="POST"),
    Rule("change.task_delete", "/projects/{project}/change/tasks/{foreign_task}/delete", foreign(MANAGERS),
         method="POST"),
    Rule("change.load_starter", "/projects/{project}/change/tasks/starter", MANAGERS, method="POST"),
    Rule("change.quick_wins", "/projects/{project}/change/quick-wins", MEMBERS),
    Rule("change.quick_win_new", "/projects/{project}/change/quick-wins/new", MANAGERS),
    Rule("change.quick_win_new", "/projects/{project}/change/quick-wins/new", MANAGERS, method="POST", data=WIN),
    Rule("change.quick_win_edit", "/projects/{project}/change/quick-wins/{win}", MANAGERS),
    Rule("change.quick_win_edit", "/projects/{project}/change/quick-wins/{win}", MANAGERS, method="POST", data=WIN),
    Rule("change.quick_win_edit", "/projects/{project}/change/quick-wins/{foreign_win}", foreign(MANAGERS)),
    Rule("change.quick_win_edit", "/projects/{project}/change/quick-wins/{foreign_win}", foreign(MANAGERS),
         method="POST", data=WIN),
    Rule("change.quick_win_celebrate", "/projects/{project}/change/quick-wins/{win}/celebrate", MANAGERS,
         method="POST", data=lambda world: {f"w{world.ids['win']}-celebrated_on": "2026-09-01",
                                            f"w{world.ids['win']}-note": "团队午餐"}),
    Rule("change.quick_win_celebrate", "/projects/{project}/change/quick-wins/{foreign_win}/celebrate",
         foreign(MANAGERS), method="POST"),
    Rule("change.quick_win_delete", "/projects/{project}/change/quick-wins/{win}/delete", MANAGERS, method="POST"),
    Rule("change.quick_win_delete", "/projects/{project}/change/quick-wins/{foreign_win}/delete", foreign(MANAGERS),
         method="POST"),
]


def setup(world):
    from sqlalchemy import select

    from planner.extensions import db
    from planner.projects.models import ProjectMember

    project, other = world.project, world.other_project
    manager_member = db.session.scalar(select(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.user_id == world.users["manager"].id))
    stage = make_stage(project, name="试点阶段")
    staff_task = make_task(project, title="准备培训材料", owner=world.ids["member"], stage=stage,
                           due_date=date(2020, 1, 6))
    manager_task = make_task(project, title="发起人宣讲", owner=manager_member)
    foreign_task = make_task(other, title="乙方任务", owner=world.ids["other_member"])
    win = make_quick_win(project, title="投诉回复提速", status=QuickWinStatus.ACHIEVED,
                         kpi=KpiKey.FIRST_CONTACT_RESOLUTION)
    foreign_win = make_quick_win(other, title="乙方速赢", status=QuickWinStatus.ACHIEVED)
    world.ids.update(stage=stage.id, staff_task=staff_task.id, manager_task=manager_task.id,
                     foreign_task=foreign_task.id, win=win.id, foreign_win=foreign_win.id)
