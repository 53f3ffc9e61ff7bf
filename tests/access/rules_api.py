"""Access rules for the JSON API (``/api/v1/``): the same roles as the web pages, through personal
access tokens (``World.api_client``: no cookie, the role's bearer token). Without a token: 401.
A non-member gets 404, a member without the role 403; ids from project B give 404."""

from planner.api.locking import etag_of
from planner.api.resources.change import QuickWinSchema, TaskSchema
from planner.api.resources.crm import SCHEMAS
from planner.auth import tokens
from planner.auth.models import TokenScope
from planner.change.models import ChangeTask, QuickWin
from planner.crm.models import RecordKind
from planner.extensions import db
from tests.access.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    PUBLIC,
    SIGNED_IN,
    UNAUTHORIZED,
    Rule,
    expect,
    foreign,
)

API_MEMBERS = expect(anonymous=UNAUTHORIZED)
API_SIGNED_IN = expect(anonymous=UNAUTHORIZED, outsider="ok")
API_MEMBERS_ONLY = expect(anonymous=UNAUTHORIZED, admin=FORBIDDEN)  # members write; a non-member admin may not
API_OWN_OR_MANAGER = expect(anonymous=UNAUTHORIZED, sponsor=FORBIDDEN, admin=FORBIDDEN)  # the staff's record
API_MANAGER_ONLY = expect(anonymous=UNAUTHORIZED, staff=FORBIDDEN, sponsor=FORBIDDEN, admin=FORBIDDEN)

# A valid record of each kind, as the API takes it (the import's field names).
RECORDS = {
    RecordKind.ACCOUNTS: lambda w: {"name": "新客户丁", "segment": "中小企业", "country": "中国", "city": "杭州"},
    RecordKind.CONTACTS: lambda w: {"name": "新联系人丁", "account": f"#{w.ids['accounts']}",
                                    "email": "ding@example.com", "phone": "+86 571 5555 0000"},
    RecordKind.INTERACTIONS: lambda w: {"account": f"#{w.ids['accounts']}", "occurred_at": "2026-09-02T10:00:00Z",
                                        "channel": "phone", "purpose": "回访"},
    RecordKind.CASES: lambda w: {"account": f"#{w.ids['accounts']}", "subject": "发票问题",
                                 "opened_at": "2026-09-02T10:00:00+08:00", "satisfaction": 4},
    RecordKind.OPPORTUNITIES: lambda w: {"account": f"#{w.ids['accounts']}", "name": "续约",
                                         "opportunity_kind": "up_sell", "amount": "5000", "stage": "proposal",
                                         "opened_on": "2026-09-02"},
}


def _if_match(kind: RecordKind, key: str):
    """The current ETag of the record ``world.ids[key]`` (read when the rule runs)."""

    def headers(world):
        obj = db.session.get(kind.model, world.ids[key])
        return {"If-Match": etag_of(SCHEMAS[kind]().dump(obj))}

    return headers


def _version(model, schema, key: str):
    return lambda world: {"If-Match": etag_of(schema().dump(db.session.get(model, world.ids[key])))}


def _bulk(kind: RecordKind):
    return lambda world: {"records": [{"external_id": f"批量-{n}", **RECORDS[kind](world)} for n in range(3)]}

BASE = "/api/v1/projects/{project}"

RULES = [
    # Tokens are made and revoked by their owner on the account page (the staff member's token here).
    Rule("auth.create_token", "/account/tokens", SIGNED_IN, method="POST",
         data={"token-name": "夜间同步", "token-scope": "write", "token-days": "30"}, success=201),
    Rule("auth.revoke_token", "/account/tokens/{staff_token}/revoke",
         expect(anonymous=LOGIN, outsider=NOT_FOUND, sponsor=NOT_FOUND, manager=NOT_FOUND, admin=NOT_FOUND),
         method="POST", success="/account"),
    Rule("api_docs.docs", "/api/v1/docs", PUBLIC),
    Rule("api-docs.openapi_json", "/api/v1/openapi.json", PUBLIC),
    Rule("api_projects.list_projects", "/api/v1/projects", API_SIGNED_IN),
    Rule("api_projects.list_projects", "/api/v1/projects?archived=true&limit=1", API_SIGNED_IN),
    Rule("api_projects.get_project", BASE, API_MEMBERS),
    Rule("api_projects.list_members", BASE + "/members", API_MEMBERS),
]
def _stage_version(key: str, through_request: bool = False):
    """The ETag of a stage (or of the stage of the request ``world.ids[key]``), as the API computes it."""

    def headers(world):
        from planner.api.resources.rollout import _stage, version_of
        from planner.rollout.models import SignoffRequest

        stage_id = world.ids[key]
        if through_request:
            stage_id = db.session.get(SignoffRequest, stage_id).stage_id
        project = world.project if stage_id != world.ids.get("foreign_stage") else world.other_project
        return {"If-Match": etag_of(version_of(_stage(project, stage_id)))}

    return headers


