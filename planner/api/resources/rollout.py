"""Stages with their gate evaluation, sign-off requests and decisions: read; request a sign-off
(managers) and decide (executive sponsors) with the web's forms, rules and audit
(``planner.rollout.services``). Both name the stage's version they were made from (If-Match: the
stage's ETag), as the web's forms do."""

from flask import g, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.api.access import get_in_project, in_project
from planner.api.auth import refuse
from planner.api.forms import body, filled
from planner.api.locking import require_match, tagged
from planner.api.resources.common import N_, PROBLEM_TYPE, PageArgs, ProblemSchema, doc, keyset, page_schema
from planner.errors import DomainError
from planner.extensions import db
from planner.projects.models import ProjectRole
from planner.rollout import services
from planner.rollout.forms import DecisionForm, RequestForm
from planner.rollout.models import (
    ApprovalRule,
    ExitCriterion,
    Outcome,
    RequestStatus,
    SignoffRequest,
    Stage,
    StageStatus,
)

blp = Blueprint("api_rollout", __name__, description=N_("Stages, their gates and sign-offs"))

ETAG = {"ETag": {"schema": {"type": "string"}, "description": N_("The version, for If-Match.")}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": N_("The stage's ETag: the version you read.")}


def _choice(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([member.value for member in enum_cls]), **kwargs)


class CriterionSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": N_("The criterion, in the reader's language.")})
    met = fields.Boolean(required=True)


class GateSchema(Schema):
    as_of = fields.Date(required=True)
    go = fields.Boolean(required=True, metadata={"description": N_("Every exit criterion is met.")})
    met = fields.Integer(required=True)
    total = fields.Integer(required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)


class StageSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    status = _choice(StageStatus, required=True)
    planned_start = fields.Date(allow_none=True, required=True)
    planned_end = fields.Date(allow_none=True, required=True)
    actual_start = fields.Date(allow_none=True, required=True)
    actual_end = fields.Date(allow_none=True, required=True)
    version = fields.Integer(required=True)
    gate = fields.Nested(GateSchema, required=True)


class DecisionSchema(Schema):
    outcome = _choice(Outcome, required=True)
    comment = fields.String(required=True)
    decided_by_name = fields.String(required=True)
    decided_at = fields.DateTime(required=True)
    go = fields.Boolean(required=True, metadata={"description": N_("Whether every exit criterion was met then.")})


class VoteSchema(Schema):
    approver_id = fields.Integer(allow_none=True, required=True,
                                 metadata={"description": N_("The approver in whose name the vote was cast.")})
    approver_name = fields.String(required=True)
    voter_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": N_("Who cast it: the approver, or their stand-in within their dates.")})
    voter_name = fields.String(required=True)
    by_stand_in = fields.Boolean(required=True)
    outcome = _choice(Outcome, required=True)
    comment = fields.String(required=True)
    voted_at = fields.DateTime(required=True)


class ApproverSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class RequestSchema(Schema):
    id = fields.Integer(required=True)
    stage_id = fields.Integer(required=True)
    requested_by_name = fields.String(required=True)
    requested_at = fields.DateTime(required=True)
    note = fields.String(required=True)
    status = _choice(RequestStatus, required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    decision = fields.Nested(DecisionSchema, allow_none=True, required=True)
    rule = _choice(ApprovalRule, required=True, metadata={"description": N_(
        "The approval rule fixed when the request was opened: any one sponsor, all sponsors, or named approvers "
        "in order.")})
    approvers = fields.List(fields.Nested(ApproverSchema), required=True, metadata={"description": N_(
        "The approvers the rule requires, in order for a chain; empty for any one sponsor.")})
    votes = fields.List(fields.Nested(VoteSchema), required=True,
                        metadata={"description": N_("Each approver's decision, oldest first.")})


def _stages_query(project):
    return (select(Stage).where(Stage.project_id == project.id)
            .options(selectinload(Stage.criteria).selectinload(ExitCriterion.checklist_item),
                     selectinload(Stage.criteria).selectinload(ExitCriterion.tasks)))


def _with_gates(project, stages: list) -> list[dict]:
    """Each stage with its gate, as plain values for ``StageSchema``."""
    gates = services.evaluate_stages(project, stages) if stages else {}
    names = [name for name in StageSchema._declared_fields if name != "gate"]
    found = []
    for stage in stages:
        gate = gates[stage.id]
        found.append({**{name: getattr(stage, name) for name in names}, "gate": {
            "as_of": gate.as_of, "go": gate.go, "met": gate.met, "total": gate.total,
            "criteria": [{"id": result.criterion.id, "kind": result.criterion.kind.value, "title": str(result.title),
                          "met": result.met} for result in gate.results]}})
    return found


def _dumped(project, stage: Stage) -> dict:
    return StageSchema().dump(_with_gates(project, [stage])[0])


def version_of(stage: Stage) -> dict:
    """What versions a stage (the ETag's basis): its row version, as the web's forms carry it; the
    gate's words follow the reader's language and its KPI values the day, so they are not part of it."""
    return {"stage": stage.id, "version": stage.version}


@blp.route("/projects/<int:project_id>/stages")
@in_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(StageSchema, "StagePage"))
@blp.doc(**doc(N_("List the stages with their gate evaluation")))
def list_stages(project, args):
    page = keyset(_stages_query(project), Stage, args)
    return {"items": _with_gates(project, page["items"]), "next_after": page["next_after"]}


def _stage(project, stage_id: int) -> Stage:
    stage = db.session.scalar(_stages_query(project).where(Stage.id == stage_id))
    if stage is None:
        refuse(404)
    return stage


@blp.route("/projects/<int:project_id>/stages/<int:stage_id>")
@in_project()
@blp.response(200, StageSchema, headers=ETAG)
@blp.doc(**doc(N_("Read a stage and its gate evaluation")))
def get_stage(project, stage_id):
    stage = _stage(project, stage_id)
    return tagged(_dumped(project, stage), basis=version_of(stage))


def _requests_query(project):
    return (select(SignoffRequest).where(SignoffRequest.project_id == project.id)
            .options(selectinload(SignoffRequest.decision), selectinload(SignoffRequest.votes)))


@blp.route("/projects/<int:project_id>/signoff-requests")
@in_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(RequestSchema, "SignoffRequestPage"))
@blp.doc(**doc(N_("List the sign-off requests and their decisions")))
def list_requests(project, args):
    return keyset(_requests_query(project), SignoffRequest, args)


