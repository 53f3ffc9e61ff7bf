"""Exit criteria: adding, changing and removing them, and how they read in every language."""

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from planner.audit.services import record, register
from planner.change.models import ChangeTask
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import number, percent
from planner.kpis.definitions import KpiKey
from planner.methodology.models import ChecklistItem
from planner.methodology.services import in_all_languages
from planner.projects.models import Project
from planner.rollout.models import (
    Comparison,
    CriterionKind,
    ExitCriterion,
    Stage,
)
from planner.rollout.services.stages import _reopen, check_version


def _criterion_text(data: dict) -> dict:
    return {"criterion": describe_criterion(data.get("criterion") or {}, with_tasks=True)}


register("criterion.added", _l("Added an exit criterion to “%(stage)s”: %(criterion)s."), _criterion_text)
register("criterion.updated", _l("Changed an exit criterion of “%(stage)s”: %(criterion)s."), _criterion_text)
register("criterion.removed", _l("Removed an exit criterion from “%(stage)s”: %(criterion)s."), _criterion_text)


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
