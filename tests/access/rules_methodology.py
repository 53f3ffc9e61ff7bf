"""Access rules for the methodology feature: the catalogue library, the walk-through and its
checklist, the seven-sins self-assessment and the key problems."""

from datetime import UTC, datetime

from planner.extensions import db
from planner.methodology.catalogue import load_catalogue
from planner.methodology.models import Adoption, ChecklistItem, KeyProblem, SinAssessment
from tests.access.matrix import LEADS, MANAGERS, MEMBERS, NOT_FOUND, OK, SIGNED_IN, Rule, foreign

SINS = load_catalogue().get("seven_sins")
ALL_NO = {f"a-{sin.key}-{sign.key}": "no" for sin in SINS.items for sign in sin.warning_signs}
ITEM_EDIT = {"owner": "", "due_date": "2026-06-30", "status": "done", "notes": "已完成", "evidence": "签字的愿景"}
# An item's owner (here: the staff member) may update its status, notes and evidence.
OWNER_OR_MANAGERS = MANAGERS | {"staff": OK}
# An item of another project is not found, whoever asks (the item decides who may edit it).
FOREIGN_ITEM = foreign(MANAGERS) | {"staff": NOT_FOUND, "sponsor": NOT_FOUND, "admin": NOT_FOUND}

P = "/projects/{project}"
RULES = [
    Rule("methodology.library", "/methodology", SIGNED_IN),
    Rule("methodology.library_detail", "/methodology/seven_sins", SIGNED_IN),
    Rule("methodology.index", P + "/methodology", MEMBERS),
    Rule("methodology.adopt", P + "/methodology/adopt", MANAGERS, method="POST",
         data={"methodology": "five_principles"}),
    Rule("methodology.walk", P + "/methodology/twelve_steps/steps/3", MEMBERS),
    Rule("methodology.update_item", P + "/checklist/{checklist_item}", MANAGERS, method="POST", data=ITEM_EDIT),
    Rule("methodology.update_item", P + "/checklist/{owned_checklist_item}", OWNER_OR_MANAGERS, method="POST",
         data={"status": "in_progress", "notes": "进行中", "owner": "", "due_date": "", "evidence": ""}),
    Rule("methodology.update_item", P + "/checklist/{other_checklist_item}", FOREIGN_ITEM, method="POST",
         data=ITEM_EDIT),
    Rule("methodology.risk", P + "/risk", LEADS),
    Rule("methodology.assess", P + "/risk/new", MANAGERS),
    Rule("methodology.assess", P + "/risk/new", MANAGERS, method="POST", data={**ALL_NO, "note": "第二轮"}),
    Rule("methodology.assess", P + "/risk/new", MANAGERS, method="POST",
         data={next(iter(ALL_NO)): "unknown", "note": "草稿", "save_draft": "1"}),
    Rule("methodology.discard_draft", P + "/risk/draft/discard", MANAGERS, method="POST"),
    Rule("methodology.assessment", P + "/risk/{assessment}", LEADS),
    Rule("methodology.assessment", P + "/risk/{other_assessment}", foreign(LEADS)),
    Rule("methodology.problems", P + "/problems", MEMBERS),
    Rule("methodology.problems", P + "/problems", MANAGERS, method="POST", data={"title": "报价太慢"}),
    Rule("methodology.edit_problem", P + "/problems/{problem}/edit", MANAGERS),
    Rule("methodology.edit_problem", P + "/problems/{problem}/edit", MANAGERS, method="POST",
         data={"title": "客户资料分散在各地", "in_focus": "y"}),
    Rule("methodology.edit_problem", P + "/problems/{other_problem}/edit", foreign(MANAGERS)),
    Rule("methodology.edit_problem", P + "/problems/{other_problem}/edit", foreign(MANAGERS), method="POST",
         data={"title": "改名"}),
    Rule("methodology.move_problem", P + "/problems/{problem}/move", MANAGERS, method="POST",
         data={"direction": "down"}),
    Rule("methodology.move_problem", P + "/problems/{other_problem}/move", foreign(MANAGERS), method="POST",
         data={"direction": "down"}),
    Rule("methodology.focus_problem", P + "/problems/{problem}/focus", MANAGERS, method="POST",
         data={"in_focus": "0"}),
    Rule("methodology.focus_problem", P + "/problems/{other_problem}/focus", foreign(MANAGERS), method="POST",
         data={"in_focus": "0"}),
    Rule("methodology.delete_problem", P + "/problems/{problem}/delete", MANAGERS, method="POST"),
    Rule("methodology.delete_problem", P + "/problems/{other_problem}/delete", foreign(MANAGERS), method="POST"),
]


def _adopt(project, owner_id=None):
    adoption = Adoption(project_id=project.id, methodology_key="twelve_steps")
    db.session.add(adoption)
    db.session.flush()
    items = []
    for position, step in enumerate(load_catalogue().get("twelve_steps").items, start=1):
        item = ChecklistItem(project_id=project.id, adoption_id=adoption.id, methodology_key="twelve_steps",
                             item_key=step.key, position=position, notes="项目笔记")
        db.session.add(item)
        items.append(item)
    items[1].owner_id = owner_id
    db.session.flush()
    return items


def _assessment(project, when):
    scores = {sin.key: 0 for sin in SINS.items}
    answers = {f"{sin.key}.{sign.key}": "no" for sin in SINS.items for sign in sin.warning_signs}
    row = SinAssessment(project_id=project.id, created_at=when, answers=answers, scores=scores, overall_score=0,
                        level="green", note="第一轮评估")
    db.session.add(row)
    db.session.flush()
    return row


def setup(world):
    items = _adopt(world.project, owner_id=world.ids["member"])
    other_items = _adopt(world.other_project)
    first = _assessment(world.project, datetime(2026, 4, 1, tzinfo=UTC))
    other = _assessment(world.other_project, datetime(2026, 4, 1, tzinfo=UTC))
    problems = [KeyProblem(project_id=world.project.id, position=n, title=title, in_focus=n == 1)
                for n, title in enumerate(["客户资料分散", "售后响应慢"], start=1)]
    other_problem = KeyProblem(project_id=world.other_project.id, position=1, title="乙方问题")
    db.session.add_all([*problems, other_problem])
    db.session.commit()
    world.ids.update(checklist_item=items[0].id, owned_checklist_item=items[1].id,
                     other_checklist_item=other_items[0].id, assessment=first.id, other_assessment=other.id,
                     problem=problems[0].id, other_problem=other_problem.id)
