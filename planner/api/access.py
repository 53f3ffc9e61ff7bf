"""Per-project access for the API, the same as the web's ``project_view``: not a member (and not an
administrator) → 404; a member without the role → 403; an archived project refuses writes (409)."""

from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from planner.api.auth import SAFE_METHODS, refuse
from planner.extensions import db
from planner.projects.access import membership_for
from planner.projects.models import Project


def in_project(*roles, admin_ok: bool = False):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, project_id: int, **kwargs):
            project = db.session.get(Project, project_id)
            if project is None:
                refuse(404)
            membership = membership_for(project.id, current_user.id)
            if membership is None and not current_user.is_admin:
                refuse(404)
            g.project, g.membership = project, membership
            if roles and not (membership is not None and any(membership.has(role) for role in roles)) \
                    and not (admin_ok and current_user.is_admin):
                refuse(403)
            if request.method not in SAFE_METHODS and project.archived:
                refuse(409, _("This project is archived and read-only. Restore it to make changes."))
            return view(project, *args, **kwargs)

        wrapper.project_roles = roles
        return wrapper

    return decorator


def get_in_project(model, object_id: int, project):
    from sqlalchemy import select

    obj = db.session.scalar(select(model).where(model.id == object_id, model.project_id == project.id))
    if obj is None:
        refuse(404)
    return obj