API_SPONSORS = expect(anonymous=UNAUTHORIZED, staff=FORBIDDEN, manager=FORBIDDEN, admin=FORBIDDEN)
RULES += [
    Rule("api_rollout.list_stages", BASE + "/stages", API_MEMBERS),
    Rule("api_rollout.get_stage", BASE + "/stages/{awaiting_stage}", API_MEMBERS),
    Rule("api_rollout.get_stage", BASE + "/stages/{foreign_stage}", foreign(API_MEMBERS)),
    Rule("api_rollout.list_requests", BASE + "/signoff-requests", API_MEMBERS),
    Rule("api_rollout.get_request", BASE + "/signoff-requests/{pending_request}", API_MEMBERS),
    Rule("api_rollout.get_request", BASE + "/signoff-requests/{foreign_request}", foreign(API_MEMBERS)),
    Rule("api_rollout.request_signoff", BASE + "/stages/{running_stage}/signoff-requests", API_MANAGER_ONLY,
         method="POST", data={"note": "请审阅第三批的结果"}, headers=_stage_version("running_stage")),
    Rule("api_rollout.request_signoff", BASE + "/stages/{foreign_stage}/signoff-requests", foreign(API_MANAGER_ONLY),
         method="POST", data={"note": "乙"}),
    Rule("api_rollout.decide", BASE + "/signoff-requests/{pending_request}/decision", API_SPONSORS, method="POST",
         data={"outcome": "approved", "comment": "同意上线"}, headers=_stage_version("pending_request", True)),
    # Any member may reach the decision (a sponsor's stand-in need not be a sponsor): another project's id is 404.
    Rule("api_rollout.decide", BASE + "/signoff-requests/{foreign_request}/decision", foreign(API_MEMBERS),
         method="POST", data={"outcome": "approved", "comment": "同意"}),
]
def _kpi_version(world):
    from planner.api.resources.insights import _target_basis
    from planner.kpis.definitions import KpiKey

    return {"If-Match": etag_of(_target_basis(world.project, KpiKey.ADOPTION))}


