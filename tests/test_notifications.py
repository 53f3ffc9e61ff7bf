"""Notifications and e-mail through a real SMTP server (aiosmtpd): who is told of each sign-off event
(and who is not), in their own language and time zone, with a link that works; the bell and its page;
each person's choices and the one-time unsubscribe link; failures retried and nothing lost; the outbox."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from planner.change.models import ChangeTask
from planner.db import utcnow
from planner.notifications import outbox
from planner.notifications.kinds import KINDS
from planner.notifications.models import Delivery, DeliveryChoice, MailState, Notification, OutboxMail
from planner.notifications.tasks import send_due_mail
from planner.projects.access import membership_for
from planner.rollout.models import RequestStatus, SignoffRequest, StageStatus
from tests import rollout_factories as r
from tests.helpers import visible_text
from tests.mail_server import free_port, smtp_server
from tests.notification_fixtures import *  # noqa: F403 - the fixtures and helpers
from tests.notification_fixtures import BASE, client_for, link_in, recipients, request_signoff

# --------------------------------------------------------------------------- who is told


def test_a_request_reaches_each_eligible_approver_and_only_them_in_their_language(team, mailbox, make_client, db):
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    # In the app: every active sponsor but the requester, including the one who wants no e-mail.
    assert recipients(db, "signoff_requested") == {u["es"].id, u["zh"].id, u["quiet"].id}
    # By e-mail: only those who chose it (the default), through the SMTP server.
    by_address = {m.to[0]: m for m in mailbox}
    assert set(by_address) == {"lucia@example.com", "wei@example.com"}
    spanish, chinese = by_address["lucia@example.com"], by_address["wei@example.com"]
    assert "Paula Manager te pide" in spanish.subject and "试点" in spanish.subject
    assert "Hola Lucía Ortega" in spanish.text and "Abrir en Rollout" in spanish.html
    assert "请您审批" in chinese.subject and "王伟，您好" in chinese.text
    assert spanish.message.is_multipart() and spanish.html and spanish.text
    assert spanish.message["List-Unsubscribe"].strip().startswith(f"<{BASE}/notifications/unsubscribe/")
    # Dates in each reader's time zone.
    assert "UTC+8" in chinese.text and "UTC\u22126" in spanish.text
    # The link leads to the gate, where the sponsor can decide.
    link = link_in(chinese.text)
    assert link == f"{BASE}/projects/{project.id}/rollout/stages/{stage.id}" and link in chinese.html
    page = client_for(make_client, u["zh"]).get(link.removeprefix(BASE))
    assert page.status_code == 200 and "批准" in page.get_data(as_text=True)
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [row.state for row in rows] == [MailState.SENT, MailState.SENT] and {r.attempts for r in rows} == {1}


def test_a_decision_reaches_the_requester_the_managers_and_the_stages_team(team, mailbox, make_client, db):
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    mailbox.clear()
    request_ = db.session.scalar(select(SignoffRequest))
    sponsor = client_for(make_client, u["es"])
    response = sponsor.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                            data={"outcome": "approved_with_conditions", "comment": "先培训销售团队",
                                  "version": str(stage.version)})
    assert response.status_code == 302
    # The requester (a manager) and the team in the stage's scope; not the decider, not other staff.
    assert recipients(db, "signoff_decided") == {u["manager"].id, u["agent"].id}
    assert {m.to[0] for m in mailbox} == {"pm@example.com", "agent@example.com"}
    # (The requester also owns the condition now: planner/conditions tells them in a mail of its own.)
    by_address = {m.to[0]: m for m in mailbox if m.subject.startswith("Lucía Ortega") or "有条件批准" in m.subject}
    assert "Lucía Ortega decided on the stage “试点”" in by_address["pm@example.com"].subject
    assert "Approved with conditions" in by_address["pm@example.com"].subject
    assert "有条件批准" in by_address["agent@example.com"].subject


def test_a_withdrawal_is_shown_in_the_app_to_the_approvers(team, mailbox, make_client, db):
    project, stage, u = team
    pm = request_signoff(make_client, project, stage, u["manager"])
    mailbox.clear()
    request_ = db.session.scalar(select(SignoffRequest))
    db.session.refresh(stage)
    pm.post(f"/projects/{project.id}/rollout/requests/{request_.id}/withdraw", data={"version": str(stage.version)})
    db.session.expire_all()
    assert request_.status == RequestStatus.WITHDRAWN
    assert recipients(db, "signoff_withdrawn") == {u["es"].id, u["zh"].id, u["quiet"].id}
    assert mailbox == []  # in the app only, unless someone chose e-mail


def test_a_refused_request_tells_nobody(team, mailbox, make_client, db):
    project, stage, u = team
    staff = client_for(make_client, u["agent"])
    assert staff.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request",
                      data={"version": str(stage.version)}).status_code == 403
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request", data={"version": "999"})  # stale
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0 and mailbox == []


# --------------------------------------------------------------------------- the bell and its page


def test_the_bell_counts_unread_and_the_page_marks_them_read(team, make_client, db):
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    zh = client_for(make_client, u["zh"])
    page = zh.get("/projects")
    bell = r'href="/notifications"[^>]*>.*?<span class="nav-label">通知</span>\s*<span class="badge[^"]*">1</span>'
    assert re.search(bell, page.get_data(as_text=True), re.S)
    listing = visible_text(zh.get("/notifications").get_data(as_text=True))
    assert "Paula Manager 请您审批" in listing and "新" in listing
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC\+8", listing)  # to the minute
    assert not re.search(r"\d:\d{2}:\d{2}", listing)
    mine = db.session.scalar(select(Notification).where(Notification.user_id == u["zh"].id))
    opened = zh.get(f"/notifications/{mine.id}")
    assert opened.status_code == 302 and opened.location.endswith(f"/projects/{project.id}/rollout/stages/{stage.id}")
    db.session.expire_all()
    assert mine.read_at is not None
    es = client_for(make_client, u["es"])
    assert es.post("/notifications/read-all").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == u["es"].id, Notification.read_at.is_(None))) == 0
    # The others' notifications are untouched.
    quiet = db.session.scalar(select(Notification).where(Notification.user_id == u["quiet"].id))
    assert quiet.read_at is None


def test_nobody_reads_or_marks_someone_elses_notification(team, make_client, db):
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == u["zh"].id))
    for who in ("es", "outsider", "admin"):
        client = client_for(make_client, u[who])
        assert client.get(f"/notifications/{theirs.id}").status_code == 404
        assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
        client.post("/notifications/read-all")
        assert "请您审批" not in client.get("/notifications?lang=zh").get_data(as_text=True) or who == "es"
    db.session.expire_all()
    assert theirs.read_at is None
    assert make_client().get("/notifications").status_code == 302  # signed out: to the sign-in page


# --------------------------------------------------------------------------- choices and unsubscribe


def test_choices_are_saved_per_kind(team, make_client, db):
    _project, _stage, u = team
    es = client_for(make_client, u["es"])
    page = es.get("/notifications/settings").get_data(as_text=True)
    assert "Correo al momento" in page
    choices = {f"kind_{key}": "email" for key in KINDS}
    response = es.post("/notifications/settings", data={**choices, "kind_signoff_requested": "digest",
                                                        "kind_signoff_decided": "app", "digest_hour": "7"})
    assert response.status_code == 302
    chosen = {c.kind: c.delivery for c in db.session.scalars(select(DeliveryChoice).where(
        DeliveryChoice.user_id == u["es"].id))}
    assert chosen["signoff_requested"] == Delivery.DIGEST and chosen["signoff_decided"] == Delivery.APP
    bad = es.post("/notifications/settings", data={"kind_signoff_requested": "fax", "digest_hour": "7"})
    assert bad.status_code == 200
    db.session.expire_all()
    assert db.session.get(DeliveryChoice, (u["es"].id, "signoff_requested")).delivery == Delivery.DIGEST


def test_the_unsubscribe_link_works_once_without_signing_in_and_changes_only_its_setting(team, mailbox,
                                                                                       make_client, db):
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    spanish = next(m for m in mailbox if m.to == ["lucia@example.com"])
    url = re.search(re.escape(BASE) + r"/notifications/unsubscribe/\S+", spanish.text).group(0)
    anonymous = make_client()
    path = url.removeprefix(BASE)
    assert "¿Dejar de recibir correos de «Te piden una aprobación»?" in anonymous.get(path + "?lang=es").get_data(
        as_text=True)
    assert db.session.get(DeliveryChoice, (u["es"].id, "signoff_requested")) is None  # a GET changes nothing
    done = anonymous.post(path)
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(DeliveryChoice, (u["es"].id, "signoff_requested")).delivery == Delivery.APP
    assert db.session.get(DeliveryChoice, (u["es"].id, "signoff_decided")) is None
    again = anonymous.post(path)
    assert again.status_code == 400
    # Put back to e-mail by hand, the used link cannot change it again.
    db.session.get(DeliveryChoice, (u["es"].id, "signoff_requested")).delivery = Delivery.EMAIL
    db.session.commit()
    anonymous.post(path)
    db.session.expire_all()
    assert db.session.get(DeliveryChoice, (u["es"].id, "signoff_requested")).delivery == Delivery.EMAIL
    # A forged or altered token changes nothing.
    assert anonymous.get(path[:-3] + "abc").status_code == 404
    assert anonymous.post(path[:-3] + "abc").status_code == 400


def test_who_opted_out_gets_no_mail_afterwards(team, mailbox, make_client, db):
    project, stage, u = team
    db.session.add(DeliveryChoice(user_id=u["es"].id, kind="signoff_requested", delivery=Delivery.APP))
    db.session.commit()
    request_signoff(make_client, project, stage, u["manager"])
    assert [m.to for m in mailbox] == [["wei@example.com"]]


# --------------------------------------------------------------------------- failures, the outbox


def test_a_failed_mail_is_retried_and_nothing_is_lost(team, app, monkeypatch, make_client, db):
    project, stage, u = team
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    request_signoff(make_client, project, stage, u["manager"])
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert len(rows) == 2 and {row.state for row in rows} == {MailState.QUEUED}
    assert {row.attempts for row in rows} == {1} and all("ConnectionRefused" in row.last_error for row in rows)
    assert all(row.next_attempt_at > utcnow() for row in rows)
    assert send_due_mail() == 0  # not due yet
    with smtp_server() as (port, received):
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        for row in rows:
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert send_due_mail() == 2
        assert sorted(m.to[0] for m in received) == ["lucia@example.com", "wei@example.com"]
        db.session.expire_all()
        assert {row.state for row in rows} == {MailState.SENT} and {row.attempts for row in rows} == {2}
        assert send_due_mail() == 0  # sent once only


def test_after_the_last_attempt_a_mail_is_failed_and_kept(team, app, monkeypatch, make_client, db):
    project, stage, u = team
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    request_signoff(make_client, project, stage, u["manager"])
    for row in db.session.scalars(select(OutboxMail)):
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    send_due_mail()
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMail)).all()
    assert {row.state for row in rows} == {MailState.FAILED} and {row.attempts for row in rows} == {2}
    admin = client_for(make_client, u["admin"])
    page = visible_text(admin.get("/admin/outbox?lang=en").get_data(as_text=True))
    assert "Failed" in page and "lucia@example.com" in page
    with smtp_server() as (port, received):
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        assert admin.post(f"/admin/outbox/{rows[0].id}/retry").status_code == 302
        assert len(received) == 1
        db.session.expire_all()
        assert rows[0].state == MailState.SENT


def test_without_a_mail_server_mail_is_kept_in_the_outbox_for_administrators(team, app, make_client, db):
    assert not app.config["MAIL_SERVER"]
    project, stage, u = team
    request_signoff(make_client, project, stage, u["manager"])
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert {row.state for row in rows} == {MailState.KEPT} and len(rows) == 2
    admin = client_for(make_client, u["admin"])
    page = visible_text(admin.get("/admin/outbox?lang=en").get_data(as_text=True))
    assert "No mail server is configured" in page and "Not sent: no mail server" in page
    one = admin.get(f"/admin/outbox/{rows[1].id}?lang=en").get_data(as_text=True)
    assert "王伟，您好" in one
    html = admin.get(f"/admin/outbox/{rows[1].id}/html")
    assert "sandbox" in html.headers["Content-Security-Policy"] and "在 Rollout 中打开" in html.get_data(as_text=True)
    for who in ("manager", "es", "agent"):
        client = client_for(make_client, u[who])
        assert client.get("/admin/outbox").status_code == 403
        assert client.get(f"/admin/outbox/{rows[1].id}").status_code == 403


def test_links_in_mail_follow_server_name_without_base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "")
    monkeypatch.setitem(app.config, "SERVER_NAME", "rollout.example.com")
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    assert outbox.external_url("notifications.index") == "https://rollout.example.com/notifications"
    monkeypatch.setitem(app.config, "BASE_URL", "https://example.com/rollout")
    assert outbox.external_url("notifications.index") == "https://example.com/rollout/notifications"


# --------------------------------------------------------------------------- tasks, quick wins, members


def test_a_task_given_to_someone_reaches_them_only(team, mailbox, make_client, db):
    project, _stage, u = team
    pm = client_for(make_client, u["manager"])
    agent = membership_for(project.id, u["agent"].id)
    response = pm.post(f"/projects/{project.id}/change/tasks/new", data={
        "title": "整理客服话术", "category": "training", "owner_id": str(agent.id), "status": "open"})
    assert response.status_code == 302
    assert recipients(db, "task_assigned") == {u["agent"].id}
    [mail] = mailbox
    assert mail.to == ["agent@example.com"]
    assert "Paula Manager 将项目“华信家电”中的任务“整理客服话术”分配给了您" in mail.subject
    assert re.search(re.escape(BASE) + rf"/projects/{project.id}/change/tasks/\d+", mail.text)
    task = db.session.scalar(select(ChangeTask))
    # Saved again without a new owner: nobody is told again; another owner is.
    pm.post(f"/projects/{project.id}/change/tasks/{task.id}", data={
        "title": "整理客服话术（第二版）", "category": "training", "owner_id": str(agent.id), "status": "open"})
    assert len(mailbox) == 1
    sales = membership_for(project.id, u["sales"].id)
    pm.post(f"/projects/{project.id}/change/tasks/{task.id}", data={
        "title": "整理客服话术（第二版）", "category": "training", "owner_id": str(sales.id), "status": "open"})
    assert recipients(db, "task_assigned") == {u["agent"].id, u["sales"].id}


def test_an_achieved_quick_win_is_news_for_the_whole_project(team, make_client, db):
    project, _stage, u = team
    pm = client_for(make_client, u["manager"])
    response = pm.post(f"/projects/{project.id}/change/quick-wins/new", data={
        "title": "首周工单全部录入系统", "benefit": "工单录入率达到百分之百", "kpi": "", "owner_id": "",
        "status": "achieved", "achieved_on": "2026-03-02"})
    assert response.status_code == 302
    assert recipients(db, "quick_win_achieved") == {u[k].id for k in ("es", "zh", "quiet", "agent", "sales")}
    listing = visible_text(client_for(make_client, u["agent"]).get("/notifications").get_data(as_text=True))
    assert "项目“华信家电”的速赢目标“首周工单全部录入系统”已达成" in listing


def test_the_person_added_to_a_project_or_given_a_role_is_told(team, mailbox, make_client, db, make_user):
    project, _stage, u = team
    newcomer = make_user(email="nuevo@example.com", name="Nuevo Miembro", language="es")
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/members", data={"email": "nuevo@example.com", "is_sponsor": "y",
                                                     "team": "Ventas"})
    assert recipients(db, "member_added") == {newcomer.id}
    [mail] = mailbox
    assert mail.subject == "Paula Manager te añadió al proyecto 华信家电 con el rol: Patrocinador ejecutivo y Personal."
    member = membership_for(project.id, newcomer.id)
    pm.post(f"/projects/{project.id}/members/{member.id}", data={f"m{member.id}-is_manager": "y",
                                                                 f"m{member.id}-team": "Ventas"})
    assert recipients(db, "member_roles_changed") == {newcomer.id}
    pm.post(f"/projects/{project.id}/members/{member.id}", data={f"m{member.id}-is_manager": "y",
                                                                 f"m{member.id}-team": "Marketing"})
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "member_roles_changed")) == 1  # a new team is no new role


def test_a_decision_on_a_stage_for_everyone_reaches_every_member_but_the_decider(team, make_client, db):
    project, stage, u = team
    stage.teams = []
    db.session.commit()
    request_signoff(make_client, project, stage, u["manager"])
    request_ = db.session.scalar(select(SignoffRequest))
    db.session.refresh(stage)
    client_for(make_client, u["zh"]).post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                                          data={"outcome": "rejected", "comment": "数据不足",
                                                "version": str(stage.version)})
    assert recipients(db, "signoff_decided") == {u[k].id for k in ("manager", "es", "quiet", "agent", "sales")}


def test_the_request_banner_says_how_many_sponsors_are_told_and_a_request_nobody_can_decide_is_refused(
        team, make_client, db, make_project, make_user, add_member):
    project, stage, u = team
    pm = client_for(make_client, u["manager"])
    done = pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request?lang=en",
                   data={"version": str(stage.version)}, follow_redirects=True)
    assert "3 executive sponsors are told" in visible_text(done.get_data(as_text=True))  # not the inactive one
    lonely = make_project(manager=u["manager"], name="无发起人项目")
    alone = r.stage(lonely, name="试点", status=StageStatus.ACTIVE, started=utcnow().date())
    refused = pm.post(f"/projects/{lonely.id}/rollout/stages/{alone.id}/request?lang=zh",
                      data={"version": str(alone.version)}, follow_redirects=True)
    assert "除您之外，本项目没有其他执行发起人" in visible_text(refused.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(SignoffRequest)
                             .where(SignoffRequest.project_id == lonely.id)) == 0
    db.session.refresh(alone)
    assert alone.status == StageStatus.ACTIVE
    # The overview warns the manager until the project has a sponsor.
    overview = visible_text(pm.get(f"/projects/{lonely.id}?lang=zh").get_data(as_text=True))
    assert "本项目尚无执行发起人" in overview
    add_member(lonely, make_user(email="sponsor.late@example.com"), sponsor=True)
    assert "本项目尚无执行发起人" not in visible_text(pm.get(f"/projects/{lonely.id}?lang=zh").get_data(as_text=True))
    accepted = pm.post(f"/projects/{lonely.id}/rollout/stages/{alone.id}/request?lang=en",
                       data={"version": str(alone.version)}, follow_redirects=True)
    assert "1 executive sponsor is told" in visible_text(accepted.get_data(as_text=True))