@blp.route("/projects/<int:project_id>/signoff-requests/<int:request_id>")
@in_project()
@blp.response(200, RequestSchema)
@blp.doc(**doc(N_("Read a sign-off request and its decision")))
def get_request(project, request_id):
    return get_in_project(SignoffRequest, request_id, project)


def _body_schema(properties: dict, required=()) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": list(required), "additionalProperties": False}}}}}


def _matched_version(project, stage: Stage) -> int:
    """The stage's version when If-Match names its current ETag (428 without, 412 when stale)."""
    require_match(_dumped(project, stage), basis=version_of(stage))
    return stage.version


@blp.route("/projects/<int:project_id>/stages/<int:stage_id>/signoff-requests", methods=["POST"])
@in_project(ProjectRole.MANAGER)
@blp.response(201, RequestSchema)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Request the sign-off of a stage")), parameters=[IF_MATCH],
         **_body_schema({"note": {"type": "string", "maxLength": 2000}}))
def request_signoff(project, stage_id):
    stage = _stage(project, stage_id)
    version = _matched_version(project, stage)
    form = filled(RequestForm, body(), {"version": version})
    try:
        request_ = services.request_signoff(stage, version, current_user, form.note.data or "")
    except DomainError as error:
        db.session.rollback()
        refuse(422, error.message)
    db.session.commit()
    response = tagged(RequestSchema().dump(request_), 201)
    response.headers["Location"] = url_for("api_rollout.get_request", project_id=project.id, request_id=request_.id)
    return response


@blp.route("/projects/<int:project_id>/signoff-requests/<int:request_id>/decision", methods=["POST"])
@in_project()  # a sponsor, or a sponsor's stand-in within their dates: the approval rule decides (403 otherwise)
@blp.response(201, RequestSchema)
@blp.alt_response(409, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Decide on a sign-off request under its approval rule (an executive sponsor whose turn it is, "
                  "or their stand-in within their dates; never the requester). The request is decided once the "
                  "rule is met; until then the answer lists the votes so far.")),
         parameters=[IF_MATCH], **_body_schema({
             "outcome": {"type": "string", "enum": [outcome.value for outcome in Outcome]},
             "comment": {"type": "string", "maxLength": 4000},
             "on_behalf_of": {"type": "integer", "minimum": 1, "maximum": 2147483647,
                              "description": N_("A stand-in: the id of the sponsor in whose name they decide.")}},
             ["outcome"]))
def decide(project, request_id):
    request_ = get_in_project(SignoffRequest, request_id, project)
    refusal = services.decision_refusal(request_, current_user, g.membership)
    if refusal is not None:
        refuse(403, refusal)
    if request_.status != RequestStatus.PENDING:
        refuse(409, services.closed_request_message(request_))
    stage = _stage(project, request_.stage_id)
    version = _matched_version(project, stage)
    form = filled(DecisionForm, body(), {"version": version})
    refusal = services.approvals.name_refusal(request_, current_user, g.membership, form.on_behalf_of.data)
    if refusal is not None:
        refuse(403, refusal)
    try:
        services.decide(request_, current_user, g.membership, form.outcome.data, form.comment.data, version,
                        on_behalf_of=form.on_behalf_of.data)
    except DomainError as error:
        db.session.rollback()
        refuse(422, error.message)
    db.session.commit()
    return tagged(RequestSchema().dump(request_), 201)


