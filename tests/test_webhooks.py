"""Webhooks (#18): endpoints registered by a project's managers, events emitted by the real actions,
deliveries sent by the job to a real HTTP receiver started here, signed as the Standard Webhooks
reference library verifies, retried after an error, an endpoint turned off on 410 or repeated failure
(its owner notified), the SSRF refusals and the administrator's allowance, and the forbidden cases.

The receiver listens on 127.0.0.1, so the tests that reach it set WEBHOOKS_ALLOW_PRIVATE; those are
marked real_db: the delivery job commits its claim and its outcome for real, as in the worker."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from planner.api import events
from planner.audit.models import AuditEvent
from planner.auth.models import GlobalRole
from planner.change.models import ChangeTask, QuickWinStatus, TaskStatus
from planner.db import utcnow
from planner.kpis import services as kpi_services
from planner.kpis.definitions import KpiKey, KpiStatus
from planner.kpis.models import KpiSetting
from planner.notifications.models import Notification
from planner.rollout.models import RequestStatus, SignoffRequest, StageStatus
from planner.webhooks import delivery, signing
from planner.webhooks import tasks as webhook_tasks
from planner.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint
from tests import rollout_factories as r
from tests.helpers import database_state, login, visible_text
from tests.webhook_factories import make_delivery, make_endpoint

# --------------------------------------------------------------------------- a real receiver


class Receiver:
    """An HTTP server on 127.0.0.1 (a free port) that keeps every request and answers from ``answers``
    (status, body) in turn, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                status, text = receiver.answers.pop(0) if receiver.answers else (200, "ok")
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/rollout"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def allow_private(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)


@pytest.fixture
def team(db, make_user, make_project, add_member):
    users = {
        "manager": make_user(email="pm@example.com", name="项目经理", role=GlobalRole.MANAGER, language="en"),
        "sponsor": make_user(email="sponsor@example.com", name="发起人"),
        "staff": make_user(email="staff@example.com", name="员工"),
        "other": make_user(email="other@example.com", name="另一位经理", role=GlobalRole.MANAGER),
    }
    project = make_project(manager=users["manager"], name="华信家电")
    add_member(project, users["sponsor"], sponsor=True)
    add_member(project, users["staff"], team="客服")
    other = make_project(manager=users["other"], name="另一个项目")
    db.session.commit()
    return project, other, users


def client_for(make_client, user):
    client = make_client()
    login(client, user)
    return client


def verified(secret: str, request: dict) -> dict:
    """The body as the Standard Webhooks reference library verifies it (raises when the signature is wrong)."""
    headers = {name: request["headers"][name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    return Webhook(secret).verify(request["body"], headers)


def deliveries(db, project=None) -> list[WebhookDelivery]:
    db.session.expire_all()
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if project is not None:
        query = query.where(WebhookDelivery.project_id == project.id)
    return list(db.session.scalars(query))


def make_due(db, row: WebhookDelivery) -> None:
    """The next attempt's time has come (instead of waiting for it)."""
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# --------------------------------------------------------------------------- signing


@pytest.mark.no_app
def test_our_signature_is_the_reference_library_s():
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(signing.key_of(secret)) == 24
    body = '{"type":"signoff.requested","data":{"name":"试点阶段"}}'
    ours = signing.signature(secret, "msg_1", 1_700_000_000, body)
    from datetime import UTC, datetime

    theirs = Webhook(secret).sign("msg_1", datetime.fromtimestamp(1_700_000_000, UTC), body)
    assert ours == theirs and ours.startswith("v1,")
    other = signing.signature(signing.new_secret(), "msg_1", 1_700_000_000, body)
    assert other != ours


# --------------------------------------------------------------------------- the whole path, through the web


@pytest.mark.real_db
def test_a_sign_off_requested_on_the_web_reaches_the_receiver_signed(team, make_client, db, receiver, allow_private):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    response = pm.post(f"/projects/{project.id}/webhooks/new?lang=en", data={
        "url": receiver.url, "description": "签核群", "events": [events.SIGNOFF_REQUESTED, events.SIGNOFF_DECIDED]})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret in response.get_data(as_text=True) and endpoint.secret.startswith("whsec_")
    assert endpoint.created_by_id == u["manager"].id
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.created"))
    assert audit.project_id == project.id and endpoint.secret not in json.dumps(audit.data)

    stage = r.stage(project, name="试点", status=StageStatus.ACTIVE, started=date.today() - timedelta(days=10))
    response = pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request",
                       data={"note": "请审阅", "version": str(stage.version)})
    assert response.status_code == 302
    request_ = db.session.scalar(select(SignoffRequest))

    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert sent["path"] == "/hooks/rollout" and sent["headers"]["content-type"] == "application/json"
    body = verified(endpoint.secret, sent)
    assert body["type"] == "signoff.requested" and body["timestamp"].endswith("Z")
    assert body["data"]["project_id"] == project.id and body["data"]["stage"]["id"] == stage.id
    assert body["data"]["signoff_request"]["id"] == request_.id and body["data"]["signoff_request"]["note"] == "请审阅"
    assert body["data"]["actor"] == {"id": u["manager"].id, "name": "项目经理"}
    with pytest.raises(WebhookVerificationError):
        verified(signing.new_secret(), sent)

    [row] = deliveries(db)
    assert row.state == DeliveryState.SUCCEEDED and row.attempts == 1 and row.response_status == 200
    assert row.response_excerpt == "ok" and row.message_id == sent["headers"]["webhook-id"]
    assert row.payload.encode() == sent["body"]

    # The log shows it; the delivery page shows the message.
    page = pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}?lang=en").get_data(as_text=True)
    assert "A sign-off is requested" in page and "HTTP 200" in page and endpoint.secret not in page
    detail = pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}/deliveries/{row.id}?lang=en")
    assert detail.status_code == 200 and row.message_id in detail.get_data(as_text=True)


