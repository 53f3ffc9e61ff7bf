"""Access rules for the staged rollout.

Every member reads the stages, the gates and the recorded decisions; project managers plan stages,
set exit criteria, start stages and request or withdraw sign-off; only executive sponsors of the
project decide (here the sponsor, who did not make the request), or a sponsor's stand-in within their
dates (``rules_approvals``). The sponsors' inbox is for anyone
signed in (it lists only what they may decide)."""

from datetime import date, timedelta

from tests.access.matrix import MANAGERS, MEMBERS, SIGNED_IN, SPONSORS, Rule, foreign

STAGE_FORM = {"name": "新阶段", "planned_start": "2027-01-04", "planned_end": "2027-02-28"}
PLAN = {"plan": "pilot_waves", "start": "2027-01-04", "waves": "1", "with_criteria": "y"}
KPI = {"kpi": "adoption", "comparison": "ge", "threshold": "80", "weeks": "2"}

# Forms about a stage carry its version (optimistic locking); setup() fills it in these dicts.
PLANNED_EDIT = dict(STAGE_FORM)
PLANNED_START = {"actual_start": date.today().isoformat(), "override_reason": "上一阶段尚未批准，但培训已经完成"}
LAST_DELETE: dict = {}
AWAITING: dict = {}
RUNNING = {"note": "请审阅第三批的结果"}  # a running stage, for the request of sign-off
AWAITING_KPI = dict(KPI)
DECIDE = {"outcome": "approved_with_conditions", "comment": "先完成夜班培训"}
VERSIONED = {"planned": (PLANNED_EDIT, PLANNED_START), "last": (LAST_DELETE,),
             "awaiting": (AWAITING, AWAITING_KPI, DECIDE), "running": (RUNNING,)}

P = "/projects/{project}/rollout"

