from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from planner import nav
from planner.extensions import db
from planner.forms import flash_errors
from planner.i18n import lazy_gettext as _l
from planner.projects import registry, services
from planner.projects.access import get_in_project, is_lead, project_view, visible_projects_query
from planner.projects.forms import ConfirmForm, MemberAddForm, MemberEditForm, ProjectForm
from planner.projects.models import Project, ProjectMember, ProjectRole
from planner.transactions import saving

bp = Blueprint("projects", __name__)

nav.item(5, "projects.index", _l("Projects"), icon="folder2-open")
registry.tab(0, "projects.overview", _l("Overview"), icon="house")
registry.tab(610, "projects.members", _l("Members"), icon="people", section="people")
registry.tab(920, "projects.settings", _l("Project settings"), roles=(ProjectRole.MANAGER,), icon="gear",
             section="settings")


def _form_fields(form: ProjectForm) -> dict:
    return {
        "name": form.name.data,
        "description": form.description.data or "",
        "vision": form.vision.data or "",
        "business_areas": list(form.business_areas.data or []),
        "currency": form.currency.data,
        "start_date": form.start_date.data,
    }


@bp.route("/projects")
@login_required
def index():
    show_archived = request.args.get("archived") == "1"
    query = visible_projects_query(current_user, include_archived=show_archived)
    projects = db.session.scalars(query.order_by(Project.archived_at.isnot(None), func.lower(Project.name))).all()
    member_counts = dict(
        db.session.execute(
            select(ProjectMember.project_id, func.count())
            .where(ProjectMember.project_id.in_([p.id for p in projects]))
            .group_by(ProjectMember.project_id)
        ).all()
    )
    return render_template("projects/index.html", projects=projects, member_counts=member_counts,
                           show_archived=show_archived)


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def create():
    if not current_user.can_create_projects:
        abort(403)
    form = ProjectForm()
    if form.validate_on_submit():
        project = services.create_project(current_user, **_form_fields(form))
        db.session.commit()
        flash(_("The project is created. You are its project manager."), "success")
        return redirect(url_for("projects.overview", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None)


@bp.route("/projects/<int:project_id>")
@project_view()
def overview(project):
    # Staff (members who are neither manager nor sponsor) see their own cards first: the survey, their tasks.
    staff = g.get("membership") is not None and not is_lead()
    first, top, cards = [], [], []
    for item in registry.panels():
        context = item.context(project)
        if context is None:
            continue
        if staff and item.staff_first:
            first.append((item.staff_first, item.template, context))
        else:
            (top if item.order < registry.TOP_PANELS else cards).append((item.template, context))
    first = [(template, context) for _order, template, context in sorted(first, key=lambda entry: entry[0])]
    managers = db.session.scalars(
        select(ProjectMember).options(selectinload(ProjectMember.user))
        .where(ProjectMember.project_id == project.id, ProjectMember.is_manager.is_(True))
    ).all()
    page = render_template("projects/overview.html", project=project, first=first, top=top, cards=cards,
                           managers=managers, has_sponsor=services.has_active_sponsor(project))
    db.session.commit()  # keeps what a card computed, e.g. KPI values (after rendering: nothing reloads)
    return page


@bp.route("/projects/<int:project_id>/settings", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER, admin_ok=True)
def settings(project):
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        services.update_project(project, **_form_fields(form))
        db.session.commit()
        flash(_("The project settings are saved."), "success")
        return redirect(url_for("projects.overview", project_id=project.id))
    return render_template("projects/form.html", form=form, project=project, confirm=ConfirmForm())


@bp.route("/projects/<int:project_id>/archive", methods=["POST"])
@project_view(ProjectRole.MANAGER, admin_ok=True)
def archive(project):
    if ConfirmForm().validate_on_submit():
        services.archive(project)
        db.session.commit()
        flash(_("The project is archived. It stays readable but can no longer be changed."), "success")
    return redirect(url_for("projects.overview", project_id=project.id))


@bp.route("/projects/<int:project_id>/restore", methods=["POST"])
@project_view(ProjectRole.MANAGER, admin_ok=True, allow_archived=True)
def restore(project):
    if ConfirmForm().validate_on_submit():
        services.restore(project)
        db.session.commit()
        flash(_("The project is restored."), "success")
    return redirect(url_for("projects.overview", project_id=project.id))


@bp.route("/projects/<int:project_id>/members", methods=["GET", "POST"])
@project_view()
def members(project):
    form = MemberAddForm()
    if request.method == "POST":
        if not _can_manage(project):
            abort(403)
        if form.validate_on_submit():
            with saving(error_to=form.email) as saved:
                services.add_member(project, form.email.data, form.is_manager.data, form.is_sponsor.data,
                                    form.team.data)
            if saved:
                flash(_("The member is added."), "success")
                return redirect(url_for("projects.members", project_id=project.id))
    rows = db.session.scalars(
        select(ProjectMember).options(selectinload(ProjectMember.user))
        .where(ProjectMember.project_id == project.id)
    ).all()
    rows.sort(key=lambda m: (not m.is_manager, not m.is_sponsor, m.user.name.lower()))
    edit_forms = {m.id: MemberEditForm(obj=m, prefix=f"m{m.id}") for m in rows}
    return render_template("projects/members.html", project=project, rows=rows, form=form,
                           edit_forms=edit_forms, confirm=ConfirmForm(), can_manage=_can_manage(project))


def _can_manage(project) -> bool:
    membership = g.membership
    return (membership is not None and membership.is_manager) or current_user.is_admin


@bp.route("/projects/<int:project_id>/members/<int:member_id>", methods=["POST"])
@project_view(ProjectRole.MANAGER, admin_ok=True)
def update_member(project, member_id):
    member = get_in_project(ProjectMember, member_id, project)
    form = MemberEditForm(prefix=f"m{member.id}")
    if form.validate_on_submit():
        with saving() as saved:
            services.update_member(member, form.is_manager.data, form.is_sponsor.data, form.team.data)
        if saved:
            flash(_("The member's roles are saved."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("projects.members", project_id=project.id))


@bp.route("/projects/<int:project_id>/members/<int:member_id>/remove", methods=["POST"])
@project_view(ProjectRole.MANAGER, admin_ok=True)
def remove_member(project, member_id):
    member = get_in_project(ProjectMember, member_id, project)
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            services.remove_member(member)
        if saved:
            flash(_("The member is removed from the project."), "success")
    return redirect(url_for("projects.members", project_id=project.id))
