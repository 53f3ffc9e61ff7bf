"""CRM records of the five kinds: read with keyset pagination and filters."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from planner.api.access import get_in_project, in_project
from planner.api.locking import tagged
from planner.api.resources.common import N_, PageArgs, doc, keyset, page_schema
from planner.crm.models import Channel, OpportunityKind, OpportunityStage, RecordKind, search_key

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
        "closed_on": fields.Date(allow_none=True, required=True)},
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


def _routes(kind: RecordKind) -> None:
    key = kind.value
    item_schema = SCHEMAS[kind]

    @blp.route(f"/projects/<int:project_id>/crm/{key}", endpoint=f"{key}_list")
    @in_project()
    @blp.arguments(list_args(kind), location="query")
    @blp.response(200, PAGES[kind])
    @blp.doc(**doc(N_("List CRM records of one kind, in id order")))
    def list_records(project, args):
        return keyset(filtered(kind, project, args), kind.model, args)

    @blp.route(f"/projects/<int:project_id>/crm/{key}/<int:record_id>", endpoint=f"{key}_get")
    @in_project()
    @blp.response(200, item_schema, headers={"ETag": {"schema": {"type": "string"},
                                                      "description": N_("The version, for If-Match.")}})
    @blp.doc(**doc(N_("Read one CRM record")))
    def get_record(project, record_id):
        return tagged(item_schema().dump(get_in_project(kind.model, record_id, project)))


for _kind in RecordKind:
    _routes(_kind)
