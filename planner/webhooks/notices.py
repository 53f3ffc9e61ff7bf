"""Telling an endpoint's owner that Rollout turned it off (a notification; an e-mail too if they chose so)."""

from sqlalchemy import select

from planner.auth.models import User
from planner.extensions import db
from planner.notifications.services import notify
from planner.projects.models import Project, ProjectMember


def owners(endpoint) -> list[User]:
    """The manager who registered the endpoint, while still an active manager of the project; otherwise
    every active manager of the project (someone must hear of it)."""
    managers = list(db.session.scalars(
        select(User).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == endpoint.project_id, ProjectMember.is_manager.is_(True),
               User.active.is_(True)).order_by(User.id)).unique())
    own = [user for user in managers if user.id == endpoint.created_by_id]
    return own or managers


def turned_off(endpoint) -> list:
    project = db.session.get(Project, endpoint.project_id)
    reason = endpoint.disabled_reason.value if endpoint.disabled_reason else ""
    return notify(owners(endpoint), "webhook_disabled", {
        "project_id": endpoint.project_id, "project": project.name, "endpoint_id": endpoint.id,
        "url": endpoint.url, "reason": reason}, endpoint.project_id)
