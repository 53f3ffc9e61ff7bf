"""In Chromium, in Chinese: a sponsor signs in and lands on the dashboard, sees the project in
trouble first with its reasons, follows the pending sign-off to its gate; on a phone the cards fit
the screen."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.methodology.models import SinAssessment
from planner.rollout.models import StageStatus
from tests import rollout_factories as r
from tests.change_factories import make_task

TODAY = datetime.now(UTC).date()


def test_a_sponsor_lands_on_the_dashboard_and_follows_a_sign_off(page, live_server, make_user, make_project,
                                                                  add_member, browser_login, screenshot, db):
    manager = make_user(email="pm@example.com", name="李经理", role=GlobalRole.MANAGER, language="zh")
    sponsor = make_user(email="sponsor@example.com", name="王总", language="zh")
    calm = make_project(manager=manager, name="华信家电华南区")
    trouble = make_project(manager=manager, name="华信家电华东区")
    for project in (calm, trouble):
        add_member(project, sponsor, sponsor=True)
    for _ in range(5):
        make_task(trouble, title="培训门店店长", due_date=TODAY - timedelta(days=4))
    db.session.add(SinAssessment(project_id=trouble.id, answers={}, scores={}, overall_score=58, level="red"))
    db.session.commit()
    wave = r.stage(trouble, name="第一批推广", status=StageStatus.AWAITING_SIGNOFF, started=TODAY - timedelta(days=21))
    r.request(wave, manager)

    browser_login(page, sponsor, language="zh")
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="高管仪表板")).to_be_visible()
    cards = page.locator("article.dash-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("华信家电华东区")
    expect(cards.first.locator("[data-health]")).to_have_text("偏离轨道")
    expect(cards.first).to_contain_text("5 项变革任务已逾期")
    expect(cards.first).to_contain_text("本阶段已进行 21 天")
    screenshot(page, "dashboard-zh")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-zh-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("#waiting").get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server}/projects/{trouble.id}/rollout/stages/{wave.id}")
    expect(page.get_by_role("heading", name="第一批推广")).to_be_visible()
