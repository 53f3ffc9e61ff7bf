"""In Chromium: the TCO charts draw, in each language and on a phone; the benefit form shows the
KPI fields only when a KPI is chosen."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from planner.tco.models import BenefitKind, CostCategory, DeploymentModel, TcoBenefitLine, TcoCostLine, TcoScenario


def model(db, project):
    ids = []
    for name, deployment, preferred, lines in (
        ("云端订阅", DeploymentModel.CLOUD, True, [(CostCategory.LICENCES, "120000", "120000", "120000"),
                                              (CostCategory.IMPLEMENTATION, "90000", "10000", "0")]),
        ("本地部署", DeploymentModel.ON_PREMISE, False, [(CostCategory.LICENCES, "200000", "0", "0"),
                                                   (CostCategory.SUPPORT, "40000", "40000", "40000")]),
    ):
        scenario = TcoScenario(project_id=project.id, name=name, deployment=deployment, discount_rate=D("8"),
                               is_preferred=preferred)
        db.session.add(scenario)
        db.session.flush()
        for category, y1, y2, y3 in lines:
            db.session.add(TcoCostLine(project_id=project.id, scenario_id=scenario.id, category=category,
                                       description="成本项", year1=D(y1), year2=D(y2), year3=D(y3)))
        db.session.add(TcoBenefitLine(project_id=project.id, scenario_id=scenario.id, kind=BenefitKind.REVENUE,
                                      description="收益项", year1=D("50000"), year2=D("250000"),
                                      year3=D("300000")))
        ids.append(scenario.id)
    db.session.commit()
    return ids


@pytest.mark.parametrize("language", ["en", "es", "zh"])
def test_the_tco_charts_render_in_each_language(page, live_server, make_user, make_project, browser_login,
                                                screenshot, db, language):
    user = make_user(language=language)
    project = make_project(manager=user, currency={"en": "USD", "es": "EUR", "zh": "CNY"}[language])
    plan, _other = model(db, project)
    browser_login(page, user)
    page.goto(f"{live_server}/projects/{project.id}/tco")
    for chart in ("#tco-cash-chart", "#tco-cost-chart"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true", timeout=15000)
    # the chart text comes from the server in the reader's language
    title = {"en": "Cumulative cash position by scenario", "es": "Posición de caja acumulada por escenario",
             "zh": "各方案的累计现金状况"}[language]
    expect(page.locator("#tco-cash-chart .gtitle")).to_have_text(title)
    assert page.locator("#tco-cost-chart .bars .point").count() > 0
    assert page.locator("#tco-cash-chart .scatterlayer .trace").count() == 2
    screenshot(page, f"tco-index-{language}")

    page.goto(f"{live_server}/projects/{project.id}/tco/scenarios/{plan}")
    for chart in ("#tco-cash-chart", "#tco-cost-chart"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true", timeout=15000)
    screenshot(page, f"tco-scenario-{language}")


def test_the_tco_pages_fit_a_phone(page, live_server, make_user, make_project, browser_login, screenshot, db):
    user = make_user(language="es")
    project = make_project(manager=user, currency="EUR")
    plan, _other = model(db, project)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, user)
    for path, name in ((f"/projects/{project.id}/tco", "tco-index-phone-es"),
                       (f"/projects/{project.id}/tco/scenarios/{plan}", "tco-scenario-phone-es")):
        page.goto(f"{live_server}{path}")
        page.locator("#tco-cash-chart").scroll_into_view_if_needed()  # charts are drawn as they come into view
        expect(page.locator("#tco-cash-chart")).to_have_attribute("data-rendered", "true", timeout=15000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} scrolls sideways"
        screenshot(page, name)


def test_the_benefit_form_switches_between_amounts_and_kpi_fields(page, live_server, make_user, make_project,
                                                                   browser_login, db):
    user = make_user(language="en")
    project = make_project(manager=user, currency="USD")
    plan, _other = model(db, project)
    browser_login(page, user)
    page.goto(f"{live_server}/projects/{project.id}/tco/scenarios/{plan}/benefits/new")
    expect(page.get_by_label("Year 1", exact=True)).to_be_visible()
    expect(page.get_by_label("Volume per year")).to_be_hidden()
    page.get_by_label("Derived from a KPI").select_option("first_contact_resolution")
    expect(page.get_by_label("Volume per year")).to_be_visible()
    expect(page.get_by_label("Year 1", exact=True)).to_be_hidden()
    page.get_by_label("Description").fill("Fewer repeat calls")
    page.get_by_label("Improvement in year 1 (points)").fill("5")
    page.get_by_label("Volume per year").fill("40,000")
    page.get_by_label("Value of one unit").fill("12")
    page.get_by_role("button", name="Save benefit").click()
    expect(page.locator(".tco-benefits")).to_contain_text("$24,000.00")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_plan_against_reality_page_draws_the_burn_chart(page, live_server, make_user, make_project,
                                                            browser_login, screenshot, db, language):
    from datetime import date

    from planner.tco.models import TcoActualCost

    user = make_user(language=language)
    project = make_project(manager=user, currency={"en": "USD", "zh": "CNY"}[language], start_date=date(2026, 1, 1))
    model(db, project)
    for month in range(1, 9):
        db.session.add(TcoActualCost(project_id=project.id, category=CostCategory.LICENCES,
                                     month=date(2026, month, 1), amount=D("11000")))
        db.session.add(TcoActualCost(project_id=project.id, category=CostCategory.IMPLEMENTATION,
                                     month=date(2026, month, 1), amount=D("9500")))
    db.session.commit()
    browser_login(page, user)
    page.goto(f"{live_server}/projects/{project.id}/tco/actuals")
    expect(page.locator("#tco-burn-chart")).to_have_attribute("data-rendered", "true", timeout=15000)
    title = {"en": "Spend over the three years: plan, actual and forecast",
             "zh": "三年支出：计划、实际与预测"}[language]
    expect(page.locator("#tco-burn-chart .gtitle")).to_have_text(title)
    assert page.locator("#tco-burn-chart .scatterlayer .trace").count() == 3
    screenshot(page, f"tco-actuals-{language}")
