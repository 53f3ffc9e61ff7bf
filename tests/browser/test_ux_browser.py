"""In Chromium, at 1366 px and 390 px, in Chinese and another language: the language chosen on the
sign-in page survives sign-in; the setup checklist; the navigation in sections with a phone menu
that says where you are; grey "not enough data" health; staff landing on "My work" with the feedback
button in the first screen; the report's first page an executive summary with no half-empty page.
Screenshots and the report's pages go to test-artifacts/ (look at them)."""

import io
import os
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from planner.auth.models import GlobalRole
from planner.change.models import QuickWinStatus
from planner.dates import local_today as today
from planner.rollout.models import StageStatus
from tests import rollout_factories as rf
from tests.browser.test_report_browser import _compact
from tests.change_factories import make_quick_win, make_task
from tests.conftest import ARTIFACTS, IN_CI
from tests.test_report import build

WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="王芳", language="en", role=GlobalRole.MANAGER)
    sponsor = make_user(name="李伟", language="en")
    staff = make_user(name="张敏", language="en")
    project = make_project(manager=manager, name="华信家电 — 客户关系管理系统实施")
    add_member(project, sponsor, sponsor=True)
    member = add_member(project, staff, team="售后服务")
    return {"manager": manager, "sponsor": sponsor, "staff": staff, "project": project, "member": member}


# --------------------------------------------------------------------------- 1. language


@pytest.mark.parametrize("language, words", [("zh", "我的工作"), ("es", "Mi trabajo")])
def test_the_language_picked_on_the_sign_in_page_survives_sign_in(page, live_server, browser_login, team,
                                                                    language, words):
    page.set_viewport_size(WIDE)
    browser_login(page, team["staff"], language=language)  # the account says English
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#main-nav")).to_contain_text(words)
    page.goto(f"{live_server}/projects")  # and it stays, saved to the account
    expect(page.locator("html")).to_have_attribute("lang", language)


# --------------------------------------------------------------------------- 2. setup checklist


@pytest.mark.parametrize("language, viewport, title", [("zh", WIDE, "设置项目"), ("zh", PHONE, "设置项目"),
                                                       ("es", WIDE, "Configura el proyecto"),
                                                       ("es", PHONE, "Configura el proyecto")])
def test_the_setup_checklist_leads_step_by_step(page, live_server, browser_login, screenshot, team, language,
                                                viewport, title):
    page.set_viewport_size(viewport)
    browser_login(page, team["manager"], language=language)
    page.goto(f"{live_server}/projects/{team['project'].id}")
    checklist = page.locator("#setup-checklist")
    expect(checklist).to_contain_text(title)
    steps = checklist.locator("[data-step]")
    expect(steps).to_have_count(6)
    boxes = [steps.nth(i).bounding_box() for i in range(6)]
    if viewport is WIDE:  # three a row, aligned
        assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"] and boxes[3]["y"] > boxes[0]["y"]
    else:  # one a row
        assert all(b["x"] == boxes[0]["x"] for b in boxes)
    no_sideways_scroll(page, viewport["width"])
    screenshot(page, f"ux-setup-{language}-{viewport['width']}")
    checklist.locator('[data-step="members"] a').click()  # one click away
    page.wait_for_url(f"**/projects/{team['project'].id}/members")


# --------------------------------------------------------------------------- 3. navigation


@pytest.mark.parametrize("language", ["zh", "es"])
def test_the_sections_fit_one_row_with_the_current_tabs_below(page, live_server, browser_login, screenshot, team,
                                                              language):
    page.set_viewport_size(WIDE)
    browser_login(page, team["manager"], language=language)
    page.goto(f"{live_server}/projects/{team['project'].id}/risk")
    sections = page.locator(".project-sections .nav-link")
    expect(sections).to_have_count(6)  # overview, plan, rollout, data, people, settings
    tops = {round(sections.nth(i).bounding_box()["y"]) for i in range(6)}
    assert len(tops) == 1, tops
    expect(page.locator('.project-sections [data-section="plan"]')).to_have_class("nav-link text-nowrap active")
    expect(page.locator(".project-subtabs [aria-current=page]")).to_be_visible()
    expect(page.locator(".project-nav-compact")).to_be_hidden()
    screenshot(page, f"ux-nav-{language}-1366")


@pytest.mark.parametrize("language, where", [("zh", ["计划", "七宗罪"]), ("es", ["Plan", "Siete pecados"])])
def test_on_a_phone_one_menu_says_where_you_are(page, live_server, browser_login, screenshot, team, language,
                                                where):
    page.set_viewport_size(PHONE)
    browser_login(page, team["manager"], language=language)
    pid = team["project"].id
    page.goto(f"{live_server}/projects/{pid}/risk")
    toggle = page.locator(".project-nav-toggle")
    expect(toggle).to_be_visible()
    for word in where:
        expect(toggle).to_contain_text(word)
    expect(page.locator(".project-tabs")).to_be_hidden()
    no_sideways_scroll(page, 390)
    screenshot(page, f"ux-nav-{language}-390")
    toggle.click()
    menu = page.locator("#project-nav-menu")
    expect(menu).to_be_visible()
    expect(menu.locator("[aria-current=page]")).to_contain_text(where[1])
    screenshot(page, f"ux-nav-{language}-390-open")
    menu.locator(f'a[href="/projects/{pid}/kpis"]').click()
    page.wait_for_url(f"**/projects/{pid}/kpis")


