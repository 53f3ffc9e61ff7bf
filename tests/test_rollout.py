"""The staged rollout through HTTP: planning stages, exit criteria, the order of stages and the
override, the whole sign-off flow, every refused path (each changes nothing), immutable decisions
and audit log, concurrent decisions, and the functions the executive dashboard calls."""

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from planner.audit.models import AuditEvent, AuditImmutableError
from planner.auth.models import GlobalRole
from planner.db import utcnow
from planner.rollout import services
from planner.rollout.models import (
    CriterionKind,
    DecisionImmutableError,
    ExitCriterion,
    Outcome,
    RequestStatus,
    SignoffDecision,
    SignoffRequest,
    Stage,
    StageStatus,
)
from tests import rollout_factories as r
from tests.change_factories import count_queries
from tests.helpers import login, visible_text

TODAY = date.today()


@pytest.fixture
def team(db, make_user, make_project, add_member):
    """A project with a manager, two sponsors, a member who is both manager and sponsor, and staff;
    an outsider who belongs to another project; an administrator."""
    users = {
        "manager": make_user(email="pm@example.com", name="项目经理", role=GlobalRole.MANAGER),
        "sponsor": make_user(email="sponsor@example.com", name="发起人甲"),
        "sponsor2": make_user(email="sponsor2@example.com", name="发起人乙"),
        "both": make_user(email="both@example.com", name="经理兼发起人"),
        "staff": make_user(email="staff@example.com", name="员工"),
        "outsider": make_user(email="outsider@example.com", name="外部人员"),
        "admin": make_user(email="admin@example.com", name="管理员", role=GlobalRole.ADMIN),
    }
    project = make_project(manager=users["manager"], name="华信家电")
    add_member(project, users["sponsor"], sponsor=True)
    add_member(project, users["sponsor2"], sponsor=True)
    add_member(project, users["both"], manager=True, sponsor=True)
    add_member(project, users["staff"], team="客服")
    other = make_project(manager=users["outsider"], name="另一个项目")
    return project, other, users


def client_for(make_client, user):
    client = make_client()
    login(client, user)
    return client


def state(db, stage_id):
    """What a refused request must leave untouched."""
    db.session.expire_all()
    stage = db.session.get(Stage, stage_id)
    return (stage.status, stage.version, stage.actual_start, stage.actual_end, stage.override_reason,
            db.session.scalar(select(func.count()).select_from(SignoffDecision)),
            tuple(db.session.scalars(select(SignoffRequest.status).order_by(SignoffRequest.id))),
            db.session.scalar(select(func.count()).select_from(ExitCriterion)))


def gate_url(project, stage):
    return f"/projects/{project.id}/rollout/stages/{stage.id}"


# --------------------------------------------------------------------------- planning


def test_a_template_adds_stages_one_after_the_other_in_the_readers_language(team, make_client, db):
    project, _other, u = team
    client = client_for(make_client, u["manager"])
    response = client.post(f"/projects/{project.id}/rollout/plan?lang=es", data={
        "plan": "pilot_waves", "start": "2027-01-04", "waves": "2", "with_criteria": "y"})
    assert response.status_code == 302
    stages = services.project_stages(project)
    assert [s.name for s in stages] == ["Piloto", "Oleada 1", "Oleada 2", "Despliegue completo"]
    assert stages[0].planned_start == date(2027, 1, 4) and stages[0].planned_end == date(2027, 2, 28)  # 8 weeks
    for before, after in zip(stages, stages[1:], strict=False):
        assert after.planned_start == before.planned_end + timedelta(days=1)
    assert all(s.status == StageStatus.PLANNED for s in stages)
    assert all(c.kind == CriterionKind.KPI for s in stages for c in s.criteria) and stages[0].criteria
    client.post(f"/projects/{project.id}/rollout/plan?lang=zh", data={"plan": "adoption_cycle", "start": "2027-09-06"})
    names = [s.name for s in services.project_stages(project)][4:]
    assert names == ["僵化", "优化", "固化", "再优化"]
    assert not any(s.criteria for s in services.project_stages(project)[4:])  # the box was left unticked
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert actions.count("stage.plan_applied") == 2


