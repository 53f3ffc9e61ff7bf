"""KPIs (values, baselines and targets; targets written by managers), TCO scenarios and adoption
feedback aggregates, read with the web pages' roles and figures (``planner.kpis``, ``planner.tco``,
``planner.feedback``). Feedback follows the same anonymity rule as its results page: a group answered
by fewer than five people shows no figure, and no answer, comment or name is given."""

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from planner.api.access import in_project
from planner.api.auth import refuse
from planner.api.forms import body
from planner.api.locking import require_match, tagged
from planner.api.resources.common import N_, PROBLEM_TYPE, ProblemSchema, doc
from planner.audit.services import record
from planner.extensions import db
from planner.feedback import services as feedback
from planner.feedback.models import DIMENSIONS
from planner.kpis import services as kpis
from planner.kpis.definitions import KpiKey
from planner.kpis.models import BaselineSource, KpiSetting
from planner.projects import registry
from planner.projects.models import ProjectRole
from planner.rollout.models import Stage
from planner.tco import services as tco
from planner.tco.models import TcoScenario

blp = Blueprint("api_insights", __name__, description=N_("KPIs, TCO scenarios and adoption feedback"))


def _decimal(**kwargs):
    return fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"}, **kwargs)


# --------------------------------------------------------------------------- KPIs


class KpiSchema(Schema):
    key = fields.String(required=True, validate=validate.OneOf([k.value for k in KpiKey]))
    as_of = fields.Date(required=True)
    value = _decimal(allow_none=True, required=True)
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True)
    target = _decimal(allow_none=True, required=True)
    baseline = _decimal(allow_none=True, required=True)
    baseline_as_of = fields.Date(allow_none=True, required=True)
    baseline_source = fields.String(allow_none=True, required=True,
                                    validate=validate.OneOf([s.value for s in BaselineSource]))
    status = fields.String(required=True)


class KpiListSchema(Schema):
    items = fields.List(fields.Nested(KpiSchema), required=True)


class WeekSchema(Schema):
    week_start = fields.Date(required=True)
    as_of = fields.Date(required=True)
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True)
    value = _decimal(allow_none=True, required=True)
    complete = fields.Boolean(required=True)


class WeeksArgs(Schema):
    weeks = fields.Integer(load_default=12, validate=validate.Range(1, 104),
                           metadata={"description": N_("How many weeks, up to this one (1 to 104).")})


def _kpi(project, key: str) -> KpiKey:
    if key not in KpiKey._value2member_map_:
        refuse(404)
    return KpiKey(key)


def _overview(project, key: KpiKey) -> dict:
    item = kpis.kpi_status_by_project([project.id])[project.id][key]
    return KpiSchema().dump({**item.__dict__, "key": item.key.value, "status": item.status.value,
                             "baseline_source": item.baseline_source.value if item.baseline_source else None})


def _target_basis(project, key: KpiKey) -> dict:
    setting = db.session.scalar(select(KpiSetting).where(KpiSetting.project_id == project.id,
                                                         KpiSetting.key == key))
    return {"kpi": key.value, "target": str(setting.target) if setting and setting.target is not None else None,
            "updated_at": setting.updated_at.isoformat() if setting else None}


@blp.route("/projects/<int:project_id>/kpis")
@in_project()
@blp.response(200, KpiListSchema)
@blp.doc(**doc(N_("Every KPI's value today, baseline, target and status")))
def list_kpis(project):
    items = kpis.kpi_overview(project)
    return {"items": [{**item.__dict__, "key": item.key.value, "status": item.status.value,
                       "baseline_source": item.baseline_source.value if item.baseline_source else None}
                      for item in items]}


@blp.route("/projects/<int:project_id>/kpis/<key>")
@in_project()
@blp.response(200, KpiSchema, headers={"ETag": {"schema": {"type": "string"},
                                                "description": N_("The target's version, for If-Match.")}})
@blp.doc(**doc(N_("One KPI's value, baseline, target and status")))
def get_kpi(project, key):
    key = _kpi(project, key)
    return tagged(_overview(project, key), basis=_target_basis(project, key))


