"""What "My work" shows, for every project of one user, in a fixed number of queries (one per
block) whatever the number of projects."""

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import selectinload

from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskStatus
from planner.conditions.models import UNCLOSED, Condition
from planner.db import utcnow
from planner.extensions import db
from planner.feedback.models import Channel, FeedbackResponse, SurveyLink, week_start
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import IN_PROGRESS_STATUSES, Stage

CELEBRATE_DAYS = 60  # quick wins achieved within this many days are shown to celebrate
TASKS_SHOWN = 10
CONDITIONS_SHOWN = 10


@dataclass(frozen=True)
class FeedbackAsk:
    project: Project
    stage: Stage | None  # the stage the member's team is in; None: the project as a whole
    answered: bool  # already answered about it this week
    survey_open: bool  # an anonymous survey link for that stage is open too


@dataclass
class MyWork:
    memberships: list
    feedback: list  # [FeedbackAsk], unanswered first
    tasks: list  # [ChangeTask], overdue and soonest first
    more_tasks: int
    wins: list  # [QuickWin], latest first
    today: date
    conditions: list = field(default_factory=list)  # [Condition] the member owns and has not closed, soonest due first

    @property
    def project_names(self) -> dict:
        return {m.project_id: m.project.name for m in self.memberships}


def is_member_anywhere(user) -> bool:
    cached = g.get("home_member")
    if cached is None or cached[0] != user.id:
        cached = (user.id, bool(db.session.scalar(_member_anywhere_statement(), {"user_id": user.id})))
        g.home_member = cached
    return cached[1]


@functools.cache
def _member_anywhere_statement():
    """``is_member_anywhere``'s query, built once per process (the top navigation, on every page)."""
    return select(exists().where(ProjectMember.user_id == bindparam("user_id", type_=ProjectMember.user_id.type)))


def lands_on_my_work(user) -> bool:
    """Staff start from their own page: members of a project who manage or sponsor none."""
    if user.is_admin:
        return False
    leads = exists().where(ProjectMember.user_id == user.id,
                           or_(ProjectMember.is_manager.is_(True), ProjectMember.is_sponsor.is_(True)))
    return is_member_anywhere(user) and not db.session.scalar(select(leads))


def _team_stage(stages: list[Stage], team: str) -> Stage | None:
    """The running stage the member is in: the one whose scope names their team, else one scoped to
    every team; without a team of their own, the first running stage."""
    running = [s for s in stages if s.status in IN_PROGRESS_STATUSES]
    if team:
        named = next((s for s in running if team in (s.teams or [])), None)
        if named is not None:
            return named
    everyone = next((s for s in running if not s.teams), None)
    if everyone is not None or team:
        return everyone
    return running[0] if running else None


def my_work(user, today: date) -> MyWork:
    memberships = list(db.session.scalars(
        select(ProjectMember).join(Project, Project.id == ProjectMember.project_id)
        .where(ProjectMember.user_id == user.id, Project.archived_at.is_(None))
        .options(selectinload(ProjectMember.project)).order_by(Project.name, Project.id)))
    ids = [m.project_id for m in memberships]
    member_ids = [m.id for m in memberships]
    if not ids:
        return MyWork([], [], [], 0, [], today)
    stages = list(db.session.scalars(select(Stage).where(Stage.project_id.in_(ids))
                                     .order_by(Stage.project_id, Stage.position, Stage.id)))
    week = week_start(utcnow())
    answered = set(db.session.execute(
        select(FeedbackResponse.project_id, FeedbackResponse.stage_id).where(
            FeedbackResponse.project_id.in_(ids), FeedbackResponse.respondent_id == user.id,
            FeedbackResponse.channel == Channel.MEMBER, FeedbackResponse.week_start == week)).all())
    open_links = set(db.session.execute(select(SurveyLink.project_id, SurveyLink.stage_id).where(
        SurveyLink.project_id.in_(ids), SurveyLink.closed_at.is_(None))).all())
    asks = []
    for membership in memberships:
        stage = _team_stage([s for s in stages if s.project_id == membership.project_id], membership.team or "")
        key = (membership.project_id, stage.id if stage else None)
        asks.append(FeedbackAsk(membership.project, stage, key in answered, key in open_links))
    asks.sort(key=lambda ask: (ask.answered, ask.stage is None))

    open_tasks = list(db.session.scalars(
        select(ChangeTask).where(ChangeTask.owner_id.in_(member_ids),
                                 ChangeTask.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)))
        .order_by(ChangeTask.due_date.is_(None), ChangeTask.due_date, ChangeTask.id)
        .limit(TASKS_SHOWN + 1)))
    wins = list(db.session.scalars(
        select(QuickWin).where(QuickWin.project_id.in_(ids), QuickWin.status == QuickWinStatus.ACHIEVED,
                               QuickWin.achieved_on >= today - timedelta(days=CELEBRATE_DAYS))
        .order_by(QuickWin.achieved_on.desc(), QuickWin.id.desc()).limit(6)))
    conditions = list(db.session.scalars(
        select(Condition).where(Condition.owner_id.in_(member_ids), Condition.status.in_(UNCLOSED))
        .options(selectinload(Condition.stage)).order_by(Condition.due_date, Condition.id).limit(CONDITIONS_SHOWN)))
    return MyWork(memberships, asks, open_tasks[:TASKS_SHOWN], max(0, len(open_tasks) - TASKS_SHOWN), wins, today,
                  conditions)
