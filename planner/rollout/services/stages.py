"""Stages: creating, changing, ordering and starting them, with optimistic locking (``check_version``)."""

from datetime import date, timedelta

from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from planner.audit.services import count_of, placeholders, record, register
from planner.dates import local_today
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.projects.models import BusinessArea, Project, ProjectMember
from planner.rollout import plans
from planner.rollout.models import (
    CriterionKind,
    ExitCriterion,
    Stage,
    StageStatus,
)
from planner.rollout.signals import stage_started

STALE = _l("Someone changed this stage while you were looking at it. Check it again below, then repeat "
           "what you wanted to do.")


STAGE_FIELDS = {
    "name": _l("Stage name"),
    "description": _l("Description"),
    "business_areas": _l("Business areas"),
    "teams": _l("Teams"),
    "users_in_scope": _l("Number of users"),
    "planned_start": _l("Planned start"),
    "planned_end": _l("Planned end"),
    "actual_start": _l("Actual start"),
    "actual_end": _l("Actual end"),
}


SCOPE_FIELDS = ("business_areas", "teams", "users_in_scope")


def _stage_fields(data: dict) -> dict:
    keys = data.get("fields") or []
    return {"fields": ", ".join(str(STAGE_FIELDS.get(key, key)) for key in keys)}


def _plan_name(data: dict) -> dict:
    plan = plans.PLANS.get(data.get("plan") or "")
    return {"plan": str(plan.label) if plan else ""}


register("stage.created", _l("Added the stage “%(name)s”."))
register("stage.updated", _l("Changed the stage “%(name)s”: %(fields)s."), _stage_fields)
register("stage.deleted", _l("Deleted the stage “%(name)s”."))
register("stage.moved", _l("Moved the stage “%(name)s” to position %(position)s."))
register("stage.plan_applied", lambda data: ngettext(
    "Added %(count)s stage from the template “%(plan)s”.",
    "Added %(count)s stages from the template “%(plan)s”.", count_of(data),
    **placeholders(data, "plan", "count")), _plan_name)
register("stage.started", _l("Started the stage “%(name)s”."))
register("stage.started_override", _l("Started the stage “%(name)s” before “%(previous)s” was approved, "
                                      "by override. Reason: %(reason)s"))
register("stage.reopened", _l("The stage “%(name)s” runs again: its scope or exit criteria changed after "
                              "it was approved, so it needs a new sign-off."))


def check_version(stage: Stage, version, message=STALE) -> None:
    """Optimistic locking: the form was built from ``version``; refuse if the stage moved on."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = None
    if version != stage.version:
        raise DomainError(message)


def project_stages(project: Project | int) -> list[Stage]:
    """The project's stages in order, with their criteria, tasks and checklist items loaded."""
    pid = project if isinstance(project, int) else project.id
    return list(db.session.scalars(
        select(Stage).where(Stage.project_id == pid)
        .options(selectinload(Stage.criteria).selectinload(ExitCriterion.tasks),
                 selectinload(Stage.criteria).selectinload(ExitCriterion.checklist_item))
        .order_by(Stage.position, Stage.id)
    ))


def previous_stage(stage: Stage, stages: list[Stage] | None = None) -> Stage | None:
    stages = stages if stages is not None else project_stages(stage.project_id)
    ordered = [s for s in stages if s.id != stage.id and (s.position, s.id) < (stage.position, stage.id)]
    return ordered[-1] if ordered else None


def _next_position(project: Project) -> int:
    return (db.session.scalar(select(func.max(Stage.position)).where(Stage.project_id == project.id)) or 0) + 1


def _renumber(project_id: int) -> list[Stage]:
    stages = list(db.session.scalars(select(Stage).where(Stage.project_id == project_id)
                                     .order_by(Stage.position, Stage.id)))
    for position, stage in enumerate(stages, start=1):
        if stage.position != position:
            stage.position = position
    return stages


def project_teams(project: Project) -> list[str]:
    """The distinct teams of the project's members, as typed on the members page."""
    teams = db.session.scalars(select(ProjectMember.team).where(
        ProjectMember.project_id == project.id, ProjectMember.team != "").distinct())
    return sorted(set(teams), key=str.lower)


def members_in_teams(project: Project, teams) -> int:
    if not teams:
        return 0
    return db.session.scalar(select(func.count()).select_from(ProjectMember).where(
        ProjectMember.project_id == project.id, ProjectMember.team.in_(list(teams)))) or 0


MAX_STAGE_TEAMS = 100
TEAM_CHARS = 80  # ProjectMember.team


def _clean_scope(fields: dict) -> dict:
    if "business_areas" in fields:
        known = BusinessArea._value2member_map_
        fields["business_areas"] = [value for value in fields["business_areas"] or [] if value in known]
    if "teams" in fields:
        teams = fields["teams"] or []
        if len(teams) > MAX_STAGE_TEAMS or any(not isinstance(t, str) or not t.strip() or len(t) > TEAM_CHARS
                                               for t in teams):
            raise DomainError(_l("Choose at most %(count)d teams among those of the project's members.",
                                 count=MAX_STAGE_TEAMS))
        fields["teams"] = sorted(set(teams), key=str.lower)
    return fields


def _check_dates(start: date | None, end: date | None, message) -> None:
    if start is not None and end is not None and end < start:
        raise DomainError(message)