def test_stages_are_created_edited_moved_and_deleted_by_the_manager(team, make_client, db):
    project, _other, u = team
    client = client_for(make_client, u["manager"])
    response = client.post(f"/projects/{project.id}/rollout/stages/new", data={
        "name": "试点", "business_areas": ["service"], "teams": ["客服"], "users_in_scope": "25",
        "planned_start": "2027-01-04", "planned_end": "2027-02-28"})
    assert response.status_code == 302
    pilot = db.session.scalar(select(Stage).where(Stage.name == "试点"))
    assert pilot.business_areas == ["service"] and pilot.teams == ["客服"] and pilot.users_in_scope == 25
    response = client.post(f"/projects/{project.id}/rollout/stages/new", data={
        "name": "第一批", "planned_start": "2027-03-01", "planned_end": "2027-02-01"})
    assert response.status_code == 200 and "The end cannot come before the start." in response.get_data(as_text=True)
    wave = r.stage(project, name="第一批")
    last = r.stage(project, name="第二批")

    edit = f"/projects/{project.id}/rollout/stages/{pilot.id}/edit"
    assert client.post(edit, data={"name": "试点（上海）", "version": str(pilot.version), "teams": ["客服"],
                                   "business_areas": ["service"], "users_in_scope": "30"}).status_code == 302
    db.session.expire_all()
    assert pilot.name == "试点（上海）" and pilot.users_in_scope == 30
    before = state(db, pilot.id)
    response = client.post(edit, data={"name": "旧版本的修改", "version": str(pilot.version - 1)},
                           follow_redirects=True)
    assert "Someone changed this stage while you were looking at it." in response.get_data(as_text=True)
    assert state(db, pilot.id) == before and db.session.get(Stage, pilot.id).name == "试点（上海）"

    client.post(f"/projects/{project.id}/rollout/stages/{last.id}/move/up")
    assert [s.name for s in services.project_stages(project)] == ["试点（上海）", "第二批", "第一批"]
    pilot.status, pilot.actual_start = StageStatus.ACTIVE, TODAY
    db.session.commit()
    response = client.post(f"/projects/{project.id}/rollout/stages/{last.id}/move/up", follow_redirects=True)
    assert "Only planned stages can change places" in response.get_data(as_text=True)
    assert [s.name for s in services.project_stages(project)] == ["试点（上海）", "第二批", "第一批"]
    assert client.post(f"/projects/{project.id}/rollout/stages/{last.id}/move/sideways").status_code == 404

    response = client.post(f"/projects/{project.id}/rollout/stages/{pilot.id}/delete",
                           data={"version": str(db.session.get(Stage, pilot.id).version)}, follow_redirects=True)
    assert "Only a stage that has not started can be deleted." in response.get_data(as_text=True)
    client.post(f"/projects/{project.id}/rollout/stages/{wave.id}/delete", data={"version": str(wave.version)})
    assert [(s.name, s.position) for s in services.project_stages(project)] == [("试点（上海）", 1), ("第二批", 2)]
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)))
    assert {"stage.created", "stage.updated", "stage.moved", "stage.deleted"} <= actions


def test_staff_and_sponsors_read_the_stages_but_cannot_plan_them(team, make_client, db):
    project, other, u = team
    stage = r.stage(project, name="试点")
    before = state(db, stage.id)
    for role in ("staff", "sponsor"):
        client = client_for(make_client, u[role])
        assert client.get(f"/projects/{project.id}/rollout").status_code == 200
        assert client.get(gate_url(project, stage)).status_code == 200
        assert client.post(f"/projects/{project.id}/rollout/stages/{stage.id}/edit",
                           data={"name": "改名", "version": str(stage.version)}).status_code == 403
        assert client.post(f"/projects/{project.id}/rollout/stages/{stage.id}/start",
                           data={"actual_start": TODAY.isoformat(), "version": str(stage.version)}).status_code == 403
        assert client.post(f"/projects/{project.id}/rollout/stages/{stage.id}/criteria/new/kpi", data={
            "kpi": "adoption", "comparison": "ge", "threshold": "80", "weeks": "2",
            "version": str(stage.version)}).status_code == 403
    outsider = client_for(make_client, u["outsider"])
    assert outsider.get(gate_url(project, stage)).status_code == 404
    foreign = r.stage(other, name="别人的阶段")
    manager = client_for(make_client, u["manager"])
    assert manager.get(f"/projects/{project.id}/rollout/stages/{foreign.id}").status_code == 404
    assert manager.post(f"/projects/{project.id}/rollout/stages/{foreign.id}/start",
                        data={"actual_start": TODAY.isoformat(), "version": str(foreign.version)}).status_code == 404
    assert state(db, stage.id) == before and db.session.get(Stage, foreign.id).status == StageStatus.PLANNED


def test_criteria_through_the_forms(team, make_client, db):
    project, _other, u = team
    stage = r.stage(project, status=StageStatus.ACTIVE, started=TODAY)
    done = r.task(project, title="培训完成", status="done")
    client = client_for(make_client, u["manager"])
    base = f"/projects/{project.id}/rollout/stages/{stage.id}/criteria/new"
    response = client.post(base + "/kpi?lang=es", data={"kpi": "adoption", "comparison": "ge", "threshold": "82,5",
                                                        "weeks": "3", "version": str(stage.version)})
    assert response.status_code == 302
    criterion = db.session.scalar(select(ExitCriterion).where(ExitCriterion.kind == CriterionKind.KPI))
    assert str(criterion.threshold) == "0.8250" and criterion.weeks == 3
    criterion_id = criterion.id
    response = client.post(base + "/kpi?lang=en", data={"kpi": "satisfaction", "comparison": "ge",
                                                        "threshold": "7", "weeks": "2", "version": str(stage.version)})
    assert "Enter a score from 1 to 5." in response.get_data(as_text=True)
    db.session.expire_all()
    client.post(base + "/tasks", data={"task_ids": [str(done.id)], "version": str(stage.version)})
    assert len(services.project_stages(project)[0].criteria) == 2
    gate = client.get(gate_url(project, stage) + "?lang=en").get_data(as_text=True)
    assert "Adoption ≥ 82.5% for 3 consecutive complete weeks" in visible_text(gate)
    assert "1 task done" in visible_text(gate)

    edit = f"/projects/{project.id}/rollout/criteria/{criterion_id}"
    db.session.expire_all()
    client.post(edit, data={"kpi": "closed_loop", "comparison": "ge", "threshold": "90", "weeks": "2",
                            "version": str(db.session.get(Stage, stage.id).version)})
    db.session.expire_all()
    assert db.session.get(ExitCriterion, criterion_id).kpi.value == "closed_loop"
    client.post(edit + "/delete", data={"version": str(db.session.get(Stage, stage.id).version)})
    assert db.session.get(ExitCriterion, criterion_id) is None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert actions.count("criterion.added") == 2 and "criterion.updated" in actions and "criterion.removed" in actions