@pytest.mark.real_db
def test_a_receiver_error_is_retried_with_back_off_until_it_answers(team, make_client, db, receiver, allow_private,
                                                                    app):
    project, _other, u = team
    endpoint = make_endpoint(project, url=receiver.url, events=[events.TASK_CREATED], created_by=u["manager"])
    db.session.commit()
    receiver.answers = [(500, "数据库忙"), (200, "好的")]
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/change/tasks/new",
            data={"title": "培训计划", "category": "training", "status": "open", "owner_id": "", "stage_id": ""})

    [row] = deliveries(db)
    assert row.state == DeliveryState.PENDING and row.attempts == 1 and row.response_status == 500
    assert row.response_excerpt == "数据库忙" and row.error_code == "status"
    assert row.next_attempt_at - row.last_attempt_at == timedelta(seconds=delivery.RETRY_DELAYS[0])
    # The retry is planned on the queue.
    from planner.jobs import huey_of

    planned = [task for task in huey_of(app).scheduled() if task.name == "webhooks.deliver"]
    assert any(task.args == (row.id,) for task in planned)
    # Not due yet: the minute's sweep leaves it alone.
    assert webhook_tasks.deliver_due() == 0 and len(receiver.requests) == 1

    make_due(db, row)
    assert webhook_tasks.deliver_due() == 1
    [row] = deliveries(db)
    assert row.state == DeliveryState.SUCCEEDED and row.attempts == 2 and row.response_status == 200
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == row.message_id
    assert verified(endpoint.secret, second)["data"]["task"]["title"] == "培训计划"
    db.session.refresh(endpoint)
    assert endpoint.failed_in_a_row == 0 and endpoint.last_success_at is not None

    page = pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}?lang=en").get_data(as_text=True)
    assert "Delivered" in page and "HTTP 200" in page


@pytest.mark.no_app
def test_the_back_off_spreads_over_about_a_day():
    total = sum(delivery.RETRY_DELAYS)
    assert delivery.RETRY_DELAYS[0] == 5 and list(delivery.RETRY_DELAYS) == sorted(delivery.RETRY_DELAYS)
    assert timedelta(hours=20) < timedelta(seconds=total) < timedelta(hours=30)
    assert delivery.MAX_ATTEMPTS == 8