@blp.route("/projects/<int:project_id>/kpis/<key>/weeks")
@in_project()
@blp.arguments(WeeksArgs, location="query")
@blp.response(200, WeekSchema(many=True))
@blp.doc(**doc(N_("One KPI's weekly values")))
def kpi_weeks(project, args, key):
    key = _kpi(project, key)
    return kpis.kpi_weekly_series(project, key, args["weeks"])


@blp.route("/projects/<int:project_id>/kpis/<key>/target", methods=["PUT"])
@in_project(ProjectRole.MANAGER)
@blp.response(200, KpiSchema)
@blp.alt_response(412, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.alt_response(428, schema=ProblemSchema, content_type=PROBLEM_TYPE)
@blp.doc(**doc(N_("Set or clear a KPI's target (in the KPI's unit: a ratio for rates)")),
         parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                      "description": N_("The ETag of the KPI you read.")}],
         requestBody={"required": True, "content": {"application/json": {"schema": {
             "type": "object", "required": ["target"], "additionalProperties": False,
             "properties": {"target": {"type": ["number", "string", "null"]}}}}}})
def set_target(project, key):
    key = _kpi(project, key)
    require_match(_overview(project, key), basis=_target_basis(project, key))
    sent = body()
    if set(sent) != {"target"}:
        refuse(422, _("Send only “target”: a number in the KPI's unit, or null to clear it."))
    target = _target(key, sent["target"])
    setting = db.session.scalar(select(KpiSetting).where(KpiSetting.project_id == project.id,
                                                         KpiSetting.key == key).with_for_update())
    if setting is None:
        setting = KpiSetting(project_id=project.id, key=key)
        db.session.add(setting)
    setting.target = target
    setting.updated_by_id = current_user.id
    db.session.flush()
    record(f"kpi.settings_changed.{key.value}", project=project, target=setting)
    db.session.commit()
    return tagged(_overview(project, key), basis=_target_basis(project, key))


def _target(key: KpiKey, raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw)) if not isinstance(raw, bool) else None
    except (InvalidOperation, ValueError):
        value = None
    ceiling = Decimal(1) if key.is_ratio else Decimal(999_999)
    if value is None or not value.is_finite() or not Decimal(0) <= value <= ceiling:
        refuse(422, _("The target is a number from 0 to %(max)s in the KPI's unit.", max=str(ceiling)))
    return value.quantize(Decimal("0.0001"))


# --------------------------------------------------------------------------- TCO


class LineSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": N_("The cost category or the kind of benefit.")})
    description = fields.String(required=True)
    amounts = fields.List(_decimal(), required=True, metadata={"description": N_("Years 1, 2 and 3.")})


class AnalysisSchema(Schema):
    discount_rate = _decimal(required=True)
    cost_by_year = fields.List(_decimal(), required=True)
    benefit_by_year = fields.List(_decimal(), required=True)
    total_cost = _decimal(required=True)
    total_benefit = _decimal(required=True)
    net = _decimal(required=True)
    npv = _decimal(required=True)
    roi = _decimal(allow_none=True, required=True)
    payback_month = fields.Integer(allow_none=True, required=True)
    first_year_share = _decimal(allow_none=True, required=True)
    over_budget = fields.Boolean(allow_none=True, required=True)


class ScenarioSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    deployment = fields.String(required=True)
    description = fields.String(required=True)
    currency = fields.String(required=True)
    approved_budget = _decimal(allow_none=True, required=True)
    is_preferred = fields.Boolean(required=True)
    starts_on = fields.Date(allow_none=True, required=True)
    analysis = fields.Nested(AnalysisSchema, required=True)
    cost_lines = fields.List(fields.Nested(LineSchema), required=True)
    benefit_lines = fields.List(fields.Nested(LineSchema), required=True)


class ScenarioListSchema(Schema):
    items = fields.List(fields.Nested(ScenarioSchema), required=True)


