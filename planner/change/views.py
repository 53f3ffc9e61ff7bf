from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.change import services
from planner.change.forms import CelebrateForm, ConfirmForm, QuickWinForm, TaskForm, TaskStatusForm, TaskUpdateForm
from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskCategory, TaskStatus
from planner.dates import local_today
from planner.extensions import db
from planner.forms import flash_errors
from planner.i18n import lazy_gettext as _l
from planner.projects import registry
from planner.projects.access import get_in_project, has_role, is_manager, project_view
from planner.projects.models import ProjectRole
from planner.transactions import saving

bp = Blueprint("change", __name__)

VIEWS = ("board", "mine", "overdue", "stage")


def _tasks_panel(project):
    membership = g.get("membership")
    counts = services.task_counts(project, membership.id if membership else None)
    if counts.total == 0 and not has_role(ProjectRole.MANAGER):
        return None
    return {"counts": counts}


def _quick_wins_panel(project):
    achieved, planned = services.quick_wins_by_project([project.id])[project.id]
    if planned == 0 and not has_role(ProjectRole.MANAGER):
        return None
    return {"achieved": achieved, "planned": planned, "upcoming": services.next_quick_win(project),
            "today": local_today()}


registry.tab(210, "change.tasks", _l("Tasks"), icon="list-check", section="rollout")
registry.tab(220, "change.quick_wins", _l("Quick wins"), icon="trophy", section="rollout")
registry.panel(300, "change/_panel_tasks.html", _tasks_panel, staff_first=2)
registry.panel(310, "change/_panel_quick_wins.html", _quick_wins_panel, staff_first=3)


def _owns(task: ChangeTask) -> bool:
    membership = g.get("membership")
    return membership is not None and task.owner_id is not None and task.owner_id == membership.id


def _can_update(task: ChangeTask) -> bool:
    return is_manager() or _owns(task)


# --------------------------------------------------------------------------- tasks


@bp.route("/projects/<int:project_id>/change/tasks")
@project_view()
def tasks(project):
    view = request.args.get("view", "board")
    if view not in VIEWS:
        view = "board"
    category = request.args.get("category") or None
    if category not in TaskCategory._value2member_map_:
        category = None
    everything = services.project_tasks(project)
    shown = [t for t in everything if category is None or t.category == category]
    today = local_today()
    membership = g.get("membership")
    mine = [t for t in shown if membership is not None and t.owner_id == membership.id]
    overdue = sorted((t for t in shown if t.is_overdue(today)), key=lambda t: (t.due_date, t.id))
    columns = [(status, [t for t in shown if t.status == status]) for status in TaskStatus]
    return render_template(
        "change/tasks.html", project=project, view=view, category=category, tasks=shown, total=len(everything),
        columns=columns, mine=mine, overdue=overdue, by_stage=services.tasks_by_stage(shown), today=today,
        categories=list(TaskCategory), statuses=list(TaskStatus), can_manage=is_manager(),
        can_update=_can_update, confirm=ConfirmForm(),
    )


@bp.route("/projects/<int:project_id>/change/tasks/new", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def task_new(project):
    form = TaskForm(project)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in services.TASK_FIELDS}
        task = services.create_task(project, status=form.status.data, **fields)
        db.session.commit()
        flash(_("The task “%(title)s” is created.", title=task.title), "success")
        return redirect(url_for("change.tasks", project_id=project.id))
    return render_template("change/task_form.html", project=project, form=form, task=None)


@bp.route("/projects/<int:project_id>/change/tasks/<int:task_id>", methods=["GET", "POST"])
@project_view()
def task_edit(project, task_id):
    task = get_in_project(ChangeTask, task_id, project)
    if is_manager():
        form = TaskForm(project, obj=task)
    elif _owns(task):
        form = TaskUpdateForm(obj=task)
    else:
        abort(403)
    if form.validate_on_submit():
        if isinstance(form, TaskForm):
            fields = {name: getattr(form, name).data for name in services.TASK_FIELDS}
            services.update_task(task, status=form.status.data, **fields)
        else:
            services.set_task_status(task, TaskStatus(form.status.data), form.notes.data or "")
        db.session.commit()
        flash(_("The task is saved."), "success")
        return redirect(url_for("change.tasks", project_id=project.id))
    return render_template("change/task_form.html", project=project, form=form, task=task,
                           full=isinstance(form, TaskForm), confirm=ConfirmForm())


@bp.route("/projects/<int:project_id>/change/tasks/<int:task_id>/status", methods=["POST"])
@project_view()
def task_status(project, task_id):
    task = get_in_project(ChangeTask, task_id, project)
    if not _can_update(task):
        abort(403)
    form = TaskStatusForm()
    if form.validate_on_submit():
        services.set_task_status(task, TaskStatus(form.status.data))
        db.session.commit()
        flash(_("“%(title)s” is now %(status)s.", title=task.title, status=task.status.label), "success")
    else:
        flash_errors(form)
    view = request.form.get("view")
    return redirect(url_for("change.tasks", project_id=project.id, view=view if view in VIEWS else None))


