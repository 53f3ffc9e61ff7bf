"""Turns other features' signals into notifications, choosing who is told: only members of the
project (and active accounts), never the person who acted."""

from sqlalchemy import or_, select

from planner.auth.models import User
from planner.extensions import db
from planner.notifications.services import notify
from planner.projects.models import Project, ProjectMember
from planner.rollout import signals as rollout


def members(project_id: int, *conditions) -> list[User]:
    """Active users who are members of the project and meet ``conditions`` (on ProjectMember)."""
    query = (select(User).join(ProjectMember, ProjectMember.user_id == User.id)
             .where(ProjectMember.project_id == project_id, User.active.is_(True), *conditions)
             .order_by(User.id))
    return list(db.session.scalars(query).unique())


def approvers(request_) -> list[User]:
    """The sponsors who may decide the request: every sponsor of the project but the requester."""
    found = members(request_.project_id, ProjectMember.is_sponsor.is_(True))
    return [user for user in found if user.id != request_.requested_by_id]


def _params(request_, actor, **extra) -> dict:
    stage = request_.stage
    project = db.session.get(Project, request_.project_id)
    return {"project_id": request_.project_id, "project": project.name, "stage_id": stage.id, "stage": stage.name,
            "request_id": request_.id, "actor": getattr(actor, "name", "") or "", **extra}


@rollout.signoff_requested.connect
def signoff_requested(request_, actor=None, **_):
    notify(approvers(request_), "signoff_requested", _params(request_, actor), request_.project_id, actor)


@rollout.signoff_withdrawn.connect
def signoff_withdrawn(request_, actor=None, **_):
    notify(approvers(request_), "signoff_withdrawn", _params(request_, actor), request_.project_id, actor)


@rollout.signoff_decided.connect
def signoff_decided(decision, actor=None, **_):
    """The requester, the project managers, and the members of the teams in the stage's scope."""
    request_ = decision.request
    stage = request_.stage
    teams = [team for team in (stage.teams or []) if team]
    who = [ProjectMember.is_manager.is_(True), ProjectMember.user_id == request_.requested_by_id]
    if teams:
        who.append(ProjectMember.team.in_(teams))
    recipients = members(request_.project_id, or_(*who))
    notify(recipients, "signoff_decided", _params(request_, actor, outcome=decision.outcome.value,
                                                  decision_id=decision.id), request_.project_id, actor)
