"""What other pages read, in a bounded number of queries whatever the number of projects: the
current stage and the pending sign-offs by project, a sponsor's inbox."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from flask import g, has_request_context
from sqlalchemy import bindparam, or_, select

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


def _stand_in_window(user_id):
    """The user's stand-ins not ended whose dates may include today somewhere on Earth (the exact
    test, on the sponsor's calendar, is ``approvals.stand_in_active``), for a statement built once:
    the day's bounds are the parameters of ``_parameters``."""
    from planner.rollout.models import StandIn

    return (StandIn.stand_in_id == user_id, StandIn.ended_at.is_(None),
            StandIn.starts_on <= bindparam("starts_by", type_=StandIn.starts_on.type),
            StandIn.ends_on >= bindparam("ends_from", type_=StandIn.ends_on.type))


def _parameters(user, now) -> dict:
    """The values of the statements below: the user, and the bounds of ``_stand_in_window``."""
    day = now.date()
    return {"user_id": user.id, "starts_by": day + timedelta(days=1), "ends_from": day - timedelta(days=1)}


def _user_id():
    return bindparam("user_id", type_=ProjectMember.user_id.type)


def _rows(user, now):
    """The pending requests ``user`` might decide (a sponsor of the project, or standing in there;
    not their own), with what ``_actionable`` needs to apply each request's rule, in one query."""
    return db.session.execute(_rows_statement(), _parameters(user, now)).all()


@cache
def _rows_statement():
    """``_rows``' query, built once per process (the top navigation runs it on every page, and
    building it cost more than running it): the user and the stand-in window are parameters."""
    from planner.rollout.models import StandIn

    user_id = _user_id()
    is_sponsor = select(ProjectMember.id).where(ProjectMember.project_id == SignoffRequest.project_id,
                                                ProjectMember.user_id == user_id,
                                                ProjectMember.is_sponsor.is_(True)).exists()
    stands_in = select(StandIn.id).where(StandIn.project_id == SignoffRequest.project_id,
                                         *_stand_in_window(user_id)).exists()
    member = select(ProjectMember.project_id).where(ProjectMember.user_id == user_id)
    return (select(*_pending_query().selected_columns, SignoffRequest.rule, SignoffRequest.approvers,
                   SignoffRequest.requested_by_id, is_sponsor.label("is_sponsor"), stands_in.label("stands_in"))
            .join(Stage, Stage.id == SignoffRequest.stage_id)
            .join(Project, Project.id == SignoffRequest.project_id)
            .where(SignoffRequest.status == RequestStatus.PENDING, Project.archived_at.is_(None),
                   or_(is_sponsor, stands_in), SignoffRequest.project_id.in_(member),
                   or_(SignoffRequest.requested_by_id.is_(None), SignoffRequest.requested_by_id != user_id))
            .order_by(SignoffRequest.requested_at, SignoffRequest.id))


def _actionable(user, rows, now) -> list:
    """The ``rows`` ``user`` may vote on now. A request under "any one sponsor" waits for every
    sponsor but the requester, so a sponsor's own rows need no further query; the votes, the
    sponsors and the stand-ins are read (once each) only when a row needs them."""
    from planner.auth.models import User
    from planner.rollout.services import approvals

    if not rows:
        return []
    others = [row for row in rows if row.rule != "any" or not row.is_sponsor]
    votes = approvals.votes_by_request([row.id for row in others if row.rule != "any"])
    sponsors = defaultdict(set)
    standing_for = defaultdict(set)
    if any(row.stands_in for row in others):
        for stand_in in approvals.active_stand_ins({row.project_id for row in others}, now, stand_in_id=user.id):
            standing_for[stand_in.project_id].add(stand_in.sponsor_id)
    if others:
        for pid, uid in db.session.execute(
                select(ProjectMember.project_id, ProjectMember.user_id).join(User, User.id == ProjectMember.user_id)
                .where(ProjectMember.project_id.in_({row.project_id for row in others}),
                       ProjectMember.is_sponsor.is_(True), User.active.is_(True))):
            sponsors[pid].add(uid)
    found = []
    for row in rows:
        if row.rule == "any" and row.is_sponsor:
            found.append(row)
            continue
        expected = approvals._expected_ids(row, sponsors[row.project_id], votes.get(row.id, []))
        names = ({user.id} & expected) | {s for s in standing_for[row.project_id] & expected
                                          if s != row.requested_by_id}
        if names:
            found.append(row)
    return found


def pending_signoffs_for(user, now: datetime | None = None) -> list[PendingSignoff]:
    """The open sign-off requests ``user`` may decide now (under each request's approval rule, in
    their name or as a stand-in; never their own; project not archived), oldest first: one query
    when each is under "any one sponsor" and the user is a sponsor, a few more otherwise."""
    _rows_found, actionable = _decidable(user, now)
    return [PendingSignoff(*row[:8]) for row in actionable]


def _decidable(user, now: datetime | None) -> tuple[list, list]:
    """(``_rows``, the actionable ones) for ``user``; read once per request when ``now`` is not given
    (the top navigation's inbox count and the dashboard's list both need them, on GET pages)."""
    if now is not None or not has_request_context():
        now = now or utcnow()
        rows = _rows(user, now)
        return rows, _actionable(user, rows, now)
    cached = g.get("signoffs_decidable")
    if cached is None or cached[0] != user.id:
        now = utcnow()
        rows = _rows(user, now)
        cached = (user.id, (rows, _actionable(user, rows, now)))
        g.signoffs_decidable = cached
    return cached[1]


def inbox_state(user, now: datetime | None = None) -> tuple[bool, int]:
    """(whether ``user`` is an executive sponsor of any project or may stand in for one now, how many
    requests wait for them): what the top navigation needs on every page."""
    rows, actionable = _decidable(user, now)
    if rows:
        return True, len(actionable)
    return bool(db.session.scalar(_sponsor_or_stand_in_statement(), _parameters(user, now or utcnow()))), 0


@cache
def _sponsor_or_stand_in_statement():
    """Whether the user sponsors a project or may stand in for a sponsor now (the window of
    ``_stand_in_window``), built once per process: the top navigation asks on every page."""
    from planner.rollout.models import StandIn

    user_id = _user_id()
    sponsor = select(ProjectMember.id).where(ProjectMember.user_id == user_id,
                                             ProjectMember.is_sponsor.is_(True)).exists()
    return select(or_(sponsor, select(StandIn.id).where(*_stand_in_window(user_id)).exists()))


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
