"""Shared schemas and helpers of the API's resources."""

from marshmallow import Schema, fields, validate

from planner.i18n import lazy_gettext as _l

N_ = str  # marks an operation summary for the catalogue; the documentation page translates it

MAX_PAGE = 500
PROBLEM_TYPE = "application/problem+json"


class ProblemSchema(Schema):
    type = fields.String(metadata={"description": N_("A URI naming the problem; about:blank for the HTTP status.")})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Dict(), metadata={"description": N_("Per-field or per-record errors.")})
    current = fields.Dict(metadata={"description": N_("412: the current representation of the resource.")})


def doc(summary: str, description: str = "") -> dict:
    return {"summary": summary, "description": description} if description else {"summary": summary}


class PageArgs(Schema):
    """Keyset pagination: ``after`` is the ``next_after`` of the previous page."""

    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_PAGE),
                           metadata={"description": N_("How many items (1 to 500).")})
    after = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1), metadata={
        "description": N_("Only items whose id is greater: the previous page's next_after.")})


def page_schema(item_schema, name: str):
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_after": fields.Integer(allow_none=True, required=True, metadata={
            "description": N_("Pass as `after` for the next page; null at the end.")}),
    }, name=name)


def keyset(query, model, args: dict, few: bool = False):
    """One page of ``query`` in id order after ``args['after']``, and the cursor of the next one.

    ``few``: the query's other conditions leave only a few rows (the caller knows, e.g. records changed
    since a recent moment): the id is then compared and sorted as ``id + 0``, which no index serves, so
    the database reads the rows through the index of those conditions and sorts the few it finds,
    instead of walking the whole project in id order looking for them."""
    from planner.extensions import db

    limit = args["limit"]
    key = model.id + 0 if few else model.id
    rows = db.session.scalars(query.where(key > args["after"]).order_by(key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_after": rows[-1].id if more else None}


NOT_JSON = _l("Send a JSON object in the request body (Content-Type: application/json).")
