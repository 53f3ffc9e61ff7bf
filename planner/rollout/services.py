"""Operations on stages, exit criteria and sign-off, the live gate evaluation, and the figures other
pages show. Operations add an audit event; the calling view commits (or rolls back).

Functions other features call (bounded queries whatever the number of projects):

- ``current_stage_by_project(project_ids) -> {project_id: CurrentStage(name, status, days) | None}``
- ``pending_signoffs_for(user) -> [PendingSignoff]``: the requests ``user`` may decide
- ``pending_signoffs_by_project(project_ids) -> {project_id: [PendingSignoff]}``
- ``evaluate_stage(stage, until=None) -> Gate``: the exit criteria evaluated live
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from flask import has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, to_user_timezone
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from planner.audit.services import count_of, placeholders, record, register
from planner.change.models import ChangeTask, TaskStatus
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import number, percent
from planner.kpis import services as kpis
from planner.kpis.definitions import KpiKey
from planner.methodology.models import ChecklistItem, ItemStatus
from planner.methodology.services import in_all_languages
from planner.projects.models import BusinessArea, Project, ProjectMember
from planner.rollout import plans
from planner.rollout.models import (
    Comparison,
    CriterionKind,
    ExitCriterion,
    Outcome,
    RequestStatus,
    SignoffDecision,
    SignoffRequest,
    Stage,
    StageStatus,
)

TREND_WEEKS = 8  # weeks of KPI trend shown as evidence (more when a criterion asks for more)

STALE = _l("Someone changed this stage while you were looking at it. Check it again below, then repeat "
           "what you wanted to do.")
STALE_DECISION = _l("This stage changed after you opened it, so the evidence you saw may no longer be "
                    "the evidence that stands. Review it again below before you decide.")

# --------------------------------------------------------------------------- audit messages

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


def _criterion_text(data: dict) -> dict:
    return {"criterion": describe_criterion(data.get("criterion") or {}, with_tasks=True)}


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
register("criterion.added", _l("Added an exit criterion to “%(stage)s”: %(criterion)s."), _criterion_text)
register("criterion.updated", _l("Changed an exit criterion of “%(stage)s”: %(criterion)s."), _criterion_text)
register("criterion.removed", _l("Removed an exit criterion from “%(stage)s”: %(criterion)s."), _criterion_text)
register("signoff.requested", _l("Requested the sign-off of the stage “%(name)s”."))
register("signoff.withdrawn", _l("Withdrew the sign-off request for the stage “%(name)s”."))
register("signoff.approved", _l("Approved the stage “%(name)s”."))
register("signoff.approved_with_conditions", _l("Approved the stage “%(name)s” with conditions: %(comment)s"))
register("signoff.rejected", _l("Rejected the stage “%(name)s”: %(comment)s"))


def today() -> date:
    """Today in the reader's time zone (UTC outside a request)."""
    now = utcnow()
    return to_user_timezone(now).date() if has_request_context() else now.date()


def local_date(moment: datetime) -> date:
    return to_user_timezone(moment).date() if has_request_context() else moment.date()


