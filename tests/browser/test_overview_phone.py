"""The project overview puts a staff member's own cards first (the survey, their tasks, the quick
wins) ahead of the stage and KPI cards, so on a 390-px phone the feedback card is on the first screen;
managers keep the overview as it was. Screenshots go to test-artifacts/ (look at them)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from planner.dates import local_today as today
from planner.extensions import db
from planner.rollout.models import StageStatus
from tests import rollout_factories as rf
from tests import tco_factories
from tests.change_factories import make_task

PHONE, WIDE = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
FIRST_SCREEN = 900


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="王芳", language="zh")
    staff_zh = make_user(name="张敏", language="zh")
    staff_en = make_user(name="Sam Lee", language="en")
    project = make_project(manager=manager, name="华信家电 — 客户关系管理系统实施",
                           vision="让每一位客户在一次联系中得到答复，让销售与服务共享同一份客户档案。" * 3)
    members = {key: add_member(project, user, team="售后服务") for key, user in (("zh", staff_zh), ("en", staff_en))}
    rf.stage(project, name="第一波：售后服务", status=StageStatus.ACTIVE, started=today(), teams=["售后服务"])
    for member in members.values():
        make_task(project, title="参加新系统培训", owner=member, due_date=today() + timedelta(days=3))
    tco_factories.make_scenario(db, project, costs=[("licences", ("120000", "120000", "120000"))],
                                benefits=[("90000", "150000", "200000")])
    return {"manager": manager, "zh": staff_zh, "en": staff_en, "project": project}


def top_of(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


@pytest.mark.parametrize("language, button", [("zh", "提交反馈"), ("en", "Give feedback")])
def test_staff_see_the_feedback_card_and_their_tasks_on_the_first_phone_screen(
        page, live_server, browser_login, screenshot, team, language, button):
    project = team["project"]
    page.set_viewport_size(PHONE)
    browser_login(page, team[language], language=language)
    page.goto(f"{live_server}/projects/{project.id}?lang={language}")
    feedback = page.locator("section[aria-labelledby=panel-feedback]")
    expect(feedback.get_by_role("link", name=button)).to_be_visible()
    box = feedback.bounding_box()
    assert box["y"] < FIRST_SCREEN and box["y"] + box["height"] <= PHONE["height"], box
    assert top_of(page, "section[aria-labelledby=panel-tasks]") < top_of(page, ".kpi-panel")
    # Their cards come before the KPIs and the vision in the page's own order too (what a screen
    # reader and the keyboard meet first is what is shown first).
    order = page.evaluate("() => [...document.querySelectorAll('main section.card')]"
                          ".map(s => s.getAttribute('aria-labelledby') || s.className)")
    assert order[:2] == ["panel-feedback", "panel-tasks"], order
    assert any("kpi-panel" in entry for entry in order[2:]), order
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"overview-staff-{language}-390")
    page.set_viewport_size(WIDE)
    feedback_box = feedback.bounding_box()
    tasks_box = page.locator("section[aria-labelledby=panel-tasks]").bounding_box()
    assert abs(feedback_box["y"] - tasks_box["y"]) < 2 and feedback_box["x"] < tasks_box["x"]  # side by side
    screenshot(page, f"overview-staff-{language}-1366")


def test_managers_keep_the_overview_as_it_was(page, live_server, browser_login, screenshot, team):
    project = team["project"]
    page.set_viewport_size(WIDE)
    browser_login(page, team["manager"], language="zh")
    page.goto(f"{live_server}/projects/{project.id}?lang=zh")
    expect(page.locator(".overview-mine")).to_have_count(0)
    vision = page.get_by_role("heading", name="愿景")
    assert vision.bounding_box()["y"] < top_of(page, "section[aria-labelledby=panel-tasks]")
    assert top_of(page, ".kpi-panel") <= top_of(page, "section[aria-labelledby=panel-tasks]")
    expect(page.locator(".tco-panel")).to_be_visible()
    tasks = top_of(page, "section[aria-labelledby=panel-tasks]")
    assert tasks < top_of(page, "section[aria-labelledby=panel-feedback]")
    screenshot(page, "overview-manager-zh-1366")
