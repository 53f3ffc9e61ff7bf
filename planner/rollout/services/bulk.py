"""What other pages read, in a bounded number of queries whatever the number of projects: the
current stage and the pending sign-offs by project, a sponsor's inbox."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, or_, select

from planner.dates import local_today
from planner.db import utcnow
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


def _candidates(query, user, now):
    """Narrows ``query`` (pending requests) to the projects where ``user`` is a sponsor or may stand
    in for one now, and not their own requests; ``_actionable`` then applies each request's rule."""
    from planner.rollout.models import StandIn

    day = now.date()
    stand_in = select(StandIn.project_id).where(
        StandIn.stand_in_id == user.id, StandIn.ended_at.is_(None), StandIn.starts_on <= day + timedelta(days=1),
        StandIn.ends_on >= day - timedelta(days=1))
    sponsor = select(ProjectMember.project_id).where(ProjectMember.user_id == user.id,
                                                     ProjectMember.is_sponsor.is_(True))
    member = select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)
    return query.where(or_(SignoffRequest.project_id.in_(sponsor), SignoffRequest.project_id.in_(stand_in)),
                       SignoffRequest.project_id.in_(member),
                       or_(SignoffRequest.requested_by_id.is_(None), SignoffRequest.requested_by_id != user.id))


def _actionable(user, rows, now) -> set[int]:
    """The ids among ``rows`` (request id, project id, rule, approvers, requester) that ``user`` may
    vote on now, in a fixed number of queries: the votes, the sponsors, the stand-ins in force."""
    from planner.auth.models import User
    from planner.rollout.services import approvals

    if not rows:
        return set()
    project_ids = {row.project_id for row in rows}
    votes = approvals.votes_by_request([row.id for row in rows])
    sponsors = defaultdict(set)
    for pid, uid in db.session.execute(
            select(ProjectMember.project_id, ProjectMember.user_id).join(User, User.id == ProjectMember.user_id)
            .where(ProjectMember.project_id.in_(project_ids), ProjectMember.is_sponsor.is_(True),
                   User.active.is_(True))):
        sponsors[pid].add(uid)
    standing_for = defaultdict(set)
    for stand_in in approvals.active_stand_ins(project_ids, now, stand_in_id=user.id):
        standing_for[stand_in.project_id].add(stand_in.sponsor_id)
    found = set()
    for row in rows:
        expected = approvals._expected_ids(row, sponsors[row.project_id], votes.get(row.id, []))
        names = ({user.id} & expected) | {s for s in standing_for[row.project_id] & expected
                                          if s != row.requested_by_id}
        if names:
            found.add(row.id)
    return found


def _rows(user, now):
    query = _candidates(select(SignoffRequest.id, SignoffRequest.project_id, SignoffRequest.rule,
                               SignoffRequest.approvers, SignoffRequest.requested_by_id)
                        .join(Project, Project.id == SignoffRequest.project_id)
                        .where(SignoffRequest.status == RequestStatus.PENDING, Project.archived_at.is_(None)),
                        user, now)
    return db.session.execute(query).all()


def pending_signoffs_for(user, now: datetime | None = None) -> list[PendingSignoff]:
    """The open sign-off requests ``user`` may decide now (under each request's approval rule, in
    their name or as a stand-in; never their own; project not archived), oldest first."""
    now = now or utcnow()
    ids = _actionable(user, _rows(user, now), now)
    if not ids:
        return []
    rows = db.session.execute(_pending_query().where(SignoffRequest.id.in_(ids))
                              .order_by(SignoffRequest.requested_at, SignoffRequest.id))
    return [PendingSignoff(*row) for row in rows]


def inbox_state(user, now: datetime | None = None) -> tuple[bool, int]:
    """(whether ``user`` is an executive sponsor of any project or may stand in for one now, how many
    requests wait for them): what the top navigation needs on every page."""
    from planner.rollout.models import StandIn

    now = now or utcnow()
    day = now.date()
    sponsor = select(func.count()).select_from(ProjectMember).where(
        ProjectMember.user_id == user.id, ProjectMember.is_sponsor.is_(True)).scalar_subquery()
    standing = select(func.count()).select_from(StandIn).where(
        StandIn.stand_in_id == user.id, StandIn.ended_at.is_(None), StandIn.starts_on <= day + timedelta(days=1),
        StandIn.ends_on >= day - timedelta(days=1)).scalar_subquery()
    is_sponsor, stands_in = db.session.execute(select(sponsor, standing)).one()
    if not is_sponsor and not stands_in:
        return False, 0
    return True, len(_actionable(user, _rows(user, now), now))


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
