"""What other pages read, in a bounded number of queries whatever the number of projects: the
current stage and the pending sign-offs by project, a sponsor's inbox."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select

from planner.dates import local_today
from planner.extensions import db
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import (
    RequestStatus,
    SignoffRequest,
    Stage,
    StageStatus,
)


class CurrentStage(NamedTuple):
    name: str
    status: StageStatus
    days: int | None  # days since the stage started; None before it starts


def _pick_current(stages: list) -> object | None:
    """The stage a project is in: the furthest one running; else the next one to start after the
    approved ones; else, when all are approved, the last one."""
    if not stages:
        return None
    running = [s for s in stages if StageStatus(s.status).in_progress]
    if running:
        return running[-1]
    approved = [i for i, s in enumerate(stages) if StageStatus(s.status).is_approved]
    if not approved:
        return stages[0]
    following = [s for s in stages[approved[-1] + 1:] if s.status == StageStatus.PLANNED]
    return following[0] if following else stages[approved[-1]]


def _days(stage, on: date) -> int | None:
    if stage.actual_start is None:
        return None
    running = StageStatus(stage.status).in_progress
    end = on if running or stage.actual_end is None else stage.actual_end
    return max(0, (end - stage.actual_start).days)


def current_stage_by_project(project_ids, on: date | None = None) -> dict[int, CurrentStage | None]:
    """``{project_id: CurrentStage(name, status, days in stage)}`` in one query; None for a project
    without stages. Every id asked for is in the result."""
    ids = list(dict.fromkeys(project_ids))
    result: dict[int, CurrentStage | None] = dict.fromkeys(ids)
    if not ids:
        return result
    on = on or local_today()
    rows = db.session.execute(
        select(Stage.project_id, Stage.id, Stage.name, Stage.status, Stage.actual_start, Stage.actual_end)
        .where(Stage.project_id.in_(ids)).order_by(Stage.project_id, Stage.position, Stage.id)).all()
    by_project = defaultdict(list)
    for row in rows:
        by_project[row.project_id].append(row)
    for pid, stages in by_project.items():
        stage = _pick_current(stages)
        if stage is not None:
            result[pid] = CurrentStage(stage.name, StageStatus(stage.status), _days(stage, on))
    return result


def current_stage(project: Project) -> Stage | None:
    stages = list(db.session.scalars(select(Stage).where(Stage.project_id == project.id)
                                     .order_by(Stage.position, Stage.id)))
    return _pick_current(stages)


@dataclass(frozen=True)
class PendingSignoff:
    request_id: int
    project_id: int
    project_name: str
    stage_id: int
    stage_name: str
    requested_by_name: str
    requested_at: datetime
    note: str


def _pending_query():
    return (select(SignoffRequest.id, SignoffRequest.project_id, Project.name, SignoffRequest.stage_id, Stage.name,
                   SignoffRequest.requested_by_name, SignoffRequest.requested_at, SignoffRequest.note)
            .join(Stage, Stage.id == SignoffRequest.stage_id)
            .join(Project, Project.id == SignoffRequest.project_id)
            .where(SignoffRequest.status == RequestStatus.PENDING, Project.archived_at.is_(None)))


def _decidable_by(query, user):
    return query.join(ProjectMember, (ProjectMember.project_id == SignoffRequest.project_id)
                      & (ProjectMember.user_id == user.id) & ProjectMember.is_sponsor.is_(True)).where(
        or_(SignoffRequest.requested_by_id.is_(None), SignoffRequest.requested_by_id != user.id))


def pending_signoffs_for(user) -> list[PendingSignoff]:
    """The open sign-off requests ``user`` may decide (sponsor of the project, not the requester,
    project not archived), oldest first, in one query."""
    rows = db.session.execute(_decidable_by(_pending_query(), user)
                              .order_by(SignoffRequest.requested_at, SignoffRequest.id))
    return [PendingSignoff(*row) for row in rows]


def inbox_state(user) -> tuple[bool, int]:
    """(whether ``user`` is an executive sponsor of any project, how many requests wait for them),
    in one query: what the top navigation needs on every page."""
    sponsor = select(func.count()).select_from(ProjectMember).where(
        ProjectMember.user_id == user.id, ProjectMember.is_sponsor.is_(True)).scalar_subquery()
    waiting = _decidable_by(select(func.count(SignoffRequest.id)).select_from(SignoffRequest)
                            .join(Project, Project.id == SignoffRequest.project_id)
                            .where(SignoffRequest.status == RequestStatus.PENDING, Project.archived_at.is_(None)),
                            user).scalar_subquery()
    is_sponsor, count = db.session.execute(select(sponsor, waiting)).one()
    return bool(is_sponsor), int(count or 0)


def pending_signoffs_by_project(project_ids) -> dict[int, list[PendingSignoff]]:
    """``{project_id: [PendingSignoff]}`` (oldest first) in one query; every id asked for is in the result."""
    ids = list(dict.fromkeys(project_ids))
    result: dict[int, list[PendingSignoff]] = {pid: [] for pid in ids}
    if not ids:
        return result
    rows = db.session.execute(_pending_query().where(SignoffRequest.project_id.in_(ids))
                              .order_by(SignoffRequest.requested_at, SignoffRequest.id))
    for row in rows:
        result[row[1]].append(PendingSignoff(*row))
    return result