API_LEADS = expect(anonymous=UNAUTHORIZED, staff=FORBIDDEN)  # managers, sponsors and administrators read
RULES += [
    Rule("api_insights.list_kpis", BASE + "/kpis", API_MEMBERS),
    Rule("api_insights.get_kpi", BASE + "/kpis/adoption", API_MEMBERS),
    Rule("api_insights.kpi_weeks", BASE + "/kpis/adoption/weeks?weeks=4", API_MEMBERS),
    Rule("api_insights.set_target", BASE + "/kpis/adoption/target", API_MANAGER_ONLY, method="PUT",
         data={"target": 0.8}, headers=_kpi_version),
    Rule("api_insights.list_scenarios", BASE + "/tco/scenarios", API_LEADS),
    Rule("api_insights.get_scenario", BASE + "/tco/scenarios/{tco_scenario}", API_LEADS),
    Rule("api_insights.get_scenario", BASE + "/tco/scenarios/{other_tco_scenario}", foreign(API_LEADS)),
    Rule("api_insights.feedback_results", BASE + "/feedback", API_LEADS),
    Rule("api_insights.feedback_results", BASE + "/feedback?stage_id={awaiting_stage}", API_LEADS),
]
TASKS, WINS = BASE + "/tasks", BASE + "/quick-wins"
API_OWNER_OR_MANAGER = API_OWN_OR_MANAGER  # the staff member owns {staff_task}
RULES += [
    Rule("api_change.list_tasks", TASKS, API_MEMBERS),
    Rule("api_change.get_task", TASKS + "/{staff_task}", API_MEMBERS),
    Rule("api_change.get_task", TASKS + "/{foreign_task}", foreign(API_MEMBERS)),
    Rule("api_change.create_task", TASKS, API_MANAGER_ONLY, method="POST",
         data={"title": "新任务", "category": "training", "due_date": "2026-12-01"}),
    Rule("api_change.update_task", TASKS + "/{staff_task}", API_OWNER_OR_MANAGER, method="PATCH",
         data={"status": "in_progress", "notes": "进行中"}, headers=_version(ChangeTask, TaskSchema, "staff_task")),
    Rule("api_change.update_task", TASKS + "/{manager_task}", API_MANAGER_ONLY, method="PATCH",
         data={"status": "done"}, headers=_version(ChangeTask, TaskSchema, "manager_task")),
    Rule("api_change.update_task", TASKS + "/{foreign_task}", foreign(API_MEMBERS), method="PATCH",
         data={"status": "done"}, headers=_version(ChangeTask, TaskSchema, "foreign_task")),
    Rule("api_change.delete_task", TASKS + "/{staff_task}", API_MANAGER_ONLY, method="DELETE",
         headers=_version(ChangeTask, TaskSchema, "staff_task")),
    Rule("api_change.list_quick_wins", WINS, API_MEMBERS),
    Rule("api_change.get_quick_win", WINS + "/{win}", API_MEMBERS),
    Rule("api_change.get_quick_win", WINS + "/{foreign_win}", foreign(API_MEMBERS)),
    Rule("api_change.create_quick_win", WINS, API_MANAGER_ONLY, method="POST",
         data={"title": "首次响应提速", "benefit": "首次响应时间缩短一半", "kpi": "first_contact_resolution",
               "kpi_target": 0.85}),
    Rule("api_change.update_quick_win", WINS + "/{win}", API_MANAGER_ONLY, method="PATCH",
         data={"result": "已达成"}, headers=_version(QuickWin, QuickWinSchema, "win")),
    Rule("api_change.update_quick_win", WINS + "/{foreign_win}", foreign(API_MANAGER_ONLY), method="PATCH",
         data={"result": "已达成"}, headers=_version(QuickWin, QuickWinSchema, "foreign_win")),
    Rule("api_change.delete_quick_win", WINS + "/{win}", API_MANAGER_ONLY, method="DELETE",
         headers=_version(QuickWin, QuickWinSchema, "win")),
]
for kind in RecordKind:
    key = kind.value
    gone = f"{key}_alone" if kind is RecordKind.ACCOUNTS else key  # an account with records cannot be deleted
    RULES += [
        Rule(f"api_crm.{key}_list", BASE + f"/crm/{key}", API_MEMBERS),
        Rule(f"api_crm.{key}_list", BASE + f"/crm/{key}?limit=1&after=1", API_MEMBERS),
        Rule(f"api_crm.{key}_get", BASE + f"/crm/{key}/{{{key}}}", API_MEMBERS),
        Rule(f"api_crm.{key}_get", BASE + f"/crm/{key}/{{other_{key}}}", foreign(API_MEMBERS)),
        Rule(f"api_crm.{key}_create", BASE + f"/crm/{key}", API_MEMBERS_ONLY, method="POST", data=RECORDS[kind]),
        Rule(f"api_crm.{key}_update", BASE + f"/crm/{key}/{{{key}}}", API_OWN_OR_MANAGER, method="PATCH",
             data=RECORDS[kind], headers=_if_match(kind, key)),
        Rule(f"api_crm.{key}_update", BASE + f"/crm/{key}/{{{key}_mgr}}", API_MANAGER_ONLY, method="PATCH",
             data=RECORDS[kind], headers=_if_match(kind, f"{key}_mgr")),
        Rule(f"api_crm.{key}_update", BASE + f"/crm/{key}/{{other_{key}}}", foreign(API_MEMBERS),
             method="PATCH", data=RECORDS[kind], headers=_if_match(kind, f"other_{key}")),
        Rule(f"api_crm.{key}_delete", BASE + f"/crm/{key}/{{{gone}}}", API_OWN_OR_MANAGER, method="DELETE",
             headers=_if_match(kind, gone)),
        Rule(f"api_crm.{key}_delete", BASE + f"/crm/{key}/{{{gone}_mgr}}", API_MANAGER_ONLY, method="DELETE",
             headers=_if_match(kind, f"{gone}_mgr")),
        Rule(f"api_crm.{key}_bulk", BASE + f"/crm/{key}/bulk", API_MANAGER_ONLY, method="POST", data=_bulk(kind)),
    ]


def setup(world):
    for role, user in world.users.items():
        if user is not None:
            token, secret = tokens.create(user, "矩阵", TokenScope.WRITE, 30)
            world.tokens[role] = secret
            world.ids[f"{role}_token"] = token.id
    db.session.commit()
