"""Gathers the executive dashboard in a fixed number of queries, whatever the number of projects:
one per feature's bulk function, each taking every project id at once."""

from dataclasses import dataclass
from datetime import date

from flask import g
from sqlalchemy import exists, or_, select

from planner.change.services import overdue_tasks_by_project, quick_wins_by_project
from planner.dashboard import health
from planner.dashboard.sparkline import Sparkline, sparkline
from planner.dates import local_today, utc_today
from planner.extensions import db
from planner.feedback.services import feedback_trend_by_project
from planner.kpis.definitions import KpiKey, KpiStatus
from planner.kpis.services import adoption_trend_by_project, kpi_status_by_project
from planner.methodology.services import checklist_progress_by_project, sins_risk_by_project
from planner.projects.models import Project, ProjectMember
from planner.rollout.services import CurrentStage, PendingSignoff, current_stage_by_project, pending_signoffs_by_project
from planner.tco.actuals import ForecastSummary, forecast_by_project
from planner.tco.services import tco_summary_by_project

ADOPTION_WEEKS = 12


def _leads(user_id: int, project_id=None, managers: bool = True):
    """EXISTS: ``user_id`` sponsors (or, with ``managers``, manages) a project — ``project_id`` when given."""
    roles = or_(ProjectMember.is_sponsor.is_(True), ProjectMember.is_manager.is_(True)) if managers \
        else ProjectMember.is_sponsor.is_(True)
    condition = exists().where(ProjectMember.user_id == user_id, roles)
    return condition.where(ProjectMember.project_id == project_id) if project_id is not None else condition


def _followed(user):
    """Projects ``user`` sponsors or manages (administrators: every project), not archived."""
    query = select(Project.id, Project.name, Project.currency).where(Project.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(_leads(user.id, Project.id))
    return query.order_by(Project.name, Project.id)


def follows_projects(user) -> bool:
    """Whether ``user`` has a dashboard to see (administrator, or sponsor/manager somewhere); once per request."""
    cached = g.get("dashboard_follows")
    if cached is None or cached[0] != user.id:
        cached = (user.id, user.is_admin or bool(db.session.scalar(select(_leads(user.id)))))
        g.dashboard_follows = cached
    return cached[1]


def lands_on_dashboard(user) -> bool:
    """Sponsors and administrators start from the dashboard; everyone else from the project list."""
    return user.is_admin or bool(db.session.scalar(select(_leads(user.id, managers=False))))


@dataclass(frozen=True)
class ProjectCard:
    id: int
    name: str
    currency: str
    stage: CurrentStage | None
    health: health.Health
    pending: list[PendingSignoff]
    tco: dict | None
    forecast: ForecastSummary | None
    adoption: Sparkline
    adoption_target: object
    feedback: Sparkline
    feedback_weeks: int
    quick_wins: tuple[int, int]
    checklist: tuple[int, int]


def _facts(pid: int, currency: str, statuses: dict, summary: dict | None, overdue: dict, sins: dict,
           feedback: dict, forecast: ForecastSummary | None = None) -> health.Facts:
    return health.Facts(
        has_forecast=bool(forecast and forecast.has_actuals),
        plan_payback=forecast.plan_payback if forecast else None,
        forecast_payback=forecast.forecast_payback if forecast else None,
        overdue_tasks=overdue.get(pid, 0),
        kpis_below_target=tuple(key for key, kpi in statuses.items() if kpi.status == KpiStatus.OFF_TARGET),
        kpis_with_target=sum(1 for kpi in statuses.values() if kpi.target is not None),
        sins=sins.get(pid),
        total_cost=summary["total_cost"] if summary else None,
        approved_budget=summary.get("approved_budget") if summary else None,
        currency=currency,
        feedback=tuple(feedback.get(pid, [])),
    )


_UNREAD = object()


def health_of(project: Project, today: date | None = None, forecast=_UNREAD) -> health.Health:
    """One project's health, judged by the same rules and bulk functions as the dashboard.
    ``forecast``: the project's ``ForecastSummary`` (or None) when the caller has read it already."""
    local = today or local_today()  # as ``cards``: overdue tasks by the reader's calendar,
    shared = today or utc_today()  # KPI and feedback weeks by UTC day
    ids = [project.id]
    return health.assess(_facts(
        project.id, project.currency, kpi_status_by_project(ids, shared).get(project.id, {}),
        tco_summary_by_project(ids).get(project.id), overdue_tasks_by_project(ids, local),
        sins_risk_by_project(ids), feedback_trend_by_project(ids, health.FEEDBACK_WEEKS, shared),
        forecast_by_project(ids, shared).get(project.id) if forecast is _UNREAD else forecast))


def followed(user) -> list:
    """The projects on ``user``'s dashboard (id, name, currency), by name."""
    return db.session.execute(_followed(user)).all()


def cards(user, today: date | None = None) -> list[ProjectCard]:
    """One card per followed project, worst health first, then by name."""
    local = today or local_today()  # stage days, overdue tasks: the reader's calendar
    shared = today or utc_today()  # KPIs, adoption and feedback weeks: stored per UTC day (planner.dates)
    found = cards_of(followed(user), local, shared)
    found.sort(key=lambda card: -card.health.level.rank)
    return found


def cards_of(projects: list, local: date, shared: date) -> list[ProjectCard]:
    """The cards of ``projects`` (rows of id, name, currency), in their order; ``local`` is the
    reader's today, ``shared`` the UTC one (see ``cards``)."""
    ids = [p.id for p in projects]
    if not ids:
        return []
    stages = current_stage_by_project(ids, local)
    pending = pending_signoffs_by_project(ids)
    overdue = overdue_tasks_by_project(ids, local)
    kpis = kpi_status_by_project(ids, shared)
    adoption = adoption_trend_by_project(ids, ADOPTION_WEEKS, shared)
    tco = tco_summary_by_project(ids)
    forecasts = forecast_by_project(ids, shared)
    sins = sins_risk_by_project(ids)
    feedback = feedback_trend_by_project(ids, health.FEEDBACK_WEEKS, shared)
    wins = quick_wins_by_project(ids)
    checklist = checklist_progress_by_project(ids)

    found = []
    for project in projects:
        pid = project.id
        statuses = kpis.get(pid, {})
        summary = tco.get(pid)
        facts = _facts(pid, project.currency, statuses, summary, overdue, sins, feedback, forecasts.get(pid))
        adoption_kpi = statuses.get(KpiKey.ADOPTION)
        found.append(ProjectCard(
            id=pid, name=project.name, currency=project.currency, stage=stages.get(pid),
            health=health.assess(facts), pending=pending.get(pid, []), tco=summary, forecast=forecasts.get(pid),
            adoption=sparkline([w.value for w in adoption.get(pid, [])], 0, 1),
            adoption_target=adoption_kpi.target if adoption_kpi else None,
            feedback=sparkline([avg for _week, avg in feedback.get(pid, [])], 1, 5),
            feedback_weeks=len(feedback.get(pid, [])),
            quick_wins=wins.get(pid, (0, 0)), checklist=checklist.get(pid, (0, 0)),
        ))
    return found
