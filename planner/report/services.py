"""What the project report shows, gathered from the other features' services.

``project_report(project, can_read_feedback, today=None) -> Report`` reads everything in a bounded
number of SQL statements, whatever the number of stages, decisions, quick wins or answers: each
section is one to five queries. Nothing is computed here that another feature already computes;
this module only puts their results together.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.change import services as change
from planner.dates import local_today
from planner.extensions import db
from planner.feedback import services as feedback
from planner.kpis import services as kpis
from planner.methodology import services as methodology
from planner.methodology.catalogue import get_catalogue
from planner.methodology.models import KeyProblem
from planner.methodology.scoring import level_of
from planner.projects.models import Project, ProjectMember
from planner.rollout import services as rollout
from planner.rollout.models import SignoffDecision, SignoffRequest, Stage
from planner.tco import actuals as tco_actuals
from planner.tco import services as tco


@dataclass(frozen=True)
class SinRow:
    number: int
    title: object
    short_title: object
    score: int | None
    level: str | None


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    decisions: list  # [SignoffDecision], oldest first
    days: int | None


@dataclass
class Report:
    project: Project
    today: date
    managers: list = field(default_factory=list)  # [ProjectMember]
    sponsors: list = field(default_factory=list)
    focus: list = field(default_factory=list)  # [KeyProblem] in focus, by rank
    progress: list = field(default_factory=list)  # [(Methodology, Progress)]
    checklist: tuple = (0, 0)  # (done, total) over every adopted methodology
    assessment: object = None  # the latest SinAssessment, or None
    sins: list = field(default_factory=list)  # [SinRow]
    stages: list = field(default_factory=list)  # [StageRow]
    current_stage: object = None  # CurrentStage or None
    kpis: list = field(default_factory=list)  # [KpiOverview]
    tco: dict | None = None  # the plan scenario's summary (tco.tco_summary_by_project)
    forecast: object = None  # the plan scenario's plan vs forecast (tco actuals.ForecastSummary), or None
    quick_wins: list = field(default_factory=list)  # [QuickWin]
    quick_win_counts: tuple = (0, 0)  # (achieved, planned)
    can_read_feedback: bool = False
    feedback: object = None  # feedback.Results, or None when the reader may not see them
    feedback_stage_names: dict = field(default_factory=dict)


def _people(project: Project) -> tuple[list, list]:
    members = db.session.scalars(
        select(ProjectMember).options(selectinload(ProjectMember.user))
        .where(ProjectMember.project_id == project.id,
               ProjectMember.is_manager.is_(True) | ProjectMember.is_sponsor.is_(True))
    ).all()
    ordered = sorted(members, key=lambda m: m.user.name.lower())
    return [m for m in ordered if m.is_manager], [m for m in ordered if m.is_sponsor]


def _progress(project: Project) -> list:
    found = methodology.progress_by_methodology(project)
    return [(m, found[m.key]) for m in get_catalogue().adoptable if m.key in found]


def _sins(assessment) -> list[SinRow]:
    rows = []
    for number, sin in enumerate(methodology.sins_methodology().items, start=1):
        score = assessment.scores.get(sin.key) if assessment is not None else None
        rows.append(SinRow(number, sin.title, sin.short_title or sin.title, score,
                           level_of(score) if score is not None else None))
    return rows


def _stages(project: Project, today: date) -> list[StageRow]:
    stages = db.session.scalars(
        select(Stage).where(Stage.project_id == project.id).order_by(Stage.position, Stage.id)).all()
    decisions = db.session.scalars(
        select(SignoffDecision).where(SignoffDecision.project_id == project.id)
        .options(selectinload(SignoffDecision.request).load_only(SignoffRequest.requested_by_name,
                                                                   SignoffRequest.requested_at))
        .order_by(SignoffDecision.decided_at, SignoffDecision.id)).all()
    by_stage = defaultdict(list)
    for decision in decisions:
        by_stage[decision.stage_id].append(decision)
    return [StageRow(stage, by_stage[stage.id], stage.days_in_stage(today)) for stage in stages]


def project_report(project: Project, can_read_feedback: bool, today: date | None = None) -> Report:
    """Every section of the report. ``can_read_feedback``: whether the reader may see the feedback
    results (the feedback feature shows them to project managers, sponsors and administrators)."""
    today = today or local_today()
    report = Report(project=project, today=today, can_read_feedback=can_read_feedback)
    report.managers, report.sponsors = _people(project)
    report.focus = list(db.session.scalars(
        select(KeyProblem).where(KeyProblem.project_id == project.id, KeyProblem.in_focus.is_(True))
        .order_by(KeyProblem.position, KeyProblem.id)))
    report.progress = _progress(project)
    report.checklist = (sum(p.done for _m, p in report.progress), sum(p.total for _m, p in report.progress))
    latest = methodology.assessments(project, limit=1)
    report.assessment = latest[0] if latest else None
    report.sins = _sins(report.assessment)
    report.stages = _stages(project, today)
    report.current_stage = rollout.current_stage_by_project([project.id], today).get(project.id)
    report.kpis = kpis.kpi_overview(project)
    report.tco = tco.tco_summary_by_project([project.id]).get(project.id)
    report.forecast = tco_actuals.forecast_by_project([project.id]).get(project.id)  # KPI months by UTC day
    report.quick_wins = change.project_quick_wins(project)
    report.quick_win_counts = change.quick_wins_by_project([project.id])[project.id]
    if can_read_feedback:
        report.feedback = feedback.results(project, stages=[row.stage for row in report.stages])
        report.feedback_stage_names = {row.stage.id: row.stage.name for row in report.stages}
    return report
