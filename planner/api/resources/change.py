"""Change tasks and quick wins: read; add, change (If-Match) and delete with the web's forms, roles and
services (``planner.change``). Managers do everything; a task's owner changes its status and notes."""

from contextlib import suppress
from decimal import Decimal

from flask import g, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from planner.api.access import in_project
from planner.api.auth import refuse
from planner.api.forms import body, filled
from planner.api.locking import require_match, tagged
from planner.api.resources.common import N_, PROBLEM_TYPE, PageArgs, ProblemSchema, doc, keyset, page_schema
from planner.change import services
from planner.change.forms import QuickWinForm, TaskForm, TaskUpdateForm
from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskCategory, TaskStatus
from planner.errors import DomainError
from planner.extensions import db
from planner.kpis.definitions import KpiKey
from planner.projects.models import ProjectRole

blp = Blueprint("api_change", __name__, description=N_("Change tasks and quick wins"))

ETAG = {"ETag": {"schema": {"type": "string"}, "description": N_("The version, for If-Match.")}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": N_("The ETag of the version you read.")}


def _choice(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([member.value for member in enum_cls]), **kwargs)


class TaskSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    category = _choice(TaskCategory, required=True)
    owner_id = fields.Integer(allow_none=True, required=True, metadata={"description": N_("A member's id.")})
    due_date = fields.Date(allow_none=True, required=True)
    stage_id = fields.Integer(allow_none=True, required=True)
    status = _choice(TaskStatus, required=True)
    notes = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)


class QuickWinSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    benefit = fields.String(required=True)
    kpi = fields.String(allow_none=True, required=True, validate=validate.OneOf([k.value for k in KpiKey]))
    kpi_target = fields.Decimal(as_string=True, allow_none=True, required=True, metadata={
        "type": "string", "description": N_("In the KPI's unit: a ratio for rates (0.85 means 85 percent).")})
    owner_id = fields.Integer(allow_none=True, required=True)
    target_date = fields.Date(allow_none=True, required=True)
    status = _choice(QuickWinStatus, required=True)
    achieved_on = fields.Date(allow_none=True, required=True)
    result = fields.String(required=True)
    celebrated_on = fields.Date(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


def _schema(properties: dict, required=()) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": list(required), "additionalProperties": False}}}}}


TEXT = {"type": "string"}
DATE = {"type": ["string", "null"], "format": "date"}
ID = {"type": ["integer", "null"]}
TASK_INPUT = {"title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 4000},
              "category": {"type": "string", "enum": [c.value for c in TaskCategory]}, "owner_id": ID,
              "due_date": DATE, "stage_id": ID, "status": {"type": "string", "enum": [s.value for s in TaskStatus]},
              "notes": {"type": "string", "maxLength": 4000}}
WIN_INPUT = {"title": {"type": "string", "maxLength": 200}, "benefit": {"type": "string", "maxLength": 2000},
             "kpi": {"type": ["string", "null"], "enum": [k.value for k in KpiKey] + [None]},
             "kpi_target": {"type": ["number", "string", "null"]}, "owner_id": ID, "target_date": DATE,
             "status": {"type": "string", "enum": [s.value for s in QuickWinStatus]}, "achieved_on": DATE,
             "result": {"type": "string", "maxLength": 2000}}


def _refused(error: DomainError):
    db.session.rollback()
    refuse(422, error.message)


def _locked(model, object_id: int, project):
    obj = db.session.scalar(select(model).where(model.id == object_id, model.project_id == project.id)
                            .with_for_update())
    if obj is None:
        refuse(404)
    return obj


# --------------------------------------------------------------------------- tasks


@blp.route("/projects/<int:project_id>/tasks")
@in_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(TaskSchema, "TaskPage"))
@blp.doc(**doc(N_("List the change tasks")))
def list_tasks(project, args):
    return keyset(select(ChangeTask).where(ChangeTask.project_id == project.id), ChangeTask, args)


@blp.route("/projects/<int:project_id>/tasks/<int:task_id>")
@in_project()
@blp.response(200, TaskSchema, headers=ETAG)
@blp.doc(**doc(N_("Read a change task")))
def get_task(project, task_id):
    from planner.api.access import get_in_project

    return tagged(TaskSchema().dump(get_in_project(ChangeTask, task_id, project)))


def _task_current(task: ChangeTask) -> dict:
    data = TaskSchema().dump(task)
    return {name: data[name] for name in TASK_INPUT}


@blp.route("/projects/<int:project_id>/tasks", methods=["POST"])
@in_project(ProjectRole.MANAGER)
@blp.response(201, TaskSchema, headers=ETAG)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Add a change task")), **_schema(TASK_INPUT, ["title"]))
def create_task(project):
    form = filled(TaskForm, body(), None, project)
    fields_ = {name: getattr(form, name).data for name in services.TASK_FIELDS}
    task = services.create_task(project, status=TaskStatus(form.status.data), **fields_)
    db.session.commit()
    response = tagged(TaskSchema().dump(task), 201)
    response.headers["Location"] = url_for("api_change.get_task", project_id=project.id, task_id=task.id)
    return response