def check_version(stage: Stage, version, message=STALE) -> None:
    """Optimistic locking: the form was built from ``version``; refuse if the stage moved on."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = None
    if version != stage.version:
        raise DomainError(message)


# --------------------------------------------------------------------------- stages


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


def _clean_scope(fields: dict) -> dict:
    if "business_areas" in fields:
        known = BusinessArea._value2member_map_
        fields["business_areas"] = [value for value in fields["business_areas"] or [] if value in known]
    if "teams" in fields:
        fields["teams"] = sorted(set(fields["teams"] or []), key=str.lower)
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
    if merged["actual_start"] is not None and merged["actual_start"] > today():
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


# --------------------------------------------------------------------------- state changes


def start_stage(stage: Stage, version, on: date, override_reason: str = "", by=None) -> bool:
    """Starts a planned stage. The stage before it must be approved (with or without conditions),
    unless a project manager gives the reason for starting anyway. Returns True for an override."""
    check_version(stage, version)
    if on > today():
        raise DomainError(_l("A stage cannot start in the future. Set its planned start instead."))
    previous = previous_stage(stage)
    overridden = stage.start(on, previous, override_reason, by)
    if overridden:
        record("stage.started_override", project=stage.project_id, target=stage, actor=by, name=stage.name,
               previous=previous.name, reason=stage.override_reason)
    else:
        record("stage.started", project=stage.project_id, target=stage, actor=by, name=stage.name)
    return overridden


def pending_request(stage: Stage) -> SignoffRequest | None:
    return db.session.scalar(select(SignoffRequest).where(
        SignoffRequest.stage_id == stage.id, SignoffRequest.status == RequestStatus.PENDING)
        .order_by(SignoffRequest.id.desc()).limit(1))


def request_signoff(stage: Stage, version, by, note: str = "", at: datetime | None = None) -> SignoffRequest:
    check_version(stage, version)
    stage.request_signoff()
    request_ = SignoffRequest(project_id=stage.project_id, stage_id=stage.id, requested_by_id=getattr(by, "id", None),
                              requested_by_name=getattr(by, "name", "") or "", note=(note or "").strip(),
                              requested_at=at or utcnow())
    db.session.add(request_)
    db.session.flush()
    record("signoff.requested", project=stage.project_id, target=stage, actor=by, name=stage.name)
    return request_


def withdraw_signoff(request_: SignoffRequest, version) -> None:
    stage = request_.stage
    check_version(stage, version)
    if request_.status != RequestStatus.PENDING:
        raise DomainError(_l("This request is already closed."))
    stage.withdraw_signoff()
    request_.status = RequestStatus.WITHDRAWN
    request_.closed_at = utcnow()
    record("signoff.withdrawn", project=stage.project_id, target=stage, name=stage.name)


def decision_refusal(request_: SignoffRequest, user, membership) -> object | None:
    """Why ``user`` may not decide this request (a translatable message), or None when they may."""
    if membership is None or not membership.is_sponsor or membership.project_id != request_.project_id:
        return _l("Only an executive sponsor of this project can decide on a sign-off.")
    if request_.requested_by_id is not None and request_.requested_by_id == user.id:
        return _l("You requested this sign-off yourself, so another executive sponsor must decide on it.")
    return None


def decide(request_: SignoffRequest, user, membership, outcome, comment: str, version,
           at: datetime | None = None, until: date | None = None) -> SignoffDecision:
    """Records a sponsor's decision with the evidence as it stands now. Refused when the request is
    closed, when the stage changed since ``version`` was read, or when a comment is missing."""
    refusal = decision_refusal(request_, user, membership)
    if refusal is not None:
        raise DomainError(refusal)
    if request_.status != RequestStatus.PENDING:
        raise DomainError(closed_request_message(request_))
    stage = request_.stage
    check_version(stage, version, STALE_DECISION)
    outcome = Outcome(outcome)
    comment = (comment or "").strip()
    if outcome.needs_comment and not comment:
        raise DomainError(_l("Write a comment: the conditions, or the reasons for the rejection."))
    gate = evaluate_stage(stage, until)
    if outcome == Outcome.APPROVED and gate.total and not gate.go and not comment:
        raise DomainError(_l("Some exit criteria are not met. To approve anyway, say why in the comment, or "
                             "approve with conditions."))
    now = at or utcnow()
    decided_version = stage.version
    stage.apply_decision(outcome, local_date(now))
    request_.status = RequestStatus.DECIDED
    request_.closed_at = now
    decision = SignoffDecision(
        project_id=stage.project_id, stage_id=stage.id, request_id=request_.id, decided_by_id=user.id,
        decided_by_name=user.name or "", decided_at=now, outcome=outcome, comment=comment, stage_name=stage.name,
        stage_version=decided_version, go=gate.go, evidence=snapshot(gate))
    db.session.add(decision)
    db.session.flush()
    record(f"signoff.{outcome.value}", project=stage.project_id, target=stage, actor=user, name=stage.name,
           comment=comment)
    return decision


def closed_request_message(request_: SignoffRequest):
    decision = request_.decision
    if decision is not None:
        return _l("%(name)s has already decided on this request: %(outcome)s. A decision stands; a new request "
                  "is needed for another one.", name=decision.decided_by_name,
                  outcome=decision.outcome.stage_status.label)
    return _l("This sign-off request was withdrawn; there is nothing to decide.")


def stage_requests(stage: Stage) -> list[SignoffRequest]:
    """Every sign-off request of the stage, newest first, with its decision."""
    return list(db.session.scalars(
        select(SignoffRequest).where(SignoffRequest.stage_id == stage.id)
        .options(selectinload(SignoffRequest.decision))
        .order_by(SignoffRequest.requested_at.desc(), SignoffRequest.id.desc())))


# --------------------------------------------------------------------------- criteria


CRITERION_FIELDS = ("kind", "kpi", "comparison", "threshold", "weeks", "checklist_item_id")


def _criterion_audit(criterion: ExitCriterion) -> dict:
    return criterion_data(criterion)


def _validate_criterion(project: Project, criterion: ExitCriterion, task_ids) -> list[ChangeTask]:
    if criterion.kind == CriterionKind.KPI:
        if criterion.kpi is None or criterion.comparison is None or criterion.threshold is None:
            raise DomainError(_l("Choose the KPI, the comparison and the threshold."))
        if not 1 <= (criterion.weeks or 0) <= 12:
            raise DomainError(_l("Choose from 1 to 12 consecutive weeks."))
        criterion.checklist_item_id = None
        return []
    criterion.kpi = criterion.comparison = criterion.threshold = criterion.weeks = None
    if criterion.kind == CriterionKind.CHECKLIST:
        found = db.session.scalar(select(ChecklistItem.id).where(
            ChecklistItem.id == (criterion.checklist_item_id or 0), ChecklistItem.project_id == project.id))
        if found is None:
            raise DomainError(_l("Choose a step of a methodology this project follows."))
        return []
    criterion.checklist_item_id = None
    ids = {int(task_id) for task_id in task_ids or []}
    tasks = list(db.session.scalars(select(ChangeTask).where(
        ChangeTask.id.in_(ids), ChangeTask.project_id == project.id).order_by(ChangeTask.id))) if ids else []
    if not tasks or len(tasks) != len(ids):
        raise DomainError(_l("Choose at least one task of this project."))
    return tasks


def add_criterion(stage: Stage, version, kind, task_ids=(), **fields) -> ExitCriterion:
    check_version(stage, version)
    project = db.session.get(Project, stage.project_id)
    position = max((c.position for c in stage.criteria), default=0) + 1
    criterion = ExitCriterion(project_id=stage.project_id, stage_id=stage.id, position=position,
                              kind=CriterionKind(kind), **{k: v for k, v in fields.items() if k in CRITERION_FIELDS})
    with db.session.no_autoflush:
        criterion.tasks = _validate_criterion(project, criterion, task_ids)
    stage.criteria.append(criterion)
    db.session.add(criterion)
    stage.touch()
    db.session.flush()
    record("criterion.added", project=stage.project_id, target=criterion, stage=stage.name,
           criterion=_criterion_audit(criterion))
    _reopen(stage)
    return criterion


def update_criterion(criterion: ExitCriterion, version, task_ids=(), **fields) -> bool:
    stage = criterion.stage
    check_version(stage, version)
    project = db.session.get(Project, stage.project_id)
    before = criterion_data(criterion)
    with db.session.no_autoflush:
        for key, value in fields.items():
            if key in CRITERION_FIELDS and key != "kind":
                setattr(criterion, key, value)
        criterion.tasks = _validate_criterion(project, criterion, task_ids)
    db.session.flush()
    if criterion_data(criterion) == before:
        return False
    stage.touch()
    record("criterion.updated", project=stage.project_id, target=criterion, stage=stage.name,
           criterion=_criterion_audit(criterion))
    _reopen(stage)
    return True


def delete_criterion(criterion: ExitCriterion, version) -> None:
    stage = criterion.stage
    check_version(stage, version)
    record("criterion.removed", project=stage.project_id, target=criterion, stage=stage.name,
           criterion=_criterion_audit(criterion))
    stage.criteria.remove(criterion)
    stage.touch()
    db.session.flush()
    _reopen(stage)


def criterion_data(criterion: ExitCriterion) -> dict:
    """What the criterion asks, as plain data (kept in audit events and decision snapshots)."""
    data: dict = {"kind": criterion.kind.value}
    if criterion.kind == CriterionKind.KPI:
        data.update(kpi=criterion.kpi.value if criterion.kpi else None,
                    comparison=criterion.comparison.value if criterion.comparison else None,
                    threshold=str(criterion.threshold) if criterion.threshold is not None else None,
                    weeks=criterion.weeks)
    elif criterion.kind == CriterionKind.CHECKLIST:
        item = criterion.checklist_item
        data.update(item_id=item.id if item else None, item=in_all_languages(item.title) if item else None)
    else:
        data.update(tasks=[{"id": t.id, "title": t.title} for t in criterion.tasks])
    return data


def _in_language(value) -> str:
    if isinstance(value, dict):
        from planner.i18n import current_language

        return value.get(current_language()) or value.get("en") or ""
    return str(value or "")


def kpi_text(key: KpiKey, value) -> str:
    """A KPI value or threshold in the reader's locale: a percentage, or a score out of 5."""
    if value is None:
        return "—"
    value = Decimal(str(value))
    if KpiKey(key).is_ratio:
        digits = 0 if (value * 100) == (value * 100).to_integral_value() else 1
        return percent(value, digits)
    return _("%(score)s / 5", score=number(value, 2))


