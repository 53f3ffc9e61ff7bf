"""In Chromium: a staff member answers the adoption survey in Chinese; the project manager reads the
results in English, with the comment shown as written, in Chinese."""

from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from tests.change_factories import make_member_answer, make_stage, make_task

COMMENT = "培训时间太短，希望再安排一次上机练习。"


def test_staff_answer_in_chinese_and_the_manager_reads_it_in_english(page, browser, live_server, make_user,
                                                                      make_project, add_member, browser_login,
                                                                      screenshot):
    manager = make_user(email="pm@example.com", name="Priya", role=GlobalRole.MANAGER, language="en")
    project = make_project(manager=manager, name="华信家电 CRM")
    stage = make_stage(project, name="试点 — 上海")
    staff = make_user(email="wang@example.com", name="王芳", language="zh")
    member = add_member(project, staff, team="售后服务")
    make_task(project, title="准备培训材料", owner=member, stage=stage)
    for ratings in [(4, 4, 3, 4, 3), (5, 4, 2, 3, 3), (4, 3, 3, 4, 2), (3, 4, 2, 3, 3)]:
        make_member_answer(project, ratings, stage=stage, team="售后服务", language="zh")

    browser_login(page, staff, language="zh")
    page.goto(f"{live_server}/projects/{project.id}")
    page.get_by_role("link", name="人员", exact=True).click()  # the section opens on the survey
    expect(page.get_by_role("link", name="反馈", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="这次变革对您来说进展如何？")).to_be_visible()
    expect(page.get_by_text("我清楚公司为什么要改用新的 CRM 系统。")).to_be_visible()
    page.get_by_label("您针对哪个阶段作答？").select_option(label="试点 — 上海")
    for field, value in [("awareness", 4), ("desire", 4), ("knowledge", 2), ("ability", 3), ("reinforcement", 3)]:
        page.locator(f"label[for={field}-{value - 1}]").click()
    page.get_by_label("还有什么想告诉项目组的吗？（选填）").fill(COMMENT)
    screenshot(page, "feedback-give-zh")
    page.get_by_role("button", name="提交我的反馈").click()
    expect(page.get_by_text("谢谢！项目组会把您的回答和同事们的回答汇总在一起查看。")).to_be_visible()
    expect(page.get_by_text("您最近的回答")).to_be_visible()

    page = browser.new_page(viewport={"width": 1280, "height": 900})  # another person, another browser
    browser_login(page, manager, language="en")
    page.goto(f"{live_server}/projects/{project.id}/feedback")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Adoption feedback")).to_be_visible()
    comment = page.locator("blockquote", has_text=COMMENT)
    expect(comment).to_have_attribute("lang", "zh")
    expect(page.locator(".feedback-comment", has=comment).get_by_text("简体中文")).to_be_visible()
    expect(page.locator("#weakest-dimension")).to_contain_text("Knowledge")
    expect(page.locator("#barrier-alert")).to_contain_text("Barrier point: Knowledge")
    expect(page.locator("#chart-trend")).to_have_attribute("data-rendered", "true", timeout=15_000)
    expect(page.locator("#chart-dimensions")).to_have_attribute("data-rendered", "true")
    screenshot(page, "feedback-results-en")

    page.locator(".feedback-comment", has=comment).get_by_role("button", name="Turn into a task").click()
    expect(page.get_by_text("The comment is now a task. Choose its owner and due date.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(f"Follow up on feedback: {COMMENT}")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/projects/{project.id}/feedback/results")
    expect(page.locator("#chart-dimensions")).to_have_attribute("data-rendered", "true", timeout=15_000)
    screenshot(page, "feedback-results-phone-en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the results scroll sideways on a phone"
    page.goto(f"{live_server}/projects/{project.id}/change/tasks")
    screenshot(page, "change-tasks-phone-en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the task board scrolls sideways"