@blp.route("/projects/<int:project_id>/tasks/<int:task_id>", methods=["PATCH"])
@in_project()
@blp.response(200, TaskSchema, headers=ETAG)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Change a change task (its owner: the status and notes only)")), parameters=[IF_MATCH],
         **_schema(TASK_INPUT))
def update_task(project, task_id):
    task = _locked(ChangeTask, task_id, project)
    membership = g.membership
    manager = membership is not None and membership.has(ProjectRole.MANAGER)
    owner = membership is not None and task.owner_id is not None and task.owner_id == membership.id
    if not (manager or owner):
        refuse(403)
    require_match(TaskSchema().dump(task))
    sent = body()
    if manager:
        form = filled(TaskForm, sent, _task_current(task), project)
        fields_ = {name: getattr(form, name).data for name in services.TASK_FIELDS}
        services.update_task(task, status=form.status.data, **fields_)
    else:
        current = {"status": task.status.value, "notes": task.notes}
        form = filled(TaskUpdateForm, sent, current)
        services.set_task_status(task, TaskStatus(form.status.data), form.notes.data or "")
    db.session.commit()
    return tagged(TaskSchema().dump(task))


@blp.route("/projects/<int:project_id>/tasks/<int:task_id>", methods=["DELETE"])
@in_project(ProjectRole.MANAGER)
@blp.response(204)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Delete a change task")), parameters=[IF_MATCH])
def delete_task(project, task_id):
    task = _locked(ChangeTask, task_id, project)
    require_match(TaskSchema().dump(task))
    services.delete_task(task)
    db.session.commit()
    return "", 204


# --------------------------------------------------------------------------- quick wins


@blp.route("/projects/<int:project_id>/quick-wins")
@in_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(QuickWinSchema, "QuickWinPage"))
@blp.doc(**doc(N_("List the quick wins")))
def list_quick_wins(project, args):
    return keyset(select(QuickWin).where(QuickWin.project_id == project.id), QuickWin, args)


@blp.route("/projects/<int:project_id>/quick-wins/<int:win_id>")
@in_project()
@blp.response(200, QuickWinSchema, headers=ETAG)
@blp.doc(**doc(N_("Read a quick win")))
def get_quick_win(project, win_id):
    from planner.api.access import get_in_project

    return tagged(QuickWinSchema().dump(get_in_project(QuickWin, win_id, project)))


def _win_form(project, sent: dict, current: dict | None):
    """The quick-win form; the API gives a KPI target in the KPI's unit, the form takes rates in percent."""
    values = {**(current or {}), **sent}
    target, kpi = values.get("kpi_target"), values.get("kpi")
    if target not in (None, "") and kpi in KpiKey._value2member_map_ and KpiKey(kpi).is_ratio:
        with suppress(ArithmeticError, ValueError):
            target = Decimal(str(target)) * 100
    return filled(QuickWinForm, {**sent, "kpi_target": target}, current, project, decimals=("kpi_target",))


def _win_fields(form) -> dict:
    kpi, target = form.kpi_value()
    return {"title": form.title.data, "benefit": form.benefit.data or "", "kpi": kpi, "kpi_target": target,
            "owner_id": form.owner_id.data, "target_date": form.target_date.data, "result": form.result.data or "",
            "status": QuickWinStatus(form.status.data), "achieved_on": form.achieved_on.data}


@blp.route("/projects/<int:project_id>/quick-wins", methods=["POST"])
@in_project(ProjectRole.MANAGER)
@blp.response(201, QuickWinSchema, headers=ETAG)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Add a quick win")), **_schema(WIN_INPUT, ["title", "benefit"]))
def create_quick_win(project):
    form = _win_form(project, body(), None)
    try:
        win = services.create_quick_win(project, **_win_fields(form))
    except DomainError as error:
        _refused(error)
    db.session.commit()
    response = tagged(QuickWinSchema().dump(win), 201)
    response.headers["Location"] = url_for("api_change.get_quick_win", project_id=project.id, win_id=win.id)
    return response


@blp.route("/projects/<int:project_id>/quick-wins/<int:win_id>", methods=["PATCH"])
@in_project(ProjectRole.MANAGER)
@blp.response(200, QuickWinSchema, headers=ETAG)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Change a quick win")), parameters=[IF_MATCH], **_schema(WIN_INPUT))
def update_quick_win(project, win_id):
    win = _locked(QuickWin, win_id, project)
    require_match(QuickWinSchema().dump(win))
    data = QuickWinSchema().dump(win)
    current = {name: data[name] for name in WIN_INPUT}
    form = _win_form(project, body(), current)
    try:
        services.update_quick_win(win, **_win_fields(form))
    except DomainError as error:
        _refused(error)
    db.session.commit()
    return tagged(QuickWinSchema().dump(win))


@blp.route("/projects/<int:project_id>/quick-wins/<int:win_id>", methods=["DELETE"])
@in_project(ProjectRole.MANAGER)
@blp.response(204)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Delete a quick win")), parameters=[IF_MATCH])
def delete_quick_win(project, win_id):
    win = _locked(QuickWin, win_id, project)
    require_match(QuickWinSchema().dump(win))
    services.delete_quick_win(win)
    db.session.commit()
    return "", 204
