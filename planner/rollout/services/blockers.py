"""What stands between a project's current stage and its sign-off, for the overview and the report."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from planner.extensions import db
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import Stage, StageStatus
from planner.rollout.services.gate import evaluate_stage

# Other features' reasons (functions ``(project, stage) -> [Blocker]``), registered with ``blocker_source``:
# the follow-up of conditions names the open conditions its project setting waits for.
_SOURCES: list = []


def blocker_source(source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


@dataclass(frozen=True)
class Blocker:
    kind: str  # not_started, no_criteria, criterion, no_sponsor, awaiting, ready, or another feature's
    text: str
    endpoint: str  # where it is dealt with
    args: dict = field(default_factory=dict)


def signoff_blockers(project: Project, stage: Stage | None, until: date | None = None) -> list[Blocker]:
    """What stands between ``stage`` (the project's current stage) and its sign-off, in the order a
    project manager deals with it; an empty list once the stage is approved. ``ready`` and
    ``awaiting`` entries say what comes next when nothing is missing."""
    if stage is None or StageStatus(stage.status).is_approved:
        return []
    at_gate = {"stage_id": stage.id}
    found = []
    if stage.status == StageStatus.PLANNED:
        found.append(Blocker("not_started", _("The stage has not started yet."), "rollout.gate", at_gate))
    gate = evaluate_stage(stage, until)
    if not gate.results:
        found.append(Blocker("no_criteria", _("No exit criteria: a sponsor has nothing to judge the stage on."),
                             "rollout.gate", at_gate))
    for result in gate.results:
        if not result.met:
            found.append(Blocker("criterion", _("Not met yet: %(criterion)s", criterion=result.title),
                                 "rollout.gate", at_gate))
    sponsors = db.session.scalar(select(func.count()).select_from(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.is_sponsor.is_(True)))
    if not sponsors:
        found.append(Blocker("no_sponsor", _("The project has no executive sponsor to decide."), "projects.members"))
    if stage.status != StageStatus.AWAITING_SIGNOFF:
        for source in _SOURCES:
            found.extend(source(project, stage))
    if stage.status == StageStatus.AWAITING_SIGNOFF:
        found.append(Blocker("awaiting", _("Sign-off is requested and waits for a sponsor's decision."),
                             "rollout.gate", at_gate))
    elif not found:
        found.append(Blocker("ready", _("Every exit criterion is met: the sign-off can be requested."),
                             "rollout.gate", at_gate))
    return found
