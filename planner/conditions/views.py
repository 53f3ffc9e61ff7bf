"""The conditions page (every member reads it; the owner or a project manager closes, a project manager
carries over, changes owner and due date, and sets whether the next sign-off waits), the card on
the gate of the stage after the one approved with conditions, and the card on the project overview.
Endpoint other features link to: ``conditions.index`` (``project_id``)."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.conditions import listeners, services  # noqa: F401 - listeners connect
from planner.conditions.forms import BACK, CarryForm, ChangeForm, CloseForm, SettingForm
from planner.conditions.models import Condition
from planner.dates import local_today
from planner.errors import render_error
from planner.forms import flash_errors
from planner.i18n import lazy_pgettext
from planner.projects import registry
from planner.projects.access import get_in_project, project_view
from planner.projects.models import ProjectRole
from planner.rollout import gate_panels
from planner.rollout.services.blockers import blocker_source
from planner.transactions import saving

bp = Blueprint("conditions", __name__)

OVERVIEW_SHOWN = 6  # conditions listed on the overview card; the page lists them all


def _actions(project) -> dict:
    """What the reader may do, for the templates: close (owner or manager), carry over and change (managers)."""
    membership = g.get("membership")
    live = not project.archived
    return {"member_id": getattr(membership, "id", None), "manager": live and services.is_manager(membership),
            "live": live}


def _overview_panel(project):
    conditions = services.unclosed_conditions(project)
    if not conditions:
        return None
    return {"conditions": conditions[:OVERVIEW_SHOWN], "more": max(0, len(conditions) - OVERVIEW_SHOWN),
            "today": local_today(), "owner_name": services.owner_name, **_actions(project)}


def _gate_panel(project, stage, stages):
    index = next((i for i, s in enumerate(stages) if s.id == stage.id), 0)
    previous = stages[index - 1] if index > 0 else None
    conditions = services.gate_conditions(stage, previous)
    if not conditions:
        return None
    blocking = services.blocks_next_signoff(project.id)
    return {"conditions": conditions, "today": local_today(), "owner_name": services.owner_name,
            "blocking": blocking, "stage": stage, **_actions(project)}


registry.tab(205, "conditions.index", lazy_pgettext("project tab", "Conditions"), icon="clipboard-check",
             section="rollout")
registry.panel(30, "conditions/_panel.html", _overview_panel)
gate_panels.panel(10, "conditions/_gate.html", _gate_panel)
blocker_source(services.blockers)


# --------------------------------------------------------------------------- the page


def _render_index(project, status=200, failed=None, setting_form=None, failed_form=None):
    if failed_form is not None and failed_form.csrf_token.errors:
        flash(str(failed_form.csrf_token.errors[0]), "danger")
    if setting_form is None and _actions(project)["manager"]:
        setting_form = SettingForm(formdata=None, block_next_signoff=services.blocks_next_signoff(project.id))
    html = render_template(
        "conditions/index.html", project=project, conditions=services.project_conditions(project),
        today=local_today(), owner_name=services.owner_name, setting_form=setting_form,
        blocking=services.blocks_next_signoff(project.id), due_days=services.DEFAULT_DUE_DAYS,
        failed=failed, failed_form=failed_form, **_actions(project))
    return html, status


@bp.route("/projects/<int:project_id>/conditions")
@project_view()
def index(project):
    return _render_index(project)


def _back(project, condition):
    """Back where the form was sent from: the gate, the overview, or the conditions page."""
    where = request.form.get("back", "list")
    where = where if where in BACK else "list"
    if where == "gate":
        stage_id = request.form.get("stage", "")
        if stage_id.isdigit():
            return redirect(url_for("rollout.gate", project_id=project.id, stage_id=int(stage_id),
                                    _anchor="conditions"))
    if where == "overview":
        return redirect(url_for("projects.overview", project_id=project.id, _anchor="panel-conditions"))
    return redirect(url_for("conditions.index", project_id=project.id, _anchor=f"condition-{condition.id}"))


@bp.route("/projects/<int:project_id>/conditions/<int:condition_id>/close", methods=["POST"])
@project_view()
def close(project, condition_id):
    condition = get_in_project(Condition, condition_id, project)
    if not condition.closed and not services.may_close(condition, g.membership):
        return render_error(403, _("Only the condition's owner or a project manager can close it."))
    form = CloseForm()
    if not form.validate_on_submit():
        return _render_index(project, 400, failed=condition.id, failed_form=form)
    with saving() as saved:
        services.close(condition, form.note.data, current_user, g.membership)
    if saved:
        flash(_("The condition is closed."), "success")
    return _back(project, condition)


@bp.route("/projects/<int:project_id>/conditions/<int:condition_id>/carry-over", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def carry_over(project, condition_id):
    condition = get_in_project(Condition, condition_id, project)
    form = CarryForm()
    if not form.validate_on_submit():
        return _render_index(project, 400, failed=condition.id, failed_form=form)
    with saving() as saved:
        services.carry_over(condition, form.reason.data, current_user, g.membership)
    if saved:
        flash(_("The condition is carried over. It stays on the list until someone closes it."), "success")
    return _back(project, condition)


@bp.route("/projects/<int:project_id>/conditions/<int:condition_id>/edit", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def edit(project, condition_id):
    condition = get_in_project(Condition, condition_id, project)
    form = ChangeForm(owners=services.owner_choices(project))
    if request.method == "GET":
        form.owner.data, form.due_date.data = condition.owner_id, condition.due_date
    if form.validate_on_submit():
        with saving(error_to=form.owner) as saved:
            changed = services.change(condition, form.owner.data, form.due_date.data, current_user, g.membership)
        if saved:
            flash(_("The condition is changed.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("conditions.index", project_id=project.id, _anchor=f"condition-{condition.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("conditions/edit.html", project=project, condition=condition, form=form,
                           owner_name=services.owner_name), status


@bp.route("/projects/<int:project_id>/conditions/setting", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def setting(project):
    form = SettingForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("conditions.index", project_id=project.id))
    with saving() as saved:
        changed = services.set_blocking(project, form.block_next_signoff.data, current_user)
    if saved:
        if not changed:
            flash(_("Nothing changed."), "info")
        elif form.block_next_signoff.data:
            flash(_("From now on, the next stage's sign-off waits until the conditions are closed or carried "
                    "over."), "success")
        else:
            flash(_("The next stage's sign-off no longer waits for the conditions."), "success")
    return redirect(url_for("conditions.index", project_id=project.id))
