"""In Chromium: walk three steps of the wizard in Chinese and in Spanish, and see the radar drawn."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.extensions import db
from planner.methodology import services
from planner.methodology.catalogue import load_catalogue

STEPS = load_catalogue().get("twelve_steps").items


def adopted_project(make_user, make_project, language):
    manager = make_user(email=f"pm-{language}@example.com", name="项目经理" if language == "zh" else "Ana Ruiz",
                        role=GlobalRole.MANAGER, language=language)
    project = make_project(manager=manager, name="华信家电" if language == "zh" else "Distribuciones Alba")
    services.adopt(project, "twelve_steps")
    db.session.commit()
    return manager, project


@pytest.mark.parametrize("language, step_label, done_label", [
    ("zh", "第 {n} 步，共 12 步", "已完成 {done} / 12"),
    ("es", "Paso {n} de 12", "{done} de 12 hechos"),
])
def test_walk_three_steps_of_the_wizard(page, live_server, browser_login, make_user, make_project, screenshot,
                                        app, language, step_label, done_label):
    manager, project = adopted_project(make_user, make_project, language)
    with app.app_context(), app.test_request_context(f"/?lang={language}"):
        titles = [step.title.in_language(language) for step in STEPS[:3]]
    browser_login(page, manager, language=language)
    page.goto(f"{live_server}/projects/{project.id}/methodology")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("a[href$='/methodology/twelve_steps/steps/1']").first.click()

    # Step 1: read the guidance, go on with "next".
    expect(page.locator("#step-title")).to_contain_text(titles[0])
    expect(page.locator("#step-position")).to_contain_text(step_label.format(n=1))
    page.locator("a[rel=next]").click()

    # Step 2: mark it done and move on with "save and go to the next step".
    expect(page.locator("#step-title")).to_contain_text(titles[1])
    page.locator("select[name=status]").select_option("done")
    page.locator("textarea[name=evidence]").fill("访谈记录" if language == "zh" else "Actas de las entrevistas")
    page.locator("input[name=save_next]").click()

    # Step 3: the progress bar and the step strip show the step just done.
    expect(page.locator("#step-title")).to_contain_text(titles[2])
    expect(page.locator("#step-position")).to_contain_text(step_label.format(n=3))
    expect(page.locator("#walk-progress-label")).to_have_text(done_label.format(done=1))
    expect(page.locator(".step-strip a").nth(1)).to_have_class(re.compile("step-done"))
    expect(page.locator(".progress-bar").first).to_have_attribute("style", re.compile(r"width: 8\.3%"))
    screenshot(page, f"methodology-walk-{language}")

    page.locator("a[rel=prev]").click()
    expect(page.locator("#step-title")).to_contain_text(titles[1])
    expect(page.locator("textarea[name=evidence]")).to_have_value(re.compile(r"\S"))


def test_the_radar_chart_renders_and_the_page_fits_a_phone(page, live_server, browser_login, make_user, make_project,
                                                           screenshot):
    manager, project = adopted_project(make_user, make_project, "zh")
    sins = load_catalogue().get("seven_sins")
    for n, worst in enumerate(("yes", "partly")):
        data = {f"{sin.key}.{sign.key}": worst if index == 0 else "no"
                for sin in sins.items for index, sign in enumerate(sin.warning_signs)}
        row = services.record_assessment(project, data)
        row.created_at = datetime.now(UTC) - timedelta(days=30 * (1 - n))
    db.session.commit()
    browser_login(page, manager, language="zh")
    page.goto(f"{live_server}/projects/{project.id}/risk")
    chart = page.locator("#sins-radar")
    expect(chart).to_have_attribute("data-rendered", "true", timeout=15_000)
    assert chart.locator(".scatterlayer .trace").count() == 2  # this round and the previous one
    expect(chart.locator(".legendtext").first).to_contain_text("上一轮")
    screenshot(page, "methodology-risk-zh")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#sins-radar")).to_have_attribute("data-rendered", "true", timeout=15_000)
    screenshot(page, "methodology-risk-phone-zh")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