# --------------------------------------------------------------------------- order and override


def test_the_next_stage_waits_for_the_previous_approval_unless_overridden(team, make_client, db):
    project, _other, u = team
    pilot = r.stage(project, name="试点", status=StageStatus.ACTIVE, started=TODAY - timedelta(days=30))
    wave = r.stage(project, name="第一批")
    client = client_for(make_client, u["manager"])
    start = f"/projects/{project.id}/rollout/stages/{wave.id}/start"
    before = state(db, wave.id)
    response = client.post(start, data={"actual_start": TODAY.isoformat(), "version": str(wave.version)},
                           follow_redirects=True)
    assert "The previous stage, “试点”, is not approved yet." in visible_text(response.get_data(as_text=True))
    assert state(db, wave.id) == before

    response = client.post(start, data={"actual_start": TODAY.isoformat(), "version": str(wave.version),
                                        "override_reason": "销售旺季前必须上线"}, follow_redirects=True)
    page = visible_text(response.get_data(as_text=True))
    assert "The stage is started by override." in page and "销售旺季前必须上线" in page
    db.session.expire_all()
    wave = db.session.get(Stage, wave.id)
    assert wave.status == StageStatus.ACTIVE and wave.actual_start == TODAY
    assert wave.override_reason == "销售旺季前必须上线" and wave.override_by_name == "项目经理"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stage.started_override"))
    assert event.data["reason"] == "销售旺季前必须上线" and event.data["previous"] == "试点"
    audit = client.get(f"/projects/{project.id}/audit?lang=en").get_data(as_text=True)
    assert "before “试点” was approved, by override. Reason: 销售旺季前必须上线" in visible_text(audit)

    third = r.stage(project, name="第二批")
    pilot.status = StageStatus.APPROVED_WITH_CONDITIONS  # counts as approved for the stage after it
    wave_row = db.session.get(Stage, wave.id)
    wave_row.status = StageStatus.APPROVED_WITH_CONDITIONS
    db.session.commit()
    client.post(f"/projects/{project.id}/rollout/stages/{third.id}/start",
                data={"actual_start": TODAY.isoformat(), "version": str(third.version)})
    db.session.expire_all()
    assert db.session.get(Stage, third.id).status == StageStatus.ACTIVE
    assert db.session.get(Stage, third.id).override_reason == ""
    index = client.get(f"/projects/{project.id}/rollout?lang=en").get_data(as_text=True)
    assert '"Started by override"' in index  # the timeline marks it


def test_a_stage_cannot_start_in_the_future(team, make_client, db):
    project, _other, u = team
    stage = r.stage(project)
    client = client_for(make_client, u["manager"])
    later = (TODAY + timedelta(days=3)).isoformat()
    response = client.post(f"/projects/{project.id}/rollout/stages/{stage.id}/start", follow_redirects=True,
                           data={"actual_start": later, "version": str(stage.version)})
    assert "A stage cannot start in the future." in response.get_data(as_text=True)
    assert db.session.get(Stage, stage.id).status == StageStatus.PLANNED


# --------------------------------------------------------------------------- the sign-off flow


