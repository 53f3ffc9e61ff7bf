"""Operations on projects and their members. Each adds an audit event; the caller commits."""

import functools

from sqlalchemy import bindparam, func, select

from planner.audit.services import record, register
from planner.auth.models import User
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.projects.models import Project, ProjectMember
from planner.projects.signals import member_added, member_roles_changed

register("project.created", _l("Created the project “%(name)s”."))
FIELD_LABELS = {
    "name": _l("Project name"),
    "description": _l("Description"),
    "vision": _l("Vision"),
    "business_areas": _l("Business areas in scope"),
    "currency": _l("Currency"),
    "start_date": _l("Start date"),
}


def _field_names(data: dict) -> dict:
    keys = data.get("fields") or []
    if isinstance(keys, str):  # events recorded before the keys were stored as a list
        keys = [key.strip() for key in keys.split(",")]
    return {"fields": ", ".join(str(FIELD_LABELS.get(key, key)) for key in keys)}


register("project.updated", _l("Changed the project settings: %(fields)s."), _field_names)
register("project.archived", _l("Archived the project."))
register("project.restored", _l("Restored the project from the archive."))
register("member.added", _l("Added %(email)s to the project (%(roles)s)."))
register("member.updated", _l("Changed the roles of %(email)s (%(roles)s)."))
register("member.removed", _l("Removed %(email)s from the project."))

PROJECT_FIELDS = ("name", "description", "vision", "business_areas", "currency", "start_date")


def create_project(creator: User, **fields) -> Project:
    project = Project(created_by_id=creator.id, **{k: fields[k] for k in PROJECT_FIELDS if k in fields})
    db.session.add(project)
    db.session.flush()
    db.session.add(ProjectMember(project_id=project.id, user_id=creator.id, is_manager=True))
    record("project.created", project=project, target=project, name=project.name)
    return project


def update_project(project: Project, **fields) -> list[str]:
    changed = []
    for key in PROJECT_FIELDS:
        if key in fields and getattr(project, key) != fields[key]:
            setattr(project, key, fields[key])
            changed.append(key)
    if changed:
        record("project.updated", project=project, target=project, fields=changed)
    return changed


def archive(project: Project) -> None:
    if not project.archived:
        project.archived_at = utcnow()
        record("project.archived", project=project, target=project)


def restore(project: Project) -> None:
    if project.archived:
        project.archived_at = None
        record("project.restored", project=project, target=project)


def _roles_text(member: ProjectMember) -> str:
    return ", ".join(role.value for role in sorted(member.roles))


def add_member(project: Project, email: str, is_manager: bool, is_sponsor: bool, team: str = "") -> ProjectMember:
    user = User.by_email(email)
    if user is None or not user.active:
        raise DomainError(
            _l("No active user has the e-mail %(email)s. An administrator can create the account.", email=email))
    exists = db.session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)
    )
    if exists is not None:
        raise DomainError(_l("%(email)s is already a member of this project.", email=user.email))
    member = ProjectMember(project_id=project.id, user_id=user.id, is_manager=is_manager,
                           is_sponsor=is_sponsor, team=team or "")
    db.session.add(member)
    db.session.flush()
    record("member.added", project=project, target=member, email=user.email, roles=_roles_text(member))
    member_added.send(member, actor=_actor())
    return member


def has_active_sponsor(project: Project) -> bool:
    """Whether someone can decide the project's sign-offs (an active executive sponsor)."""
    return db.session.scalar(_active_sponsor_statement(), {"project_id": project.id}) is not None


@functools.cache
def _active_sponsor_statement():
    """``has_active_sponsor``'s query, built once per process (the overview asks on every visit)."""
    return (select(ProjectMember.id).join(User, User.id == ProjectMember.user_id)
            .where(ProjectMember.project_id == bindparam("project_id", type_=ProjectMember.project_id.type),
                   ProjectMember.is_sponsor.is_(True), User.active.is_(True))
            .limit(1))


def _manager_count(project: Project) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.is_manager.is_(True)
        )
    )


def update_member(member: ProjectMember, is_manager: bool, is_sponsor: bool, team: str) -> None:
    if member.is_manager and not is_manager and _manager_count(member.project) <= 1:
        raise DomainError(_l("A project needs at least one project manager."))
    before = member.roles
    member.is_manager, member.is_sponsor, member.team = is_manager, is_sponsor, team or ""
    record("member.updated", project=member.project, target=member, email=member.user.email,
           roles=_roles_text(member))
    if member.roles != before:
        db.session.flush()
        member_roles_changed.send(member, actor=_actor())


def remove_member(member: ProjectMember) -> None:
    if member.is_manager and _manager_count(member.project) <= 1:
        raise DomainError(_l("A project needs at least one project manager."))
    record("member.removed", project=member.project, target=member, email=member.user.email)
    db.session.delete(member)


def _actor():
    """The signed-in person who made the change (None in a command or a job)."""
    from flask_login import current_user

    return current_user._get_current_object() if current_user and current_user.is_authenticated else None
