"""CRM records of the five kinds: read with keyset pagination and filters; add, change (If-Match) and
delete one record with the web's rules (``planner.crm.services``); add or update many by external id
with the import's checks (``planner.api.records``)."""

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, literal, select

from planner.api import records
from planner.api.access import get_in_project, in_project
from planner.api.auth import refuse
from planner.api.locking import require_match, tagged
from planner.api.records import MAX_BULK
from planner.api.resources.common import N_, NOT_JSON, PROBLEM_TYPE, PageArgs, ProblemSchema, doc, keyset, page_schema
from planner.crm import services
from planner.crm.models import Channel, OpportunityKind, OpportunityStage, RecordKind, search_key
from planner.crm.services import can_edit
from planner.errors import DomainError, problem
from planner.extensions import db
from planner.projects.models import ProjectRole

blp = Blueprint("api_crm", __name__,
                description=N_("CRM records: accounts, contacts, interactions, service cases, opportunities"))


def _choice(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([member.value for member in enum_cls]), **kwargs)


def _amount():
    return fields.Decimal(as_string=True, required=True, metadata={"type": "string", "format": "decimal",
                                                                    "example": "1234.50"})


COMMON = {
    "id": fields.Integer(required=True),
    "external_id": fields.String(allow_none=True, required=True,
                                 metadata={"description": N_("The record's id in the source CRM (unique per kind).")}),
    "captured_by_id": fields.Integer(allow_none=True, required=True),
    "created_at": fields.DateTime(required=True),
    "updated_at": fields.DateTime(required=True),
}
OWN = {
    RecordKind.ACCOUNTS: lambda: {
        "name": fields.String(required=True), "segment": fields.String(required=True),
        "industry": fields.String(required=True), "country": fields.String(required=True),
        "city": fields.String(required=True)},
    RecordKind.CONTACTS: lambda: {
        "account_id": fields.Integer(allow_none=True, required=True), "name": fields.String(required=True),
        "email": fields.String(required=True), "phone": fields.String(required=True),
        "job_title": fields.String(required=True), "reachable": fields.Boolean(required=True),
        "is_duplicate": fields.Boolean(required=True)},
    RecordKind.INTERACTIONS: lambda: {
        "account_id": fields.Integer(required=True), "contact_id": fields.Integer(allow_none=True, required=True),
        "occurred_at": fields.DateTime(required=True), "channel": _choice(Channel, required=True),
        "purpose": fields.String(required=True), "outcome": fields.String(required=True)},
    RecordKind.CASES: lambda: {
        "account_id": fields.Integer(required=True), "contact_id": fields.Integer(allow_none=True, required=True),
        "subject": fields.String(required=True), "opened_at": fields.DateTime(required=True),
        "closed_at": fields.DateTime(allow_none=True, required=True),
        "resolved_first_contact": fields.Boolean(required=True),
        "satisfaction": fields.Integer(allow_none=True, required=True)},
    RecordKind.OPPORTUNITIES: lambda: {
        "account_id": fields.Integer(required=True), "name": fields.String(required=True),
        "opportunity_kind": _choice(OpportunityKind, required=True), "amount": _amount(),
        "stage": _choice(OpportunityStage, required=True), "opened_on": fields.Date(required=True),
        "closed_on": fields.Date(allow_none=True, required=True),
        "expected_close_on": fields.Date(allow_none=True, required=True)},
}
SINGULAR = {RecordKind.ACCOUNTS: "Account", RecordKind.CONTACTS: "Contact", RecordKind.INTERACTIONS: "Interaction",
            RecordKind.CASES: "ServiceCase", RecordKind.OPPORTUNITIES: "Opportunity"}
SCHEMAS = {kind: Schema.from_dict({**COMMON, **OWN[kind]()}, name=SINGULAR[kind]) for kind in RecordKind}
PAGES = {kind: page_schema(SCHEMAS[kind], SINGULAR[kind] + "Page") for kind in RecordKind}
NAMED = {RecordKind.ACCOUNTS, RecordKind.CONTACTS, RecordKind.OPPORTUNITIES}
ACCOUNT_LINKED = {RecordKind.CONTACTS, RecordKind.INTERACTIONS, RecordKind.CASES, RecordKind.OPPORTUNITIES}