def test_the_whole_sign_off_flow(team, make_client, db):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/rollout/stages/new", data={"name": "试点", "planned_start": "2026-01-05"})
    pm.post(f"/projects/{project.id}/rollout/stages/new", data={"name": "第一批"})
    pilot, wave = services.project_stages(project)
    done = r.task(project, title="发起人动员", status="done")
    pending_task = r.task(project, title="夜班培训")
    pm.post(f"/projects/{project.id}/rollout/stages/{pilot.id}/criteria/new/tasks",
            data={"task_ids": [str(done.id), str(pending_task.id)], "version": str(pilot.version)})
    db.session.expire_all()
    pm.post(f"/projects/{project.id}/rollout/stages/{pilot.id}/start",
            data={"actual_start": (TODAY - timedelta(days=20)).isoformat(), "version": str(pilot.version)})
    db.session.expire_all()
    assert pilot.status == StageStatus.ACTIVE and pilot.actual_start == TODAY - timedelta(days=20)

    sponsor = client_for(make_client, u["sponsor"])
    assert "badge" not in sponsor.get("/rollout/sign-offs").get_data(as_text=True).split("Sign-offs")[1][:120]
    pm.post(f"/projects/{project.id}/rollout/stages/{pilot.id}/request",
            data={"note": "请重点看夜班培训", "version": str(pilot.version)})
    db.session.expire_all()
    request_ = db.session.scalar(select(SignoffRequest))
    assert pilot.status == StageStatus.AWAITING_SIGNOFF and request_.requested_by_id == u["manager"].id

    # The sponsor sees it in the inbox, with a count in the navigation; staff see no inbox at all.
    inbox = sponsor.get("/rollout/sign-offs?lang=en").get_data(as_text=True)
    assert "试点" in inbox and "请重点看夜班培训" in inbox
    assert 'rounded-pill text-bg-warning ms-1">1</span>' in inbox
    staff = client_for(make_client, u["staff"])
    assert "/rollout/sign-offs" not in staff.get(f"/projects/{project.id}").get_data(as_text=True)
    assert services.pending_signoffs_for(u["staff"]) == []

    # The gate shows the evidence: one of two tasks done, so no-go.
    html = sponsor.get(gate_url(project, pilot) + "?lang=en").get_data(as_text=True)
    gate = visible_text(html)
    assert "No-go" in gate and "0 of 1 met" in gate and "1 of 2 tasks done" in gate and "夜班培训 Open" in gate
    assert 'value="Record the decision"' in html

    decide = f"/projects/{project.id}/rollout/requests/{request_.id}/decide"
    before = state(db, pilot.id)
    for outcome in ("approved_with_conditions", "rejected"):
        response = sponsor.post(decide, data={"outcome": outcome, "comment": " ", "version": str(pilot.version)})
        assert response.status_code == 400
        assert "Write a comment: the conditions, or the reasons for the rejection." in response.get_data(as_text=True)
    response = sponsor.post(decide, data={"outcome": "approved", "comment": "", "version": str(pilot.version)})
    assert response.status_code == 400 and "Some exit criteria are not met." in response.get_data(as_text=True)
    assert state(db, pilot.id) == before

    response = sponsor.post(decide, data={"outcome": "approved_with_conditions", "version": str(pilot.version),
                                          "comment": "夜班培训须在第一批推广前完成"}, follow_redirects=True)
    assert "Your decision is recorded: Approved with conditions." in response.get_data(as_text=True)
    db.session.expire_all()
    decision = db.session.scalar(select(SignoffDecision))
    assert decision.outcome == Outcome.APPROVED_WITH_CONDITIONS and decision.decided_by_id == u["sponsor"].id
    assert decision.comment == "夜班培训须在第一批推广前完成" and decision.go is False
    assert pilot.status == StageStatus.APPROVED_WITH_CONDITIONS and pilot.actual_end == TODAY
    assert request_.status == RequestStatus.DECIDED
    tasks = decision.evidence["criteria"][0]["tasks"]
    assert [(t["title"], t["status"]) for t in tasks] == [("发起人动员", "done"), ("夜班培训", "open")]
    assert services.pending_signoffs_for(u["sponsor"]) == []

    # The decision page shows the evidence as it stood; the audit log tells the story.
    page = visible_text(staff.get(f"/projects/{project.id}/rollout/decisions/{decision.id}?lang=en")
                        .get_data(as_text=True))
    assert "夜班培训须在第一批推广前完成" in page and "Not met" in page and "发起人甲" in page
    assert staff.get(f"/projects/{project.id}/audit").status_code == 403  # the log is for managers and sponsors
    audit = visible_text(sponsor.get(f"/projects/{project.id}/audit?lang=en").get_data(as_text=True))
    assert "Requested the sign-off of the stage “试点”." in audit
    assert "Approved the stage “试点” with conditions: 夜班培训须在第一批推广前完成" in audit

    # Approved with conditions counts as approved: the next stage starts without an override.
    pm.post(f"/projects/{project.id}/rollout/stages/{wave.id}/start",
            data={"actual_start": TODAY.isoformat(), "version": str(wave.version)})
    db.session.expire_all()
    assert wave.status == StageStatus.ACTIVE and wave.override_reason == ""


def test_a_rejected_stage_is_requested_again_and_keeps_its_history(team, make_client, db):
    project, _other, u = team
    stage = r.stage(project, status=StageStatus.AWAITING_SIGNOFF, started=TODAY - timedelta(days=10))
    first = r.request(stage, u["manager"])
    sponsor = client_for(make_client, u["sponsor"])
    sponsor.post(f"/projects/{project.id}/rollout/requests/{first.id}/decide",
                 data={"outcome": "rejected", "comment": "数据质量不达标", "version": str(stage.version)})
    db.session.expire_all()
    assert stage.status == StageStatus.REJECTED and stage.actual_end is None
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request", data={"version": str(stage.version)})
    db.session.expire_all()
    second = db.session.scalar(select(SignoffRequest).where(SignoffRequest.status == RequestStatus.PENDING))
    sponsor.post(f"/projects/{project.id}/rollout/requests/{second.id}/decide",
                 data={"outcome": "approved", "comment": "", "version": str(stage.version)})
    db.session.expire_all()
    outcomes = db.session.scalars(select(SignoffDecision.outcome).order_by(SignoffDecision.id)).all()
    assert outcomes == [Outcome.REJECTED, Outcome.APPROVED] and stage.status == StageStatus.APPROVED
    page = visible_text(pm.get(gate_url(project, stage) + "?lang=en").get_data(as_text=True))
    assert "数据质量不达标" in page and page.count("The evidence as it stood") == 2


