"""Access rules for the CRM records, their exports and imports.

Members (staff included) read and capture; managers change any record, others only what they
captured; managers import. Records in project A are captured by the staff member (``{…}``) or by
the manager (``{…_mgr}``); ids from project B (``{other_…}``) must give 404."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app

from planner.crm.models import (
    Account,
    Channel,
    Contact,
    ImportJob,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    RecordKind,
    ServiceCase,
)
from planner.crm.services import prepare
from planner.extensions import db
from tests.access.matrix import FORBIDDEN, MANAGERS, MEMBERS, MEMBERS_ONLY, Rule, expect, foreign

OWN_OR_MANAGER = expect(staff="ok", sponsor=FORBIDDEN, admin=FORBIDDEN)  # captured by the staff member
MANAGER_ONLY = expect(staff=FORBIDDEN, sponsor=FORBIDDEN, admin=FORBIDDEN)  # captured by the manager

# A valid form of each kind (the account is referred to by its external id).
FORMS = {
    RecordKind.ACCOUNTS: {"name": "新客户丁", "segment": "中小企业", "country": "中国", "city": "杭州"},
    RecordKind.CONTACTS: {"name": "新联系人丁", "account_ref": "客户-甲", "email": "ding@example.com",
                          "phone": "+86 571 5555 0000", "job_title": "店长"},
    RecordKind.INTERACTIONS: {"account_ref": "客户-甲", "occurred_at": "2026-09-02T10:00", "channel": "phone",
                              "purpose": "回访", "outcome": "客户满意"},
    RecordKind.CASES: {"account_ref": "客户-甲", "subject": "发票问题", "opened_at": "2026-09-02T10:00",
                       "satisfaction": "4"},
    RecordKind.OPPORTUNITIES: {"account_ref": "客户-甲", "name": "续约", "opportunity_kind": "up_sell",
                               "amount": "5000", "stage": "proposal", "opened_on": "2026-09-02"},
}

RULES = []
for kind in RecordKind:
    base = f"/projects/{{project}}/crm/{kind.value}"
    key = kind.value
    form = FORMS[kind]
    # An account with records cannot be deleted: the deletions use accounts that have none.
    gone = f"{key}_alone" if kind is RecordKind.ACCOUNTS else key
    RULES += [
        Rule(f"crm.{key}", base, MEMBERS),
        Rule(f"crm.{key}", base + "?q=甲&sort=-created", MEMBERS),
        Rule(f"crm.{key}_export", base + ".csv", MEMBERS),
        Rule(f"crm.{key}_new", base + "/new", MEMBERS_ONLY),
        Rule(f"crm.{key}_new", base + "/new", MEMBERS_ONLY, method="POST", data=form, success=base),
        Rule(f"crm.{key}_edit", base + f"/{{{key}}}/edit", MEMBERS),
        Rule(f"crm.{key}_edit", base + f"/{{{key}_mgr}}/edit", MEMBERS),
        Rule(f"crm.{key}_edit", base + f"/{{other_{key}}}/edit", foreign(MEMBERS)),
        Rule(f"crm.{key}_edit", base + f"/{{{key}}}/edit", OWN_OR_MANAGER, method="POST", data=form, success=base),
        Rule(f"crm.{key}_edit", base + f"/{{{key}_mgr}}/edit", MANAGER_ONLY, method="POST", data=form,
             success=base),
        Rule(f"crm.{key}_edit", base + f"/{{other_{key}}}/edit", foreign(MEMBERS), method="POST", data=form),
        Rule(f"crm.{key}_delete", base + f"/{{{gone}}}/delete", OWN_OR_MANAGER, method="POST", success=base),
        Rule(f"crm.{key}_delete", base + f"/{{{gone}_mgr}}/delete", MANAGER_ONLY, method="POST", success=base),
        Rule(f"crm.{key}_delete", base + f"/{{other_{key}}}/delete", foreign(MEMBERS_ONLY), method="POST"),
    ]

UPLOAD = "编号,名称\n客户-8,上传的客户\n".encode()

RULES += [
    Rule("crm.account", "/projects/{project}/crm/accounts/{accounts}", MEMBERS),
    Rule("crm.account", "/projects/{project}/crm/accounts/{other_accounts}", foreign(MEMBERS)),
    Rule("crm.lookup", "/projects/{project}/crm/lookup/accounts?q=客户", MEMBERS),
    Rule("crm.import_upload", "/projects/{project}/crm/import", MANAGERS),
    Rule("crm.import_upload", "/projects/{project}/crm/import", MANAGERS, method="POST",
         data=lambda world: {"kind": "accounts", "file": (io.BytesIO(UPLOAD), "客户.csv")},
         success="/projects/{project}/crm/import/"),
    Rule("crm.import_job", "/projects/{project}/crm/import/{job}", MANAGERS),
    Rule("crm.import_job", "/projects/{project}/crm/import/{other_job}", foreign(MANAGERS)),
    Rule("crm.import_job", "/projects/{project}/crm/import/{job}", MANAGERS, method="POST",
         data={"col_external_id": "0", "col_name": "1", "day_first": "1", "decimal_comma": "0"},
         success="/projects/{project}/crm/import/{job}"),
    Rule("crm.import_job", "/projects/{project}/crm/import/{other_job}", foreign(MANAGERS), method="POST"),
    Rule("crm.import_run", "/projects/{project}/crm/import/{job}/run", MANAGERS, method="POST"),
    Rule("crm.import_run", "/projects/{project}/crm/import/{other_job}/run", foreign(MANAGERS), method="POST"),
    Rule("crm.import_progress", "/projects/{project}/crm/import/{job}/progress", MANAGERS),
    Rule("crm.import_progress", "/projects/{project}/crm/import/{other_job}/progress", foreign(MANAGERS)),
    Rule("crm.import_discard", "/projects/{project}/crm/import/{job}/discard", MANAGERS, method="POST"),
    Rule("crm.import_discard", "/projects/{project}/crm/import/{other_job}/discard", foreign(MANAGERS),
         method="POST"),
]

WHEN = datetime(2026, 9, 1, 9, 30, tzinfo=UTC)


def _records(project, user, tag: str) -> dict[str, int]:
    """One record of each kind in ``project``, captured by ``user``."""
    account = Account(project_id=project.id, name=f"客户{tag}", external_id=f"客户-{tag}", segment="大客户",
                      country="中国", city="上海", captured_by_id=user.id)
    contact = Contact(project_id=project.id, account=account, name=f"联系人{tag}", email=f"c{tag}@example.com",
                      phone="+86 21 5555 0000", job_title="采购经理", captured_by_id=user.id)
    interaction = Interaction(project_id=project.id, account=account, contact=contact, occurred_at=WHEN,
                              channel=Channel.PHONE, purpose="询价", outcome="已报价", captured_by_id=user.id)
    case = ServiceCase(project_id=project.id, account=account, subject=f"售后问题{tag}", opened_at=WHEN,
                       resolved_first_contact=True, satisfaction=4, captured_by_id=user.id)
    opportunity = Opportunity(project_id=project.id, account=account, name=f"扩容{tag}",
                              opportunity_kind=OpportunityKind.UP_SELL, amount=Decimal("12000.00"),
                              stage=OpportunityStage.PROPOSAL, opened_on=date(2026, 9, 1), captured_by_id=user.id)
    objects = {"accounts": account, "contacts": contact, "interactions": interaction, "cases": case,
               "opportunities": opportunity}
    for obj in objects.values():
        prepare(obj)
        db.session.add(obj)
    db.session.flush()
    return {kind: obj.id for kind, obj in objects.items()}


def _job(project, user) -> int:
    from planner.uploads import storage

    folder = Path(current_app.instance_path) / "matrix"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"matrix-{project.id}.csv"
    source.write_text("编号,名称\n客户-9,新客户\n", encoding="utf-8")
    stored = storage.keep(source, ".csv")
    job = ImportJob(project_id=project.id, kind=RecordKind.ACCOUNTS, filename="客户.csv", stored_name=stored, size=30,
                    encoding="utf-8", delimiter=",", headers=["编号", "名称"], mapping={"external_id": 0, "name": 1},
                    created_by_id=user.id)
    db.session.add(job)
    db.session.flush()
    return job.id


def setup(world):
    staff, manager = world.users["staff"], world.users["manager"]
    outsider = world.users["outsider"]
    for kind, record_id in _records(world.project, staff, "甲").items():
        world.ids[kind] = record_id
    for kind, record_id in _records(world.project, manager, "乙").items():
        world.ids[f"{kind}_mgr"] = record_id
    for kind, record_id in _records(world.other_project, outsider, "丙").items():
        world.ids[f"other_{kind}"] = record_id
    for suffix, user in (("", staff), ("_mgr", manager)):
        alone = Account(project_id=world.project.id, name=f"没有记录的客户{'乙' if suffix else '甲'}",
                        captured_by_id=user.id)
        prepare(alone)
        db.session.add(alone)
        db.session.flush()
        world.ids[f"accounts_alone{suffix}"] = alone.id
    world.ids["job"] = _job(world.project, manager)
    world.ids["other_job"] = _job(world.other_project, outsider)
    db.session.commit()
