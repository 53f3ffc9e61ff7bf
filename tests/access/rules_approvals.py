"""Access rules for approval rules and stand-ins.

Project managers set the project's approval rule and each stage's own; executive sponsors name and
end their own stand-ins (a project manager sees everyone's but names none); the rollout rules
cover deciding (a sponsor, or a stand-in within their dates)."""

from datetime import date, timedelta

from tests.access.matrix import FORBIDDEN, MANAGERS, SPONSORS, Rule, expect, foreign

P = "/projects/{project}/rollout"
SPONSORS_AND_MANAGERS = expect(staff=FORBIDDEN, admin=FORBIDDEN)
SPONSORS_NAME = expect(staff=FORBIDDEN, manager=FORBIDDEN, admin=FORBIDDEN)


def stand_in_form(world) -> dict:
    today = date.today()
    return {"stand_in_id": str(world.users["staff"].id), "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat()}


RULES = [
    Rule("rollout.approval_rule", P + "/approvals", MANAGERS),
    Rule("rollout.approval_rule", P + "/approvals", MANAGERS, method="POST", data={"rule": "all"},
         success=P + "/approvals"),
    Rule("rollout.stage_approval_rule", P + "/stages/{rule_stage}/approvals", MANAGERS),
    Rule("rollout.stage_approval_rule", P + "/stages/{rule_stage}/approvals", MANAGERS, method="POST",
         data={"rule": "all"}, success=P + "/stages/{rule_stage}"),
    Rule("rollout.stage_approval_rule", P + "/stages/{foreign_rule_stage}/approvals", foreign(MANAGERS)),
    Rule("rollout.stage_approval_rule", P + "/stages/{foreign_rule_stage}/approvals", foreign(MANAGERS),
         method="POST", data={"rule": "all"}),
    Rule("rollout.stand_ins", P + "/stand-ins", SPONSORS_AND_MANAGERS),
    Rule("rollout.stand_ins", P + "/stand-ins", SPONSORS_NAME, method="POST", data=stand_in_form,
         success=P + "/stand-ins"),
    Rule("rollout.stand_in_end", P + "/stand-ins/{stand_in}/end", SPONSORS, method="POST",
         success=P + "/stand-ins"),
    Rule("rollout.stand_in_end", P + "/stand-ins/{foreign_stand_in}/end", foreign(SPONSORS), method="POST"),
]


def setup(world):
    from planner.extensions import db
    from planner.rollout.models import StandIn
    from tests.factories import add_member, make_user
    from tests.rollout_factories import stage

    today = date.today()
    mine = stage(world.project, name="审批规则阶段")
    theirs = stage(world.other_project, name="对方阶段")
    # Starts tomorrow: the staff member may not decide today (the rollout rules expect it refused).
    row = StandIn(project_id=world.project.id, sponsor_id=world.users["sponsor"].id,
                  stand_in_id=world.users["staff"].id, starts_on=today + timedelta(days=2),
                  ends_on=today + timedelta(days=5))
    other_sponsor = make_user(email="other.sponsor@example.com", name="乙方发起人")
    add_member(world.other_project, other_sponsor, sponsor=True)
    foreign_row = StandIn(project_id=world.other_project.id, sponsor_id=other_sponsor.id,
                          stand_in_id=world.users["outsider"].id, starts_on=today, ends_on=today + timedelta(days=5))
    db.session.add_all([row, foreign_row])
    db.session.commit()
    world.ids.update(rule_stage=mine.id, foreign_rule_stage=theirs.id, stand_in=row.id,
                     foreign_stand_in=foreign_row.id)