@pytest.mark.real_db
def test_410_turns_the_endpoint_off_tells_the_owner_and_it_can_be_turned_on_again(team, make_client, db, receiver,
                                                                                 allow_private):
    project, _other, u = team
    endpoint = make_endpoint(project, url=receiver.url, events=[events.TASK_CREATED], created_by=u["manager"])
    db.session.commit()
    receiver.answers = [(410, "channel archived")]
    pm = client_for(make_client, u["manager"])
    response = pm.post(f"/projects/{project.id}/webhooks/{endpoint.id}/test?lang=en", follow_redirects=True)
    assert "A test event is on its way" in response.get_data(as_text=True)
    body = verified(endpoint.secret, receiver.requests[0])
    assert body["type"] == "webhook.test" and body["data"]["endpoint_id"] == endpoint.id

    [row] = deliveries(db)
    assert row.state == DeliveryState.FAILED and row.response_status == 410 and row.error_code == "gone"
    assert row.next_attempt_at is None
    db.session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason == DisabledReason.GONE
    [notice] = db.session.scalars(select(Notification).where(Notification.kind == "webhook_disabled")).all()
    assert notice.user_id == u["manager"].id and notice.params["endpoint_id"] == endpoint.id

    bell = pm.get("/notifications?lang=en").get_data(as_text=True)
    assert "answered 410 Gone" in visible_text(bell)
    page = visible_text(pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}?lang=en").get_data(as_text=True))
    assert "This endpoint is off" in page and "410 Gone" in page and "Send again" not in page

    # Off: events are not recorded for it, a test is refused.
    pm.post(f"/projects/{project.id}/change/tasks/new",
            data={"title": "不会发送", "category": "training", "status": "open", "owner_id": "", "stage_id": ""})
    assert len(deliveries(db)) == 1
    response = pm.post(f"/projects/{project.id}/webhooks/{endpoint.id}/test?lang=en", follow_redirects=True)
    assert "This endpoint is turned off" in response.get_data(as_text=True) and len(deliveries(db)) == 1

    # On again: the same delivery can be sent again (same webhook-id), and goes through.
    pm.post(f"/projects/{project.id}/webhooks/{endpoint.id}/enable")
    db.session.refresh(endpoint)
    assert endpoint.active and endpoint.disabled_reason is None and endpoint.failed_in_a_row == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "webhook.enabled")) == 1
    pm.post(f"/projects/{project.id}/webhooks/{endpoint.id}/deliveries/{row.id}/resend")
    [row] = deliveries(db)
    assert row.state == DeliveryState.SUCCEEDED and row.attempts == 1
    assert receiver.requests[-1]["headers"]["webhook-id"] == receiver.requests[0]["headers"]["webhook-id"]


@pytest.mark.real_db
def test_an_endpoint_that_keeps_failing_is_turned_off_after_every_retry(team, db, receiver, allow_private, app,
                                                                       monkeypatch):
    project, _other, u = team
    monkeypatch.setitem(app.config, "WEBHOOKS_DISABLE_AFTER", 2)
    endpoint = make_endpoint(project, url=receiver.url, events=[events.TASK_CREATED], created_by=u["manager"])
    db.session.commit()
    receiver.answers = [(503, "down")] * 100
    from planner.webhooks import services

    for round_ in (1, 2):
        services.emit(project.id, events.TASK_CREATED, {"project_id": project.id, "round": round_})
        db.session.commit()  # the job runs at once (JOBS_IMMEDIATE): the first attempt
        row = deliveries(db)[-1]
        while row.state == DeliveryState.PENDING:
            make_due(db, row)
            webhook_tasks.deliver_due()
            row = deliveries(db)[-1]
        assert row.state == DeliveryState.FAILED and row.attempts == delivery.MAX_ATTEMPTS
        db.session.refresh(endpoint)
        assert endpoint.failed_in_a_row == round_
    assert not endpoint.active and endpoint.disabled_reason == DisabledReason.FAILING
    assert len(receiver.requests) == 2 * delivery.MAX_ATTEMPTS
    [notice] = db.session.scalars(select(Notification).where(Notification.kind == "webhook_disabled")).all()
    assert notice.user_id == u["manager"].id and notice.params["reason"] == "failing"


# --------------------------------------------------------------------------- SSRF