@bp.route("/projects/<int:project_id>/change/tasks/<int:task_id>/delete", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def task_delete(project, task_id):
    task = get_in_project(ChangeTask, task_id, project)
    if ConfirmForm().validate_on_submit():
        services.delete_task(task)
        db.session.commit()
        flash(_("The task is deleted."), "success")
    return redirect(url_for("change.tasks", project_id=project.id))


@bp.route("/projects/<int:project_id>/change/tasks/starter", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def load_starter(project):
    if ConfirmForm().validate_on_submit():
        added = services.load_starter_tasks(project)
        db.session.commit()
        if added:
            flash(ngettext("%(num)d starter task is added. Assign an owner to each.",
                           "%(num)d starter tasks are added. Assign an owner to each.", len(added)), "success")
        else:
            flash(_("The project already has every starter task."), "info")
    return redirect(url_for("change.tasks", project_id=project.id))


# --------------------------------------------------------------------------- quick wins


@bp.route("/projects/<int:project_id>/change/quick-wins")
@project_view()
def quick_wins(project):
    wins = services.project_quick_wins(project)
    achieved, planned = services.quick_wins_by_project([project.id])[project.id]
    today = local_today()
    celebrate_forms = {}
    if is_manager():
        for win in wins:
            if win.status == QuickWinStatus.ACHIEVED and not win.celebrated:
                form = CelebrateForm(prefix=f"w{win.id}")
                form.celebrated_on.data = today
                celebrate_forms[win.id] = form
    return render_template("change/quick_wins.html", project=project, wins=wins, achieved=achieved,
                           planned=planned, today=today, can_manage=is_manager(),
                           celebrate_forms=celebrate_forms, confirm=ConfirmForm())


def _quick_win_fields(form: QuickWinForm) -> dict:
    kpi, target = form.kpi_value()
    return {"title": form.title.data, "benefit": form.benefit.data or "", "kpi": kpi, "kpi_target": target,
            "owner_id": form.owner_id.data, "target_date": form.target_date.data, "result": form.result.data or "",
            "status": QuickWinStatus(form.status.data), "achieved_on": form.achieved_on.data}


@bp.route("/projects/<int:project_id>/change/quick-wins/new", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def quick_win_new(project):
    form = QuickWinForm(project)
    if form.validate_on_submit():
        with saving(error_to=form.status) as saved:
            win = services.create_quick_win(project, **_quick_win_fields(form))
        if saved:
            flash(_("The quick win “%(title)s” is added.", title=win.title), "success")
            return redirect(url_for("change.quick_wins", project_id=project.id))
    return render_template("change/quick_win_form.html", project=project, form=form, win=None)


@bp.route("/projects/<int:project_id>/change/quick-wins/<int:win_id>", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def quick_win_edit(project, win_id):
    win = get_in_project(QuickWin, win_id, project)
    form = QuickWinForm(project, obj=win)
    if request.method == "GET":
        form.kpi.data = win.kpi.value if win.kpi else ""
        if win.kpi is not None and win.kpi_target is not None and win.kpi.is_ratio:
            form.kpi_target.data = win.kpi_target * 100
    if form.validate_on_submit():
        with saving(error_to=form.status) as saved:
            services.update_quick_win(win, **_quick_win_fields(form))
        if saved:
            flash(_("The quick win is saved."), "success")
            return redirect(url_for("change.quick_wins", project_id=project.id))
    return render_template("change/quick_win_form.html", project=project, form=form, win=win,
                           confirm=ConfirmForm())


@bp.route("/projects/<int:project_id>/change/quick-wins/<int:win_id>/celebrate", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def quick_win_celebrate(project, win_id):
    win = get_in_project(QuickWin, win_id, project)
    form = CelebrateForm(prefix=f"w{win.id}")
    if form.validate_on_submit():
        with saving() as saved:
            services.celebrate_quick_win(win, form.celebrated_on.data, form.note.data or "")
        if saved:
            flash(_("“%(title)s” is marked as celebrated. Well done!", title=win.title), "success")
    else:
        flash_errors(form)
    return redirect(url_for("change.quick_wins", project_id=project.id))


@bp.route("/projects/<int:project_id>/change/quick-wins/<int:win_id>/delete", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def quick_win_delete(project, win_id):
    win = get_in_project(QuickWin, win_id, project)
    if ConfirmForm().validate_on_submit():
        services.delete_quick_win(win)
        db.session.commit()
        flash(_("The quick win is deleted."), "success")
    return redirect(url_for("change.quick_wins", project_id=project.id))
