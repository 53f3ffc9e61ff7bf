"""The JSON API: tokens, authentication, problem details, the OpenAPI document, reading projects and
CRM records. (Who may call what is checked route by route in tests/access/rules_api.py.)"""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from planner.auth import tokens
from planner.auth.models import ApiToken, TokenScope
from planner.crm.models import Account, Opportunity, OpportunityKind, OpportunityStage
from planner.crm.services import prepare
from planner.db import utcnow
from planner.extensions import db


def bearer(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def world(make_user, make_project, add_member):
    manager = make_user(name="经理")
    staff = make_user(name="员工")
    outsider = make_user(name="外人")
    project = make_project(manager=manager, name="项目甲")
    add_member(project, staff)
    make_project(manager=outsider, name="项目乙")
    secrets = {}
    for name, user in (("manager", manager), ("staff", staff), ("outsider", outsider)):
        secrets[name] = tokens.create(user, "测试", TokenScope.WRITE, 30)[1]
    db.session.commit()
    return {"project": project, "manager": manager, "staff": staff, "outsider": outsider, "secrets": secrets}


def _accounts(project, user, count: int):
    rows = []
    for n in range(count):
        account = Account(project_id=project.id, name=f"客户{n:02d}", external_id=f"A-{n:02d}",
                          segment="零售" if n % 2 else "批发", captured_by_id=user.id)
        prepare(account)
        db.session.add(account)
        rows.append(account)
    db.session.commit()
    return rows


# --------------------------------------------------------------------------- tokens on the account page


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, make_user, login):
    user = make_user()
    login(client, user)
    response = client.post("/account/tokens", data={"token-name": "夜间同步", "token-scope": "read",
                                                     "token-days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r"data-token-secret>(rol_[\w-]+)<", response.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == tokens.digest(secret) and secret not in (token.hint, token.name)
    assert token.scope is TokenScope.READ
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    page = client.get("/account").get_data(as_text=True)
    assert "夜间同步" in page and secret not in page  # listed, never shown again
    assert client.get("/api/v1/projects", headers=bearer(secret)).status_code == 200


def test_a_token_needs_a_name_and_a_known_lifetime(client, make_user, login):
    user = make_user()
    login(client, user)
    response = client.post("/account/tokens", data={"token-name": " ", "token-scope": "read", "token-days": "9999"})
    assert response.status_code == 200
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_revoking_a_token_closes_the_api_to_it_and_others_cannot_revoke_it(client, make_user, login, world):
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world["staff"].id))
    other = make_user()
    login(client, other)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None
    client.post("/logout")
    login(client, world["staff"])
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert token.revoked_at is not None
    response = client.get("/api/v1/projects", headers=bearer(world["secrets"]["staff"]))
    assert response.status_code == 401


def test_an_expired_token_is_refused(client, world):
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == world["staff"].id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/projects", headers=bearer(world["secrets"]["staff"]))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_inactive_user_s_token_is_refused(client, world):
    world["staff"].active = False
    db.session.commit()
    assert client.get("/api/v1/projects", headers=bearer(world["secrets"]["staff"])).status_code == 401


