"""The setup checklist on a project's overview, for its project managers, and its dismissal."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.guide import services
from planner.projects import registry
from planner.projects.access import has_role, project_view
from planner.projects.forms import ConfirmForm
from planner.projects.models import ProjectRole
from planner.transactions import saving

bp = Blueprint("guide", __name__)


def _setup_panel(project):
    if not has_role(ProjectRole.MANAGER) or project.archived or services.is_dismissed(project):
        return None
    steps = services.steps(project)
    return {"steps": steps, "next": services.next_step(steps), "done": sum(step.done for step in steps),
            "form": ConfirmForm()}


registry.panel(5, "guide/_panel_setup.html", _setup_panel)


@bp.route("/projects/<int:project_id>/setup/dismiss", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def dismiss(project):
    if ConfirmForm().validate_on_submit():
        with saving(category="warning") as saved:  # refused while a step is open: the refusal is flashed, nothing saved
            services.dismiss(project, current_user)
        if saved:
            flash(_("The setup checklist is put away. Every step stays one tab away."), "success")
    return redirect(url_for("projects.overview", project_id=project.id))