REFUSED = [
    ("http://127.0.0.1:8080/hook", "127.0.0.1, an address of a private or local network"),
    ("http://10.1.2.3/hook", "10.1.2.3, an address of a private or local network"),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254, an address of a private or local network"),
    ("http://[::1]:9000/hook", "::1, an address of a private or local network"),
    ("http://[::ffff:192.168.1.9]/hook", "an address of a private or local network"),
    ("http://localhost/hook", "is Rollout itself"),
    ("ftp://93.184.215.14/hook", "Only http:// and https:// addresses"),
    ("javascript:alert(1)", "Only http:// and https:// addresses"),
    ("https:///nothing", "Enter a complete address"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_an_address_that_may_not_receive_events_is_refused_with_the_reason(team, make_client, db, url, reason):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    response = pm.post(f"/projects/{project.id}/webhooks/new?lang=en", data={"url": url, "events": ["task.created"]})
    assert response.status_code == 200
    assert reason in visible_text(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_an_administrator_may_allow_private_addresses_but_never_the_app_itself(team, make_client, db, app,
                                                                               monkeypatch):
    project, _other, u = team
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    pm = client_for(make_client, u["manager"])
    page = pm.get(f"/projects/{project.id}/webhooks/new?lang=en").get_data(as_text=True)
    assert "Addresses of private networks are allowed on this installation" in page
    response = pm.post(f"/projects/{project.id}/webhooks/new", data={"url": "http://10.1.2.3/hook",
                                                                     "events": ["task.created"]})
    assert response.status_code == 201
    response = pm.post(f"/projects/{project.id}/webhooks/new?lang=en", data={"url": "http://localhost/x",
                                                                             "events": ["task.created"]})
    assert "is Rollout itself" in visible_text(response.get_data(as_text=True))
    monkeypatch.setitem(app.config, "BASE_URL", "https://rollout.example.com")
    response = pm.post(f"/projects/{project.id}/webhooks/new?lang=en", data={
        "url": "https://ROLLOUT.example.com./api/v1/projects", "events": ["task.created"]})
    assert "is Rollout itself" in visible_text(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1


def test_the_addresses_are_checked_again_at_each_delivery(team, db, app, monkeypatch, receiver):
    """A name that resolved to a public address when saved and to a private one at delivery time (DNS
    rebinding), or an allowance withdrawn since: nothing is sent, the log says why."""
    project, _other, u = team
    real = socket.getaddrinfo
    answers = {"hooks.partner.test": "93.184.215.14"}

    def fake(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    from planner.webhooks import services

    endpoint = services.create_endpoint(project, "https://hooks.partner.test/rollout", [events.TASK_CREATED],
                                        user=u["manager"])
    db.session.commit()
    answers["hooks.partner.test"] = "127.0.0.1"
    services.emit(project.id, events.TASK_CREATED, {"project_id": project.id})
    db.session.commit()
    [row] = deliveries(db)
    assert row.state == DeliveryState.PENDING and row.error_code == "refused_private"
    assert "127.0.0.1" in row.error_detail and row.response_status is None
    with app.test_request_context("/?lang=en"):
        assert "127.0.0.1, an address of a private or local network" in delivery.error_text(row)

    # Saved while allowed, delivered after the allowance was withdrawn: refused, the receiver gets nothing.
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    local = services.create_endpoint(project, receiver.url, [events.TASK_CHANGED], user=u["manager"])
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    services.emit(project.id, events.TASK_CHANGED, {"project_id": project.id})
    db.session.commit()
    row = deliveries(db)[-1]
    assert row.endpoint_id == local.id and row.error_code == "refused_private" and receiver.requests == []
    assert endpoint.id != local.id


# --------------------------------------------------------------------------- who may


def test_only_the_project_s_managers_may_see_or_change_endpoints(team, make_client, db):
    project, other, u = team
    endpoint = make_endpoint(project, events=[events.TASK_CREATED], created_by=u["manager"])
    make_delivery(endpoint)
    foreign = make_endpoint(other, created_by=u["other"])
    foreign_delivery = make_delivery(foreign)
    db.session.commit()
    clients = {role: client_for(make_client, u[role]) for role in ("staff", "sponsor", "other", "manager")}
    before = database_state(db)
    base = f"/projects/{project.id}/webhooks"
    data = {"url": "https://93.184.215.14/x", "events": ["task.created"]}
    for role in ("staff", "sponsor"):
        client = clients[role]
        assert client.get(base).status_code == 403
        assert client.post(base + "/new", data=data).status_code == 403
        assert client.post(f"{base}/{endpoint.id}/edit", data=data).status_code == 403
        assert client.post(f"{base}/{endpoint.id}/secret").status_code == 403
        assert client.post(f"{base}/{endpoint.id}/delete").status_code == 403
    # The manager of another project: not a member here (404), and their own project's URL with this
    # project's endpoint id finds nothing (404) — and the other way round.
    outsider = clients["other"]
    assert outsider.post(f"{base}/{endpoint.id}/edit", data=data).status_code == 404
    assert outsider.post(f"/projects/{other.id}/webhooks/{endpoint.id}/edit", data=data).status_code == 404
    assert outsider.post(f"/projects/{other.id}/webhooks/{endpoint.id}/delete").status_code == 404
    assert outsider.post(f"/projects/{other.id}/webhooks/{endpoint.id}/secret").status_code == 404
    pm = clients["manager"]
    assert pm.post(f"{base}/{foreign.id}/edit", data=data).status_code == 404
    assert pm.get(f"{base}/{endpoint.id}/deliveries/{foreign_delivery.id}").status_code == 404
    assert pm.post(f"{base}/{endpoint.id}/deliveries/{foreign_delivery.id}/resend").status_code == 404
    assert database_state(db) == before
    # Without its CSRF token a manager's change is refused too.
    pm.post(f"{base}/{endpoint.id}/delete", csrf=False)
    pm.post(f"{base}/new", data=data, csrf=False)
    assert database_state(db) == before


def test_managers_change_delete_and_see_the_secret_and_the_audit_log_says_so(team, make_client, db):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    endpoint = make_endpoint(project, url="https://93.184.215.14/a", events=[events.TASK_CREATED],
                             created_by=u["manager"])
    db.session.commit()
    base = f"/projects/{project.id}/webhooks/{endpoint.id}"
    response = pm.post(base + "/edit?lang=en", data={"url": "https://93.184.215.14/b", "description": "数据仓库",
                                                      "events": ["task.created", "task.overdue", "bogus"]})
    assert response.status_code == 200  # an event that does not exist: the form again, nothing saved
    db.session.refresh(endpoint)
    assert endpoint.url.endswith("/a") and endpoint.events == ["task.created"]
    response = pm.post(base + "/edit", data={"url": "https://93.184.215.14/b", "description": "数据仓库",
                                             "events": ["task.created", "task.overdue"]})
    assert response.status_code == 302
    db.session.refresh(endpoint)
    assert endpoint.url.endswith("/b") and endpoint.events == ["task.created", "task.overdue"]
    response = pm.post(base + "/secret")
    assert endpoint.secret in response.get_data(as_text=True) and response.headers["Cache-Control"] == "no-store"
    old = endpoint.secret
    response = pm.post(base + "/rotate")
    db.session.refresh(endpoint)
    assert endpoint.secret != old and endpoint.secret in response.get_data(as_text=True)
    pm.post(base + "/disable")
    db.session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason == DisabledReason.MANUAL
    pm.post(base + "/delete")
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)
                                      .order_by(AuditEvent.id)))
    assert actions == ["webhook.updated", "webhook.secret_revealed", "webhook.secret_rotated", "webhook.disabled",
                       "webhook.deleted"]
    for language, done in (("zh", ("了", "已")), ("es", ("ó",))):
        log = visible_text(pm.get(f"/projects/{project.id}/audit?lang={language}").get_data(as_text=True))
        assert "93.184.215.14/b" in log
        assert all(word not in log for word in ("Changed the webhook", "Deleted the webhook"))
        assert any(mark in log for mark in done)


def test_the_pages_speak_three_languages(team, make_client, db):
    project, _other, u = team
    endpoint = make_endpoint(project, events=[events.TASK_CREATED, events.KPI_TARGET_CROSSED],
                             created_by=u["manager"])
    make_delivery(endpoint)
    db.session.commit()
    pm = client_for(make_client, u["manager"])
    for language, words in (("es", ("Registro de entregas", "Enviar de nuevo")), ("zh", ("投递记录", "重新发送"))):
        page = pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}?lang={language}").get_data(as_text=True)
        assert all(word in page for word in words), language
        assert "Delivery log" not in page and "Send again" not in page
        for path in ("", "/new"):
            assert pm.get(f"/projects/{project.id}/webhooks{path}?lang={language}").status_code == 200


def test_the_log_is_newest_first_and_paged(team, make_client, db):
    project, _other, u = team
    endpoint = make_endpoint(project, created_by=u["manager"])
    rows = [make_delivery(endpoint, event="task.created") for _ in range(30)]
    for n, row in enumerate(rows):
        row.created_at = utcnow() - timedelta(minutes=100 - n)
    db.session.commit()
    pm = client_for(make_client, u["manager"])
    first = pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}").get_data(as_text=True)
    second = pm.get(f"/projects/{project.id}/webhooks/{endpoint.id}?page=2").get_data(as_text=True)
    link = "/deliveries/{}\""
    assert link.format(rows[-1].id) in first and link.format(rows[0].id) not in first
    assert link.format(rows[0].id) in second
    assert first.index(link.format(rows[-1].id)) < first.index(link.format(rows[-2].id))


