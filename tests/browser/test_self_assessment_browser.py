"""The seven-sins self-assessment in Chromium: one section at a time with a progress indicator, one
error summary whose links open the right section, a saved draft; in Chinese and Spanish, on a
desktop screen and a phone."""

import pytest
from playwright.sync_api import expect

from planner.auth.models import GlobalRole

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TEXT = {
    "zh": {"progress0": "已回答 0 / 21 个问题", "progress3": "已回答 3 / 21 个问题", "summary": "还有 18 个问题未回答",
           "next": "下一部分", "draft": "保存为草稿", "saved": "草稿已保存", "unknown": "不清楚"},
    "es": {"progress0": "0 de 21 preguntas respondidas", "progress3": "3 de 21 preguntas respondidas",
           "summary": "Falta responder 18 preguntas", "next": "Sección siguiente", "draft": "Guardar como borrador",
           "saved": "El borrador está guardado", "unknown": "No lo sé"},
}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["zh", "es"])
def test_the_assessment_goes_section_by_section_and_keeps_a_draft(page, live_server, make_user, make_project,
                                                                   browser_login, screenshot, language, width):
    text = TEXT[language]
    manager = make_user(role=GlobalRole.MANAGER, language=language)
    project = make_project(manager=manager)
    page.set_viewport_size(WIDTHS[width])
    browser_login(page, manager)
    page.goto(f"{live_server}/projects/{project.id}/risk/new")
    sections = page.locator(".sin-section")
    expect(sections).to_have_count(7)
    expect(page.locator(".sin-section:visible")).to_have_count(1)  # one section at a time
    expect(page.locator("#assessment-progress-label")).to_have_text(text["progress0"])
    first = sections.nth(0)
    screenshot(page, f"assessment-start-{language}-{width}")

    # Answer the three questions of the first section, one of them "don't know"; the counts follow.
    options = first.locator("fieldset.warning-sign")
    expect(options).to_have_count(3)
    options.nth(0).locator("label.answer-option-yes").click()
    options.nth(1).locator("label.answer-option-unknown").click()
    expect(options.nth(1).locator("label.answer-option-unknown")).to_have_text(text["unknown"])
    options.nth(2).locator("label.answer-option-no").click()
    expect(page.locator("#assessment-progress-label")).to_have_text(text["progress3"])
    expect(page.locator("#assessment-progress")).to_have_attribute("aria-valuenow", "3")
    expect(page.locator(".sin-step").nth(0)).to_have_class("sin-step sin-step-done")
    first.get_by_role("button", name=text["next"]).click()
    expect(sections.nth(1)).to_be_visible()
    expect(first).to_be_hidden()

    # An incomplete round: one summary at the top, focused, linking to each unanswered question.
    page.locator("#submit").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text(text["summary"])
    expect(summary.locator("a")).to_have_count(18)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    screenshot(page, f"assessment-errors-{language}-{width}")
    # The answers given are kept; a link opens the section of its question and focuses it.
    expect(page.locator("#assessment-progress-label")).to_have_text(text["progress3"])
    summary.locator("a").nth(17).click()  # the last question, in the last section
    last = sections.nth(6)
    expect(last).to_be_visible()
    expect(last.locator("input[type=radio]").nth(-4)).to_be_focused()

    # Save a draft; coming back restores it and resumes at the first unfinished section.
    page.get_by_role("button", name=text["draft"]).click()
    expect(page.locator(".alert-success")).to_contain_text(text["saved"])
    page.goto(f"{live_server}/projects/{project.id}/risk/new")
    expect(page.locator("#draft-notice")).to_be_visible()
    expect(page.locator("#assessment-progress-label")).to_have_text(text["progress3"])
    expect(sections.nth(1)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= WIDTHS[width]["width"], "the page scrolls sideways"
    screenshot(page, f"assessment-draft-{language}-{width}")