def describe_criterion(data: dict, with_tasks: bool = False) -> str:
    """A criterion in words, in the reader's language, from ``criterion_data`` (or a snapshot)."""
    kind = data.get("kind")
    if kind == CriterionKind.KPI.value and data.get("kpi") in KpiKey._value2member_map_:
        key = KpiKey(data["kpi"])
        comparison = Comparison(data.get("comparison") or Comparison.AT_LEAST.value)
        weeks = int(data.get("weeks") or 1)
        return ngettext("%(kpi)s %(comparison)s %(threshold)s for %(num)d complete week",
                        "%(kpi)s %(comparison)s %(threshold)s for %(num)d consecutive complete weeks",
                        weeks, kpi=key.label, comparison=comparison.symbol,
                        threshold=kpi_text(key, data.get("threshold")))
    if kind == CriterionKind.CHECKLIST.value:
        if not data.get("item"):
            return _("A methodology step that is no longer in the project")
        return _("Methodology step done: %(step)s", step=_in_language(data["item"]))
    if kind == CriterionKind.TASKS.value:
        tasks = data.get("tasks") or []
        text = ngettext("%(num)d task done", "All %(num)d tasks done", len(tasks))
        if with_tasks and tasks:
            return _("%(criterion)s (%(tasks)s)", criterion=text, tasks="; ".join(t["title"] for t in tasks))
        return text
    return ""