def list_args(kind: RecordKind):
    extra = {
        "external_id": fields.String(validate=validate.Length(max=100),
                                     metadata={"description": N_("Only the record with this external id.")}),
        "updated_since": fields.AwareDateTime(metadata={"description": N_(
            "Only records changed at or after this moment (ISO 8601 with its offset).")}),
    }
    if kind in NAMED or kind is RecordKind.CASES:
        extra["q"] = fields.String(validate=validate.Length(max=200), metadata={
            "description": N_("Names (subjects of cases) starting with this text, ignoring case and accents.")})
    if kind in ACCOUNT_LINKED:
        extra["account_id"] = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                                             metadata={"description": N_("Only the records of this account.")})
    if kind is RecordKind.OPPORTUNITIES:
        extra["stage"] = _choice(OpportunityStage)
    if kind is RecordKind.ACCOUNTS:
        extra["segment"] = fields.String(validate=validate.Length(max=80))
        extra["country"] = fields.String(validate=validate.Length(max=80))
    return PageArgs.from_dict(extra, name=SINGULAR[kind] + "ListArgs")


def filtered(kind: RecordKind, project, args: dict):
    model = kind.model
    query = select(model).where(model.project_id == project.id)
    if args.get("external_id"):
        query = query.where(model.external_id == args["external_id"])
    if args.get("updated_since"):
        query = query.where(model.updated_at >= args["updated_since"])
    if args.get("q"):
        key = search_key(args["q"])
        column = model.subject_key if kind is RecordKind.CASES else model.name_key
        query = query.where(column >= key, column < key + "\uffff")
    for name in ("account_id", "stage", "segment", "country"):
        if args.get(name) is not None:
            query = query.where(getattr(model, name) == args[name])
    return query


# Up to this many records changed since the moment asked, the list reads them by their change time
# (index project, updated_at, id) and sorts them; beyond, it walks the project in id order and checks
# the change time in the index (project, id, updated_at): at least one record in CHANGED_FEW matches
# there, so a page never reads more than about limit × records ÷ CHANGED_FEW index entries.
CHANGED_FEW = 5000


def few_changed(model, project, since) -> bool:
    """Whether fewer than CHANGED_FEW records of the project changed since ``since`` (counted in the
    index, stopping at CHANGED_FEW). SQLite keeps no statistics of values to tell this by itself."""
    matching = select(literal(1)).where(model.project_id == project.id, model.updated_at >= since) \
        .limit(CHANGED_FEW).subquery()
    return db.session.scalar(select(func.count()).select_from(matching)) < CHANGED_FEW


def _routes(kind: RecordKind) -> None:
    key = kind.value
    item_schema = SCHEMAS[kind]

    @blp.route(f"/projects/<int:project_id>/crm/{key}", endpoint=f"{key}_list")
    @in_project()
    @blp.arguments(list_args(kind), location="query")
    @blp.response(200, PAGES[kind])
    @blp.doc(**doc(N_("List CRM records of one kind, in id order")))
    def list_records(project, args):
        few = bool(args.get("updated_since")) and few_changed(kind.model, project, args["updated_since"])
        return keyset(filtered(kind, project, args), kind.model, args, few=few)

    @blp.route(f"/projects/<int:project_id>/crm/{key}/<int:record_id>", endpoint=f"{key}_get")
    @in_project()
    @blp.response(200, item_schema, headers={"ETag": {"schema": {"type": "string"},
                                                      "description": N_("The version, for If-Match.")}})
    @blp.doc(**doc(N_("Read one CRM record")))
    def get_record(project, record_id):
        return tagged(item_schema().dump(get_in_project(kind.model, record_id, project)))


for _kind in RecordKind:
    _routes(_kind)


# --------------------------------------------------------------------------- writing