def test_the_command_line_creates_a_read_token(app, make_user):
    user = make_user(email="script@example.com")
    result = app.test_cli_runner().invoke(args=["tokens", "create", "script@example.com", "--scope", "read"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[0]
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == tokens.digest(secret) and token.scope is TokenScope.READ
    refused = app.test_cli_runner().invoke(args=["tokens", "create", "nobody@example.com"])
    assert refused.exit_code != 0


# --------------------------------------------------------------------------- authentication and errors


def test_a_signed_in_browser_session_does_not_open_the_api(client, world, login):
    login(client, world["staff"])
    response = client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("language", "title"), [("es", "Se necesita un token de acceso"),
                                                 ("zh-CN,zh;q=0.9", "需要访问令牌"),
                                                 (None, "Access token required")])
def test_errors_are_problem_details_in_the_request_language(client, language, title):
    headers = {"Authorization": "Bearer rol_unknown"}
    if language:
        headers["Accept-Language"] = language
    response = client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 401 and body["type"] == "about:blank"
    assert body["title"] == title and body["detail"]


def test_not_found_and_bad_arguments_are_problem_details(client, world):
    headers = bearer(world["secrets"]["staff"], **{"Accept-Language": "es"})
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["title"] == "No encontrado"
    bad = client.get("/api/v1/projects?limit=0", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"][0]["field"] == "limit"


def test_outsiders_get_404_for_a_project_and_its_records(client, world):
    project = world["project"]
    account = _accounts(project, world["staff"], 1)[0]
    headers = bearer(world["secrets"]["outsider"])
    assert client.get(f"/api/v1/projects/{project.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/projects/{project.id}/crm/accounts/{account.id}", headers=headers).status_code == 404


# --------------------------------------------------------------------------- the document and its page


def test_the_openapi_document_is_3_1_and_describes_the_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert "/api/v1/projects/{project_id}/crm/accounts" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    default = document["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(default) == ["application/problem+json"]


def test_the_documentation_page_is_served_by_the_app_in_the_reader_s_language(client):
    page = client.get("/api/v1/docs?lang=zh").get_data(as_text=True)
    assert "API 文档" in page
    assert "/api/v1/projects/{project_id}/crm/accounts" in page
    assert "https://" not in re.sub(r'https?://localhost[^"<\s]*', "", page.split("<main", 1)[-1])


# --------------------------------------------------------------------------- reading


def test_projects_are_listed_page_by_page(client, world, make_project):
    for n in range(3):
        make_project(manager=world["staff"], name=f"另一个项目{n}")
    headers = bearer(world["secrets"]["staff"])
    seen, after = [], 0
    while True:
        page = client.get(f"/api/v1/projects?limit=2&after={after}", headers=headers).get_json()
        seen += [project["name"] for project in page["items"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert sorted(seen) == sorted(["项目甲", "另一个项目0", "另一个项目1", "另一个项目2"])


def test_members_are_listed_without_their_e_mail_addresses(client, world):
    project = world["project"]
    body = client.get(f"/api/v1/projects/{project.id}/members", headers=bearer(world["secrets"]["staff"])).get_json()
    assert {member["name"] for member in body["items"]} == {"经理", "员工"}
    assert all("email" not in member for member in body["items"])


def test_crm_records_are_read_by_keyset_pages_and_filters(client, world):
    project = world["project"]
    accounts = _accounts(project, world["staff"], 5)
    headers = bearer(world["secrets"]["staff"])
    base = f"/api/v1/projects/{project.id}/crm/accounts"
    first = client.get(base + "?limit=2", headers=headers).get_json()
    assert [a["external_id"] for a in first["items"]] == ["A-00", "A-01"]
    second = client.get(base + f"?limit=2&after={first['next_after']}", headers=headers).get_json()
    assert [a["external_id"] for a in second["items"]] == ["A-02", "A-03"]
    assert client.get(base + "?segment=零售", headers=headers).get_json()["items"][0]["external_id"] == "A-01"
    assert [a["id"] for a in client.get(base + "?external_id=A-04", headers=headers).get_json()["items"]] == \
        [accounts[4].id]
    assert len(client.get(base + "?q=客户0", headers=headers).get_json()["items"]) == 5
    since = (utcnow() + timedelta(hours=1)).isoformat()
    assert client.get(base, query_string={"updated_since": since}, headers=headers).get_json()["items"] == []
    one = client.get(f"{base}/{accounts[0].id}", headers=headers)
    assert one.get_json()["name"] == "客户00" and one.headers["ETag"].startswith('"')


def test_amounts_are_exact_decimal_strings(client, world):
    project = world["project"]
    account = _accounts(project, world["staff"], 1)[0]
    opportunity = Opportunity(project_id=project.id, account_id=account.id, name="续约", amount="1234.50",
                              opportunity_kind=OpportunityKind.UP_SELL, stage=OpportunityStage.PROPOSAL,
                              opened_on=utcnow().date())
    prepare(opportunity)
    db.session.add(opportunity)
    db.session.commit()
    body = client.get(f"/api/v1/projects/{project.id}/crm/opportunities/{opportunity.id}",
                      headers=bearer(world["secrets"]["staff"])).get_json()
    assert body["amount"] == "1234.50" and body["stage"] == "proposal"


# --------------------------------------------------------------------------- writing, versions, scopes


def test_a_read_only_token_cannot_write(client, world, make_user):
    project = world["project"]
    secret = tokens.create(world["staff"], "只读", TokenScope.READ, 30)[1]
    db.session.commit()
    response = client.post(f"/api/v1/projects/{project.id}/crm/accounts", json={"name": "新客户"},
                           headers=bearer(secret, **{"Accept-Language": "zh"}))
    assert response.status_code == 403
    assert "只能读取" in response.get_json()["detail"]
    assert db.session.scalar(select(Account).where(Account.project_id == project.id)) is None


def test_create_change_and_delete_a_record_with_its_version(client, world):
    project = world["project"]
    headers = bearer(world["secrets"]["staff"])
    base = f"/api/v1/projects/{project.id}/crm/accounts"
    created = client.post(base, json={"name": " 新客户 ", "external_id": "N-1", "country": "中国"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    body, etag = created.get_json(), created.headers["ETag"]
    assert body["name"] == "新客户" and body["captured_by_id"] == world["staff"].id
    url = created.headers["Location"]
    assert client.get(url, headers=headers).headers["ETag"] == etag

    missing = client.patch(url, json={"city": "杭州"}, headers=headers)
    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    changed = client.patch(url, json={"city": "杭州"}, headers={**headers, "If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["city"] == "杭州"
    assert changed.headers["ETag"] != etag

    stale = client.patch(url, json={"city": "宁波"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["current"]["city"] == "杭州"  # the current representation, to start again from
    assert stale.headers["ETag"] == changed.headers["ETag"]
    assert db.session.get(Account, body["id"]).city == "杭州"

    assert client.delete(url, headers={**headers, "If-Match": etag}).status_code == 412
    assert client.delete(url, headers={**headers, "If-Match": changed.headers["ETag"]}).status_code == 204
    assert db.session.get(Account, body["id"]) is None


def test_a_record_is_checked_like_an_imported_row(client, world):
    project = world["project"]
    headers = bearer(world["secrets"]["staff"], **{"Accept-Language": "es"})
    response = client.post(f"/api/v1/projects/{project.id}/crm/opportunities",
                           json={"name": "续约", "account": "没有这个客户", "opportunity_kind": "up_sell",
                                 "amount": "-5", "stage": "won", "opened_on": "2026-13-01"}, headers=headers)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = {error["field"]: error for error in response.get_json()["errors"]}
    assert errors["amount"]["code"] == "negative" and "negativo" in errors["amount"]["detail"]
    assert errors["opened_on"]["code"] == "bad_date"
    unknown = client.post(f"/api/v1/projects/{project.id}/crm/accounts", json={"name": "甲", "colour": "red"},
                          headers=headers)
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["code"] == "unknown_field"
    assert db.session.scalar(select(Opportunity).where(Opportunity.project_id == project.id)) is None


def test_staff_change_only_what_they_captured(client, world):
    project = world["project"]
    account = _accounts(project, world["manager"], 1)[0]
    url = f"/api/v1/projects/{project.id}/crm/accounts/{account.id}"
    etag = client.get(url, headers=bearer(world["secrets"]["staff"])).headers["ETag"]
    refused = client.patch(url, json={"city": "杭州"}, headers=bearer(world["secrets"]["staff"], **{"If-Match": etag}))
    assert refused.status_code == 403
    assert db.session.get(Account, account.id).city == ""


def test_bulk_upsert_adds_and_updates_by_external_id(client, world):
    project = world["project"]
    _accounts(project, world["manager"], 2)
    records = [{"external_id": "A-00", "name": "客户00", "segment": "批发", "city": "广州"},  # changed
               {"external_id": "A-01", "name": "客户01", "segment": "零售"},  # as it was
               *({"external_id": f"B-{n:05d}", "name": f"新客户{n}", "created_at": "2026-03-05T09:00:00+08:00"}
                 for n in range(2500))]
    response = client.post(f"/api/v1/projects/{project.id}/crm/accounts/bulk", json={"records": records},
                           headers=bearer(world["secrets"]["manager"]))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"rows": 2502, "inserted": 2500, "updated": 1, "unchanged": 1}
    count = db.session.scalar(select(func.count()).select_from(Account).where(Account.project_id == project.id))
    assert count == 2502
    assert db.session.scalar(select(Account.city).where(Account.external_id == "A-00")) == "广州"


def test_bulk_upsert_keeps_an_open_deals_close_date_as_its_forecast(client, world):
    project = world["project"]
    _accounts(project, world["manager"], 1)
    deal = {"external_id": "D-1", "account": "A-00", "name": "续约", "opportunity_kind": "up_sell", "amount": "10",
            "stage": "proposal", "opened_on": "2026-03-01"}
    response = client.post(f"/api/v1/projects/{project.id}/crm/opportunities/bulk",
                           json={"records": [{**deal, "closed_on": "2026-05-31"}]},
                           headers=bearer(world["secrets"]["manager"]))
    assert response.status_code == 200, response.get_json()
    stored = db.session.scalar(select(Opportunity).where(Opportunity.external_id == "D-1"))
    assert (stored.closed_on, stored.expected_close_on) == (None, date(2026, 5, 31))
    body = client.get(f"/api/v1/projects/{project.id}/crm/opportunities/{stored.id}",
                      headers=bearer(world["secrets"]["manager"])).get_json()
    assert (body["closed_on"], body["expected_close_on"]) == (None, "2026-05-31")
    # Won later: the closing date is a fact, the forecast stays as it was.
    response = client.post(f"/api/v1/projects/{project.id}/crm/opportunities/bulk",
                           json={"records": [{**deal, "stage": "won", "closed_on": "2026-06-04"}]},
                           headers=bearer(world["secrets"]["manager"]))
    assert response.get_json()["updated"] == 1
    db.session.expire_all()
    stored = db.session.get(Opportunity, stored.id)
    assert (stored.closed_on, stored.expected_close_on) == (date(2026, 6, 4), date(2026, 5, 31))


def test_bulk_upsert_is_all_or_nothing_with_every_record_s_problems(client, world):
    project = world["project"]
    _accounts(project, world["manager"], 1)
    records = [{"external_id": "A-00", "name": "改名了"},
               {"external_id": "C-1", "name": ""},
               {"external_id": "C-2", "name": "甲", "captured_by": "nobody@example.com"},
               {"external_id": "C-3", "name": "乙"},
               {"external_id": "C-3", "name": "丙"},
               *({"external_id": f"D-{n}", "name": f"好的{n}"} for n in range(100))]
    response = client.post(f"/api/v1/projects/{project.id}/crm/accounts/bulk", json={"records": records},
                           headers=bearer(world["secrets"]["manager"], **{"Accept-Language": "zh"}))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {(error["index"], error["code"]) for error in errors} == {
        (1, "missing"), (2, "unknown_user"), (4, "duplicate_id")}
    assert all(error["detail"] for error in errors)
    names = db.session.scalars(select(Account.name).where(Account.project_id == project.id)).all()
    assert names == ["客户00"]  # nothing written, not even the good records


def test_bulk_upsert_takes_at_most_ten_thousand_records(client, world):
    project = world["project"]
    response = client.post(f"/api/v1/projects/{project.id}/crm/accounts/bulk",
                           json={"records": [{"external_id": "x", "name": "y"}] * 10_001},
                           headers=bearer(world["secrets"]["manager"]))
    assert response.status_code == 422


def test_each_token_is_rate_limited_with_retry_after(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 3)
    staff, manager = bearer(world["secrets"]["staff"]), bearer(world["secrets"]["manager"])
    assert [client.get("/api/v1/projects", headers=staff).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get("/api/v1/projects", headers=staff)
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/projects", headers=manager).status_code == 200  # another token, its own count


# --------------------------------------------------------------------------- tasks and quick wins


def test_tasks_are_written_with_the_web_s_form_and_versions(client, world):
    project = world["project"]
    manager = bearer(world["secrets"]["manager"], **{"Accept-Language": "es"})
    base = f"/api/v1/projects/{project.id}/tasks"
    refused = client.post(base, json={"title": "", "category": "nonsense"}, headers=manager)
    assert refused.status_code == 422
    assert {error["field"] for error in refused.get_json()["errors"]} >= {"title", "category"}
    created = client.post(base, json={"title": "培训", "category": "training", "due_date": "2026-12-01"},
                          headers=manager)
    assert created.status_code == 201, created.get_json()
    task, etag = created.get_json(), created.headers["ETag"]
    assert task["status"] == "open" and task["due_date"] == "2026-12-01"
    url = created.headers["Location"]
    assert client.patch(url, json={"status": "done"}, headers=manager).status_code == 428
    done = client.patch(url, json={"status": "done"}, headers={**manager, "If-Match": etag})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert done.get_json()["title"] == "培训"  # what was not sent is kept
    assert client.patch(url, json={"status": "open"}, headers={**manager, "If-Match": etag}).status_code == 412


def test_a_quick_win_target_is_given_in_the_kpi_s_unit(client, world):
    project = world["project"]
    manager = bearer(world["secrets"]["manager"])
    created = client.post(f"/api/v1/projects/{project.id}/quick-wins",
                          json={"title": "首次解决率", "benefit": "提高首次解决率", "kpi": "first_contact_resolution",
                                "kpi_target": 0.85}, headers=manager)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["kpi_target"] == "0.8500"
    changed = client.patch(created.headers["Location"], json={"result": "达成"},
                           headers={**manager, "If-Match": created.headers["ETag"]})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["kpi_target"] == "0.8500" and changed.get_json()["result"] == "达成"


# --------------------------------------------------------------------------- stages and sign-offs


def test_stages_carry_their_gate_and_sign_offs_follow_the_web_s_rules(client, world, make_user, add_member):
    from planner.audit.models import AuditEvent
    from planner.rollout.models import RequestStatus, SignoffRequest
    from tests.rollout_factories import make_rollout

    project, manager = world["project"], world["manager"]
    sponsor = make_user(name="发起人")
    add_member(project, sponsor, sponsor=True)
    sponsor_secret = tokens.create(sponsor, "决策", TokenScope.WRITE, 30)[1]
    db.session.commit()
    rollout = make_rollout(project, manager, sponsor)
    base = f"/api/v1/projects/{project.id}"
    staff = bearer(world["secrets"]["staff"], **{"Accept-Language": "zh"})
    stages = client.get(f"{base}/stages", headers=staff).get_json()["items"]
    awaiting = next(item for item in stages if item["id"] == rollout["awaiting"].id)
    assert awaiting["status"] == "awaiting_signoff"
    assert awaiting["gate"]["total"] == 2 and awaiting["gate"]["go"] is False
    assert all(criterion["title"] for criterion in awaiting["gate"]["criteria"])

    stage_url = f"{base}/stages/{rollout['awaiting'].id}"
    etag = client.get(stage_url, headers=staff).headers["ETag"]
    decide_url = f"{base}/signoff-requests/{rollout['request'].id}/decision"
    sponsor_headers = bearer(sponsor_secret, **{"Accept-Language": "es"})
    # Some exit criteria are not met: approving without a word is refused, as on the gate page.
    refused = client.post(decide_url, json={"outcome": "approved"}, headers={**sponsor_headers, "If-Match": etag})
    assert refused.status_code == 422 and "comentario" in refused.get_json()["detail"]
    assert client.post(decide_url, json={"outcome": "approved", "comment": "可以"},
                       headers=sponsor_headers).status_code == 428
    # The manager who asked cannot decide.
    assert client.post(decide_url, json={"outcome": "approved", "comment": "好"},
                       headers=bearer(world["secrets"]["manager"], **{"If-Match": etag})).status_code == 403
    decided = client.post(decide_url, json={"outcome": "approved_with_conditions", "comment": "先清理重复客户"},
                          headers={**sponsor_headers, "If-Match": etag})
    assert decided.status_code == 201, decided.get_json()
    assert decided.get_json()["decision"]["outcome"] == "approved_with_conditions"
    assert db.session.get(SignoffRequest, rollout["request"].id).status is RequestStatus.DECIDED
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.project_id == project.id)
                             .order_by(AuditEvent.id.desc()).limit(1)) == "signoff.approved_with_conditions"
    again = client.post(decide_url, json={"outcome": "rejected", "comment": "不行"},
                        headers={**sponsor_headers, "If-Match": etag})
    assert again.status_code == 409


# --------------------------------------------------------------------------- KPIs, TCO, feedback


def test_a_kpi_target_is_set_with_its_version_and_in_the_kpi_s_unit(client, world):
    project = world["project"]
    manager = bearer(world["secrets"]["manager"])
    url = f"/api/v1/projects/{project.id}/kpis/adoption"
    read = client.get(url, headers=manager)
    assert read.status_code == 200 and read.get_json()["target"] is None
    assert client.put(url + "/target", json={"target": 0.8}, headers=manager).status_code == 428
    assert client.put(url + "/target", json={"target": 80}, headers={**manager, "If-Match": read.headers["ETag"]}
                      ).status_code == 422  # a rate is a ratio: 80 would be 8000 percent
    done = client.put(url + "/target", json={"target": 0.8}, headers={**manager, "If-Match": read.headers["ETag"]})
    assert done.status_code == 200 and done.get_json()["target"] == "0.8000"
    assert client.put(url + "/target", json={"target": 0.9},
                      headers={**manager, "If-Match": read.headers["ETag"]}).status_code == 412
    staff = bearer(world["secrets"]["staff"], **{"If-Match": done.headers["ETag"]})
    assert client.put(url + "/target", json={"target": 0.9}, headers=staff).status_code == 403
    items = client.get(f"/api/v1/projects/{project.id}/kpis", headers=bearer(world["secrets"]["staff"])).get_json()
    assert {item["key"]: item["target"] for item in items["items"]}["adoption"] == "0.8000"
    weeks = client.get(url + "/weeks?weeks=3", headers=manager).get_json()
    assert len(weeks) == 3


def test_tco_scenarios_are_read_by_leads_only(client, world):
    from decimal import Decimal

    from planner.tco import services as tco
    from planner.tco.models import CostCategory, DeploymentModel

    project = world["project"]
    scenario = tco.create_scenario(project, name="云端方案", deployment=DeploymentModel.CLOUD)
    tco.save_cost_line(scenario, None, category=CostCategory.LICENCES, description="许可",
                       amounts=(Decimal("1000.00"), Decimal("1000.00"), Decimal("1000.00")))
    db.session.commit()
    url = f"/api/v1/projects/{project.id}/tco/scenarios"
    assert client.get(url, headers=bearer(world["secrets"]["staff"])).status_code == 403
    body = client.get(url, headers=bearer(world["secrets"]["manager"])).get_json()
    assert body["items"][0]["analysis"]["total_cost"] == "3000.00"
    assert body["items"][0]["cost_lines"][0]["amounts"] == ["1000.00", "1000.00", "1000.00"]


def test_feedback_aggregates_hide_groups_under_five_and_name_no_one(client, world, make_user, add_member):
    from planner.feedback import services as feedback
    from planner.feedback.models import Dimension

    project = world["project"]
    members = [add_member(project, make_user(name=f"答卷人{n}"), team="销售" if n < 5 else "客服")
               for n in range(7)]
    for n, member in enumerate(members):
        feedback.submit_member_feedback(project, member, dict.fromkeys(Dimension, 2 + n % 3), f"意见{n}", None, "zh")
    db.session.commit()
    body = client.get(f"/api/v1/projects/{project.id}/feedback", headers=bearer(world["secrets"]["manager"])
                      ).get_json()
    assert body["min_group"] == 5
    assert body["overall"]["shown"] and body["overall"]["respondents"] == 7
    teams = {group["key"]: group for group in body["by_team"]}
    assert teams["销售"]["shown"] and teams["销售"]["averages"]["awareness"] is not None
    assert teams["客服"] == {"key": "客服", "label": "客服", "shown": False, "respondents": None, "averages": {},
                           "overall": None}  # two people: nothing that could tell their answers apart
    text = str(body)
    assert "意见" not in text and "答卷人" not in text


def test_an_id_beyond_the_database_s_range_is_not_found_whatever_the_method(client, world):
    headers = bearer(world["secrets"]["manager"])
    for method in ("GET", "POST"):
        response = client.open("/api/v1/projects/9223372036854775808/tasks", method=method, json={}, headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.put("/api/v1/projects", headers=headers).status_code == 405


def test_a_browser_session_cannot_write_through_the_api_without_a_token(client, world, login):
    """The API takes no CSRF token: only a bearer token authenticates it, so a cookie alone is refused."""
    project = world["project"]
    login(client, world["manager"])
    response = client.post(f"/api/v1/projects/{project.id}/crm/accounts", json={"name": "跨站请求"}, csrf=False)
    assert response.status_code == 401
    assert db.session.scalar(select(Account).where(Account.project_id == project.id)) is None


@pytest.mark.parametrize("few", [5, 10_000])  # the many-changed plan (id order) and the few-changed plan
def test_updated_since_pages_through_exactly_the_records_changed_since(client, world, monkeypatch, few):
    from planner.api.resources import crm as crm_resource

    monkeypatch.setattr(crm_resource, "CHANGED_FEW", few)
    project = world["project"]
    accounts = _accounts(project, world["manager"], 30)
    for account in accounts:
        account.updated_at = utcnow() - timedelta(days=2)
    changed = accounts[3::4]  # 8 records changed since yesterday, spread over the ids
    for account in changed:
        account.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat()
    seen, after, pages = [], 0, 0
    while after is not None:
        body = client.get(f"/api/v1/projects/{project.id}/crm/accounts", headers=bearer(world["secrets"]["staff"]),
                          query_string={"updated_since": since, "limit": 3, "after": after}).get_json()
        seen += [item["id"] for item in body["items"]]
        after, pages = body["next_after"], pages + 1
    assert seen == sorted(account.id for account in changed) and pages == 3