# --------------------------------------------------------------------------- each event, from the real action


@pytest.fixture
def listening(team, db):
    """An endpoint that follows every event (at 127.0.0.1, not allowed here: each delivery is recorded,
    then refused before any connection)."""
    project, _other, u = team
    endpoint = make_endpoint(project, events=list(events.ALL), created_by=u["manager"])
    db.session.commit()
    return endpoint


def emitted(db, project) -> list[str]:
    return [row.event for row in deliveries(db, project)]


def body_of(row) -> dict:
    return json.loads(row.payload)


def test_stage_started_signoff_decided_and_stage_approved_come_from_the_gate_page(team, listening, make_client, db):
    project, _other, u = team
    stage = r.stage(project, name="试点")
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/start",
            data={"actual_start": date.today().isoformat(), "version": str(stage.version)})
    assert emitted(db, project) == [events.STAGE_STARTED]
    db.session.refresh(stage)
    pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request",
            data={"note": "", "version": str(stage.version)})
    request_ = db.session.scalar(select(SignoffRequest))
    db.session.refresh(stage)
    sponsor = client_for(make_client, u["sponsor"])
    sponsor.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                 data={"outcome": "approved_with_conditions", "comment": "先补培训", "version": str(stage.version)})
    rows = deliveries(db, project)
    assert [row.event for row in rows] == [events.STAGE_STARTED, events.SIGNOFF_REQUESTED, events.SIGNOFF_DECIDED,
                                           events.STAGE_APPROVED]
    decided, approved = body_of(rows[2]), body_of(rows[3])
    assert decided["data"]["signoff_request"]["decision"]["outcome"] == "approved_with_conditions"
    assert decided["data"]["signoff_request"]["status"] == RequestStatus.DECIDED.value
    assert approved["data"]["outcome"] == "approved_with_conditions"
    assert approved["data"]["stage"]["status"] == "approved_with_conditions"
    assert approved["data"]["signoff_request_id"] == request_.id and "gate" not in approved["data"]["stage"]
    # One message id per event, the same for every endpoint; each delivery was attempted once and refused.
    assert len({row.message_id for row in rows}) == 4
    assert all(row.error_code == "refused_private" and row.attempts == 1 for row in rows)


