"""Conditions that are followed up, through HTTP: a decision "approved with conditions" gives one item
per line with its defaults; the items on the next gate, the overview and the owner's "My work";
closing with a note (owner, manager; refused to other staff, to another project's members and
without a note, changing nothing); the project setting that holds back the next sign-off (web and
API) until each condition is closed or carried over with a reason; the notifications, each to the
right people only and in their language, with a real SMTP server."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEvent
from planner.auth import tokens
from planner.auth.models import TokenScope, User
from planner.conditions import services as conditions
from planner.conditions.models import Condition, ConditionSettings, ConditionStatus
from planner.dates import date_in_zone
from planner.notifications import reminders
from planner.notifications.models import Notification
from planner.projects.access import membership_for
from planner.projects.models import ProjectMember
from planner.rollout.models import RequestStatus, SignoffDecision, SignoffRequest, StageStatus
from tests import rollout_factories as r
from tests.helpers import changes, database_state, visible_text
from tests.notification_fixtures import *  # noqa: F403 - the fixtures
from tests.notification_fixtures import client_for, recipients, request_signoff

CONDITIONS = "  - 完成夜班培训\n\n2. 修复客户卡片加载慢的问题\n   \n整理常见问题发给第一批推广团队"


def decide(make_client, project, stage, sponsor, outcome="approved_with_conditions", comment=CONDITIONS):
    request_ = _pending(stage)
    _refresh(stage)
    client = client_for(make_client, sponsor)
    response = client.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                           data={"outcome": outcome, "comment": comment, "version": str(stage.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return request_


def _pending(stage):
    from planner.extensions import db

    return db.session.scalar(select(SignoffRequest).where(SignoffRequest.stage_id == stage.id,
                                                          SignoffRequest.status == RequestStatus.PENDING))


def _refresh(*rows):
    from planner.extensions import db

    db.session.expire_all()
    for row in rows:
        db.session.refresh(row)


def items(db, project):
    db.session.expire_all()
    return list(db.session.scalars(select(Condition).where(Condition.project_id == project.id)
                                   .order_by(Condition.position)))


@pytest.fixture
def decided(team, make_client, db):
    """The pilot approved with three conditions (requested by the manager, decided by the Spanish
    sponsor); the first wave runs after it."""
    project, pilot, u = team
    wave = r.stage(project, name="第一批推广", status=StageStatus.ACTIVE, started=date.today(),
                   planned_start=date.today(), planned_end=date.today() + timedelta(days=40))
    request_signoff(make_client, project, pilot, u["manager"])
    decide(make_client, project, pilot, u["es"])
    return project, pilot, wave, u


def test_each_line_of_the_conditions_becomes_an_item_with_its_owner_and_due_date(decided, db):
    project, pilot, _wave, u = decided
    found = items(db, project)
    assert [c.text for c in found] == ["完成夜班培训", "修复客户卡片加载慢的问题", "整理常见问题发给第一批推广团队"]
    decision = db.session.scalar(select(SignoffDecision))
    manager = membership_for(project.id, u["manager"].id)
    decider = db.session.get(User, decision.decided_by_id)
    decided_on = date_in_zone(decision.decided_at, decider.timezone)  # the decider's calendar, not UTC's
    assert {(c.owner_id, c.due_date, c.status, c.stage_id, c.decision_id) for c in found} == {
        (manager.id, decided_on + timedelta(days=conditions.DEFAULT_DUE_DAYS),
         ConditionStatus.OPEN, pilot.id, decision.id)}
    assert decision.comment.startswith("- 完成夜班培训")  # the decision keeps the comment as written


def test_other_outcomes_record_no_condition_and_a_departed_requester_hands_them_to_a_manager(
        team, make_client, db):
    project, pilot, u = team
    request_signoff(make_client, project, pilot, u["manager"])
    decide(make_client, project, pilot, u["es"], outcome="rejected", comment="先完成培训\n再申请")
    assert items(db, project) == []
    # A second manager; the requester leaves (an inactive account) before the decision.
    membership_for(project.id, u["agent"].id).is_manager = True
    db.session.commit()
    _refresh(pilot)
    request_signoff(make_client, project, pilot, u["manager"])
    u["manager"].active = False
    db.session.commit()
    decide(make_client, project, pilot, u["es"], comment="完成夜班培训")
    (only,) = items(db, project)
    assert only.owner_id == membership_for(project.id, u["agent"].id).id


def test_the_decision_form_says_one_condition_per_line(team, make_client, db):
    project, pilot, u = team
    request_signoff(make_client, project, pilot, u["manager"])
    page = client_for(make_client, u["es"]).get(f"/projects/{project.id}/rollout/stages/{pilot.id}")
    assert "una condición por línea" in page.get_data(as_text=True)


def test_the_conditions_are_listed_on_the_next_gate_the_overview_and_the_owners_page(decided, make_client, db):
    project, pilot, wave, u = decided
    first = items(db, project)[0]
    manager = client_for(make_client, u["manager"])
    # The manager hands the first one to a member of the staff, due yesterday (audited).
    agent = membership_for(project.id, u["agent"].id)
    response = manager.post(f"/projects/{project.id}/conditions/{first.id}/edit",
                            data={"owner": str(agent.id), "due_date": (date.today() - timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == first.id,
                                                             AuditEvent.target_type == "Condition")) \
        == "conditions.changed"

    gate = manager.get(f"/projects/{project.id}/rollout/stages/{wave.id}?lang=en").get_data(as_text=True)
    text = visible_text(gate)
    assert "Conditions to follow up" in text and "修复客户卡片加载慢的问题" in text and "客服代表" in text
    assert f'id="condition-{first.id}"' in gate and "condition-overdue" in gate
    # The pilot's own gate does not list them: they follow the stage that was approved.
    pilot_gate = manager.get(f"/projects/{project.id}/rollout/stages/{pilot.id}").get_data(as_text=True)
    assert "修复客户卡片加载慢的问题" not in visible_text(pilot_gate.split("history-title")[0])

    overview = manager.get(f"/projects/{project.id}?lang=zh").get_data(as_text=True)
    assert "待跟进的条件" in overview and "完成夜班培训" in overview and "condition-overdue" in overview
    assert "逾期" in visible_text(overview)

    staff = client_for(make_client, u["agent"])
    mine = visible_text(staff.get("/my-work?lang=zh").get_data(as_text=True))
    assert "您待跟进的条件" in mine and "完成夜班培训" in mine and "修复客户卡片加载慢的问题" not in mine


def test_a_condition_is_closed_with_a_note_by_its_owner_or_a_manager(decided, make_client, db):
    project, _pilot, wave, u = decided
    first, second, third = items(db, project)
    first.owner_id = membership_for(project.id, u["agent"].id).id
    db.session.commit()
    owner = client_for(make_client, u["agent"])
    response = owner.post(f"/projects/{project.id}/conditions/{first.id}/close",
                          data={"note": "夜班二十人已完成培训", "back": "gate", "stage": str(wave.id)})
    assert response.status_code == 302 and f"/rollout/stages/{wave.id}" in response.headers["Location"]
    manager = client_for(make_client, u["manager"])
    response = manager.post(f"/projects/{project.id}/conditions/{second.id}/close",
                            data={"note": "已增加缓存", "back": "overview"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/projects/{project.id}#panel-conditions")
    first, second, third = items(db, project)
    assert (first.status, first.closing_note, first.closed_by_id) == (ConditionStatus.CLOSED, "夜班二十人已完成培训",
                                                                      u["agent"].id)
    assert first.closed_at is not None and second.closed_by_id == u["manager"].id
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "conditions.closed")) == 2
    page = visible_text(manager.get(f"/projects/{project.id}/conditions?lang=en").get_data(as_text=True))
    assert "Closed by 客服代表" in page and "夜班二十人已完成培训" in page


def test_closing_is_refused_to_others_and_without_a_note_changing_nothing(decided, make_client, db):
    project, _pilot, _wave, u = decided
    _first, _second, third = items(db, project)
    url = f"/projects/{project.id}/conditions/{third.id}/close"
    # Staff who does not own it; a sponsor; an administrator who is not a member; a member of another project.
    others = [client_for(make_client, u[key]) for key in ("sales", "zh", "admin")]
    outsider = client_for(make_client, u["outsider"])
    manager = client_for(make_client, u["manager"])
    theirs = db.session.scalar(select(ProjectMember.project_id).where(ProjectMember.user_id == u["outsider"].id))
    manager.get(f"/projects/{project.id}/conditions?lang=es")  # the manager now reads Spanish
    before = database_state(db)
    for client in others:
        assert client.post(url, data={"note": "完成了"}).status_code == 403
    # The outsider, with our ids or their project's.
    assert outsider.post(url, data={"note": "完成了"}).status_code == 404
    assert outsider.post(f"/projects/{theirs}/conditions/{third.id}/close", data={"note": "完成了"}).status_code == 404
    assert outsider.get(f"/projects/{theirs}/conditions/{third.id}/edit").status_code == 404
    assert outsider.post(f"/projects/{theirs}/conditions/{third.id}/carry-over",
                         data={"reason": "不需要"}).status_code == 404
    # The manager without a note: the translated error under the field.
    response = manager.post(url, data={"note": "   "})
    assert response.status_code == 400
    assert "Escribe una nota de cierre" in response.get_data(as_text=True)
    assert changes(before, database_state(db)) == []


def flashed(client) -> str:
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.pop("_flashes", []))


def test_the_setting_holds_back_the_next_request_until_each_condition_is_closed_or_carried_over(
        decided, make_client, db):
    project, _pilot, wave, u = decided
    first, second, third = items(db, project)
    manager = client_for(make_client, u["manager"])
    assert manager.post(f"/projects/{project.id}/conditions/setting", data={"block_next_signoff": "y"}
                        ).status_code == 302
    assert db.session.get(ConditionSettings, project.id).block_next_signoff is True
    assert "conditions.setting_on" in db.session.scalars(select(AuditEvent.action)).all()
    manager.post(f"/projects/{project.id}/conditions/{first.id}/close", data={"note": "已完成"})

    _refresh(wave)
    manager.get(f"/projects/{project.id}/conditions?lang=es")  # the manager now reads Spanish
    url = f"/projects/{project.id}/rollout/stages/{wave.id}/request"
    before = database_state(db)
    assert manager.post(url, data={"version": str(wave.version), "note": "请审阅"}).status_code == 302
    message = flashed(manager)
    assert "Siguen abiertas" in message and "«修复客户卡片加载慢的问题» (Paula Manager" in message
    assert "整理常见问题" in message and "完成夜班培训" not in message  # the closed one is not named
    assert changes(before, database_state(db)) == []
    _refresh(wave)
    assert wave.status == StageStatus.ACTIVE
    # The overview says so too, instead of "the sign-off can be requested".
    overview = visible_text(manager.get(f"/projects/{project.id}").get_data(as_text=True))
    assert "Antes hay que cerrar o aplazar 2 condiciones abiertas de etapas anteriores." in overview

    # A carry-over needs its reason.
    carry = f"/projects/{project.id}/conditions/{second.id}/carry-over"
    assert manager.post(carry, data={"reason": ""}).status_code == 400
    staff = client_for(make_client, u["agent"])
    assert staff.post(carry, data={"reason": "下一阶段继续"}).status_code == 403
    assert manager.post(carry, data={"reason": "缓存方案下月上线，不影响本阶段", "back": "gate",
                                     "stage": str(wave.id)}).status_code == 302
    manager.post(url, data={"version": str(wave.version)})
    still = flashed(manager)
    assert "整理常见问题" in still and "修复客户卡片" not in still
    manager.post(f"/projects/{project.id}/conditions/{third.id}/carry-over", data={"reason": "随推广继续整理"})

    _refresh(wave)
    assert manager.post(url, data={"version": str(wave.version)}).status_code == 302
    _refresh(wave)
    assert wave.status == StageStatus.AWAITING_SIGNOFF
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "conditions.carried_over")) == 2
    gate = manager.get(f"/projects/{project.id}/rollout/stages/{wave.id}?lang=en").get_data(as_text=True)
    assert gate.count('data-status="carried_over"') == 2 and "缓存方案下月上线" in gate


def test_the_api_request_is_refused_the_same_way(decided, client, db):
    project, _pilot, wave, u = decided
    db.session.add(ConditionSettings(project_id=project.id, block_next_signoff=True))
    secret = tokens.create(u["manager"], "测试", TokenScope.WRITE, 30)[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "zh"}
    stage_url = f"/api/v1/projects/{project.id}/stages/{wave.id}"
    etag = client.get(stage_url, headers=headers).headers["ETag"]
    refused = client.post(stage_url + "/signoff-requests", json={"note": "请审阅"},
                          headers={**headers, "If-Match": etag})
    assert refused.status_code == 422
    detail = refused.get_json()["detail"]
    assert "仍未关闭" in detail and "完成夜班培训" in detail
    assert db.session.scalar(select(func.count()).select_from(SignoffRequest).where(
        SignoffRequest.stage_id == wave.id)) == 0
    for condition in items(db, project):
        condition.status = ConditionStatus.CLOSED
    db.session.commit()
    etag = client.get(stage_url, headers=headers).headers["ETag"]
    assert client.post(stage_url + "/signoff-requests", json={"note": "请审阅"},
                       headers={**headers, "If-Match": etag}).status_code == 201


def test_the_owner_is_told_in_their_language_and_the_closing_reaches_the_requester_and_managers(
        team, mailbox, make_client, db):
    project, pilot, u = team
    request_signoff(make_client, project, pilot, u["manager"])
    mailbox.clear()
    decide(make_client, project, pilot, u["es"], comment="完成夜班培训")
    (only,) = items(db, project)
    assert recipients(db, "condition_assigned") == {u["manager"].id}  # the requester owns it by default
    assigned = [m for m in mailbox if "made you the owner" in m.subject]
    assert [m.to for m in assigned] == [["pm@example.com"]]
    assert assigned[0].subject.startswith("Lucía Ortega made you the owner of a condition")
    mailbox.clear()

    # Handed to the Chinese sponsor: told in Chinese, and nobody else.
    manager = client_for(make_client, u["manager"])
    wei = membership_for(project.id, u["zh"].id)
    manager.post(f"/projects/{project.id}/conditions/{only.id}/edit",
                 data={"owner": str(wei.id), "due_date": (date.today() + timedelta(days=5)).isoformat()})
    db.session.expire_all()
    assert set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "condition_assigned"))) == {u["manager"].id, u["zh"].id}
    assert [m.to for m in mailbox] == [["wei@example.com"]] and "已指定您负责" in mailbox[0].subject
    mailbox.clear()

    client_for(make_client, u["zh"]).post(f"/projects/{project.id}/conditions/{only.id}/close",
                                          data={"note": "二十人已完成培训"})
    # The requester and the managers (here one person), never the one who closed it, never another project.
    assert recipients(db, "condition_closed") == {u["manager"].id}
    note = db.session.scalar(select(Notification).where(Notification.kind == "condition_closed"))
    from planner.notifications import kinds
    from planner.notifications.reader import reading_as

    with reading_as(u["manager"]):
        assert kinds.text(note).startswith("王伟 closed the condition “完成夜班培训”")


def test_conditions_due_tomorrow_and_just_overdue_are_told_once_to_their_owner(decided, db):
    project, _pilot, _wave, u = decided
    first, second, third = items(db, project)
    zh = membership_for(project.id, u["zh"].id)
    now = datetime(2026, 3, 5, 1, 5, tzinfo=UTC)  # 09:05 on the 5th in Shanghai
    first.owner_id, first.due_date = zh.id, date(2026, 3, 6)
    second.owner_id, second.due_date = zh.id, date(2026, 3, 4)
    third.owner_id, third.due_date = zh.id, date(2026, 3, 4)
    third.status = ConditionStatus.CLOSED
    db.session.commit()
    assert reminders.run(now)["condition_reminders"] == 2
    db.session.commit()
    assert reminders.run(now + timedelta(hours=2))["condition_reminders"] == 0  # not twice the same day
    db.session.commit()
    told = db.session.execute(select(Notification.user_id, Notification.kind, Notification.params).where(
        Notification.kind.in_(("condition_due_soon", "condition_overdue")))).all()
    assert sorted((row.user_id, row.kind, row.params["condition_id"]) for row in told) == sorted([
        (u["zh"].id, "condition_due_soon", first.id), (u["zh"].id, "condition_overdue", second.id)])
    assert all(row.params["stage"] == "试点" for row in told)


def test_the_rule_is_stated_on_the_conditions_page(decided, make_client, db):
    project, _pilot, _wave, u = decided
    page = visible_text(client_for(make_client, u["agent"]).get(f"/projects/{project.id}/conditions?lang=en")
                        .get_data(as_text=True))
    assert f"it is due {conditions.DEFAULT_DUE_DAYS} days after the decision" in page
    assert "can be requested while conditions are still open" in page  # staff read the setting, not change it
    assert "Close…" not in page  # the agent owns none of them


def test_line_markers_are_dropped_and_blank_lines_ignored():
    assert conditions.condition_lines("- 一\n* 二\n• 三\n1) 四\n2、五\n\n 1.5% uplift \n") == [
        "一", "二", "三", "四", "五", "1.5% uplift"]
    assert conditions.condition_lines("  \n\n") == []


def test_staff_cannot_change_a_condition_nor_the_setting(decided, make_client, db):
    project, _pilot, _wave, u = decided
    first = items(db, project)[0]
    staff = client_for(make_client, u["agent"])
    manager = client_for(make_client, u["manager"])
    before = database_state(db)
    assert staff.post(f"/projects/{project.id}/conditions/{first.id}/edit",
                      data={"owner": "1", "due_date": "2027-01-01"}).status_code == 403
    assert staff.post(f"/projects/{project.id}/conditions/setting", data={"block_next_signoff": "y"}
                      ).status_code == 403
    outsider_member = db.session.scalar(select(func.max(ProjectMember.id)))
    response = manager.post(f"/projects/{project.id}/conditions/{first.id}/edit?lang=en",
                            data={"owner": str(outsider_member + 1000), "due_date": "2027-01-01"})
    assert response.status_code == 400 and "Choose a member of the project as the owner." in response.get_data(
        as_text=True)
    assert changes(before, database_state(db)) == []


def test_the_daily_digest_lists_the_owners_overdue_conditions_in_their_language(decided, mailbox, db):
    project, _pilot, _wave, u = decided
    first, second, _third = items(db, project)
    zh = membership_for(project.id, u["zh"].id)
    first.owner_id, first.due_date = zh.id, date(2026, 3, 1)
    second.owner_id, second.due_date = zh.id, date(2026, 3, 9)  # not due yet on the 5th
    db.session.commit()
    mailbox.clear()
    reminders.run(datetime(2026, 3, 5, 1, 5, tzinfo=UTC))  # 09:05 on the 5th in Shanghai
    db.session.commit()
    digest = [m for m in mailbox if m.to == ["wei@example.com"]]
    assert len(digest) == 1
    assert "您已逾期的审批条件" in digest[0].text and "完成夜班培训" in digest[0].text
    assert "修复客户卡片加载慢的问题" not in digest[0].text
    assert f"/projects/{project.id}/conditions" in digest[0].text
    reminders.run(datetime(2026, 3, 5, 3, 5, tzinfo=UTC))
    db.session.commit()
    assert len([m for m in mailbox if m.to == ["wei@example.com"]]) == 1  # once a day
