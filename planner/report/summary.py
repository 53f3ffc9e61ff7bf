"""The report's first page: the executive summary, built from what ``services.project_report``
already gathered plus the project's health and what blocks the next sign-off."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from planner.change.models import QuickWinStatus
from planner.dashboard import health as health_rules
from planner.dashboard.services import health_of
from planner.rollout import services as rollout
from planner.rollout.models import StageStatus

TOP_RISKS = 3
MILESTONES = 4


@dataclass(frozen=True)
class Milestone:
    on: date
    text: str


@dataclass(frozen=True)
class Risk:
    title: object
    score: int
    level: str


@dataclass
class Summary:
    health: health_rules.Health
    pending: list = field(default_factory=list)  # [PendingSignoff]
    blockers: list = field(default_factory=list)  # [rollout.Blocker] of the current stage
    risks: list = field(default_factory=list)  # [Risk], highest first
    milestones: list = field(default_factory=list)  # [Milestone], soonest first


def _risks(report) -> list[Risk]:
    found = [Risk(row.title, row.score, row.level) for row in report.sins
             if row.score is not None and row.level in ("amber", "red")]
    return sorted(found, key=lambda risk: -risk.score)[:TOP_RISKS]


def _milestones(report, today: date) -> list[Milestone]:
    found = []
    for row in report.stages:
        stage = row.stage
        if StageStatus(stage.status).is_approved:
            continue
        if stage.actual_start is None and stage.planned_start and stage.planned_start >= today:
            found.append(Milestone(stage.planned_start, _("“%(stage)s” starts", stage=stage.name)))
        if stage.planned_end and stage.planned_end >= today:
            found.append(Milestone(stage.planned_end, _("“%(stage)s” is planned to end", stage=stage.name)))
    for win in report.quick_wins:
        if win.status in (QuickWinStatus.PLANNED, QuickWinStatus.IN_PROGRESS) and win.target_date \
                and win.target_date >= today:
            found.append(Milestone(win.target_date, _("Quick win due: %(title)s", title=win.title)))
    return sorted(found, key=lambda item: item.on)[:MILESTONES]


def executive_summary(report) -> Summary:
    project = report.project
    current = rollout.current_stage(project)
    return Summary(
        health=health_of(project, report.today, forecast=report.forecast),
        pending=rollout.pending_signoffs_by_project([project.id])[project.id],
        blockers=[b for b in rollout.signoff_blockers(project, current, report.today)
                  if b.kind not in ("awaiting", "ready")],
        risks=_risks(report),
        milestones=_milestones(report, report.today),
    )