def test_a_rejection_is_decided_but_approves_nothing(team, listening, make_client, db):
    project, _other, u = team
    stage = r.stage(project, name="试点", status=StageStatus.AWAITING_SIGNOFF, started=date.today())
    request_ = r.request(stage, u["manager"])
    sponsor = client_for(make_client, u["sponsor"])
    sponsor.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                 data={"outcome": "rejected", "comment": "数据不全", "version": str(stage.version)})
    assert emitted(db, project) == [events.SIGNOFF_DECIDED]


def test_tasks_created_changed_and_overdue(team, listening, make_client, db):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/change/tasks/new", data={
        "title": "夜班培训", "category": "training", "status": "open", "owner_id": "", "stage_id": "",
        "due_date": (date.today() - timedelta(days=2)).isoformat()})
    task = db.session.scalar(select(ChangeTask))
    pm.post(f"/projects/{project.id}/change/tasks/{task.id}/status", data={"status": "in_progress"})
    assert emitted(db, project) == [events.TASK_CREATED, events.TASK_CHANGED]
    changed = body_of(deliveries(db, project)[1])["data"]
    assert changed["changed"] == ["status"] and changed["task"]["status"] == TaskStatus.IN_PROGRESS.value
    assert changed["actor"]["id"] == u["manager"].id

    from planner.change import tasks as change_tasks

    assert change_tasks.signal_overdue() == 1
    assert change_tasks.signal_overdue() == 0  # once per due date
    overdue = deliveries(db, project)[-1]
    assert overdue.event == events.TASK_OVERDUE and body_of(overdue)["data"]["task"]["id"] == task.id
    assert body_of(overdue)["data"]["actor"] is None
    # A new due date that passes again is told again.
    db.session.refresh(task)
    task.due_date = date.today() - timedelta(days=1)
    db.session.commit()
    assert change_tasks.signal_overdue() == 1
    # A change rolled back sends nothing.
    count = len(deliveries(db, project))
    response = pm.post(f"/projects/{project.id}/change/tasks/new", data={
        "title": "", "category": "training", "status": "open", "owner_id": "", "stage_id": ""})
    assert response.status_code == 200 and len(deliveries(db, project)) == count