# --------------------------------------------------------------------------- the gate: evaluation


@dataclass(frozen=True)
class KpiEvidence:
    trend: list  # WeekValue, oldest first; the last may be the week in progress
    window: list  # the complete weeks the criterion is judged on, oldest first
    window_met: list  # one bool per week of the window
    current: object  # the latest WeekValue (the week in progress, or the last complete one)


@dataclass
class CriterionResult:
    criterion: ExitCriterion
    met: bool
    title: str
    kpi: KpiEvidence | None = None
    item: ChecklistItem | None = None
    tasks: list = field(default_factory=list)

    @property
    def tasks_done(self) -> int:
        return sum(1 for task in self.tasks if task.status == TaskStatus.DONE)


@dataclass
class Gate:
    stage: Stage
    as_of: date
    results: list[CriterionResult]

    @property
    def met(self) -> int:
        return sum(1 for result in self.results if result.met)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def go(self) -> bool:
        """Go when the stage has exit criteria and every one is met."""
        return bool(self.results) and all(result.met for result in self.results)


def kpi_window(series, comparison: Comparison, threshold: Decimal, weeks: int) -> tuple[list, list[bool], bool]:
    """Judges a KPI criterion on a weekly series: the last ``weeks`` complete weeks must each satisfy
    ``comparison`` against ``threshold``. A week without a value fails. Returns the weeks judged,
    whether each passed, and whether the criterion is met."""
    complete = [week for week in series if week.complete]
    window = complete[-weeks:] if weeks > 0 else []
    passed = [comparison.holds(week.value, threshold) for week in window]
    return window, passed, len(window) == weeks and all(passed)