INPUT_TYPES = {
    "text": lambda spec: {"type": "string", **({"maxLength": spec.max_length} if spec.max_length else {})},
    "email": lambda spec: {"type": "string", "maxLength": spec.max_length},
    "phone": lambda spec: {"type": "string", "maxLength": spec.max_length},
    "datetime": lambda spec: {"type": "string", "format": "date-time"},
    "date": lambda spec: {"type": "string", "format": "date"},
    "decimal": lambda spec: {"type": ["string", "number"], "example": "1234.50"},
    "score": lambda spec: {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
    "bool": lambda spec: {"type": "boolean"},
    "account": lambda spec: {"type": "string", "maxLength": spec.max_length,
                             "description": N_("The account's external id, #id, or exact name.")},
    "contact": lambda spec: {"type": "string", "maxLength": 100,
                             "description": N_("The contact's external id, or #id.")},
    "user": lambda spec: {"type": "string", "maxLength": 254,
                          "description": N_("The e-mail address of a member of the project.")},
}


def input_schema(kind: RecordKind, *, creating: bool) -> dict:
    """The JSON Schema of a record as sent (the import's fields); the checks are the import's."""
    from planner.crm.fields import CHOICE_ENUMS, STORED

    properties, required = {}, []
    for spec in STORED[kind]:
        if spec.type in CHOICE_ENUMS:
            schema = {"type": "string", "enum": [member.value for member in CHOICE_ENUMS[spec.type]]}
        else:
            schema = INPUT_TYPES[spec.type](spec)
        properties[spec.name] = schema
        if spec.required and creating and spec.name != "external_id":
            required.append(spec.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def bulk_schema(kind: RecordKind) -> dict:
    record = input_schema(kind, creating=True)
    record["required"] = ["external_id", *record["required"]]
    return {"type": "object", "required": ["records"], "additionalProperties": False, "properties": {
        "records": {"type": "array", "minItems": 1, "maxItems": MAX_BULK, "items": record}}}


class BulkResult(Schema):
    rows = fields.Integer(required=True)
    inserted = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


def _body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        refuse(422, NOT_JSON)
    return data


def _refused(errors: list[dict]):
    db.session.rollback()
    response = problem(422, errors=errors)
    abort(response)


def _locked(kind: RecordKind, record_id: int, project):
    model = kind.model
    obj = db.session.scalar(select(model).where(model.id == record_id, model.project_id == project.id)
                            .with_for_update())
    if obj is None:
        refuse(404)
    return obj


def _may_edit(obj):
    if not can_edit(obj, current_user, g.membership):
        refuse(403)


def _json_body(schema: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _writes(kind: RecordKind) -> None:
    key = kind.value
    item_schema = SCHEMAS[kind]
    etag_header = {"ETag": {"schema": {"type": "string"}, "description": N_("The version, for If-Match.")}}
    if_match = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                "description": N_("The ETag of the version you read.")}

    @blp.route(f"/projects/<int:project_id>/crm/{key}", methods=["POST"], endpoint=f"{key}_create")
    @in_project(ProjectRole.STAFF)
    @blp.response(201, item_schema, headers=etag_header)
    @blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.doc(**doc(N_("Add a CRM record")), **_json_body(input_schema(kind, creating=True)))
    def create_record(project):
        attributes, errors = records.read_one(project, kind, _body(), partial=False)
        if errors:
            _refused(errors)
        try:
            obj = services.create(project, kind, attributes, current_user)
        except DomainError as error:
            _refused([{"field": "", "code": "refused", "detail": str(error.message)}])
        db.session.commit()
        response = tagged(item_schema().dump(obj), 201)
        response.headers["Location"] = url_for(f"api_crm.{key}_get", project_id=project.id, record_id=obj.id)
        return response

    @blp.route(f"/projects/<int:project_id>/crm/{key}/<int:record_id>", methods=["PATCH"],
               endpoint=f"{key}_update")
    @in_project()
    @blp.response(200, item_schema, headers=etag_header)
    @blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.doc(**doc(N_("Change some fields of a CRM record")), parameters=[if_match],
             **_json_body(input_schema(kind, creating=False)))
    def update_record(project, record_id):
        obj = _locked(kind, record_id, project)
        _may_edit(obj)
        require_match(item_schema().dump(obj))
        attributes, errors = records.read_one(project, kind, _body(), partial=True)
        if errors:
            _refused(errors)
        try:
            services.update_record(obj, attributes)
        except DomainError as error:
            _refused([{"field": "", "code": "refused", "detail": str(error.message)}])
        db.session.commit()
        return tagged(item_schema().dump(obj))

    @blp.route(f"/projects/<int:project_id>/crm/{key}/<int:record_id>", methods=["DELETE"],
               endpoint=f"{key}_delete")
    @in_project()
    @blp.response(204)
    @blp.alt_response(409, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.doc(**doc(N_("Delete a CRM record")), parameters=[if_match])
    def delete_record(project, record_id):
        obj = _locked(kind, record_id, project)
        _may_edit(obj)
        require_match(item_schema().dump(obj))
        try:
            services.delete_record(obj)
        except DomainError as error:
            db.session.rollback()
            refuse(409, error.message)
        db.session.commit()
        return "", 204

    @blp.route(f"/projects/<int:project_id>/crm/{key}/bulk", methods=["POST"], endpoint=f"{key}_bulk")
    @in_project(ProjectRole.MANAGER)
    @blp.response(200, BulkResult)
    @blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
    @blp.doc(**doc(N_("Add or update up to 10,000 records by external id, all or nothing"),
                   N_("The same checks as a file import. If any record is refused nothing is written, and "
                      "“errors” lists every problem with the record's index.")), **_json_body(bulk_schema(kind)))
    def bulk_upsert(project):
        body = _body()
        items = body.get("records")
        if not isinstance(items, list) or not items or len(items) > MAX_BULK:
            refuse(422, _("Send “records”: a list of 1 to %(max)s records.", max=MAX_BULK))
        outcome = records.upsert(project, kind, items, current_user)
        if isinstance(outcome, records.Refusal):
            _refused(outcome.errors)
        db.session.commit()
        return {"rows": outcome.rows, "inserted": outcome.inserted, "updated": outcome.updated,
                "unchanged": outcome.unchanged}


for _kind in RecordKind:
    _writes(_kind)
