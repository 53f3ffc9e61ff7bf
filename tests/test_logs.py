"""Application logs: one line per event, text or JSON, a request id on every line of a request, the
events an operator needs, and never a password, a token or a comment someone wrote."""

import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from planner import logs
from planner.auth.models import GlobalRole
from planner.rollout.models import SignoffRequest
from tests import rollout_factories as r
from tests.factories import PASSWORD
from tests.helpers import login

SECRET_PASSWORD = "Contraseña-equivocada-9931"
NEW_USER_PASSWORD = "Una-clave-larga-y-nueva-4471"
COMMENT = "Aprobado, pero Lucía Fernández necesita repetir la formación del turno de noche"


@pytest.fixture
def captured():
    """Every line the planner and the queue write, as JSON, for the length of the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    loggers = [logging.getLogger(name) for name in ("planner", "huey")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_no_secret_reaches_a_log_line_and_the_events_are_there(app, make_client, make_user, make_project,
                                                                 add_member, db, captured):
    manager = make_user(email="pm@example.com")
    sponsor = make_user(email="sponsor@example.com")
    admin = make_user(email="root@example.com", role=GlobalRole.ADMIN)
    project = make_project(manager=manager)
    add_member(project, sponsor, sponsor=True)
    rollout = r.make_rollout(project, manager, sponsor)

    stranger = make_client()
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        stranger.post("/login", data={"email": "ghost@example.com", "password": SECRET_PASSWORD})

    boss = make_client()
    login(boss, admin)
    boss.post("/admin/users/new", data={"email": "nuevo@example.com", "name": "Nuevo", "role": "user",
                                        "language": "es", "timezone": "UTC", "password": NEW_USER_PASSWORD})
    decider = make_client()
    login(decider, sponsor)
    request_ = db.session.scalar(select(SignoffRequest).where(SignoffRequest.id == rollout["request"].id))
    stage = rollout["awaiting"]
    db.session.refresh(stage)
    response = decider.post(f"/projects/{project.id}/rollout/requests/{request_.id}/decide",
                            data={"outcome": "approved_with_conditions", "comment": COMMENT,
                                  "version": str(stage.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    other = make_client()
    login(other, sponsor)
    other.post("/account/sessions/end-others")

    pm = make_client()
    login(pm, manager, password=PASSWORD)
    content = "Id,Name\nA-1,Peñalver\nA-2,华信\n".encode()
    pm.post(f"/projects/{project.id}/crm/import", data={"kind": "accounts", "file": (io.BytesIO(content), "a.csv")},
            content_type="multipart/form-data")
    from planner.crm.models import ImportJob

    job = db.session.scalars(select(ImportJob)).one()
    pm.post(f"/projects/{project.id}/crm/import/{job.id}", data={"col_external_id": "0", "col_name": "1",
                                                                  "day_first": "1", "decimal_comma": "0"})
    pm.post(f"/projects/{project.id}/crm/import/{job.id}/run")
    pm.post("/logout")

    text = captured.getvalue()
    cookies = [cookie.value for client in (boss, decider, other, pm, stranger)
               for cookie in client._cookies.values()]
    for secret in (SECRET_PASSWORD, NEW_USER_PASSWORD, PASSWORD, COMMENT, "Lucía Fernández", *cookies):
        assert secret not in text, secret
    assert not re.search(r"csrf|password_hash|scrypt:", text, re.I)

    found = lines(captured)
    events = [line.get("event") for line in found]
    for expected in ("auth.login.failed", "auth.login.lockout", "auth.login.locked", "auth.login.ok",
                     "auth.sessions.revoked", "auth.session.ended", "audit.user.created",
                     "audit.signoff.approved_with_conditions", "crm.import_check.start", "crm.import_check.end",
                     "crm.import.start", "crm.import.end", "audit.crm.accounts.imported"):
        assert expected in events, (expected, events)
    end = next(line for line in found if line.get("event") == "crm.import.end")
    assert end["rows"] == 2 and end["outcome"] == "ok" and isinstance(end["seconds"], float)
    request_lines = [line for line in found if line.get("event", "").startswith(("auth.", "audit."))]
    assert request_lines and all(line.get("request_id") for line in request_lines)


def test_every_line_of_a_request_carries_its_id_and_the_response_says_it(app, make_client, make_user, captured):
    user = make_user()
    client = make_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    mine = [line for line in lines(captured) if line.get("request_id") == rid]
    assert [line["event"] for line in mine] == ["auth.login.ok"]
    assert client.get("/healthz").headers["X-Request-ID"] != rid


@pytest.mark.no_app
def test_text_lines_are_readable_and_json_lines_parse():
    record = logging.LogRecord("planner.crm", logging.INFO, __file__, 1, "crm.import.end", (), None)
    record.event, record.fields, record.request_id = "crm.import.end", {"rows": 3, "outcome": "ok",
                                                                        "file": "mis cuentas.csv"}, "abc123"
    line = logs.TextFormatter().format(record)
    assert re.fullmatch(r"\S+Z INFO planner\.crm \[abc123\] crm\.import\.end rows=3 outcome=ok "
                        r'file="mis cuentas\.csv"', line), line
    data = json.loads(logs.JsonFormatter().format(record))
    assert data["event"] == "crm.import.end" and data["rows"] == 3 and data["request_id"] == "abc123"
    assert "\n" not in logs.JsonFormatter().format(record)
