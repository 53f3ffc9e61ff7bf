"""In Chromium, in Chinese: under an "all sponsors" rule one sponsor has approved; the other is away
and their stand-in (a staff member) opens the gate, sees who decided and who is expected, and
approves in the sponsor's name; the gate then says who decided for whom. The card fits a phone."""

from datetime import timedelta

from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.dates import date_in_zone
from planner.db import utcnow
from planner.extensions import db
from planner.rollout.models import ApprovalRule, Outcome, StageStatus, StandIn
from planner.rollout.services import approvals
from planner.rollout.services.signoff import decide, request_signoff
from tests import rollout_factories as r


def test_a_stand_in_approves_in_the_sponsors_name_in_chinese(page, live_server, make_user, make_project, add_member,
                                                            browser_login, screenshot):
    manager = make_user(email="pm@example.com", name="李经理", role=GlobalRole.MANAGER, language="zh")
    first = make_user(email="zhao@example.com", name="赵磊", language="zh", timezone="Asia/Shanghai")
    away = make_user(email="wang@example.com", name="王总", language="zh", timezone="Asia/Shanghai")
    deputy = make_user(email="fang@example.com", name="王芳", language="zh", timezone="Asia/Shanghai")
    project = make_project(manager=manager, name="华信家电")
    first_member = add_member(project, first, sponsor=True)
    add_member(project, away, sponsor=True)
    add_member(project, deputy, team="售后服务")
    stage = r.stage(project, name="第一批推广 — 华东区销售", status=StageStatus.ACTIVE,
                    started=date_in_zone(utcnow(), "UTC") - timedelta(days=30))
    approvals.set_rule(project, None, ApprovalRule.ALL, by=manager)
    request_ = request_signoff(stage, stage.version, manager, "推广七周，各项指标稳定。")
    decide(request_, first, first_member, Outcome.APPROVED, "费用在预算之内，同意。", stage.version)
    today = date_in_zone(utcnow(), "Asia/Shanghai")
    db.session.add(StandIn(project_id=project.id, sponsor_id=away.id, stand_in_id=deputy.id, starts_on=today,
                           ends_on=today + timedelta(days=6)))
    db.session.commit()

    browser_login(page, deputy, language="zh")
    page.goto(f"{live_server}/projects/{project.id}/rollout/stages/{stage.id}")
    card = page.locator(".signoff-card")
    expect(card).to_contain_text("审批规则：全体执行发起人")
    expect(card).to_contain_text("等待：王总")
    expect(card.locator(".stand-in-note")).to_contain_text("您作为 王总 的代理人作出决定")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "approvals-stand-in-zh-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    card.get_by_label("批准", exact=True).check()
    card.get_by_role("button", name="记录决定").click()
    expect(page.locator(".alert-success")).to_be_visible()
    history = page.locator(".signoff-history")
    expect(history).to_contain_text("由 王芳 代 王总")
    expect(history).to_contain_text("赵磊")
    screenshot(page, "approvals-stand-in-zh-decided")


def test_a_manager_sets_a_chain_of_approvers_in_spanish(page, live_server, make_user, make_project, add_member,
                                                        browser_login, screenshot):
    manager = make_user(email="pm@example.com", name="Lucía Fernández", role=GlobalRole.MANAGER, language="es")
    business = make_user(email="samuel@example.com", name="Samuel Ortiz", language="es")
    finance = make_user(email="alvaro@example.com", name="Álvaro Gil", language="es")
    project = make_project(manager=manager, name="Distribuciones Alba")
    add_member(project, business, sponsor=True)
    add_member(project, finance, sponsor=True)
    stage = r.stage(project, name="Oleada 1 — Valencia", status=StageStatus.ACTIVE,
                    started=date_in_zone(utcnow(), "UTC") - timedelta(days=3))

    browser_login(page, manager, language="es")
    page.goto(f"{live_server}/projects/{project.id}/rollout/approvals")
    page.get_by_label("Aprobadores designados, por orden", exact=True).check()
    page.locator("#chain-0").select_option(label="Samuel Ortiz")
    page.locator("#chain-1").select_option(label="Álvaro Gil")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "approvals-chain-es-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Guardar la regla de aprobación").click()
    expect(page.locator(".alert-success")).to_contain_text("La regla de aprobación está guardada")
    page.goto(f"{live_server}/projects/{project.id}/rollout/stages/{stage.id}")
    expect(page.locator(".rule-in-force")).to_contain_text("Samuel Ortiz → Álvaro Gil")
    screenshot(page, "approvals-chain-es-gate")