def test_staff_see_no_project_manager_pages_in_the_phone_menu(page, live_server, browser_login, team):
    page.set_viewport_size(PHONE)
    browser_login(page, team["staff"], language="zh")
    pid = team["project"].id
    page.goto(f"{live_server}/projects/{pid}")
    page.locator(".project-nav-toggle").click()
    menu = page.locator("#project-nav-menu")
    for path in ("/risk", "/tco", "/audit", "/report", "/settings"):
        expect(menu.locator(f'a[href="/projects/{pid}{path}"]')).to_have_count(0)
    expect(menu.locator(f'a[href="/projects/{pid}/feedback"]')).to_be_visible()


# --------------------------------------------------------------------------- 4. health unknown


@pytest.mark.parametrize("language, label", [("zh", "数据不足"), ("en", "Not enough data")])
@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
def test_a_project_with_no_data_is_grey_not_green(page, live_server, browser_login, screenshot, team, language,
                                                  label, viewport):
    page.set_viewport_size(viewport)
    browser_login(page, team["sponsor"], language=language)
    page.goto(f"{live_server}/dashboard")
    card = page.locator(f'[data-project="{team["project"].id}"]')
    expect(card.locator(".health-badge")).to_have_text(label)
    expect(card.locator(".health-badge")).to_have_attribute("data-health", "unknown")
    colour = card.locator(".health-badge .health-dot").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(138, 147, 156)"  # grey, not the green of "on track"
    no_sideways_scroll(page, viewport["width"])
    screenshot(page, f"ux-health-dashboard-{language}-{viewport['width']}")
    page.goto(f"{live_server}/projects/{team['project'].id}")
    expect(page.locator("#project-health")).to_have_attribute("data-health", "unknown")
    expect(page.locator("#project-health .gaps li")).not_to_have_count(0)
    screenshot(page, f"ux-health-overview-{language}-{viewport['width']}")


# --------------------------------------------------------------------------- 5. staff home


@pytest.mark.parametrize("language, button", [("zh", "提交反馈"), ("es", "Dar tu opinión")])
def test_staff_land_on_my_work_with_the_feedback_button_in_the_first_screen(page, live_server, browser_login,
                                                                             screenshot, team, language, button):
    project = team["project"]
    rf.stage(project, name="第一波：售后服务", status=StageStatus.ACTIVE, started=today(), teams=["售后服务"])
    make_task(project, title="参加新系统培训", owner=team["member"], due_date=today() + timedelta(days=3))
    make_quick_win(project, title="首周全部录入", status=QuickWinStatus.ACHIEVED, achieved_on=today())
    page.set_viewport_size(PHONE)
    browser_login(page, team["staff"], language=language)
    page.wait_for_url("**/my-work")
    cta = page.locator(".mywork-cta").first
    expect(cta).to_have_text(button)
    box = cta.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # no scrolling to find it
    assert box["width"] > 300  # a thumb-sized, full-width button
    expect(page.locator("#mywork-tasks ~ ul, [data-task]").first).to_contain_text("参加新系统培训")
    no_sideways_scroll(page, 390)
    screenshot(page, f"ux-mywork-{language}-390")
    page.set_viewport_size(WIDE)
    screenshot(page, f"ux-mywork-{language}-1366")
    cta.click()
    page.wait_for_url(f"**/projects/{project.id}/feedback/give?stage=*")


# --------------------------------------------------------------------------- 6. the report on paper


def page_fill(pdf: bytes) -> list[float]:
    """How far down each page the ink reaches (0–1), ignoring the page number in the bottom margin."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "20", "-gray", str(source), f"{folder}/p"], check=True, timeout=120)
        fills = []
        for image in sorted(Path(folder).glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
            _magic, size, _max, pixels = image.read_bytes().split(b"\n", 3)
            width, height = map(int, size.split())
            inked = [row for row in range(int(height * 0.93)) if min(pixels[row * width:(row + 1) * width]) < 200]
            fills.append((max(inked) + 1) / height if inked else 0.0)
        return fills


@pytest.mark.parametrize("language, first, second", [("zh", "执行摘要", "愿景与目标"),
                                                     ("en", "Executivesummary", "Visionandobjectives")])
def test_the_report_opens_with_a_one_page_summary_and_no_half_empty_page(page, live_server, browser_login, team,
                                                                          language, first, second):
    if not shutil.which("pdftoppm"):
        message = "pdftoppm is missing: apt-get install poppler-utils"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    build(team["project"], team["manager"], team["sponsor"], answers=6)
    page.set_viewport_size(WIDE)
    browser_login(page, team["sponsor"], language=language)
    page.goto(f"{live_server}/projects/{team['project'].id}/report")
    expect(page.locator("#summary-health")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"ux-report-{language}.pdf"
    target.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(target), str(ARTIFACTS / f"ux-report-{language}-page")],
                   check=True, timeout=120)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [_compact(p.extract_text() or "") for p in reader.pages]
    assert first in pages[0] and second not in pages[0]
    assert second in pages[1]
    fills = page_fill(pdf)
    assert len(fills) == len(reader.pages) >= 3
    assert all(fill >= 0.6 for fill in fills[:-1]), fills  # only the last page may end early
    assert os.path.getsize(target) > 0
