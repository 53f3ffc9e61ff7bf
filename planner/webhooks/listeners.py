"""Other features' signals become webhook deliveries (``services.emit``), in the transaction of the
change: a change rolled back sends nothing.
``data`` is built only when an endpoint follows the event. No feature imports this one; it listens."""

from planner.api import events
from planner.change import signals as change
from planner.crm import signals as crm
from planner.kpis import signals as kpis
from planner.rollout import signals as rollout
from planner.webhooks import payloads
from planner.webhooks.services import emit


@rollout.signoff_requested.connect
def signoff_requested(request_, actor=None, **_):
    emit(request_.project_id, events.SIGNOFF_REQUESTED, lambda: payloads.signoff(request_, actor))


@rollout.signoff_decided.connect
def signoff_decided(decision, actor=None, **_):
    request_ = decision.request
    emit(request_.project_id, events.SIGNOFF_DECIDED, lambda: payloads.signoff(request_, actor, decision))


@rollout.stage_started.connect
def stage_started(stage, actor=None, **_):
    emit(stage.project_id, events.STAGE_STARTED, lambda: payloads.stage(stage, actor))


@rollout.stage_approved.connect
def stage_approved(stage, actor=None, decision=None, **_):
    emit(stage.project_id, events.STAGE_APPROVED, lambda: payloads.stage(
        stage, actor, signoff_request_id=getattr(decision, "request_id", None),
        outcome=getattr(getattr(decision, "outcome", None), "value", None)))


@change.task_created.connect
def task_created(task, actor=None, **_):
    emit(task.project_id, events.TASK_CREATED, lambda: payloads.task(task, actor))


@change.task_changed.connect
def task_changed(task, actor=None, fields=(), **_):
    emit(task.project_id, events.TASK_CHANGED, lambda: payloads.task(task, actor, changed=list(fields)))


@change.task_overdue.connect
def task_overdue(task, actor=None, **_):
    emit(task.project_id, events.TASK_OVERDUE, lambda: payloads.task(task, actor))


@change.quick_win_achieved.connect
def quick_win_achieved(win, actor=None, **_):
    emit(win.project_id, events.QUICK_WIN_ACHIEVED, lambda: payloads.quick_win(win, actor))


@crm.import_finished.connect
def import_finished(project_id, kind=None, job_id=None, filename="", rows=0, inserted=0, updated=0, unchanged=0,
                    actor=None, **_):
    emit(project_id, events.IMPORT_FINISHED, lambda: payloads.import_finished(
        project_id, kind, job_id, filename, rows, inserted, updated, unchanged, actor))


@kpis.target_crossed.connect
def kpi_target_crossed(setting, value=None, as_of=None, reached=False, **_):
    emit(setting.project_id, events.KPI_TARGET_CROSSED, lambda: payloads.kpi_crossed(setting, value, as_of, reached))
