"""Operations on change-management tasks and quick wins, and the figures other pages show.

Operations add an audit event; the calling view commits. The ``*_by_project`` functions take many
project ids and run one query each, for the executive dashboard.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import selectinload

from planner.audit.services import record, register
from planner.change.models import (
    ACTIVE_STATUSES,
    ChangeTask,
    QuickWin,
    QuickWinStatus,
    TaskStatus,
)
from planner.change.signals import quick_win_achieved, task_assigned, task_changed, task_created, task_overdue
from planner.change.starter import STARTER_TASKS
from planner.dates import local_today
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.projects.models import Project, ProjectMember

register("task.created", _l("Created the task “%(title)s”."))
register("task.updated", _l("Changed the task “%(title)s”."))
register("task.status", _l("Changed the status of the task “%(title)s”."))
register("task.done", _l("Completed the task “%(title)s”."))
register("task.deleted", _l("Deleted the task “%(title)s”."))
register("task.starter_loaded", _l("Added starter tasks from the methodology (%(count)s)."))
register("quick_win.created", _l("Added the quick win “%(title)s”."))
register("quick_win.updated", _l("Changed the quick win “%(title)s”."))
register("quick_win.celebrated", _l("Marked the quick win “%(title)s” as celebrated."))
register("quick_win.deleted", _l("Deleted the quick win “%(title)s”."))

OVERDUE_LOOKBACK_DAYS = 7
TASK_FIELDS = ("title", "description", "category", "owner_id", "due_date", "stage_id", "notes")
QUICK_WIN_FIELDS = ("title", "benefit", "kpi", "kpi_target", "owner_id", "target_date", "result")


# --------------------------------------------------------------------------- tasks


def project_tasks(project: Project) -> list[ChangeTask]:
    """Every task of the project, with owner and stage loaded (one query each)."""
    return list(db.session.scalars(
        select(ChangeTask)
        .options(selectinload(ChangeTask.owner).selectinload(ProjectMember.user), selectinload(ChangeTask.stage))
        .where(ChangeTask.project_id == project.id)
        .order_by(ChangeTask.due_date.is_(None), ChangeTask.due_date, ChangeTask.id)
    ))


def create_task(project: Project, **fields) -> ChangeTask:
    status = fields.pop("status", TaskStatus.OPEN)
    task = ChangeTask(project_id=project.id, **{k: v for k, v in fields.items() if k in TASK_FIELDS
                                                  or k in ("starter_key", "source_response_id")})
    task.set_status(TaskStatus(status))
    db.session.add(task)
    db.session.flush()
    record("task.created", project=project, target=task, title=task.title)
    task_created.send(task, actor=_actor())
    if task.owner_id is not None:
        task_assigned.send(task, actor=_actor())
    return task


def update_task(task: ChangeTask, **fields) -> list[str]:
    changed = [key for key in TASK_FIELDS if key in fields and getattr(task, key) != fields[key]]
    reassigned = "owner_id" in changed and fields["owner_id"] is not None
    for key in changed:
        setattr(task, key, fields[key])
    if "status" in fields and task.set_status(TaskStatus(fields["status"])):
        changed.append("status")
    if changed:
        record("task.updated", project=task.project_id, target=task, title=task.title, fields=", ".join(changed))
        db.session.flush()
        task_changed.send(task, actor=_actor(), fields=list(changed))
    if reassigned:
        task_assigned.send(task, actor=_actor())
    return changed


def set_task_status(task: ChangeTask, status: TaskStatus, notes: str | None = None) -> bool:
    changed = task.set_status(status)
    if changed:
        action = "task.done" if status == TaskStatus.DONE else "task.status"
        record(action, project=task.project_id, target=task, title=task.title, status=status.value)
    fields = ["status"] if changed else []
    if notes is not None and notes != task.notes:
        task.notes = notes
        if not changed:
            record("task.updated", project=task.project_id, target=task, title=task.title, fields="notes")
        changed = True
        fields.append("notes")
    if fields:
        db.session.flush()
        task_changed.send(task, actor=_actor(), fields=fields)
    return changed


def delete_task(task: ChangeTask) -> None:
    record("task.deleted", project=task.project_id, target=task, title=task.title)
    db.session.delete(task)


def load_starter_tasks(project: Project, start: date | None = None) -> list[ChangeTask]:
    """Adds the starter tasks the project does not have yet, in the current language. Returns those added."""
    present = set(db.session.scalars(
        select(ChangeTask.starter_key).where(ChangeTask.project_id == project.id, ChangeTask.starter_key.is_not(None))
    ))
    today = local_today()
    base = max(start or project.start_date or today, today)
    added = []
    for item in STARTER_TASKS:
        if item.key in present:
            continue
        task = ChangeTask(project_id=project.id, title=str(item.title), description=str(item.description),
                          category=item.category, due_date=base + timedelta(days=item.due_in_days),
                          starter_key=item.key)
        db.session.add(task)
        added.append(task)
    if added:
        db.session.flush()
        record("task.starter_loaded", project=project, count=len(added))
        for task in added:
            task_created.send(task, actor=_actor())
    return added


def signal_overdue_tasks(today: date) -> int:
    """Tells the listeners (``task_overdue``) of each open task whose due date has passed since it was
    last told, once per due date (``overdue_signalled_for``), the tasks of archived projects left out.
    Only due dates of the last week count: a task overdue for longer was overdue before this existed.
    Returns how many; the caller commits."""
    query = (select(ChangeTask).join(Project, Project.id == ChangeTask.project_id)
             .where(Project.archived_at.is_(None), ChangeTask.status.in_(ACTIVE_STATUSES),
                    ChangeTask.due_date < today, ChangeTask.due_date >= today - timedelta(days=OVERDUE_LOOKBACK_DAYS),
                    ChangeTask.overdue_signalled_for.is_(None)
                    | (ChangeTask.overdue_signalled_for != ChangeTask.due_date))
             .order_by(ChangeTask.id))
    tasks = list(db.session.scalars(query))
    for task in tasks:
        task.overdue_signalled_for = task.due_date
    if tasks:
        db.session.flush()
    for task in tasks:
        task_overdue.send(task, actor=None)
    return len(tasks)


@dataclass(frozen=True)
class TaskCounts:
    open: int
    overdue: int
    done: int
    total: int
    mine_open: int


def task_counts(project: Project, member_id: int | None, on: date | None = None) -> TaskCounts:
    """Counts for the overview card, in one aggregate query."""
    row = db.session.execute(_task_counts_statement(), {"project_id": project.id, "on": on or local_today(),
                                                        "member_id": member_id or -1}).one()
    total, open_, overdue, done, mine = (int(v) for v in row)
    return TaskCounts(open=open_, overdue=overdue, done=done, total=total, mine_open=mine)


@cache
def _task_counts_statement():
    """``task_counts``' query, built once per process (the overview shows the card on every visit)."""
    active = ChangeTask.status.in_(ACTIVE_STATUSES)
    on = bindparam("on", type_=ChangeTask.due_date.type)
    member_id = bindparam("member_id", type_=ChangeTask.owner_id.type)
    return select(
        func.count(),
        func.coalesce(func.sum(case((active, 1), else_=0)), 0),
        func.coalesce(func.sum(case((active & (ChangeTask.due_date < on), 1), else_=0)), 0),
        func.coalesce(func.sum(case((ChangeTask.status == TaskStatus.DONE, 1), else_=0)), 0),
        func.coalesce(func.sum(case((active & (ChangeTask.owner_id == member_id), 1), else_=0)), 0),
    ).where(ChangeTask.project_id == bindparam("project_id", type_=ChangeTask.project_id.type))


