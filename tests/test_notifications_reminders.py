"""Reminders and the daily digest by the clock, with a real SMTP server: sent on the right day and at
the right hour of each recipient's time zone, never twice for the same day, each in its reader's
language; overdue tasks in the digest; the project's reminder interval."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from planner.change.models import ChangeTask, TaskCategory, TaskStatus
from planner.notifications import reminders
from planner.notifications.models import Delivery, DeliveryChoice, Notification, ProjectReminders, ReminderSent
from planner.projects.access import membership_for
from planner.rollout.models import SignoffRequest
from tests.helpers import visible_text
from tests.notification_fixtures import *  # noqa: F403 - the fixtures
from tests.notification_fixtures import BASE, client_for, request_signoff

REQUESTED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai, 04:00 in Mexico City


def at(day, hour, minute=5):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def pending(team, mailbox, make_client, db):
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    request_ = db.session.scalar(select(SignoffRequest))
    request_.requested_at = REQUESTED
    db.session.commit()
    mailbox.clear()
    return project, stage, u, request_


def reminded(db):
    db.session.expire_all()
    return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == "signoff_reminder")))


def run(db, now):
    counts = reminders.run(now)
    db.session.commit()
    return counts


def test_a_pending_sign_off_is_recalled_after_three_days_on_each_readers_calendar(pending, mailbox, db):
    _project, _stage, u, _request = pending
    assert run(db, at(4, 23, 30))["signoff_reminders"] == 0  # 07:30 on the 5th in Shanghai: before 08:00
    run(db, at(5, 0))  # 08:05 on the 5th in Shanghai; still the 4th in Mexico City and (00:05) early in UTC
    assert reminded(db) == [u["zh"].id]
    chinese = [m for m in mailbox if m.to == ["wei@example.com"]]
    assert len(chinese) == 1 and "已等待 3 天" in chinese[0].subject
    assert f"{BASE}/projects/" in chinese[0].text
    run(db, at(5, 0, 50))
    assert reminded(db) == [u["zh"].id]  # not twice the same day
    run(db, at(5, 14))  # 08:05 in Mexico City and 14:05 in UTC: the Spanish sponsor and the requester
    assert reminded(db) == sorted([u["zh"].id, u["es"].id, u["manager"].id, u["quiet"].id])
    spanish = [m for m in mailbox if m.to == ["lucia@example.com"]]
    assert len(spanish) == 1 and "lleva 3 días pendiente" in spanish[0].subject
    assert "has been waiting for 3 days" in next(m for m in mailbox if m.to == ["pm@example.com"]).subject
    for day in (6, 7):
        run(db, at(day, 23))
    assert len(reminded(db)) == 4  # days 4 and 5 are not multiples of 3
    run(db, at(8, 23))  # the 6th day everywhere (the 9th, 07:05, in Shanghai: not yet its hour)
    assert reminded(db).count(u["es"].id) == 2 and reminded(db).count(u["zh"].id) == 1
    run(db, at(9, 1))
    assert reminded(db).count(u["zh"].id) == 1  # the 9th in Shanghai is the 7th day
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == len(reminded(db))
    # Never someone outside the project, never the staff, never an inactive account.
    assert not {u["agent"].id, u["sales"].id, u["outsider"].id, u["gone"].id} & set(reminded(db))


def test_the_reminder_follows_the_projects_interval_and_the_persons_hour(pending, db):
    project, _stage, u, _request = pending
    db.session.add(ProjectReminders(project_id=project.id, signoff_days=5))
    from planner.notifications.models import DigestSetting

    db.session.add(DigestSetting(user_id=u["es"].id, hour=17))
    db.session.commit()
    run(db, at(5, 23))
    assert reminded(db) == []
    run(db, at(7, 16))  # the 7th: 5 days; 10:05 in Mexico City, before Lucía's 17:00
    assert u["es"].id not in reminded(db) and u["zh"].id not in reminded(db) and u["manager"].id in reminded(db)
    run(db, at(7, 23))  # 17:05 in Mexico City
    assert u["es"].id in reminded(db)


def test_a_decided_request_is_not_recalled(pending, make_client, db):
    project, stage, u, request_ = pending
    db.session.refresh(stage)
    client_for(make_client, u["zh"]).post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                                          data={"outcome": "approved", "version": str(stage.version)})
    run(db, at(5, 23))
    assert reminded(db) == []


def test_the_daily_digest_comes_once_at_the_readers_hour_with_overdue_tasks(team, mailbox, make_client, db):
    project, stage, u = team
    db.session.add(DeliveryChoice(user_id=u["es"].id, kind="signoff_requested", delivery=Delivery.DIGEST))
    owner = membership_for(project.id, u["es"].id)
    db.session.add(ChangeTask(project_id=project.id, title="Formar al equipo de ventas", owner_id=owner.id,
                              due_date=date(2026, 3, 1), status=TaskStatus.OPEN, category=TaskCategory.TRAINING))
    db.session.add(ChangeTask(project_id=project.id, title="Tarea terminada", owner_id=owner.id,
                              due_date=date(2026, 2, 1), status=TaskStatus.DONE, category=TaskCategory.TRAINING))
    db.session.commit()
    request_signoff(make_client, project, stage, u["manager"])
    assert [m.to for m in mailbox] == [["wei@example.com"]]  # Lucía chose the digest: no mail at once
    mailbox.clear()
    assert run(db, at(5, 13))["digests"] == 0  # 07:05 in Mexico City
    run(db, at(5, 14))
    digest = [m for m in mailbox if m.to == ["lucia@example.com"]]
    assert len(digest) == 1
    text = digest[0].text
    assert digest[0].subject.startswith("Tu resumen de Rollout del 5 de marzo de 2026")
    assert "te pide la aprobación" in text and "Formar al equipo de ventas" in text and "Tarea terminada" not in text
    assert "vence el 1 mar 2026" in text
    assert re.search(re.escape(BASE) + r"/projects/\d+/change/tasks/\d+", text)
    run(db, at(5, 23))
    assert len([m for m in mailbox if m.to == ["lucia@example.com"]]) == 1  # once a day
    run(db, at(6, 14))  # the next day: the overdue task again, the notification not again
    second = [m for m in mailbox if m.to == ["lucia@example.com"]][1].text
    assert "Formar al equipo de ventas" in second and "te pide la aprobación" not in second
    # Nobody else got a digest: the others' tasks are not overdue and they chose no digest.
    assert {m.to[0] for m in mailbox} == {"lucia@example.com"}


def test_tasks_due_tomorrow_and_just_overdue_are_told_once_to_their_owner(team, mailbox, db):
    project, _stage, u = team
    owner = membership_for(project.id, u["zh"].id)
    soon = ChangeTask(project_id=project.id, title="培训客服", owner_id=owner.id, due_date=date(2026, 3, 6),
                      category=TaskCategory.TRAINING)
    late = ChangeTask(project_id=project.id, title="更新话术", owner_id=owner.id, due_date=date(2026, 3, 4),
                      category=TaskCategory.TRAINING)
    db.session.add_all([soon, late])
    db.session.commit()
    run(db, at(5, 0))  # 08:05 on the 5th in Shanghai
    run(db, at(5, 3))
    db.session.expire_all()
    kinds = sorted(db.session.scalars(select(Notification.kind).where(Notification.user_id == u["zh"].id)))
    assert kinds == ["task_due_soon", "task_overdue"]


def test_a_project_manager_sets_the_interval_and_others_may_not(team, make_client, db):
    project, _stage, u = team
    pm = client_for(make_client, u["manager"])
    assert 'value="3"' in pm.get(f"/projects/{project.id}/reminders").get_data(as_text=True)
    assert pm.post(f"/projects/{project.id}/reminders", data={"signoff_days": "7"}).status_code == 302
    assert db.session.get(ProjectReminders, project.id).signoff_days == 7
    refused = pm.post(f"/projects/{project.id}/reminders?lang=es", data={"signoff_days": "0"})
    assert refused.status_code == 200 and "60" in visible_text(refused.get_data(as_text=True))
    for who in ("es", "agent"):
        assert client_for(make_client, u[who]).post(f"/projects/{project.id}/reminders",
                                                    data={"signoff_days": "1"}).status_code == 403
    assert client_for(make_client, u["outsider"]).get(f"/projects/{project.id}/reminders").status_code == 404
    db.session.expire_all()
    assert db.session.get(ProjectReminders, project.id).signoff_days == 7


def test_the_survey_of_a_stage_is_announced_to_its_team_and_recalled_once_to_who_has_not_answered(
        team, mailbox, make_client, make_user, add_member, db):
    from planner.feedback.models import DIMENSIONS, SurveyLink

    project, stage, u = team
    other_agent = make_user(email="agent2@example.com", name="客服代表乙", language="zh", timezone="Asia/Shanghai")
    add_member(project, other_agent, team="客服")
    db.session.add(DeliveryChoice(user_id=other_agent.id, kind="survey_open", delivery=Delivery.EMAIL))
    db.session.commit()
    pm = client_for(make_client, u["manager"])
    assert pm.post(f"/projects/{project.id}/feedback/links", data={"stage_id": str(stage.id), "label": "试点调查",
                                                                   "max_answers": ""}).status_code == 302
    db.session.expire_all()
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "survey_open")))
    assert told == {u["agent"].id, other_agent.id}  # the stage's team only
    [mail] = mailbox
    assert mail.to == ["agent2@example.com"] and "采用情况调查已开放" in mail.subject
    link = db.session.scalar(select(SurveyLink))
    link.created_at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    db.session.commit()
    agent = client_for(make_client, u["agent"])
    answer = agent.post(f"/projects/{project.id}/feedback/give",
                        data={"stage_id": str(stage.id), **{d.value: "4" for d in DIMENSIONS}, "comment": ""})
    assert answer.status_code == 302
    mailbox.clear()
    run(db, at(4, 1))  # 09:05 on the 4th in Shanghai: two days only
    run(db, at(5, 1))
    run(db, at(6, 1))
    db.session.expire_all()
    reminded_ = list(db.session.scalars(select(Notification.user_id).where(Notification.kind == "survey_reminder")))
    assert reminded_ == [other_agent.id]  # once, to who has not answered, in the app only
    assert mailbox == []
    text = visible_text(client_for(make_client, other_agent).get("/notifications").get_data(as_text=True))
    assert "如果您已经填写，无需再做任何操作" in text
    # Nobody else sees who was reminded: not the manager's notifications, nor the outbox.
    assert "客服代表乙" not in visible_text(pm.get("/notifications").get_data(as_text=True))


def test_the_digests_unsubscribe_link_stops_the_digest_only(team, mailbox, make_client, db):
    project, stage, u = team
    for kind in ("signoff_requested", "signoff_withdrawn"):
        db.session.add(DeliveryChoice(user_id=u["es"].id, kind=kind, delivery=Delivery.DIGEST))
    db.session.commit()
    request_signoff(make_client, project, stage, u["manager"])
    mailbox.clear()
    run(db, at(5, 14))
    [digest] = [m for m in mailbox if m.to == ["lucia@example.com"]]
    path = re.search(re.escape(BASE) + r"(/notifications/unsubscribe/\S+)", digest.text).group(1)
    anonymous = make_client()
    assert "El resumen diario" in anonymous.get(path + "?lang=es").get_data(as_text=True)
    assert anonymous.post(path).status_code == 200
    db.session.expire_all()
    chosen = {c.kind: c.delivery for c in db.session.scalars(select(DeliveryChoice).where(
        DeliveryChoice.user_id == u["es"].id))}
    assert chosen["signoff_requested"] == chosen["signoff_withdrawn"] == Delivery.APP
    assert chosen["task_overdue"] == chosen["task_due_soon"] == chosen["survey_open"] == Delivery.APP
    assert "signoff_decided" not in chosen  # still its default, e-mail at once