def test_the_manager_withdraws_a_request_and_nobody_can_decide_it_then(team, make_client, db):
    project, _other, u = team
    stage = r.stage(project, status=StageStatus.AWAITING_SIGNOFF, started=TODAY)
    request_ = r.request(stage, u["manager"])
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/rollout/requests/{request_.id}/withdraw", data={"version": str(stage.version)})
    db.session.expire_all()
    assert request_.status == RequestStatus.WITHDRAWN and stage.status == StageStatus.ACTIVE
    sponsor = client_for(make_client, u["sponsor"])
    response = sponsor.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                            data={"outcome": "approved", "version": str(stage.version)})
    assert response.status_code == 409
    assert "This sign-off request was withdrawn" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SignoffDecision)) == 0


# --------------------------------------------------------------------------- refused decisions


@pytest.fixture
def awaiting(team, db):
    project, other, u = team
    stage = r.stage(project, name="试点", status=StageStatus.AWAITING_SIGNOFF, started=TODAY - timedelta(days=14))
    r.kpi_criterion(stage)
    request_ = r.request(stage, u["both"])  # requested by the member who is manager and sponsor
    db.session.refresh(stage)
    return project, other, u, stage, request_


def _offers(project, stage, user, db):
    from planner.projects.access import membership_for

    page = services.gate_page(project, stage, user, membership_for(project.id, user.id))
    return {name for name in ("decision", "start", "request", "withdraw") if getattr(page, f"offers_{name}")}, page


def test_the_gate_page_service_decides_who_gets_which_form(awaiting, app, db):
    project, _other, u, stage, _request = awaiting
    planned = r.stage(project, name="第二批")
    with app.test_request_context("/"):
        assert _offers(project, stage, u["sponsor"], db)[0] == {"decision"}
        offers, page = _offers(project, stage, u["both"], db)  # manager and sponsor, but requested it
        assert offers == {"withdraw"} and "requested this sign-off yourself" in str(page.refusal)
        assert _offers(project, stage, u["manager"], db)[0] == {"withdraw"}
        assert _offers(project, planned, u["manager"], db)[0] == {"start"}
        assert _offers(project, stage, u["staff"], db)[0] == set()
        assert _offers(project, stage, u["admin"], db)[0] == set()  # not a member: reads only
        project.archived_at = utcnow()
        assert _offers(project, stage, u["sponsor"], db)[0] == set()
        assert _offers(project, planned, u["manager"], db)[0] == set()


@pytest.mark.parametrize("role, status", [("staff", 403), ("manager", 403), ("admin", 403), ("outsider", 404),
                                          ("both", 403)])
def test_only_another_sponsor_of_the_project_can_decide(awaiting, make_client, db, role, status):
    project, _other, u, stage, request_ = awaiting
    before = state(db, stage.id)
    client = client_for(make_client, u[role])
    response = client.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide?lang=en",
                           data={"outcome": "approved", "comment": "同意", "version": str(stage.version)})
    assert response.status_code == status
    if role == "both":
        assert "You requested this sign-off yourself, so another executive sponsor must decide on it." in \
            response.get_data(as_text=True)
        page = client.get(gate_url(project, stage) + "?lang=en").get_data(as_text=True)
        assert "Record the decision" not in page and "You requested this sign-off yourself" in page
        assert services.pending_signoffs_for(u["both"]) == []
    assert state(db, stage.id) == before


def test_a_request_id_of_another_project_is_not_found(awaiting, make_client, db):
    project, other, u, stage, _request = awaiting
    foreign_stage = r.stage(other, status=StageStatus.AWAITING_SIGNOFF, started=TODAY)
    foreign = r.request(foreign_stage, u["outsider"])
    before = state(db, foreign_stage.id)
    client = client_for(make_client, u["sponsor"])
    response = client.post(f"/projects/{project.id}/rollout/requests/{foreign.id}/decide",
                           data={"outcome": "approved", "comment": "同意", "version": str(foreign_stage.version)})
    assert response.status_code == 404 and state(db, foreign_stage.id) == before


def test_a_decision_on_a_stage_that_changed_since_it_was_opened_is_refused(awaiting, make_client, db):
    project, _other, u, stage, request_ = awaiting
    sponsor = client_for(make_client, u["sponsor"])
    sponsor.get(gate_url(project, stage))
    seen = stage.version
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/criteria/new/kpi",
            data={"kpi": "closed_loop", "comparison": "ge", "threshold": "85", "weeks": "2", "version": str(seen)})
    db.session.expire_all()
    assert stage.version > seen
    before = state(db, stage.id)
    response = sponsor.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide?lang=es",
                            data={"outcome": "approved_with_conditions", "comment": "先完成培训", "version": str(seen)})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Esta etapa ha cambiado después de que la abrieras" in page
    assert "先完成培训" in page and f'name="version" type="hidden" value="{stage.version}"' in page
    assert state(db, stage.id) == before
    # Having looked again, the sponsor decides on what stands now.
    response = sponsor.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                            data={"outcome": "approved_with_conditions", "comment": "先完成培训",
                                  "version": str(stage.version)})
    assert response.status_code == 302
    assert len(db.session.scalar(select(SignoffDecision)).evidence["criteria"]) == 2