def test_a_quick_win_achieved(team, listening, make_client, db):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/change/quick-wins/new", data={
        "title": "投诉回复提速", "benefit": "回复快一倍", "status": QuickWinStatus.ACHIEVED.value, "kpi": "",
        "owner_id": ""})
    [row] = deliveries(db, project)
    assert row.event == events.QUICK_WIN_ACHIEVED and body_of(row)["data"]["quick_win"]["title"] == "投诉回复提速"


def test_a_kpi_crossing_its_target_when_the_worker_computes_it(team, listening, db):
    project, _other, _u = team
    setting = KpiSetting(project_id=project.id, key=KpiKey.ADOPTION, target=Decimal("0.8000"))
    db.session.add(setting)
    db.session.commit()

    def seen(value):
        overview = kpi_services.KpiOverview(
            key=KpiKey.ADOPTION, as_of=date.today(), value=Decimal(value), numerator=0, denominator=0,
            target=setting.target, baseline=None, baseline_as_of=None, baseline_source=None,
            status=KpiStatus.ON_TARGET)
        count = kpi_services.note_target_crossings({project.id: {KpiKey.ADOPTION: overview}})
        db.session.commit()
        return count

    assert seen("0.5") == 0  # the first value seen is where it starts
    assert seen("0.7") == 0
    assert seen("0.85") == 1
    assert seen("0.9") == 0
    assert seen("0.6") == 1
    rows = deliveries(db, project)
    assert [row.event for row in rows] == [events.KPI_TARGET_CROSSED] * 2
    assert body_of(rows[0])["data"]["kpi"] == {"key": "adoption", "value": "0.85", "target": "0.8000",
                                                "as_of": date.today().isoformat(), "reached": True}
    assert body_of(rows[1])["data"]["kpi"]["reached"] is False
    # A new target is a new line: the next value starts over.
    kpi_services.save_setting(project, KpiKey.ADOPTION, target=Decimal("0.5"), baseline_source=None,
                              baseline_value=None, baseline_as_of=None)
    db.session.commit()
    assert seen("0.6") == 0


def test_the_nightly_warm_notes_crossings(team, listening, db, monkeypatch):
    """The worker's KPI job is what notes them (not a page view)."""
    project, _other, _u = team
    calls = []
    monkeypatch.setattr(kpi_services, "note_target_crossings", lambda statuses: calls.append(set(statuses)) or 0)
    from planner.kpis import tasks as kpi_tasks

    kpi_tasks.warm([project.id])
    assert calls == [{project.id}]


@pytest.mark.real_db
def test_an_import_finished_on_the_import_page(team, make_client, db, receiver, allow_private):
    """The import runs as a job that commits on its own connections; its event goes out with it."""
    import io

    from planner.crm.models import ImportJob

    project, _other, u = team
    endpoint = make_endpoint(project, url=receiver.url, events=[events.IMPORT_FINISHED], created_by=u["manager"])
    db.session.commit()
    pm = client_for(make_client, u["manager"])
    csv = ("External id,Name,Segment,Country,City\n"
           "A-1,华信家电,大客户,中国,上海\nA-2,Peñalver,Mayorista,España,Logroño\n")
    response = pm.post(f"/projects/{project.id}/crm/import", data={
        "kind": "accounts", "file": (io.BytesIO(csv.encode()), "客户.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    data = {f"col_{name}": str(index) for name, index in job.mapping.items() if not name.startswith("_")}
    data.update(day_first="1", decimal_comma="0")
    pm.post(f"/projects/{project.id}/crm/import/{job.id}", data=data)
    assert deliveries(db) == []  # the check imports nothing
    pm.post(f"/projects/{project.id}/crm/import/{job.id}/run")
    [row] = deliveries(db)
    assert row.event == events.IMPORT_FINISHED and row.state == DeliveryState.SUCCEEDED
    body = verified(endpoint.secret, receiver.requests[0])
    assert body["data"]["import"] == {"id": job.id, "kind": "accounts", "filename": "客户.csv", "rows": 2,
                                      "inserted": 2, "updated": 0, "unchanged": 0}
    assert body["data"]["actor"]["id"] == u["manager"].id


def test_nothing_is_written_for_a_project_without_endpoints(team, make_client, db):
    project, _other, u = team
    pm = client_for(make_client, u["manager"])
    pm.post(f"/projects/{project.id}/change/tasks/new",
            data={"title": "无人关注", "category": "training", "status": "open", "owner_id": "", "stage_id": ""})
    assert deliveries(db) == []


# --------------------------------------------------------------------------- the documentation page


def test_the_api_documentation_describes_every_event(client, db):
    page = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    for name in events.ALL:
        assert f">{name}<" in page
    assert "webhook-signature" in page and "whsec_" in page and "signoff_request" in page


# --------------------------------------------------------------------------- the demo


def test_the_demo_shows_a_delivery_log_and_sends_nothing(app, db, make_client):
    from planner import demo

    ctx = demo.load()
    count = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
    demo.load()
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == count
    project = ctx.projects["en"]
    [endpoint] = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.project_id == project.id)).all()
    assert not endpoint.active and endpoint.disabled_reason == DisabledReason.GONE
    assert endpoint.url.split("/")[2].endswith(".example")  # a name that never resolves
    rows = deliveries(db, project)
    assert {row.state for row in rows} == {DeliveryState.SUCCEEDED, DeliveryState.FAILED}
    assert any(row.attempts == 2 and row.state == DeliveryState.SUCCEEDED for row in rows)  # retried once
    assert rows[-1].response_status == 410 or max(rows, key=lambda row: row.created_at).response_status == 410
    assert all(json.loads(row.payload)["data"]["project_id"] == project.id for row in rows)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "webhook_disabled", Notification.user_id == ctx.users["pm@example.com"].id)) == 3
    client = make_client()
    login(client, ctx.users["pm@example.com"], password=demo.PASSWORD)
    page = visible_text(client.get(f"/projects/{project.id}/webhooks/{endpoint.id}?lang=en").get_data(as_text=True))
    assert "This endpoint is off since" in page and "HTTP 410" in page and "Delivered" in page