def evaluate_stages(project: Project | int, stages: list[Stage], until: date | None = None) -> dict[int, Gate]:
    """Evaluates the exit criteria of several stages of one project in a bounded number of queries:
    one KPI read for every KPI used, and the criteria, items and tasks already loaded."""
    pid = project if isinstance(project, int) else project.id
    until = until or kpis.today()
    criteria = [c for stage in stages for c in stage.criteria]
    kpi_criteria = [c for c in criteria if c.kind == CriterionKind.KPI and c.kpi is not None]
    keys = sorted({c.kpi for c in kpi_criteria})
    trend_weeks = max([TREND_WEEKS] + [(c.weeks or 1) + 1 for c in kpi_criteria])
    trends = kpis.kpi_trends_by_project([pid], keys, trend_weeks, until)[pid] if keys else {}
    gates = {}
    for stage in stages:
        results = []
        for criterion in stage.criteria:
            title = describe_criterion(criterion_data(criterion))
            if criterion.kind == CriterionKind.KPI:
                series = trends.get(criterion.kpi, []) if criterion.kpi else []
                if criterion.comparison is None or criterion.threshold is None:
                    results.append(CriterionResult(criterion, False, title))
                    continue
                window, passed, met = kpi_window(series, criterion.comparison, criterion.threshold,
                                                 criterion.weeks or 1)
                evidence = KpiEvidence(series, window, passed, series[-1] if series else None)
                results.append(CriterionResult(criterion, met, title, kpi=evidence))
            elif criterion.kind == CriterionKind.CHECKLIST:
                item = criterion.checklist_item
                results.append(CriterionResult(criterion, item is not None and item.is_done, title, item=item))
            else:
                tasks = list(criterion.tasks)
                met = bool(tasks) and all(task.status == TaskStatus.DONE for task in tasks)
                results.append(CriterionResult(criterion, met, title, tasks=tasks))
        gates[stage.id] = Gate(stage, until, results)
    return gates


def evaluate_stage(stage: Stage, until: date | None = None) -> Gate:
    return evaluate_stages(stage.project_id, [stage], until)[stage.id]


def _value(value) -> str | None:
    return str(value) if value is not None else None


def snapshot(gate: Gate) -> dict:
    """The evidence as it stands, as plain data kept with a decision for good."""
    rows = []
    for result in gate.results:
        row = {**criterion_data(result.criterion), "met": result.met}
        if result.kpi is not None:
            row["window"] = [{"week_start": w.week_start.isoformat(), "as_of": w.as_of.isoformat(),
                              "value": _value(w.value), "met": ok}
                             for w, ok in zip(result.kpi.window, result.kpi.window_met, strict=True)]
            current = result.kpi.current
            row["current"] = ({"as_of": current.as_of.isoformat(), "value": _value(current.value),
                               "complete": current.complete} if current is not None else None)
        if result.criterion.kind == CriterionKind.CHECKLIST:
            item = result.item
            row["status"] = item.status.value if item is not None else None
        if result.criterion.kind == CriterionKind.TASKS:
            row["tasks"] = [{"id": t.id, "title": t.title, "status": t.status.value} for t in result.tasks]
        rows.append(row)
    return {"as_of": gate.as_of.isoformat(), "go": gate.go, "met": gate.met, "total": gate.total, "criteria": rows}


@dataclass(frozen=True)
class SnapshotRow:
    """One criterion of a recorded decision, ready to show in the reader's language."""

    title: str
    met: bool
    kind: str
    kpi: KpiKey | None
    weeks: list  # (week start, value text, met)
    current: tuple | None  # (as of, value text, complete)
    status_label: object | None
    tasks: list  # (title, status label, done)


def snapshot_rows(evidence: dict) -> list[SnapshotRow]:
    rows = []
    for data in (evidence or {}).get("criteria", []):
        key = KpiKey(data["kpi"]) if data.get("kpi") in KpiKey._value2member_map_ else None
        weeks = [(date.fromisoformat(w["week_start"]), kpi_text(key, w["value"]) if key else "—", bool(w["met"]))
                 for w in data.get("window") or []]
        current = data.get("current")
        current_row = ((date.fromisoformat(current["as_of"]), kpi_text(key, current["value"]) if key else "—",
                        bool(current.get("complete"))) if current and key else None)
        status = data.get("status")
        status_label = ItemStatus(status).label if status in ItemStatus._value2member_map_ else None
        tasks = [(t["title"], TaskStatus(t["status"]).label if t.get("status") in TaskStatus._value2member_map_
                  else "—", t.get("status") == TaskStatus.DONE.value) for t in data.get("tasks") or []]
        rows.append(SnapshotRow(describe_criterion(data), bool(data.get("met")), data.get("kind", ""), key, weeks,
                                current_row, status_label, tasks if data.get("kind") == "tasks" else []))
    return rows


# --------------------------------------------------------------------------- for other pages


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
    on = on or today()
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
