"""In Chromium, with the browser set to Mexican Spanish and to Simplified Chinese (China): the TCO and
the gate pages write numbers, amounts, percentages and dates the way the region does, amounts are
typed the same way, and the charts use the region's separators and CLDR date formats."""

import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from playwright.sync_api import expect
from sqlalchemy import select

from planner.kpis.definitions import KpiKey
from planner.rollout.models import StageStatus
from planner.tco.models import BenefitKind, CostCategory, DeploymentModel, TcoBenefitLine, TcoCostLine, TcoScenario
from tests import rollout_factories as r

TODAY = date.today()

WALKS = {
    # browser locale: (interface language, CLDR locale, how the reader types 12,500.50, a Spanish-style typing refused)
    "es-MX": ("es", "es_MX", "12,500.50", "12.500,50"),
    "zh-CN": ("zh", "zh_Hans_CN", "12,500.50", "12.500,50"),
}


def scenario_with_lines(db, project):
    scenario = TcoScenario(project_id=project.id, name="Nube", deployment=DeploymentModel.CLOUD,
                           discount_rate=D("8"), is_preferred=True)
    db.session.add(scenario)
    db.session.flush()
    db.session.add(TcoCostLine(project_id=project.id, scenario_id=scenario.id, category=CostCategory.LICENCES,
                               description="Licencias", year1=D("120000"), year2=D("120000"), year3=D("120000")))
    db.session.add(TcoBenefitLine(project_id=project.id, scenario_id=scenario.id, kind=BenefitKind.REVENUE,
                                  description="Ventas", year1=D("50000"), year2=D("250000"), year3=D("300000")))
    db.session.commit()
    return scenario


@pytest.mark.parametrize("browser_locale", list(WALKS))
def test_the_tco_and_gate_pages_follow_the_browsers_region(browser, live_server, make_user, make_project,
                                                           browser_login, screenshot, db, browser_locale):
    language, cldr, typed, refused = WALKS[browser_locale]
    locale = Locale.parse(cldr)
    manager = make_user(language=language, name="Jorge Ramírez")  # no region chosen: the browser's applies
    project = make_project(manager=manager, currency="EUR", name="Distribuciones Alba")
    scenario = scenario_with_lines(db, project)
    stage = r.stage(project, name="Piloto", status=StageStatus.ACTIVE, started=TODAY - timedelta(days=20),
                    planned_start=TODAY - timedelta(days=20), planned_end=TODAY + timedelta(days=40))
    r.stage(project, name="Oleada 1", planned_start=TODAY + timedelta(days=41), planned_end=TODAY + timedelta(days=90))
    r.kpi_criterion(stage, KpiKey.ADOPTION, "0.80", weeks=2)

    context = browser.new_context(locale=browser_locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_login(page, manager)
    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate("document.body.dataset.region") == browser_locale

    # TCO: totals, shares and the amount typed in the region's way
    page.goto(f"{live_server}/projects/{project.id}/tco/scenarios/{scenario.id}")
    main = page.locator("#main")
    expect(main).to_contain_text(format_currency(D("360000"), "EUR", locale=locale).replace("EUR", "EUR\xa0"))
    expect(main).to_contain_text("100.0%")  # licences' share, CLDR percent pattern of the region (no space)
    expect(page.locator("#tco-cost-chart")).to_have_attribute("data-rendered", "true", timeout=15_000)
    ticks = page.locator("#tco-cost-chart .ytick text").all_text_contents()
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in ticks), ticks  # "120,000", never "120.000"
    screenshot(page, f"region-tco-{browser_locale}")

    page.goto(f"{live_server}/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new")
    page.locator("select[name=category]").select_option("support")
    page.locator("input[name=description]").fill("Soporte")
    page.locator("input[name=year1]").fill(refused)
    page.locator("input[name=year2]").fill("0")
    page.locator("input[name=year3]").fill("0")
    page.locator("form.tco-line-form [type=submit]").first.click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("1,234.50")  # the example in the region's format
    page.locator("input[name=year1]").fill(typed)
    page.locator("form.tco-line-form [type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/tco/scenarios/{scenario.id}(#costs)?$"))
    expect(page.locator("#main")).to_contain_text(
        format_currency(D("12500.50"), "EUR", locale=locale).replace("EUR", "EUR\xa0"))
    added = db.session.scalars(select(TcoCostLine).where(TcoCostLine.scenario_id == scenario.id,
                                                         TcoCostLine.category == CostCategory.SUPPORT)).one()
    assert added.year1 == D("12500.50")
    text = page.locator("#main").inner_text()
    assert not re.search(r"[$¥£元]", text)  # only the project's currency

    # The gate: the evaluation date and the KPI threshold in the region's formats
    page.goto(f"{live_server}/projects/{project.id}/rollout/stages/{stage.id}")
    main = page.locator("#main")
    expect(main).to_contain_text(format_date(TODAY, "medium", locale=locale))
    expect(main).to_contain_text("80%")
    assert "80 %" not in main.inner_text()
    screenshot(page, f"region-gate-{browser_locale}")

    # The timeline: month names in the language, the date pattern from CLDR
    page.goto(f"{live_server}/projects/{project.id}/rollout")
    expect(page.locator("#rollout-timeline")).to_have_attribute("data-rendered", "true", timeout=15_000)
    ticks = " ".join(page.locator("#rollout-timeline .xtick text").all_text_contents())
    months = [m.lower() for m in locale.months["format"]["abbreviated"].values()]
    if language == "zh":
        assert re.search(r"\d+月", ticks), ticks
    else:
        assert any(m.rstrip(".") in ticks.lower() for m in months), ticks
    screenshot(page, f"region-timeline-{browser_locale}")
    context.close()