RULES = [
    Rule("rollout.inbox", "/rollout/sign-offs", SIGNED_IN),
    Rule("rollout.index", P, MEMBERS),
    Rule("rollout.apply_plan", P + "/plan", MANAGERS, method="POST", data=PLAN),
    Rule("rollout.stage_new", P + "/stages/new", MANAGERS),
    Rule("rollout.stage_new", P + "/stages/new", MANAGERS, method="POST", data=STAGE_FORM),
    Rule("rollout.gate", P + "/stages/{approved_stage}", MEMBERS),
    Rule("rollout.gate", P + "/stages/{awaiting_stage}", MEMBERS),
    Rule("rollout.gate", P + "/stages/{planned_stage}", MEMBERS),
    Rule("rollout.gate", P + "/stages/{foreign_stage}", foreign(MEMBERS)),
    Rule("rollout.stage_edit", P + "/stages/{planned_stage}/edit", MANAGERS),
    Rule("rollout.stage_edit", P + "/stages/{planned_stage}/edit", MANAGERS, method="POST",
         data=PLANNED_EDIT),
    Rule("rollout.stage_edit", P + "/stages/{foreign_stage}/edit", foreign(MANAGERS)),
    Rule("rollout.stage_edit", P + "/stages/{foreign_stage}/edit", foreign(MANAGERS), method="POST",
         data=STAGE_FORM),
    Rule("rollout.stage_delete", P + "/stages/{last_stage}/delete", MANAGERS, method="POST",
         data=LAST_DELETE),
    Rule("rollout.stage_delete", P + "/stages/{foreign_stage}/delete", foreign(MANAGERS), method="POST"),
    Rule("rollout.stage_move", P + "/stages/{last_stage}/move/up", MANAGERS, method="POST"),
    Rule("rollout.stage_move", P + "/stages/{foreign_stage}/move/up", foreign(MANAGERS), method="POST"),
    Rule("rollout.stage_start", P + "/stages/{planned_stage}/start", MANAGERS, method="POST",
         data=PLANNED_START),
    Rule("rollout.stage_start", P + "/stages/{foreign_stage}/start", foreign(MANAGERS), method="POST"),
    Rule("rollout.request_signoff", P + "/stages/{running_stage}/request", MANAGERS, method="POST",
         data=RUNNING, success=P + "/stages/{running_stage}"),
    Rule("rollout.request_signoff", P + "/stages/{foreign_stage}/request", foreign(MANAGERS), method="POST"),
    Rule("rollout.withdraw", P + "/requests/{pending_request}/withdraw", MANAGERS, method="POST",
         data=AWAITING),
    Rule("rollout.withdraw", P + "/requests/{foreign_request}/withdraw", foreign(MANAGERS), method="POST"),
    Rule("rollout.decide", P + "/requests/{pending_request}/decide", SPONSORS, method="POST",
         data=DECIDE),
    # Any member may reach the decision (a sponsor's stand-in need not be a sponsor): another project's id is 404.
    Rule("rollout.decide", P + "/requests/{foreign_request}/decide", foreign(MEMBERS), method="POST",
         data={"outcome": "rejected", "comment": "不行", "version": "1"}),
    Rule("rollout.decision", P + "/decisions/{decision}", MEMBERS),
    Rule("rollout.decision", P + "/decisions/{foreign_decision}", foreign(MEMBERS)),
    Rule("rollout.criterion_new", P + "/stages/{awaiting_stage}/criteria/new/kpi", MANAGERS),
    Rule("rollout.criterion_new", P + "/stages/{awaiting_stage}/criteria/new/tasks", MANAGERS),
    Rule("rollout.criterion_new", P + "/stages/{awaiting_stage}/criteria/new/checklist", MANAGERS),
    Rule("rollout.criterion_new", P + "/stages/{awaiting_stage}/criteria/new/kpi", MANAGERS, method="POST",
         data=AWAITING_KPI),
    Rule("rollout.criterion_new", P + "/stages/{foreign_stage}/criteria/new/kpi", foreign(MANAGERS)),
    Rule("rollout.criterion_new", P + "/stages/{foreign_stage}/criteria/new/kpi", foreign(MANAGERS),
         method="POST", data=KPI),
    Rule("rollout.criterion_edit", P + "/criteria/{kpi_criterion}", MANAGERS),
    Rule("rollout.criterion_edit", P + "/criteria/{tasks_criterion}", MANAGERS),
    Rule("rollout.criterion_edit", P + "/criteria/{kpi_criterion}", MANAGERS, method="POST",
         data=AWAITING_KPI),
    Rule("rollout.criterion_edit", P + "/criteria/{foreign_criterion}", foreign(MANAGERS)),
    Rule("rollout.criterion_edit", P + "/criteria/{foreign_criterion}", foreign(MANAGERS), method="POST",
         data=KPI),
    Rule("rollout.criterion_delete", P + "/criteria/{tasks_criterion}/delete", MANAGERS, method="POST",
         data=AWAITING),
    Rule("rollout.criterion_delete", P + "/criteria/{foreign_criterion}/delete", foreign(MANAGERS),
         method="POST"),
]


def setup(world):
    from planner.rollout.models import StageStatus
    from tests.rollout_factories import make_rollout, stage

    project, other = world.project, world.other_project
    manager, sponsor = world.users["manager"], world.users["sponsor"]
    mine = make_rollout(project, manager, sponsor)
    # A wave running alongside the first one (same position), whose sign-off can be requested.
    mine["running"] = stage(project, name="第三批推广", position=mine["awaiting"].position, status=StageStatus.ACTIVE,
                            started=date.today() - timedelta(days=5))
    theirs = make_rollout(other, world.users["outsider"], None)
    world.ids.update(
        approved_stage=mine["approved"].id, awaiting_stage=mine["awaiting"].id, planned_stage=mine["planned"].id,
        last_stage=mine["last"].id, pending_request=mine["request"].id, decision=mine["decision"].id,
        kpi_criterion=mine["kpi"].id, tasks_criterion=mine["tasks"].id, running_stage=mine["running"].id,
        foreign_stage=theirs["awaiting"].id, foreign_request=theirs["request"].id,
        foreign_decision=theirs["decision"].id, foreign_criterion=theirs["kpi"].id)
    for key, forms in VERSIONED.items():
        for form in forms:
            form["version"] = str(mine[key].version)