# --------------------------------------------------------------------------- a real worker process


@pytest.mark.real_db  # the worker process reads the delivery rows the web app committed
def test_a_worker_process_delivers_and_retries_on_the_queue(app, db, team, receiver, tmp_path):
    """`flask worker` as its own process: the web side commits an event and queues its delivery; the
    worker's first attempt gets 500, the retry the worker planned on the queue 5 seconds later gets 200."""
    from planner import create_app

    project, _other, u = team
    endpoint = make_endpoint(project, url=receiver.url, events=[events.TASK_OVERDUE], created_by=u["manager"])
    db.session.commit()
    receiver.answers = [(500, "稍后再试")]
    queue_file = tmp_path / "jobs.sqlite3"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PLANNER_ENV": "testing", "JOBS_IMMEDIATE": "0", "FLASK_APP": "wsgi.py",
           "PLANNER_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "WEBHOOKS_ALLOW_PRIVATE": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "--workers", "1"], cwd=root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        web = create_app({"PLANNER_ENV": "testing", "JOBS_IMMEDIATE": False, "JOBS_SQLITE_PATH": str(queue_file),
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        with web.app_context():
            from planner.extensions import db as web_db
            from planner.webhooks import services

            services.emit(project.id, events.TASK_OVERDUE, {"project_id": project.id, "task": {"id": 1}})
            web_db.session.commit()  # the delivery goes to the queue now
            web_db.session.remove()
        deadline = time.monotonic() + 40
        row = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            row = db.session.scalar(select(WebhookDelivery))
            if row is not None and row.state == DeliveryState.SUCCEEDED:
                break
            time.sleep(0.5)
        assert row is not None and row.state == DeliveryState.SUCCEEDED, (row and row.state, receiver.requests)
        assert row.attempts == 2 and row.response_status == 200
        first, second = receiver.requests
        assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
        assert verified(endpoint.secret, second)["type"] == events.TASK_OVERDUE
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "webhooks.deliver" in output, output


def test_the_nightly_purge_keeps_the_log_to_ninety_days(team, db):
    from planner.jobs import purge

    project, _other, u = team
    endpoint = make_endpoint(project, created_by=u["manager"])
    old, recent = make_delivery(endpoint), make_delivery(endpoint)
    waiting = make_delivery(endpoint, state=DeliveryState.PENDING)
    old.created_at = waiting.created_at = utcnow() - timedelta(days=webhook_tasks.KEEP_DAYS + 1)
    db.session.commit()
    assert purge.expired()["webhook_deliveries"] == 1
    assert {row.id for row in deliveries(db)} == {recent.id, waiting.id}