def _scenario(project, scenario: TcoScenario) -> dict:
    analysis = tco.summary(scenario.analysis(), approved_budget=scenario.approved_budget)
    return {"id": scenario.id, "name": scenario.name, "deployment": scenario.deployment.value,
            "description": scenario.description, "currency": project.currency,
            "approved_budget": scenario.approved_budget, "is_preferred": scenario.is_preferred,
            "starts_on": scenario.starts_on, "analysis": analysis,
            "cost_lines": [{"id": line.id, "kind": line.category.value, "description": line.description,
                            "amounts": list(line.entered)} for line in scenario.cost_lines],
            "benefit_lines": [{"id": line.id, "kind": line.kind.value, "description": line.description,
                               "amounts": list(line.amounts)} for line in scenario.benefit_lines]}


@blp.route("/projects/<int:project_id>/tco/scenarios")
@in_project(*registry.LEADS, admin_ok=True)
@blp.response(200, ScenarioListSchema)
@blp.doc(**doc(N_("The TCO scenarios with their three-year figures")))
def list_scenarios(project):
    return {"items": [_scenario(project, scenario) for scenario in tco.load_scenarios(project)]}


@blp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>")
@in_project(*registry.LEADS, admin_ok=True)
@blp.response(200, ScenarioSchema)
@blp.doc(**doc(N_("One TCO scenario with its lines and three-year figures")))
def get_scenario(project, scenario_id):
    scenario = tco.load_scenario(scenario_id, project)
    if scenario is None:
        refuse(404)
    return _scenario(project, scenario)


# --------------------------------------------------------------------------- feedback


class GroupSchema(Schema):
    key = fields.String(allow_none=True, required=True, metadata={
        "description": N_("The stage id, team, language or week of the group.")})
    label = fields.String(allow_none=True, required=True)
    shown = fields.Boolean(required=True, metadata={
        "description": N_("False when fewer than five people answered: then no figure is given.")})
    respondents = fields.Integer(allow_none=True, required=True)
    averages = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True)
    overall = fields.Float(allow_none=True, required=True)


class FeedbackSchema(Schema):
    min_group = fields.Integer(required=True)
    overall = fields.Nested(GroupSchema, required=True)
    by_stage = fields.List(fields.Nested(GroupSchema), required=True)
    by_team = fields.List(fields.Nested(GroupSchema), required=True)
    by_language = fields.List(fields.Nested(GroupSchema), required=True)
    by_week = fields.List(fields.Nested(GroupSchema), required=True)


class FeedbackArgs(Schema):
    stage_id = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                              metadata={"description": N_("Only the answers about this stage.")})


def _group(group) -> dict:
    key = group.key.isoformat() if hasattr(group.key, "isoformat") else group.key
    shown = group.shown
    return {"key": None if key is None else str(key), "label": None if group.label is None else str(group.label),
            "shown": shown, "respondents": group.respondents if shown else None,
            "averages": {d.value: group.averages.get(d) for d in DIMENSIONS} if shown else {},
            "overall": group.overall if shown else None}


@blp.route("/projects/<int:project_id>/feedback")
@in_project(ProjectRole.MANAGER, ProjectRole.SPONSOR, admin_ok=True)
@blp.arguments(FeedbackArgs, location="query")
@blp.response(200, FeedbackSchema)
@blp.doc(**doc(N_("Adoption feedback averages by stage, team, language and week (groups of five or more)")))
def feedback_results(project, args):
    stages = db.session.scalars(select(Stage).where(Stage.project_id == project.id)
                                .order_by(Stage.position, Stage.id)).all()
    stage_filter = args.get("stage_id")
    if stage_filter is not None and stage_filter not in {stage.id for stage in stages}:
        refuse(404)
    found = feedback.results(project, stage_filter, None, stages)
    return {"min_group": feedback.MIN_GROUP, "overall": _group(found.overall),
            "by_stage": [_group(g) for g in found.by_stage], "by_team": [_group(g) for g in found.by_team],
            "by_language": [_group(g) for g in found.by_language], "by_week": [_group(g) for g in found.trend]}