def create_stage(project: Project, **fields) -> Stage:
    fields = _clean_scope({k: v for k, v in fields.items() if k in STAGE_FIELDS and not k.startswith("actual")})
    _check_dates(fields.get("planned_start"), fields.get("planned_end"),
                 _l("The planned end cannot come before the planned start."))
    stage = Stage(project_id=project.id, position=_next_position(project), **fields)
    db.session.add(stage)
    db.session.flush()
    record("stage.created", project=project, target=stage, name=stage.name)
    return stage


def update_stage(stage: Stage, version, **fields) -> list[str]:
    """Changes the stage. A change of scope on an approved stage reopens it (a new sign-off is needed).
    Actual dates can be corrected only once the stage has them."""
    check_version(stage, version)
    fields = _clean_scope({k: v for k, v in fields.items() if k in STAGE_FIELDS})
    if stage.actual_start is None:
        fields.pop("actual_start", None)
    if stage.actual_end is None:
        fields.pop("actual_end", None)
    if "actual_start" in fields and fields["actual_start"] is None:
        raise DomainError(_l("A stage that has started keeps its start date; correct it if it is wrong."))
    if "actual_end" in fields and fields["actual_end"] is None:
        raise DomainError(_l("An approved stage keeps its end date; correct it if it is wrong."))
    merged = {key: fields.get(key, getattr(stage, key)) for key in STAGE_FIELDS}
    _check_dates(merged["planned_start"], merged["planned_end"],
                 _l("The planned end cannot come before the planned start."))
    _check_dates(merged["actual_start"], merged["actual_end"], _l("The actual end cannot come before the start."))
    if merged["actual_start"] is not None and merged["actual_start"] > local_today():
        raise DomainError(_l("The actual start cannot be in the future."))
    changed = [key for key in STAGE_FIELDS if key in fields and getattr(stage, key) != fields[key]]
    for key in changed:
        setattr(stage, key, fields[key])
    if changed:
        record("stage.updated", project=stage.project_id, target=stage, name=stage.name, fields=changed)
        if any(key in SCOPE_FIELDS for key in changed):
            _reopen(stage)
    return changed


def _reopen(stage: Stage) -> None:
    if stage.reopen():
        record("stage.reopened", project=stage.project_id, target=stage, name=stage.name)


def delete_stage(stage: Stage, version) -> None:
    check_version(stage, version)
    if not stage.deletable:
        raise DomainError(_l("Only a stage that has not started can be deleted. A stage with a history stays, "
                             "so the record of what happened is complete."))
    record("stage.deleted", project=stage.project_id, target=stage, name=stage.name)
    project_id = stage.project_id
    db.session.delete(stage)
    db.session.flush()
    _renumber(project_id)


def move_stage(stage: Stage, direction: str) -> None:
    """Moves a planned stage one place up or down among the planned stages."""
    stages = _renumber(stage.project_id)
    index = stages.index(stage)
    other_index = index - 1 if direction == "up" else index + 1
    if other_index < 0 or other_index >= len(stages):
        return
    other = stages[other_index]
    if stage.status != StageStatus.PLANNED or other.status != StageStatus.PLANNED:
        raise DomainError(_l("Only planned stages can change places, and only with other planned stages: "
                             "the order of what has started is history."))
    stage.position, other.position = other.position, stage.position
    record("stage.moved", project=stage.project_id, target=stage, name=stage.name, position=stage.position)


def apply_plan(project: Project, plan_key: str, start: date, waves: int = 2, with_criteria: bool = True) -> list[Stage]:
    """Appends the stages of a template after the existing ones, one after the other from ``start``."""
    if plan_key not in plans.PLANS:
        raise DomainError(_l("Choose one of the templates."))
    position = _next_position(project)
    cursor = start
    created = []
    for offset, (name, description, template) in enumerate(plans.stages_of(plan_key, waves)):
        end = cursor + timedelta(days=template.weeks * 7 - 1)
        stage = Stage(project_id=project.id, position=position + offset, name=name, description=description,
                      planned_start=cursor, planned_end=end, business_areas=list(project.business_areas or []))
        db.session.add(stage)
        if with_criteria:
            for n, suggested in enumerate(template.criteria, start=1):
                stage.criteria.append(ExitCriterion(
                    project_id=project.id, position=n, kind=CriterionKind.KPI, kpi=suggested.kpi,
                    comparison=suggested.comparison, threshold=suggested.threshold, weeks=suggested.weeks))
        created.append(stage)
        cursor = end + timedelta(days=1)
    db.session.flush()
    record("stage.plan_applied", project=project, plan=plan_key, count=len(created))
    return created


def start_stage(stage: Stage, version, on: date, override_reason: str = "", by=None) -> bool:
    """Starts a planned stage. The stage before it must be approved (with or without conditions),
    unless a project manager gives the reason for starting anyway. Returns True for an override."""
    check_version(stage, version)
    if on > local_today():
        raise DomainError(_l("A stage cannot start in the future. Set its planned start instead."))
    previous = previous_stage(stage)
    overridden = stage.start(on, previous, override_reason, by)
    if overridden:
        record("stage.started_override", project=stage.project_id, target=stage, actor=by, name=stage.name,
               previous=previous.name, reason=stage.override_reason)
    else:
        record("stage.started", project=stage.project_id, target=stage, actor=by, name=stage.name)
    db.session.flush()
    stage_started.send(stage, actor=by)
    return overridden
