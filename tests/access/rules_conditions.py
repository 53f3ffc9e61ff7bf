"""Access rules for the follow-up of conditions.

Every member reads the conditions page; a condition is closed by its owner (here the staff member)
or a project manager, never by another member nor an administrator who is not one; project managers
carry a condition over, change its owner and due date, and set whether the next sign-off waits."""

from datetime import date, timedelta

from tests.access.matrix import FORBIDDEN, MANAGERS, MEMBERS, Rule, expect, foreign

P = "/projects/{project}/conditions"
CLOSE = {"note": "培训已全部完成", "back": "list"}
CARRY = {"reason": "下一阶段继续跟进", "back": "list"}
OWNER_OR_MANAGER = expect(sponsor=FORBIDDEN, admin=FORBIDDEN)


def _change(world) -> dict:
    return {"owner": str(world.ids["member"]), "due_date": (date.today() + timedelta(days=30)).isoformat()}


RULES = [
    Rule("conditions.index", P, MEMBERS),
    Rule("conditions.close", P + "/{staff_condition}/close", OWNER_OR_MANAGER, method="POST", data=CLOSE,
         success=P),
    Rule("conditions.close", P + "/{manager_condition}/close", MANAGERS, method="POST", data=CLOSE, success=P),
    Rule("conditions.close", P + "/{foreign_condition}/close", foreign(MEMBERS), method="POST", data=CLOSE),
    Rule("conditions.carry_over", P + "/{staff_condition}/carry-over", MANAGERS, method="POST", data=CARRY,
         success=P),
    Rule("conditions.carry_over", P + "/{foreign_condition}/carry-over", foreign(MANAGERS), method="POST",
         data=CARRY),
    Rule("conditions.edit", P + "/{staff_condition}/edit", MANAGERS),
    Rule("conditions.edit", P + "/{manager_condition}/edit", MANAGERS, method="POST", data=_change, success=P),
    Rule("conditions.edit", P + "/{foreign_condition}/edit", foreign(MANAGERS)),
    Rule("conditions.edit", P + "/{foreign_condition}/edit", foreign(MANAGERS), method="POST", data=_change),
    Rule("conditions.setting", P + "/setting", MANAGERS, method="POST", data={"block_next_signoff": "y"},
         success=P),
]


def setup(world):
    from sqlalchemy import select

    from planner.conditions.models import Condition
    from planner.extensions import db
    from planner.projects.models import ProjectMember
    from planner.rollout.models import Outcome, RequestStatus, StageStatus
    from tests import rollout_factories as r

    def conditions_of(project, manager, sponsor, owners):
        today = date.today()
        approved = r.stage(project, name="条件试点", status=StageStatus.APPROVED_WITH_CONDITIONS,
                           started=today - timedelta(days=40), ended=today - timedelta(days=10))
        request_ = r.request(approved, manager, status=RequestStatus.DECIDED)
        decision = r.decision(request_, sponsor, outcome=Outcome.APPROVED_WITH_CONDITIONS,
                              comment="完成夜班培训\n修复客户卡片加载慢的问题")
        made = []
        for position, (text, owner) in enumerate(zip(("完成夜班培训", "修复客户卡片加载慢的问题"), owners,
                                                     strict=True), start=1):
            made.append(Condition(project_id=project.id, stage_id=approved.id, decision_id=decision.id,
                                  position=position, text=text, owner_id=owner, due_date=today + timedelta(days=4)))
        db.session.add_all(made)
        db.session.commit()
        return made

    def member_id(project, user):
        return db.session.scalar(select(ProjectMember.id).where(ProjectMember.project_id == project.id,
                                                                ProjectMember.user_id == user.id))

    project, other = world.project, world.other_project
    manager = world.users["manager"]
    staff_condition, manager_condition = conditions_of(
        project, manager, world.users["sponsor"], (world.ids["member"], member_id(project, manager)))
    outsider = world.users["outsider"]
    foreign_condition, _ = conditions_of(other, outsider, None,
                                         (world.ids["other_member"], member_id(other, outsider)))
    world.ids.update(staff_condition=staff_condition.id, manager_condition=manager_condition.id,
                     foreign_condition=foreign_condition.id)
