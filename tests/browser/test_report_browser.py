"""In Chromium: the Chinese report prints to a PDF that holds its Chinese headings and the project's
Chinese data on a sensible number of pages; the pages are saved as images (pdftoppm when installed,
else screenshots in print media) under test-artifacts/ to be looked at. The report fits a phone."""

import io
import shutil
import subprocess
import unicodedata

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from planner.auth.models import GlobalRole
from tests.conftest import ARTIFACTS
from tests.test_report import build


@pytest.fixture
def chinese_project(make_user, make_project, add_member):
    manager = make_user(name="王芳", language="zh", role=GlobalRole.MANAGER)
    sponsor = make_user(name="李伟", language="zh")
    project = make_project(manager=manager, name="华信家电 — 客户关系管理系统实施", currency="CNY",
                           vision="让每一位客户无论通过哪个渠道联系我们，都能得到一致、及时的服务。",
                           description="以统一的客户关系管理平台取代各地分公司的表格和旧售后系统。")
    add_member(project, sponsor, sponsor=True)
    for n in range(3):
        add_member(project, make_user(name=f"客服{n}", language="zh"), team="售后服务")
    build(project, manager, sponsor, answers=6)
    return {"project": project, "manager": manager, "sponsor": sponsor}


# Noto CJK maps some glyphs to radicals or variants in the PDF's text layer; NFKC folds the Kangxi
# radicals (⽬ → 目), this table the few from the supplement block and the variants that remain.
FOLD = str.maketrans({"⻛": "风", "⻓": "长", "⻔": "门", "⻜": "飞", "⻢": "马", "⻅": "见", "⻉": "贝", "⻋": "车",
                      "⻚": "页", "⻥": "鱼", "⻦": "鸟", "⻰": "龙", "⻩": "黄", "⻘": "青", "⻬": "齐", "戶": "户"})


def _compact(text: str) -> str:
    """The extracted text without spaces, folded back to the ideographs the page shows."""
    return "".join(unicodedata.normalize("NFKC", text).translate(FOLD).split())


def test_the_chinese_report_prints_to_a_pdf_with_its_chinese_text(page, live_server, browser_login, screenshot,
                                                                    chinese_project):
    project = chinese_project["project"]
    browser_login(page, chinese_project["sponsor"], language="zh")
    page.goto(f"{live_server}/projects/{project.id}/report")
    expect(page.locator("#report-title")).to_have_text(project.name)
    expect(page.locator("[data-print]")).to_be_visible()
    screenshot(page, "report-zh")

    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-zh.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert 2 <= len(reader.pages) <= 10, len(reader.pages)
    text = _compact("\n".join(p.extract_text() or "" for p in reader.pages))
    for heading in ("项目报告", "愿景与目标", "方法论进度", "七宗罪风险", "阶段与审批", "KPI与基准值、目标对比",
                    "速赢目标", "采用情况反馈"):
        assert heading in text, heading
    for data in ("华信家电", "让每一位客户无论通过哪个渠道联系我们", "客户信息分散在各地区表格中", "云端订阅方案",
                 "首次解决率提升", "试点", "王芳"):
        assert data in text, data
    # the navigation and the print button stay off paper
    assert "打印/另存为PDF" not in text and "Rollout:" not in text
    first_page = _compact(reader.pages[0].extract_text() or "")
    assert "项目报告" in first_page and "执行摘要" in first_page and "愿景与目标" not in first_page
    assert "愿景与目标" in _compact(reader.pages[1].extract_text() or "")  # the sections start on page 2
    last_page = _compact(reader.pages[-1].extract_text() or "")
    assert f"{len(reader.pages)}/{len(reader.pages)}" in last_page  # page numbers in the bottom margin

    # pages as images, to be looked at
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(ARTIFACTS / "report-zh.pdf"),
                        str(ARTIFACTS / "report-zh-page")], check=True, timeout=120)
    else:
        page.emulate_media(media="print")
        screenshot(page, "report-zh-print")


def test_the_report_fits_a_phone(page, live_server, browser_login, screenshot, chinese_project):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, chinese_project["manager"], language="es")
    page.goto(f"{live_server}/projects/{chinese_project['project'].id}/report")
    expect(page.locator("#chart-tco")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "report-phone-es")
