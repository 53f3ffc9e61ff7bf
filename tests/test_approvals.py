"""Approval rules and stand-ins (#15), through the pages and the API: any one sponsor, all sponsors,
an ordered chain; the requester never approves; a vote per approver, the decision once the rule is
met; stand-ins within their dates (on the sponsor's calendar) and refused outside them."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEvent
from planner.auth import tokens
from planner.auth.models import GlobalRole, TokenScope
from planner.dates import date_in_zone
from planner.db import utcnow
from planner.notifications.models import Notification
from planner.rollout import services
from planner.rollout.models import (
    ApprovalRule,
    ApprovalSetting,
    DecisionImmutableError,
    Outcome,
    RequestStatus,
    SignoffDecision,
    SignoffRequest,
    SignoffVote,
    Stage,
    StageStatus,
    StandIn,
)
from planner.rollout.signals import signoff_decided
from tests import rollout_factories as r
from tests.helpers import login, visible_text


@pytest.fixture
def team(db, make_user, make_project, add_member):
    """A project with a manager, three sponsors (one also a manager), staff; an outsider who is a
    sponsor of another project."""
    users = {
        "manager": make_user(email="pm@example.com", name="项目经理", role=GlobalRole.MANAGER),
        "sponsor": make_user(email="sponsor@example.com", name="发起人甲", timezone="Asia/Shanghai"),
        "sponsor2": make_user(email="sponsor2@example.com", name="发起人乙"),
        "both": make_user(email="both@example.com", name="经理兼发起人"),
        "staff": make_user(email="staff@example.com", name="员工"),
        "outsider": make_user(email="outsider@example.com", name="外部发起人"),
    }
    project = make_project(manager=users["manager"], name="华信家电")
    add_member(project, users["sponsor"], sponsor=True)
    add_member(project, users["sponsor2"], sponsor=True)
    add_member(project, users["both"], manager=True, sponsor=True)
    add_member(project, users["staff"], team="客服")
    other = make_project(manager=users["manager"], name="另一个项目")
    add_member(other, users["outsider"], sponsor=True)
    stage = r.stage(project, name="试点", status=StageStatus.ACTIVE, started=date_in_zone(utcnow(), "UTC")
                    - timedelta(days=10))
    return project, other, users, stage


def client_for(make_client, user):
    client = make_client()
    login(client, user)
    return client


def P(project):
    return f"/projects/{project.id}/rollout"


def set_rule(make_client, users, project, rule, chain=(), stage=None):
    client = client_for(make_client, users["manager"])
    data = {"rule": rule, **{f"chain-{i}": str(uid) for i, uid in enumerate(chain)}}
    url = P(project) + (f"/stages/{stage.id}/approvals" if stage else "/approvals")
    response = client.post(url + "?lang=en", data=data)
    assert response.status_code == 302, visible_text(response.get_data(as_text=True))[:600]
    return client


def request_signoff(make_client, users, project, stage, by="manager"):
    client = client_for(make_client, users[by])
    response = client.post(P(project) + f"/stages/{stage.id}/request?lang=en",
                           data={"note": "请审阅", "version": str(_version(stage))})
    return response


def _version(stage):
    from planner.extensions import db

    db.session.expire_all()
    return db.session.get(Stage, stage.id).version


def pending(db, stage) -> SignoffRequest:
    db.session.expire_all()
    return db.session.scalar(select(SignoffRequest).where(SignoffRequest.stage_id == stage.id)
                             .order_by(SignoffRequest.id.desc()).limit(1))


def vote(make_client, user, project, request_, outcome="approved", comment="同意", on_behalf_of=None, stage=None):
    client = client_for(make_client, user)
    data = {"outcome": outcome, "comment": comment, "version": str(_version(request_.stage if stage is None
                                                                             else stage))}
    if on_behalf_of is not None:
        data["on_behalf_of"] = str(on_behalf_of)
    return client.post(P(project) + f"/requests/{request_.id}/decide?lang=en", data=data)


def snapshot(db):
    """What a refused attempt must leave untouched."""
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(SignoffVote)),
            db.session.scalar(select(func.count()).select_from(SignoffDecision)),
            tuple(db.session.execute(select(SignoffRequest.status, SignoffRequest.version)
                                     .order_by(SignoffRequest.id))),
            tuple(db.session.scalars(select(Stage.status).order_by(Stage.id))),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(func.count()).select_from(Notification)))


@pytest.fixture
def decided_signals():
    seen = []

    def receiver(decision, **_):
        seen.append(decision.id)

    signoff_decided.connect(receiver)
    yield seen
    signoff_decided.disconnect(receiver)


# --------------------------------------------------------------------------- the rules


def test_any_one_sponsor_is_the_default_and_the_first_approval_decides(team, make_client, db, decided_signals):
    project, _other, u, stage = team
    assert request_signoff(make_client, u, project, stage).status_code == 302
    request_ = pending(db, stage)
    assert request_.rule is ApprovalRule.ANY and request_.approvers == []
    response = vote(make_client, u["sponsor2"], project, request_)
    assert response.status_code == 302
    db.session.expire_all()
    request_ = db.session.get(SignoffRequest, request_.id)
    assert request_.status is RequestStatus.DECIDED and request_.decision.outcome is Outcome.APPROVED
    assert [(v.approver_name, v.voter_name) for v in request_.votes] == [("发起人乙", "发起人乙")]
    assert decided_signals == [request_.decision.id]


def test_all_sponsors_decide_once_each_approved_and_conditions_are_gathered(team, make_client, db,
                                                                             decided_signals):
    project, _other, u, stage = team
    set_rule(make_client, u, project, "all")
    assert request_signoff(make_client, u, project, stage).status_code == 302
    request_ = pending(db, stage)
    assert request_.rule is ApprovalRule.ALL
    assert sorted(a["id"] for a in request_.approvers) == sorted(u[k].id for k in ("sponsor", "sponsor2", "both"))

    assert vote(make_client, u["sponsor"], project, request_, "approved_with_conditions",
                "完成夜班培训\n清理重复客户").status_code == 302
    request_ = pending(db, stage)
    assert request_.status is RequestStatus.PENDING and request_.decision is None
    assert db.session.get(Stage, stage.id).status is StageStatus.AWAITING_SIGNOFF
    # The gate shows the rule, who decided and who is still expected.
    page = visible_text(client_for(make_client, u["manager"]).get(P(project) + f"/stages/{stage.id}?lang=en")
                        .get_data(as_text=True))
    assert "Approval rule: All executive sponsors" in page
    waiting = page.split("Waiting for: ", 1)[1][:20]
    assert "发起人乙" in waiting and "经理兼发起人" in waiting and "发起人甲" not in waiting
    # The same sponsor cannot vote twice.
    before = snapshot(db)
    again = vote(make_client, u["sponsor"], project, request_, "approved", "再次同意")
    assert again.status_code == 403 and "already decided" in again.get_data(as_text=True)
    assert snapshot(db) == before
    assert [item.request_id for item in services.pending_signoffs_for(u["sponsor"])] == []
    assert [item.request_id for item in services.pending_signoffs_for(u["sponsor2"])] == [request_.id]

    assert vote(make_client, u["sponsor2"], project, request_, "approved", "同意").status_code == 302
    assert pending(db, stage).status is RequestStatus.PENDING and decided_signals == []
    assert vote(make_client, u["both"], project, request_, "approved_with_conditions", "每周复盘").status_code == 302
    request_ = pending(db, stage)
    decision = request_.decision
    assert request_.status is RequestStatus.DECIDED
    assert decision.outcome is Outcome.APPROVED_WITH_CONDITIONS
    assert decision.comment.splitlines() == ["完成夜班培训", "清理重复客户", "每周复盘"]
    assert db.session.get(Stage, stage.id).status is StageStatus.APPROVED_WITH_CONDITIONS
    assert len(request_.votes) == 3 and decided_signals == [decision.id]
    assert db.session.scalar(select(func.count()).select_from(SignoffDecision)) == 1
    # The conditions follow-up (listening to signoff_decided) gets every approver's conditions.
    from planner.conditions.models import Condition

    assert db.session.scalars(select(Condition.text).where(Condition.decision_id == decision.id)
                              .order_by(Condition.position)).all() == ["完成夜班培训", "清理重复客户", "每周复盘"]


def test_a_chain_goes_in_order_and_tells_only_the_next_approver(team, make_client, db):
    project, _other, u, stage = team
    set_rule(make_client, u, project, "chain", [u["sponsor2"].id, u["sponsor"].id])
    assert request_signoff(make_client, u, project, stage).status_code == 302
    request_ = pending(db, stage)
    assert [a["id"] for a in request_.approvers] == [u["sponsor2"].id, u["sponsor"].id]
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "signoff_requested")).all()
    assert told == [u["sponsor2"].id]  # only the first approver is asked

    # Out of order: the second approver, and a sponsor outside the chain, are refused.
    before = snapshot(db)
    early = vote(make_client, u["sponsor"], project, request_)
    assert early.status_code == 403 and "it is 发起人乙" in early.get_data(as_text=True)
    outside = vote(make_client, u["both"], project, request_)
    assert outside.status_code == 403 and "you are not one of them" in outside.get_data(as_text=True)
    assert snapshot(db) == before
    gate = client_for(make_client, u["sponsor"]).get(P(project) + f"/stages/{stage.id}?lang=en").get_data(as_text=True)
    assert "Record the decision" not in gate and "Their turn now" in gate

    db.session.query(Notification).delete()
    db.session.commit()
    assert vote(make_client, u["sponsor2"], project, request_).status_code == 302
    request_ = pending(db, stage)
    assert request_.status is RequestStatus.PENDING
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "signoff_requested")).all()
    assert told == [u["sponsor"].id]  # the next approver, and nobody else
    assert vote(make_client, u["sponsor"], project, request_).status_code == 302
    request_ = pending(db, stage)
    assert request_.status is RequestStatus.DECIDED and request_.decision.outcome is Outcome.APPROVED
    assert [v.approver_id for v in request_.votes] == [u["sponsor2"].id, u["sponsor"].id]


def test_a_rejection_by_any_approver_ends_the_request(team, make_client, db, decided_signals):
    project, _other, u, stage = team
    set_rule(make_client, u, project, "all")
    request_signoff(make_client, u, project, stage)
    request_ = pending(db, stage)
    assert vote(make_client, u["sponsor"], project, request_).status_code == 302
    assert vote(make_client, u["sponsor2"], project, request_, "rejected", "夜班尚未培训").status_code == 302
    request_ = pending(db, stage)
    assert request_.status is RequestStatus.DECIDED and request_.decision.outcome is Outcome.REJECTED
    assert request_.decision.comment == "夜班尚未培训"
    assert db.session.get(Stage, stage.id).status is StageStatus.REJECTED
    late = vote(make_client, u["both"], project, request_)
    assert late.status_code == 409 and len(decided_signals) == 1


def test_the_rule_is_fixed_on_the_request_when_it_is_opened(team, make_client, db):
    project, _other, u, stage = team
    request_signoff(make_client, u, project, stage)
    set_rule(make_client, u, project, "all", stage=stage)  # a stage's own rule, set after the request
    assert db.session.scalar(select(ApprovalSetting.rule).where(ApprovalSetting.stage_id == stage.id)) == "all"
    request_ = pending(db, stage)
    assert request_.rule is ApprovalRule.ANY
    assert vote(make_client, u["sponsor"], project, request_).status_code == 302
    assert pending(db, stage).status is RequestStatus.DECIDED
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("approvals.%"))).all()
    assert events == ["approvals.stage_rule"]


def test_the_requester_who_is_a_sponsor_never_approves(team, make_client, db):
    project, _other, u, stage = team
    set_rule(make_client, u, project, "all")
    assert request_signoff(make_client, u, project, stage, by="both").status_code == 302
    request_ = pending(db, stage)
    assert u["both"].id not in [a["id"] for a in request_.approvers]
    before = snapshot(db)
    response = vote(make_client, u["both"], project, request_)
    assert response.status_code == 403 and "You requested this sign-off yourself" in response.get_data(as_text=True)
    assert snapshot(db) == before
    # A chain naming the requester cannot be opened by them.
    client = client_for(make_client, u["both"])
    client.post(P(project) + f"/requests/{request_.id}/withdraw", data={"version": str(_version(stage))})
    set_rule(make_client, u, project, "chain", [u["both"].id, u["sponsor"].id])
    before = snapshot(db)
    refused = client.post(P(project) + f"/stages/{stage.id}/request?lang=en",
                          data={"note": "", "version": str(_version(stage))}, follow_redirects=True)
    assert "nobody approves their own request" in refused.get_data(as_text=True)
    assert snapshot(db) == before


def test_a_chain_needs_active_sponsors_and_at_least_one_approver(team, make_client, db):
    project, _other, u, stage = team
    client = client_for(make_client, u["manager"])
    before = snapshot(db)
    empty = client.post(P(project) + "/approvals?lang=en", data={"rule": "chain"})
    assert empty.status_code == 200 and "Name at least one approver" in empty.get_data(as_text=True)
    staff = client.post(P(project) + "/approvals?lang=en", data={"rule": "chain", "chain-0": str(u["staff"].id)})
    assert staff.status_code == 200 and "Choose one of the options." in staff.get_data(as_text=True)
    twice = client.post(P(project) + "/approvals?lang=en",
                        data={"rule": "chain", "chain-0": str(u["sponsor"].id), "chain-1": str(u["sponsor"].id)})
    assert "only once" in twice.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApprovalSetting)) == 0
    assert snapshot(db) == before
    for role in ("sponsor", "staff"):
        assert client_for(make_client, u[role]).post(P(project) + "/approvals", data={"rule": "all"}).status_code == 403
    # Spanish and Chinese pages of the rule.
    for language, words in (("es", "Regla de aprobación"), ("zh", "审批规则")):
        assert words in client.get(P(project) + f"/approvals?lang={language}").get_data(as_text=True)


# --------------------------------------------------------------------------- stand-ins


def name_stand_in(make_client, sponsor, project, stand_in, first, last):
    client = client_for(make_client, sponsor)
    return client.post(P(project) + "/stand-ins?lang=en", data={
        "stand_in_id": str(stand_in.id), "starts_on": first.isoformat(), "ends_on": last.isoformat()})


def test_a_stand_in_within_the_dates_decides_in_the_sponsors_name(team, make_client, db):
    project, _other, u, stage = team
    request_signoff(make_client, u, project, stage)
    request_ = pending(db, stage)
    today = date_in_zone(utcnow(), "Asia/Shanghai")  # the sponsor's calendar
    db.session.query(Notification).delete()
    db.session.commit()
    assert name_stand_in(make_client, u["sponsor"], project, u["staff"], today, today + timedelta(days=2)
                         ).status_code == 302
    # The stand-in is told of the request waiting for the sponsor.
    assert db.session.scalars(select(Notification.user_id).where(Notification.kind == "signoff_requested")
                              ).all() == [u["staff"].id]
    assert [item.request_id for item in services.pending_signoffs_for(u["staff"])] == [request_.id]
    staff = client_for(make_client, u["staff"])
    gate = staff.get(P(project) + f"/stages/{stage.id}?lang=en").get_data(as_text=True)
    assert "Record the decision" in gate and "You decide for 发起人甲, as their stand-in" in gate
    response = vote(make_client, u["staff"], project, request_, "approved_with_conditions", "先培训夜班")
    assert response.status_code == 302
    request_ = pending(db, stage)
    assert request_.status is RequestStatus.DECIDED
    (cast,) = request_.votes
    assert (cast.approver_id, cast.voter_id, cast.by_stand_in) == (u["sponsor"].id, u["staff"].id, True)
    page = visible_text(staff.get(P(project) + f"/stages/{stage.id}?lang=en").get_data(as_text=True))
    assert "decided by 员工 for 发起人甲" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signoff.approved_with_conditions_for"))
    assert event.actor_id == u["staff"].id and event.data["sponsor"] == "发起人甲"
    log = visible_text(client_for(make_client, u["manager"]).get(f"/projects/{project.id}/audit?lang=en")
                       .get_data(as_text=True))
    assert "for 发起人甲, as their stand-in" in log
    with pytest.raises(DecisionImmutableError):
        cast.comment = "改过"
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("case", ["future", "past", "ended"])
def test_a_stand_in_outside_their_dates_is_refused(team, make_client, db, case):
    project, _other, u, stage = team
    request_signoff(make_client, u, project, stage)
    request_ = pending(db, stage)
    today = date_in_zone(utcnow(), "Asia/Shanghai")
    first, last = {"future": (today + timedelta(days=1), today + timedelta(days=5)),
                   "past": (today - timedelta(days=5), today - timedelta(days=1)),
                   "ended": (today - timedelta(days=1), today + timedelta(days=5))}[case]
    row = StandIn(project_id=project.id, sponsor_id=u["sponsor"].id, stand_in_id=u["staff"].id, starts_on=first,
                  ends_on=last, ended_at=utcnow() if case == "ended" else None)
    db.session.add(row)
    db.session.commit()
    before = snapshot(db)
    response = vote(make_client, u["staff"], project, request_, on_behalf_of=u["sponsor"].id)
    assert response.status_code == 403
    assert ("or a sponsor&#39;s stand-in within their dates" if case == "ended" else "You stand in for 发起人甲") \
        in response.get_data(as_text=True)
    assert snapshot(db) == before
    assert services.pending_signoffs_for(u["staff"]) == []
    gate = client_for(make_client, u["staff"]).get(P(project) + f"/stages/{stage.id}?lang=en").get_data(as_text=True)
    assert "Record the decision" not in gate


@pytest.mark.parametrize("role, status", [("staff", 403), ("manager", 403), ("outsider", 404)])
def test_staff_the_requester_and_a_sponsor_of_another_project_are_refused(team, make_client, db, role, status):
    project, other, u, stage = team
    request_signoff(make_client, u, project, stage)
    request_ = pending(db, stage)
    before = snapshot(db)
    assert vote(make_client, u[role], project, request_).status_code == status
    # A sponsor of the other project, with this request's id under their own project's address.
    client = client_for(make_client, u["outsider"])
    assert client.post(f"/projects/{other.id}/rollout/requests/{request_.id}/decide",
                       data={"outcome": "approved", "comment": "好", "version": "1"}).status_code == 404
    assert snapshot(db) == before


def test_a_sponsor_manages_their_own_stand_ins_and_managers_see_them(team, make_client, db):
    project, _other, u, stage = team
    today = date_in_zone(utcnow(), "Asia/Shanghai")
    before = snapshot(db)
    for stand_in, first, last, message in (
            (u["sponsor"], today, today, "Choose one of the options."),  # not offered: not themselves
            (u["outsider"], today, today, "Choose one of the options."),
            (u["staff"], today, today - timedelta(days=1), "cannot come before the first"),
            (u["staff"], today - timedelta(days=9), today - timedelta(days=2), "already passed")):
        response = name_stand_in(make_client, u["sponsor"], project, stand_in, first, last)
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    assert snapshot(db) == before
    assert name_stand_in(make_client, u["manager"], project, u["staff"], today, today).status_code == 403
    assert name_stand_in(make_client, u["staff"], project, u["sponsor"], today, today).status_code == 403
    assert name_stand_in(make_client, u["sponsor"], project, u["staff"], today, today + timedelta(days=3)
                         ).status_code == 302
    row = db.session.scalar(select(StandIn))
    manager_page = client_for(make_client, u["manager"]).get(P(project) + "/stand-ins?lang=en").get_data(as_text=True)
    assert "员工 for 发起人甲" in manager_page and "Standing in now" in manager_page
    # Only the sponsor who named the stand-in ends it.
    assert client_for(make_client, u["sponsor2"]).post(P(project) + f"/stand-ins/{row.id}/end").status_code == 403
    assert client_for(make_client, u["sponsor"]).post(P(project) + f"/stand-ins/{row.id}/end").status_code == 302
    db.session.expire_all()
    assert db.session.get(StandIn, row.id).ended_at is not None
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("approvals.stand_in%"))
                              ).all() == ["approvals.stand_in_added", "approvals.stand_in_ended"]
    request_signoff(make_client, u, project, stage)
    assert vote(make_client, u["staff"], project, pending(db, stage)).status_code == 403


# --------------------------------------------------------------------------- the API


def test_the_api_decides_under_the_same_rule_and_a_stand_in_can_decide(team, client, db):
    project, _other, u, stage = team
    from planner.rollout.services import approvals

    approvals.set_rule(project, None, ApprovalRule.ALL, by=u["manager"])
    db.session.commit()
    secrets = {name: tokens.create(u[name], "测试", TokenScope.WRITE, 30)[1]
               for name in ("manager", "sponsor", "sponsor2", "both", "staff")}
    db.session.commit()
    base = f"/api/v1/projects/{project.id}"
    stage_url = f"{base}/stages/{stage.id}"

    def headers(name):
        etag = client.get(stage_url, headers={"Authorization": f"Bearer {secrets[name]}"}).headers["ETag"]
        return {"Authorization": f"Bearer {secrets[name]}", "If-Match": etag}

    opened = client.post(f"{stage_url}/signoff-requests", json={"note": "请审批"}, headers=headers("manager"))
    assert opened.status_code == 201 and opened.get_json()["rule"] == "all"
    request_id = opened.get_json()["id"]
    decide_url = f"{base}/signoff-requests/{request_id}/decision"
    first = client.post(decide_url, json={"outcome": "approved", "comment": "同意"}, headers=headers("sponsor"))
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["status"] == "pending" and body["decision"] is None
    assert [(v["approver_name"], v["outcome"]) for v in body["votes"]] == [("发起人甲", "approved")]
    # Staff without a stand-in are refused; within the dates, the staff member decides for 发起人乙.
    assert client.post(decide_url, json={"outcome": "approved", "comment": "好"},
                       headers=headers("staff")).status_code == 403
    today = date_in_zone(utcnow(), u["sponsor2"].timezone)
    db.session.add(StandIn(project_id=project.id, sponsor_id=u["sponsor2"].id, stand_in_id=u["staff"].id,
                           starts_on=today, ends_on=today))
    db.session.commit()
    wrong = client.post(decide_url, json={"outcome": "approved", "comment": "好", "on_behalf_of": u["sponsor"].id},
                        headers=headers("staff"))
    assert wrong.status_code == 403
    second = client.post(decide_url, json={"outcome": "approved", "comment": "好", "on_behalf_of": u["sponsor2"].id},
                         headers=headers("staff"))
    assert second.status_code == 201 and second.get_json()["votes"][-1]["by_stand_in"] is True
    assert second.get_json()["status"] == "pending"
    third = client.post(decide_url, json={"outcome": "approved", "comment": "好"}, headers=headers("both"))
    assert third.status_code == 201 and third.get_json()["decision"]["outcome"] == "approved"
    listed = client.get(f"{base}/signoff-requests/{request_id}",
                        headers={"Authorization": f"Bearer {secrets['staff']}"})
    assert len(listed.get_json()["votes"]) == 3


# --------------------------------------------------------------------------- the demo


def test_the_demo_has_an_all_sponsors_request_half_approved_and_stand_ins(app, db):
    from planner import demo

    demo.load()
    requests = db.session.scalars(select(SignoffRequest).where(SignoffRequest.rule == ApprovalRule.ALL,
                                                               SignoffRequest.status == RequestStatus.PENDING)).all()
    assert len(requests) == 2
    for request_ in requests:
        assert len(request_.approvers) == 2 and len(request_.votes) == 1
    assert len([row for row in db.session.scalars(select(StandIn)) if services.approvals.stand_in_active(row)]) == 2
    chain = db.session.scalar(select(ApprovalSetting).where(ApprovalSetting.stage_id.is_(None)))
    assert chain.rule is ApprovalRule.CHAIN and len(chain.chain) == 2

    def counts():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (SignoffVote, StandIn, ApprovalSetting, SignoffRequest, AuditEvent)]

    before = counts()
    assert not [note for note in demo.load().created if note.startswith("approvals")]
    assert counts() == before


# --------------------------------------------------------------------------- reminders, history, lost approvers


def test_a_stand_in_whose_dates_begin_is_told_once_by_the_hourly_job(team, make_client, db):
    from planner.notifications import reminders

    project, _other, u, stage = team
    request_signoff(make_client, u, project, stage)
    request_ = pending(db, stage)
    today = date_in_zone(utcnow(), "Asia/Shanghai")
    # Named earlier for dates that begin today: nobody was told when it was named.
    db.session.add(StandIn(project_id=project.id, sponsor_id=u["sponsor"].id, stand_in_id=u["staff"].id,
                           starts_on=today, ends_on=today + timedelta(days=3)))
    db.session.commit()
    assert reminders.run(utcnow())["stand_in_notices"] == 1
    db.session.commit()
    told = db.session.scalars(select(Notification).where(Notification.user_id == u["staff"].id)).all()
    assert [(n.kind, n.params["request_id"]) for n in told] == [("signoff_requested", request_.id)]
    assert reminders.run(utcnow())["stand_in_notices"] == 0


def test_votes_are_history_in_the_database_too(team, make_client, db):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    project, _other, u, stage = team
    set_rule(make_client, u, project, "all")
    request_signoff(make_client, u, project, stage)
    assert vote(make_client, u["sponsor"], project, pending(db, stage)).status_code == 302
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE signoff_votes SET comment = '改过'"))
    db.session.rollback()
    db.session.execute(text("UPDATE signoff_votes SET voter_id = NULL, approver_id = NULL"))  # an account deleted
    db.session.rollback()


def test_a_required_approver_who_is_no_longer_a_sponsor_is_shown(team, make_client, db):
    from planner.projects.models import ProjectMember

    project, _other, u, stage = team
    set_rule(make_client, u, project, "all")
    request_signoff(make_client, u, project, stage)
    member = db.session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                           ProjectMember.user_id == u["sponsor2"].id))
    member.is_sponsor = False
    db.session.commit()
    page = client_for(make_client, u["manager"]).get(P(project) + f"/stages/{stage.id}?lang=en").get_data(as_text=True)
    assert "No longer an active executive sponsor" in page and "withdraws it and requests the sign-off again" in page
    assert vote(make_client, u["sponsor2"], project, pending(db, stage)).status_code == 403