def test_the_second_of_two_sponsors_is_told_the_first_decided(awaiting, make_client, db):
    project, _other, u, stage, request_ = awaiting
    first, second = client_for(make_client, u["sponsor"]), client_for(make_client, u["sponsor2"])
    version = str(stage.version)  # both opened the gate at this version
    url = f"/projects/{project.id}/rollout/requests/{request_.id}/decide?lang=en"
    assert first.post(url, data={"outcome": "rejected", "comment": "还不行", "version": version}).status_code == 302
    before = state(db, stage.id)
    response = second.post(url, data={"outcome": "approved", "comment": "可以", "version": version})
    assert response.status_code == 409
    assert "发起人甲 has already decided on this request: Rejected." in response.get_data(as_text=True)
    assert state(db, stage.id) == before
    assert db.session.scalar(select(func.count()).select_from(SignoffDecision)) == 1


@pytest.mark.real_db  # two requests at once, each on its own connection
def test_two_sponsors_deciding_at_the_same_moment_do_not_both_win(awaiting, app, db, monkeypatch):
    """A real race: both requests pass every check in Python, then meet in the database."""
    project, _other, u, stage, request_ = awaiting
    clients = [app.test_client(), app.test_client()]
    login(clients[0], u["sponsor"])
    login(clients[1], u["sponsor2"])
    services.evaluate_stage(stage)  # the KPI values are cached, as once anyone has opened the gate today
    db.session.commit()
    both_checked = threading.Barrier(2, timeout=20)
    evaluate = services.evaluate_stage

    def evaluate_together(stage_, until=None):
        gate = evaluate(stage_, until)
        both_checked.wait()  # each request has passed the version check and written nothing yet
        return gate

    monkeypatch.setattr(services.signoff, "evaluate_stage", evaluate_together)  # where decide() looks it up
    url = f"/projects/{project.id}/rollout/requests/{request_.id}/decide?lang=en"
    version, stage_id = str(stage.version), stage.id
    results = [None, None]

    def decide(index, outcome, comment):
        results[index] = clients[index].post(url, data={"outcome": outcome, "comment": comment, "version": version})

    threads = [threading.Thread(target=decide, args=(0, "approved_with_conditions", "甲的条件")),
               threading.Thread(target=decide, args=(1, "rejected", "乙的理由"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = sorted(response.status_code for response in results)
    assert codes == [302, 409], codes
    loser = next(response for response in results if response.status_code == 409)
    assert "changed" in loser.get_data(as_text=True) or "already decided" in loser.get_data(as_text=True)
    db.session.expire_all()
    decisions = db.session.scalars(select(SignoffDecision)).all()
    assert len(decisions) == 1
    assert db.session.get(Stage, stage_id).status == decisions[0].outcome.stage_status
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("signoff.%"))) == 1


def test_an_archived_project_takes_no_decision(awaiting, make_client, db):
    project, _other, u, stage, request_ = awaiting
    project.archived_at = datetime.now(UTC)
    db.session.commit()
    before = state(db, stage.id)
    client = client_for(make_client, u["sponsor"])
    response = client.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                           data={"outcome": "approved", "comment": "同意", "version": str(stage.version)})
    assert response.status_code == 302 and state(db, stage.id) == before
    assert services.pending_signoffs_for(u["sponsor"]) == []


# --------------------------------------------------------------------------- immutable history


def decided(team, db):
    project, _other, u = team
    stage = r.stage(project, name="试点", status=StageStatus.AWAITING_SIGNOFF, started=TODAY - timedelta(days=30))
    done = r.task(project, title="培训", status="done")
    r.tasks_criterion(stage, [done])
    request_ = r.request(stage, u["manager"])
    db.session.refresh(stage)
    member = next(m for m in db.session.get(type(project), project.id).members if m.user_id == u["sponsor"].id)
    decision = services.decide(request_, u["sponsor"], member, Outcome.APPROVED, "", stage.version)
    db.session.commit()
    return project, stage, done, decision


def test_changing_an_approved_stage_keeps_the_decision_and_needs_a_new_request(team, make_client, db):
    project, stage, done, decision = decided(team, db)
    evidence = dict(decision.evidence)
    assert evidence["go"] is True and stage.status == StageStatus.APPROVED
    pm = client_for(make_client, team[2]["manager"])
    done.status = "open"
    db.session.commit()
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/edit",
            data={"name": "试点（改名）", "version": str(stage.version), "actual_start": stage.actual_start.isoformat(),
                  "actual_end": stage.actual_end.isoformat()})
    db.session.expire_all()
    assert stage.status == StageStatus.APPROVED  # a new name does not touch what was approved
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/criteria/new/kpi",
            data={"kpi": "adoption", "comparison": "ge", "threshold": "90", "weeks": "2",
                  "version": str(stage.version)})
    db.session.expire_all()
    assert stage.status == StageStatus.ACTIVE and stage.actual_end is None
    assert decision.evidence == evidence and decision.stage_name == "试点" and decision.outcome == Outcome.APPROVED
    page = visible_text(pm.get(f"/projects/{project.id}/rollout/decisions/{decision.id}?lang=en")
                        .get_data(as_text=True))
    assert "Go" in page and "Done" in page  # the task as it stood, although it is open again now
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stage.reopened")) is not None
    assert "Request sign-off" in pm.get(gate_url(project, stage) + "?lang=en").get_data(as_text=True)


