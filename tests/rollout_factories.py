"""Factories for the staged rollout: stages with criteria, sign-off requests and decisions, built
directly as rows (the tests of the operations go through the services and the pages). Text defaults
to Chinese so the Chinese page crawl can tell user data from interface text."""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from planner.change.models import ChangeTask, TaskCategory, TaskStatus
from planner.extensions import db
from planner.kpis.definitions import KpiKey
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

_n = itertools.count(1)


def stage(project, name=None, position=None, status=StageStatus.PLANNED, started=None, ended=None, **fields):
    n = next(_n)
    row = Stage(project_id=project.id, name=name or f"阶段{n}", position=n if position is None else position,
                status=status, actual_start=started, actual_end=ended, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def kpi_criterion(stage_, key=KpiKey.ADOPTION, threshold="0.80", weeks=2, comparison=Comparison.AT_LEAST):
    row = ExitCriterion(project_id=stage_.project_id, stage_id=stage_.id, kind=CriterionKind.KPI, kpi=key,
                        comparison=comparison, threshold=Decimal(threshold), weeks=weeks)
    db.session.add(row)
    db.session.commit()
    return row


def tasks_criterion(stage_, tasks):
    row = ExitCriterion(project_id=stage_.project_id, stage_id=stage_.id, kind=CriterionKind.TASKS)
    row.tasks = list(tasks)
    db.session.add(row)
    db.session.commit()
    return row


def checklist_criterion(stage_, item):
    row = ExitCriterion(project_id=stage_.project_id, stage_id=stage_.id, kind=CriterionKind.CHECKLIST,
                        checklist_item_id=getattr(item, "id", item))
    db.session.add(row)
    db.session.commit()
    return row


def task(project, title=None, status=TaskStatus.OPEN, stage_=None):
    row = ChangeTask(project_id=project.id, title=title or f"任务{next(_n)}", category=TaskCategory.TRAINING,
                     status=status, stage_id=getattr(stage_, "id", stage_))
    db.session.add(row)
    db.session.commit()
    return row


def request(stage_, by, status=RequestStatus.PENDING, when=None):
    row = SignoffRequest(project_id=stage_.project_id, stage_id=stage_.id, requested_by_id=getattr(by, "id", by),
                         requested_by_name=getattr(by, "name", "") or "", note="请审阅试点结果",
                         requested_at=when or datetime.now(UTC), status=status)
    db.session.add(row)
    db.session.commit()
    return row


def decision(request_, by, outcome=Outcome.APPROVED, comment="同意", when=None):
    stage_ = db.session.get(Stage, request_.stage_id)
    row = SignoffDecision(project_id=request_.project_id, stage_id=request_.stage_id, request_id=request_.id,
                          decided_by_id=getattr(by, "id", None), decided_by_name=getattr(by, "name", "发起人"),
                          decided_at=when or datetime.now(UTC), outcome=outcome, comment=comment,
                          stage_name=stage_.name, stage_version=stage_.version, go=True,
                          evidence={"as_of": date.today().isoformat(), "go": True, "met": 0, "total": 0,
                                    "criteria": []})
    db.session.add(row)
    db.session.commit()
    return row


def make_rollout(project, manager, sponsor) -> dict:
    """Four stages: an approved pilot with its decision, a first wave awaiting sign-off (requested by
    ``manager``) with a KPI and a tasks criterion, and two planned waves."""
    today = date.today()
    approved = stage(project, name="试点", status=StageStatus.APPROVED, started=today - timedelta(days=60),
                     ended=today - timedelta(days=20), planned_start=today - timedelta(days=60),
                     planned_end=today - timedelta(days=21), teams=["客服"], business_areas=["service"])
    first = request(approved, manager, status=RequestStatus.DECIDED, when=datetime.now(UTC) - timedelta(days=21))
    decided = decision(first, sponsor, when=datetime.now(UTC) - timedelta(days=20))
    awaiting = stage(project, name="第一批推广", status=StageStatus.AWAITING_SIGNOFF,
                     started=today - timedelta(days=19), planned_start=today - timedelta(days=19),
                     planned_end=today + timedelta(days=20), users_in_scope=40)
    done = task(project, title="培训销售团队", status=TaskStatus.DONE, stage_=awaiting)
    open_ = task(project, title="清理重复客户", stage_=awaiting)
    kpi = kpi_criterion(awaiting)
    tasks = tasks_criterion(awaiting, [done, open_])
    pending = request(awaiting, manager)
    planned = stage(project, name="第二批推广", planned_start=today + timedelta(days=21),
                    planned_end=today + timedelta(days=60))
    last = stage(project, name="全面推广", planned_start=today + timedelta(days=61),
                 planned_end=today + timedelta(days=120))
    for row in (approved, awaiting, planned, last):
        db.session.refresh(row)
    return {"approved": approved, "awaiting": awaiting, "planned": planned, "last": last, "request": pending,
            "decision": decided, "kpi": kpi, "tasks": tasks, "done_task": done, "open_task": open_}
