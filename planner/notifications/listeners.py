"""Turns other features' signals into notifications, choosing who is told: only members of the
project (and active accounts), never the person who acted."""

from sqlalchemy import or_, select

from planner.auth.models import User
from planner.change import signals as change
from planner.conditions import signals as conditions
from planner.conditions.models import Condition
from planner.extensions import db
from planner.feedback import signals as feedback
from planner.notifications.services import notify
from planner.projects import signals as projects
from planner.projects.models import Project, ProjectMember
from planner.rollout import signals as rollout
from planner.rollout.models import SignoffDecision, SignoffRequest, Stage


def members(project_id: int, *conditions) -> list[User]:
    """Active users who are members of the project and meet ``conditions`` (on ProjectMember)."""
    query = (select(User).join(ProjectMember, ProjectMember.user_id == User.id)
             .where(ProjectMember.project_id == project_id, User.active.is_(True), *conditions)
             .order_by(User.id))
    return list(db.session.scalars(query).unique())


def approvers(request_) -> list[User]:
    """Who the request waits for now under its approval rule (any sponsor but the requester, the
    sponsors who have not approved yet, or a chain's current approver) and their stand-ins in force."""
    from planner.rollout.services import approvals as rules

    return rules.expected_recipients(request_)


def _params(request_, actor, **extra) -> dict:
    stage = request_.stage
    project = db.session.get(Project, request_.project_id)
    return {"project_id": request_.project_id, "project": project.name, "stage_id": stage.id, "stage": stage.name,
            "request_id": request_.id, "actor": getattr(actor, "name", "") or "", **extra}


@rollout.signoff_requested.connect
def signoff_requested(request_, actor=None, **_):
    notify(approvers(request_), "signoff_requested", _params(request_, actor), request_.project_id, actor)


@rollout.signoff_turn.connect
def signoff_turn(request_, actor=None, recipients=(), **_):
    """The request now waits for ``recipients`` (a chain's next approver, a stand-in who starts):
    told as of a new request."""
    params = {**_params(request_, actor), "actor": request_.requested_by_name or ""}
    notify(list(recipients), "signoff_requested", params, request_.project_id, actor)


@rollout.signoff_withdrawn.connect
def signoff_withdrawn(request_, actor=None, **_):
    notify(approvers(request_), "signoff_withdrawn", _params(request_, actor), request_.project_id, actor)


@rollout.signoff_decided.connect
def signoff_decided(decision, actor=None, **_):
    """The requester, the project managers, and the people the stage is for (the teams it names, or
    every member when it names none): the decision moves them on, or not."""
    request_ = decision.request
    stage = request_.stage
    leads = members(request_.project_id, or_(ProjectMember.is_manager.is_(True),
                                             ProjectMember.user_id == request_.requested_by_id))
    recipients = {user.id: user for user in leads + survey_audience(request_.project_id, stage)}
    return notify(list(recipients.values()), "signoff_decided",
                  _params(request_, actor, outcome=decision.outcome.value, decision_id=decision.id),
                  request_.project_id, actor)


# --------------------------------------------------------------------------- change management, projects


def _project_name(project_id: int) -> str:
    return db.session.get(Project, project_id).name


@change.task_assigned.connect
def task_assigned(task, actor=None, **_):
    member = db.session.get(ProjectMember, task.owner_id) if task.owner_id else None
    if member is None:
        return
    owner = db.session.get(User, member.user_id)
    notify([owner], "task_assigned", {"project_id": task.project_id, "project": _project_name(task.project_id),
                                      "task_id": task.id, "task": task.title,
                                      "actor": getattr(actor, "name", "") or ""}, task.project_id, actor)


@change.quick_win_achieved.connect
def quick_win_achieved(win, actor=None, **_):
    """Every member of the project: a quick win is news for the whole team."""
    notify(members(win.project_id), "quick_win_achieved", {
        "project_id": win.project_id, "project": _project_name(win.project_id), "quick_win_id": win.id,
        "title": win.title}, win.project_id, actor)


def _member_params(member, actor) -> dict:
    return {"project_id": member.project_id, "project": _project_name(member.project_id),
            "roles": sorted(role.value for role in member.roles), "actor": getattr(actor, "name", "") or ""}


@projects.member_added.connect
def member_added(member, actor=None, **_):
    return notify([db.session.get(User, member.user_id)], "member_added", _member_params(member, actor),
           member.project_id, actor)


@projects.member_roles_changed.connect
def member_roles_changed(member, actor=None, **_):
    notify([db.session.get(User, member.user_id)], "member_roles_changed", _member_params(member, actor),
           member.project_id, actor)


# --------------------------------------------------------------------------- the adoption survey


def survey_audience(project_id: int, stage) -> list[User]:
    """The members a stage's survey is for: its teams (every member when it names none)."""
    teams = [team for team in (getattr(stage, "teams", None) or []) if team]
    return members(project_id, ProjectMember.team.in_(teams)) if teams else members(project_id)


@feedback.survey_opened.connect
def survey_opened(link, actor=None, **_):
    stage = db.session.get(Stage, link.stage_id) if link.stage_id else None
    notify(survey_audience(link.project_id, stage), "survey_open", {
        "project_id": link.project_id, "project": _project_name(link.project_id),
        "stage_id": getattr(stage, "id", None), "stage": getattr(stage, "name", "")}, link.project_id, actor)


# --------------------------------------------------------------------------- conditions of a sign-off


def _condition_params(condition: Condition, actor, **extra) -> dict:
    stage = db.session.get(Stage, condition.stage_id)
    return {"project_id": condition.project_id, "project": _project_name(condition.project_id),
            "condition_id": condition.id, "text": condition.text, "stage_id": condition.stage_id,
            "stage": stage.name if stage is not None else "", "due": condition.due_date.isoformat(),
            "actor": getattr(actor, "name", "") or "", **extra}


def condition_owner(condition: Condition) -> list[User]:
    """The condition's owner, while they are an active member of its project."""
    if condition.owner_id is None:
        return []
    return members(condition.project_id, ProjectMember.id == condition.owner_id)


@conditions.condition_assigned.connect
def condition_assigned(condition, actor=None, **_):
    return notify(condition_owner(condition), "condition_assigned", _condition_params(condition, actor),
                  condition.project_id, actor)


@conditions.condition_closed.connect
def condition_closed(condition, actor=None, **_):
    """The person who requested the sign-off and the project managers (members of the project only)."""
    requester_id = db.session.scalar(
        select(SignoffRequest.requested_by_id).join(SignoffDecision, SignoffDecision.request_id == SignoffRequest.id)
        .where(SignoffDecision.id == condition.decision_id))
    wanted = ProjectMember.is_manager.is_(True)
    if requester_id is not None:
        wanted = or_(wanted, ProjectMember.user_id == requester_id)
    return notify(members(condition.project_id, wanted), "condition_closed",
                  _condition_params(condition, actor, note=condition.closing_note), condition.project_id, actor)