def overdue_tasks_by_project(project_ids, today_: date | None = None) -> dict[int, int]:
    """``{project_id: number of open or in-progress tasks past their due date}`` in one query.

    Every id asked for is in the result (0 when none is overdue)."""
    ids = list(dict.fromkeys(project_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    on = today_ or local_today()
    rows = db.session.execute(
        select(ChangeTask.project_id, func.count())
        .where(ChangeTask.project_id.in_(ids), ChangeTask.status.in_(ACTIVE_STATUSES), ChangeTask.due_date < on)
        .group_by(ChangeTask.project_id)
    )
    result.update({project_id: int(count) for project_id, count in rows})
    return result


def tasks_by_stage(tasks: list[ChangeTask]) -> list[tuple[object, list[ChangeTask]]]:
    """Groups tasks by stage, in stage order; tasks without a stage come last (stage None)."""
    groups: dict = defaultdict(list)
    for task in tasks:
        groups[task.stage].append(task)
    staged = sorted((s for s in groups if s is not None), key=lambda s: (s.position, s.id))
    return [(stage, groups[stage]) for stage in staged] + ([(None, groups[None])] if None in groups else [])


# --------------------------------------------------------------------------- quick wins


def project_quick_wins(project: Project) -> list[QuickWin]:
    order = case(
        (QuickWin.status == QuickWinStatus.IN_PROGRESS, 0), (QuickWin.status == QuickWinStatus.PLANNED, 1),
        (QuickWin.status == QuickWinStatus.ACHIEVED, 2), else_=3)
    return list(db.session.scalars(
        select(QuickWin).options(selectinload(QuickWin.owner).selectinload(ProjectMember.user))
        .where(QuickWin.project_id == project.id)
        .order_by(order, QuickWin.target_date.is_(None), QuickWin.target_date, QuickWin.id)
    ))


def create_quick_win(project: Project, status: QuickWinStatus = QuickWinStatus.PLANNED,
                     achieved_on: date | None = None, **fields) -> QuickWin:
    win = QuickWin(project_id=project.id, **{k: v for k, v in fields.items() if k in QUICK_WIN_FIELDS})
    win.set_status(QuickWinStatus(status), achieved_on, local_today())
    db.session.add(win)
    db.session.flush()
    record("quick_win.created", project=project, target=win, title=win.title)
    if win.status == QuickWinStatus.ACHIEVED:
        quick_win_achieved.send(win, actor=_actor())
    return win


def update_quick_win(win: QuickWin, status: QuickWinStatus, achieved_on: date | None = None, **fields) -> list[str]:
    changed = [key for key in QUICK_WIN_FIELDS if key in fields and getattr(win, key) != fields[key]]
    for key in changed:
        setattr(win, key, fields[key])
    before = (win.status, win.achieved_on)
    win.set_status(QuickWinStatus(status), achieved_on, local_today())
    if (win.status, win.achieved_on) != before:
        changed.append("status")
        if win.status == QuickWinStatus.ACHIEVED and before[0] != QuickWinStatus.ACHIEVED:
            db.session.flush()
            quick_win_achieved.send(win, actor=_actor())
    if changed:
        record("quick_win.updated", project=win.project_id, target=win, title=win.title, fields=", ".join(changed))
    return changed


def celebrate_quick_win(win: QuickWin, on: date, note: str) -> None:
    win.celebrate(on, note)
    record("quick_win.celebrated", project=win.project_id, target=win, title=win.title)


def delete_quick_win(win: QuickWin) -> None:
    record("quick_win.deleted", project=win.project_id, target=win, title=win.title)
    db.session.delete(win)


def quick_wins_by_project(project_ids) -> dict[int, tuple[int, int]]:
    """``{project_id: (achieved, planned)}`` in one query.

    ``planned`` counts every quick win the project still aims for (all but dropped ones, achieved
    included); ``achieved`` those reached. Every id asked for is in the result."""
    ids = list(dict.fromkeys(project_ids))
    result = dict.fromkeys(ids, (0, 0))
    if not ids:
        return result
    rows = db.session.execute(_quick_wins_statement(), {"ids": ids})
    result.update({project_id: (int(achieved or 0), int(planned)) for project_id, achieved, planned in rows})
    return result


@cache
def _quick_wins_statement():
    """``quick_wins_by_project``' query, built once per process: the project ids are a parameter."""
    return (select(QuickWin.project_id, func.sum(case((QuickWin.status == QuickWinStatus.ACHIEVED, 1), else_=0)),
                   func.count())
            .where(QuickWin.project_id.in_(bindparam("ids", expanding=True)), QuickWin.status != QuickWinStatus.DROPPED)
            .group_by(QuickWin.project_id))


@cache
def _next_quick_win_statement():
    """The project's next quick win still to reach (soonest target first, undated last), built once per
    process: the project is a parameter."""
    return (select(QuickWin).where(QuickWin.project_id == bindparam("project_id", type_=QuickWin.project_id.type),
                                   QuickWin.status.in_((QuickWinStatus.PLANNED, QuickWinStatus.IN_PROGRESS)))
            .order_by(QuickWin.target_date.is_(None), QuickWin.target_date, QuickWin.id).limit(1))


def next_quick_win(project: Project) -> QuickWin | None:
    return db.session.scalars(_next_quick_win_statement(), {"project_id": project.id}).first()


def _actor():
    """The signed-in person who made the change (None in a command or a job)."""
    from flask_login import current_user

    return current_user._get_current_object() if current_user and current_user.is_authenticated else None