@pytest.mark.real_db  # statements through db.engine, on a connection of their own
def test_decisions_cannot_be_changed_or_deleted(team, db):
    _project, _stage, _done, decision = decided(team, db)
    decision.comment = "改写历史"
    with pytest.raises(DecisionImmutableError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(SignoffDecision, decision.id))
    with pytest.raises(DecisionImmutableError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception, match="history"), db.engine.begin() as conn:
        conn.execute(text("UPDATE signoff_decisions SET comment = 'x'"))
    assert db.session.get(SignoffDecision, decision.id).comment == ""


@pytest.mark.real_db  # statements through db.engine, on a connection of their own
def test_the_database_refuses_to_change_the_audit_log(team, db):
    decided(team, db)
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(Exception, match="history"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'forged'"))
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(Exception, match="history"), db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
    event = db.session.scalars(select(AuditEvent)).first()
    event.action = "forged"
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert "forged" not in db.session.scalars(select(AuditEvent.action)).all()


@pytest.mark.real_db  # statements through db.engine, on a connection of their own
def test_deleting_an_account_keeps_its_decisions_and_events(team, db):
    project, _stage, _done, decision = decided(team, db)
    sponsor_id = team[2]["sponsor"].id
    with db.engine.begin() as conn:  # ON DELETE SET NULL is the only change history accepts
        conn.execute(text("DELETE FROM project_members WHERE user_id = :id"), {"id": sponsor_id})
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": sponsor_id})
    db.session.expire_all()
    kept = db.session.get(SignoffDecision, decision.id)
    assert kept.decided_by_id is None and kept.decided_by_name == "发起人甲"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signoff.approved"))
    assert event.actor_name == "发起人甲" and event.project_id == project.id


@pytest.mark.real_db  # statements through db.engine, on a connection of their own
def test_deleting_a_project_takes_its_history_with_it(team, db):
    """The one deletion history allows: the whole project, by cascade (the database's own guard on
    PostgreSQL lets it through)."""
    project, _stage, _done, _decision = decided(team, db)
    project_id = project.id
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM projects WHERE id = :id"), {"id": project_id})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SignoffDecision)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.project_id == project_id)) == 0


def test_no_route_changes_the_audit_log(app, db):
    """Every write route of the permission matrix, as each role that may use it: the events recorded
    before stay exactly as they were, and none disappears."""
    from tests.access.matrix import OK, all_rules, build_world
    from tests.helpers import empty_tables

    empty_tables(db)
    world = build_world()
    db.session.commit()

    def snapshot():
        db.session.expire_all()
        return {e.id: (e.created_at, e.actor_id, e.actor_name, e.project_id, e.action, e.target_type, e.target_id,
                       e.data) for e in db.session.scalars(select(AuditEvent))}

    writes = [rule for rule in all_rules() if rule.method == "POST" and not rule.path.startswith("/login")
              and "logout" not in rule.endpoint]
    writes.sort(key=lambda rule: rule.endpoint == "projects.archive")  # a read-only project last
    for role in ("manager", "sponsor", "admin", "staff"):
        client = app.test_client()
        login(client, world.users[role])
        for rule in writes:
            if rule.expect[role] != OK:
                continue
            before = snapshot()
            client.open(rule.url(world), method="POST", data=rule.form(world))
            after = snapshot()
            assert {key: after.get(key) for key in before} == before, f"{rule.endpoint} changed the audit log"
    assert snapshot(), "the routes recorded nothing at all"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = app.test_client().open(f"/projects/{world.project.id}/audit", method=method)
        assert response.status_code in (302, 405)


# --------------------------------------------------------------------------- for other pages


def test_current_stage_and_pending_sign_offs_for_many_projects(team, make_project, db):
    project, other, u = team
    quiet = make_project(name="没有阶段的项目")
    r.stage(project, name="试点", status=StageStatus.APPROVED, started=TODAY - timedelta(days=40),
            ended=TODAY - timedelta(days=12))
    running = r.stage(project, name="第一批", status=StageStatus.AWAITING_SIGNOFF, started=TODAY - timedelta(days=11))
    r.stage(project, name="第二批")
    r.request(running, u["manager"], when=datetime.now(UTC) - timedelta(days=1))
    r.stage(other, name="甲", status=StageStatus.APPROVED, started=TODAY - timedelta(days=30),
            ended=TODAY - timedelta(days=2))
    r.stage(other, name="乙")
    finished = make_project(name="已完成的项目")
    r.stage(finished, name="唯一阶段", status=StageStatus.APPROVED, started=TODAY - timedelta(days=50),
            ended=TODAY - timedelta(days=5))

    ids = [project.id, other.id, quiet.id, finished.id]
    sponsor = db.session.get(type(u["sponsor"]), u["sponsor"].id)
    with count_queries(db) as statements:
        current = services.current_stage_by_project(ids, on=TODAY)
    assert len(statements) == 1
    assert current[project.id] == ("第一批", StageStatus.AWAITING_SIGNOFF, 11)
    assert current[other.id] == ("乙", StageStatus.PLANNED, None)  # the next to start after the approved one
    assert current[quiet.id] is None
    assert current[finished.id] == ("唯一阶段", StageStatus.APPROVED, 45)

    with count_queries(db) as statements:
        by_project = services.pending_signoffs_by_project(ids)
        mine = services.pending_signoffs_for(sponsor)
        state_ = services.inbox_state(sponsor)
    assert len(statements) == 3
    assert [p.stage_name for p in by_project[project.id]] == ["第一批"] and by_project[other.id] == []
    assert [(p.project_name, p.stage_name, p.requested_by_name) for p in mine] == [("华信家电", "第一批", "项目经理")]
    assert state_ == (True, 1)
    assert services.pending_signoffs_for(u["manager"]) == []  # not a sponsor
    assert services.inbox_state(u["staff"]) == (False, 0)


def test_the_overview_shows_the_current_stage(team, make_client, db):
    project, _other, u = team
    r.stage(project, name="第一批推广", status=StageStatus.ACTIVE, started=TODAY - timedelta(days=9))
    page = visible_text(client_for(make_client, u["staff"]).get(f"/projects/{project.id}?lang=en")
                        .get_data(as_text=True))
    assert "Current stage" in page and "第一批推广" in page and "9 days in this stage" in page


def test_the_timeline_is_drawn_in_the_readers_language(team, make_client, db):
    project, _other, u = team
    r.stage(project, name="试点", status=StageStatus.ACTIVE, started=TODAY - timedelta(days=9),
            planned_start=TODAY - timedelta(days=10), planned_end=TODAY + timedelta(days=40))
    r.stage(project, name="第一批", planned_start=TODAY + timedelta(days=41), planned_end=TODAY + timedelta(days=90))
    from planner.rollout.figures import timeline_figure

    client = client_for(make_client, u["staff"])
    page = client.get(f"/projects/{project.id}/rollout?lang=zh").get_data(as_text=True)
    shown = json.loads(re.search(r'<script type="application/json" id="rollout-timeline-data">(.*?)</script>', page,
                                 re.S).group(1))
    assert [trace["name"] for trace in shown["data"]] == ["计划日期", "实际日期"]
    assert shown["layout"]["annotations"][0]["text"] == "今天"
    with client.application.test_request_context("/?lang=es"):
        figure = timeline_figure(services.project_stages(project), [], TODAY)
    planned, actual = figure["data"][0], figure["data"][1]
    assert planned["name"] == "Fechas previstas" and actual["name"] == "Fechas reales"
    assert planned["y"] == ["1. 试点", "2. 第一批"] and planned["base"][0] == (TODAY - timedelta(days=10)).isoformat()
    assert planned["x"][0] == 51 * 24 * 3600 * 1000  # 51 days, both ends included
    assert actual["base"] == [(TODAY - timedelta(days=9)).isoformat()] and figure["layout"]["xaxis"]["type"] == "date"


def test_the_demo_rollout_loads_once_with_a_sign_off_waiting(app, db):
    from planner import demo

    ctx = demo.load()
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Stage, ExitCriterion, SignoffRequest, SignoffDecision)]
    demo.load()
    assert [db.session.scalar(select(func.count()).select_from(model))
            for model in (Stage, ExitCriterion, SignoffRequest, SignoffDecision)] == counts
    names = {s.name for s in db.session.scalars(select(Stage))}
    assert "Piloto — delegación de Madrid" in names
    assert sum(1 for n in names if n.startswith("Piloto")) == 1  # the change demo's pilot, reused
    for project in ctx.projects.values():
        kinds = set(db.session.scalars(select(ExitCriterion.kind).where(ExitCriterion.project_id == project.id)))
        assert kinds == set(CriterionKind)
    assert len(services.pending_signoffs_for(ctx.users["sponsor@example.com"])) >= 1
    decisions = db.session.scalars(select(SignoffDecision)).all()
    assert any(d.outcome != Outcome.REJECTED and d.comment for d in decisions)


def test_the_pages_take_the_same_queries_for_few_or_many_stages(team, make_client, db):
    project, _other, u = team
    client = client_for(make_client, u["manager"])

    def add_stages(count):
        for n in range(count):
            stage = r.stage(project, status=StageStatus.ACTIVE if n == 0 else StageStatus.PLANNED,
                            started=TODAY if n == 0 else None, planned_start=TODAY, planned_end=TODAY)
            r.kpi_criterion(stage)
            r.tasks_criterion(stage, [r.task(project), r.task(project, status="done")])
            request_ = r.request(stage, u["manager"], status=RequestStatus.DECIDED)
            r.decision(request_, u["sponsor"])

    def queries(path):
        client.get(path)  # the KPI values are cached by the first visit
        with count_queries(db) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    add_stages(2)
    first = services.project_stages(project)[0]
    few = (queries(f"/projects/{project.id}/rollout"), queries(gate_url(project, first)))
    add_stages(6)
    assert (queries(f"/projects/{project.id}/rollout"), queries(gate_url(project, first))) == few
    assert max(few) <= 25, few
