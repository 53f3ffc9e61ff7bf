"""Shared by the notification tests: a real SMTP server the app sends through, and a project whose
people read different languages in different time zones."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner.auth.models import GlobalRole
from planner.db import utcnow
from planner.notifications.models import Delivery, DeliveryChoice, Notification
from planner.rollout.models import StageStatus
from tests import rollout_factories as r
from tests.helpers import login
from tests.mail_server import smtp_server

__all__ = ["BASE", "mailbox", "team", "client_for", "recipients", "request_signoff", "link_in"]

BASE = "http://rollout.test"


@pytest.fixture
def mailbox(app, monkeypatch):
    """The app sends through a real SMTP server listening on a local port; links start with BASE."""
    with smtp_server() as (port, received):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "BASE_URL", BASE)
        yield received


@pytest.fixture
def team(db, make_user, make_project, add_member):
    """A project with its manager (English), a Spanish sponsor in Mexico City, a Chinese sponsor in
    Shanghai, a sponsor who wants sign-off requests in the app only, an inactive sponsor, staff in and
    out of the stage's team; and an outsider, sponsor of another project."""
    u = {
        "manager": make_user(email="pm@example.com", name="Paula Manager", role=GlobalRole.MANAGER, language="en"),
        "es": make_user(email="lucia@example.com", name="Lucía Ortega", language="es",
                        timezone="America/Mexico_City"),
        "zh": make_user(email="wei@example.com", name="王伟", language="zh", timezone="Asia/Shanghai"),
        "quiet": make_user(email="quiet@example.com", name="安静的发起人", language="zh"),
        "gone": make_user(email="gone@example.com", name="离职的发起人", active=False),
        "agent": make_user(email="agent@example.com", name="客服代表", language="zh"),
        "sales": make_user(email="sales@example.com", name="销售代表", language="zh"),
        "outsider": make_user(email="outsider@example.com", name="外部人员", language="zh"),
        "admin": make_user(email="admin@example.com", name="管理员", role=GlobalRole.ADMIN),
    }
    project = make_project(manager=u["manager"], name="华信家电")
    for key in ("es", "zh", "quiet", "gone"):
        add_member(project, u[key], sponsor=True)
    add_member(project, u["agent"], team="客服")
    add_member(project, u["sales"], team="销售")
    other = make_project(name="另一个项目")
    add_member(other, u["outsider"], manager=True, sponsor=True)
    db.session.add(DeliveryChoice(user_id=u["quiet"].id, kind="signoff_requested", delivery=Delivery.APP))
    db.session.commit()
    stage = r.stage(project, name="试点", status=StageStatus.ACTIVE, started=utcnow().date() - timedelta(days=5),
                    teams=["客服"])
    return project, stage, u


def client_for(make_client, user):
    client = make_client()
    login(client, user)
    return client


def recipients(db, kind):
    db.session.expire_all()
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def request_signoff(make_client, project, stage, manager):
    pm = client_for(make_client, manager)
    response = pm.post(f"/projects/{project.id}/rollout/stages/{stage.id}/request",
                       data={"version": str(stage.version), "note": "请审阅"})
    assert response.status_code == 302
    return pm


def link_in(text: str) -> str:
    return re.search(re.escape(BASE) + r"/projects/\d+/rollout/stages/\d+", text).group(0)


