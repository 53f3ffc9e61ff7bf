"""Per-project access: every project URL goes through ``project_view``.

- Not signed in: redirect to sign-in.
- Not a member (and not an administrator): 404, so project ids reveal nothing.
- A member lacking the required role: 403.
- Administrators can read every project; they act as a manager only where ``admin_ok`` is set
  (project settings and members), so an orphaned project can be repaired.
- Archived projects are read-only: a write is refused with a message, unless ``allow_archived``.

Objects inside a project are loaded with ``get_in_project`` so an id from another project 404s.
"""

from functools import cache, wraps

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select

from planner.extensions import db
from planner.projects.models import Project, ProjectMember, ProjectRole

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def membership_for(project_id: int, user_id: int) -> ProjectMember | None:
    return db.session.scalar(_membership_statement(), {"project_id": project_id, "user_id": user_id})


@cache
def _membership_statement():
    """``membership_for``'s query, built once per process (every project page asks)."""
    return select(ProjectMember).where(
        ProjectMember.project_id == bindparam("project_id", type_=ProjectMember.project_id.type),
        ProjectMember.user_id == bindparam("user_id", type_=ProjectMember.user_id.type))


def has_role(role: ProjectRole) -> bool:
    """True when the signed-in user holds ``role`` in the project of this request."""
    membership = getattr(g, "membership", None)
    return membership is not None and membership.has(role)


def is_lead() -> bool:
    """True for a manager or sponsor of this request's project, or an administrator who is not a
    member: who reads the pages staff do not need (``registry.LEADS``)."""
    membership = getattr(g, "membership", None)
    if membership is None:
        return bool(current_user.is_authenticated and current_user.is_admin)
    return membership.has(ProjectRole.MANAGER) or membership.has(ProjectRole.SPONSOR)


def may_open(endpoint: str) -> bool:
    """Whether the reader may open a project page (by its ``project_view`` roles), so that no page
    links to one that would refuse them."""
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "project_roles", ())
    if not roles:
        return view is not None
    membership = getattr(g, "membership", None)
    if membership is None:
        return bool(current_user.is_authenticated and current_user.is_admin)
    return any(membership.has(role) for role in roles)


def is_manager() -> bool:
    """True when the signed-in user manages the project of this request."""
    return has_role(ProjectRole.MANAGER)


def project_view(*roles: ProjectRole, admin_ok: bool = False, allow_archived: bool = False):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(project_id: int, **kwargs):
            project = db.session.get(Project, project_id)
            if project is None:
                abort(404)
            membership = membership_for(project.id, current_user.id)
            if membership is None and not current_user.is_admin:
                abort(404)
            g.project, g.membership = project, membership
            if roles:
                allowed = membership is not None and any(membership.has(role) for role in roles)
                if not allowed and not (admin_ok and current_user.is_admin):
                    abort(403)
            if request.method not in SAFE_METHODS and project.archived and not allow_archived:
                flash(_("This project is archived and read-only. Restore it to make changes."), "warning")
                return redirect(url_for("projects.overview", project_id=project.id))
            return view(project, **kwargs)

        wrapper.project_roles = roles
        return wrapper

    return decorator


def get_in_project(model, object_id: int, project: Project):
    """Loads ``model`` by id only if it belongs to ``project``; otherwise 404."""
    obj = db.session.scalar(select(model).where(model.id == object_id, model.project_id == project.id))
    if obj is None:
        abort(404)
    return obj


def visible_projects_query(user, include_archived: bool = False):
    query = select(Project)
    if not user.is_admin:
        query = query.join(ProjectMember, ProjectMember.project_id == Project.id).where(
            ProjectMember.user_id == user.id
        )
    if not include_archived:
        query = query.where(Project.archived_at.is_(None))
    return query
