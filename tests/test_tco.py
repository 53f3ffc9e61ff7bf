"""The TCO and ROI model through HTTP: scenarios, lines typed in each locale, permissions,
exports, the overview card, the bulk summary and the demo data."""

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from planner.audit.models import AuditEvent
from planner.auth.models import GlobalRole
from planner.kpis.definitions import KpiKey
from planner.tco.models import BenefitKind, CostCategory, DeploymentModel, TcoBenefitLine, TcoCostLine, TcoScenario
from planner.tco.services import tco_summary_by_project
from tests.helpers import login, visible_text
from tests.tco_factories import make_scenario


def scenario_form(**overrides):
    data = {"name": "云端订阅", "deployment": "cloud", "description": "", "discount_rate": "8",
            "approved_budget": ""}
    data.update(overrides)
    return data


def cost_form(**overrides):
    data = {"category": "licences", "description": "订阅费", "year1": "", "year2": "", "year3": ""}
    data.update(overrides)
    return data


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (TcoScenario, TcoCostLine, TcoBenefitLine))


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(language="en")
    project = make_project(manager=manager, currency="EUR")
    staff, sponsor = make_user(), make_user()
    add_member(project, staff)
    add_member(project, sponsor, sponsor=True)
    return {"manager": manager, "project": project, "staff": staff, "sponsor": sponsor,
            "outsider": make_user(), "admin": make_user(role=GlobalRole.ADMIN)}


# --------------------------------------------------------------------------- scenarios


def test_a_manager_adds_scenarios_and_the_first_one_is_the_plan(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/tco/scenarios/new", data=scenario_form(approved_budget="900000"))
    assert response.status_code == 302
    first = db.session.scalar(select(TcoScenario))
    assert (first.name, first.deployment, first.discount_rate, first.approved_budget, first.is_preferred) == (
        "云端订阅", DeploymentModel.CLOUD, D("8"), D("900000"), True)
    client.post(f"/projects/{project.id}/tco/scenarios/new",
                data=scenario_form(name="本地部署", deployment="on_premise", is_preferred="y"))
    db.session.expire_all()
    plan = db.session.scalars(select(TcoScenario.name).where(TcoScenario.is_preferred.is_(True))).all()
    assert plan == ["本地部署"]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert actions.count("tco.scenario_created") == 2


def test_the_plan_scenario_can_be_switched_and_deleting_it_promotes_another(client, team, db):
    project = team["project"]
    first = make_scenario(db, project, name="甲")
    second = make_scenario(db, project, name="乙", preferred=False)
    login(client, team["manager"])
    first_id, second_id = first.id, second.id
    client.post(f"/projects/{project.id}/tco/scenarios/{second_id}/prefer")
    db.session.expire_all()
    assert (db.session.get(TcoScenario, first_id).is_preferred, db.session.get(TcoScenario, second_id).is_preferred) \
        == (False, True)
    client.post(f"/projects/{project.id}/tco/scenarios/{second_id}/delete")
    db.session.expire_all()
    assert db.session.get(TcoScenario, second_id) is None
    assert db.session.get(TcoScenario, first_id).is_preferred is True


def test_a_duplicate_name_or_a_bad_rate_is_refused_in_the_readers_language(client, make_user, make_project, db):
    manager = make_user(language="es")
    project = make_project(manager=manager, currency="EUR")
    make_scenario(db, project, name="Nube")
    login(client, manager)
    page = client.post(f"/projects/{project.id}/tco/scenarios/new", data=scenario_form(name="Nube")).get_data(
        as_text=True)
    assert "Este proyecto ya tiene un escenario con ese nombre." in page
    page = client.post(f"/projects/{project.id}/tco/scenarios/new",
                       data=scenario_form(name="Otra", discount_rate="120")).get_data(as_text=True)
    assert "Introduce un número entre 0 y 100." in page
    assert counts(db) == (1, 0, 0)


def test_a_copy_keeps_the_lines_and_gets_a_free_name(client, team, db):
    project = team["project"]
    source = make_scenario(db, project, name="甲", costs=[("licences", ("100", "0", "0"))],
                           benefits=[("1", "2", "3")])
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/tco/scenarios/{source.id}/copy")
    assert response.status_code == 302
    copy = db.session.scalar(select(TcoScenario).where(TcoScenario.id != source.id))
    assert copy.name == "甲 (copy)" and copy.is_preferred is False
    assert [line.year1 for line in copy.cost_lines] == [D("100")]
    assert [line.amounts for line in copy.benefit_lines] == [(D(1), D(2), D(3))]


# --------------------------------------------------------------------------- amounts in each locale


@pytest.mark.parametrize(("language", "currency", "typed", "shown"), [
    ("es", "EUR", "1.234,50", "1.234,50\xa0€"),
    ("en", "USD", "1,234.50", "$1,234.50"),
    ("zh", "CNY", "1,234.50", "¥1,234.50"),
])
def test_amounts_are_typed_and_shown_in_the_readers_format(client, make_user, make_project, db, language,
                                                           currency, typed, shown):
    manager = make_user(language=language)
    project = make_project(manager=manager, currency=currency)
    scenario = make_scenario(db, project)
    login(client, manager)
    response = client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new",
                           data=cost_form(year1=typed, year2="0", year3="100"))
    assert response.status_code == 302
    line = db.session.scalar(select(TcoCostLine))
    assert line.amounts == (D("1234.50"), D("0"), D("100"))
    page = client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}").get_data(as_text=True)
    assert shown in page
    # the edit form shows the amount back in the same format
    form = client.get(f"/projects/{project.id}/tco/costs/{line.id}/edit").get_data(as_text=True)
    assert f'value="{typed}"' in form


@pytest.mark.parametrize(("language", "typed", "message"), [
    ("es", "1,234.50", "Introduce un número como 1.234,50."),
    ("es", "mil euros", "Introduce un número como 1.234,50."),
    ("es", "12,345", "Usa como máximo 2 decimales."),
    ("es", "-5", "Introduce un número entre 0 y 999.999.999.999,99."),
    ("zh", "1.234,50", "请输入数字，例如 1,234.50。"),
    ("en", "1.234,50", "Enter a number such as 1,234.50."),
])
def test_a_bad_amount_gets_a_translated_error_and_saves_nothing(client, make_user, make_project, db, language,
                                                                typed, message):
    manager = make_user(language=language)
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project)
    login(client, manager)
    response = client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new",
                           data=cost_form(year1="100", year2=typed))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert counts(db) == (1, 0, 0)


def test_editing_a_line_with_a_bad_amount_changes_nothing(client, make_user, make_project, db):
    manager = make_user(language="es")
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project, costs=[("training", ("10", "20", "30"))])
    line = scenario.cost_lines[0]
    login(client, manager)
    response = client.post(f"/projects/{project.id}/tco/costs/{line.id}/edit",
                           data=cost_form(category="other", description="cambiado", year1="5", year3="x"))
    assert response.status_code == 200
    db.session.expire_all()
    line = db.session.get(TcoCostLine, line.id)
    assert (line.category, line.description, line.amounts) == (CostCategory.TRAINING, "成本",
                                                               (D(10), D(20), D(30)))


def test_a_benefit_derived_from_a_kpi_uses_the_numbers_of_the_line(client, make_user, make_project, db):
    manager = make_user(language="en")
    project = make_project(manager=manager, currency="USD")
    scenario = make_scenario(db, project)
    login(client, manager)
    data = {"kind": "cost_saving", "description": "Fewer repeat calls", "kpi_key": "first_contact_resolution",
            "kpi_gain1": "5", "kpi_gain2": "7.5", "kpi_gain3": "", "kpi_volume": "40,000", "kpi_unit_value": "12",
            "year1": "999"}
    response = client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/benefits/new", data=data)
    assert response.status_code == 302
    line = db.session.scalar(select(TcoBenefitLine))
    assert line.kpi_key == KpiKey.FIRST_CONTACT_RESOLUTION
    assert line.amounts == (D(24000), D(36000), D(0))  # 5 % and 7.5 % of 40,000 cases × $12; entered 999 ignored
    page = visible_text(client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}").get_data(as_text=True))
    assert "First-contact resolution" in page and "5.00 / 7.50 / 0.00 percentage points × 40,000 a year" in page
    assert "$60,000.00" in page


def test_a_kpi_benefit_without_volume_is_refused(client, make_user, make_project, db):
    manager = make_user(language="zh")
    project = make_project(manager=manager)
    scenario = make_scenario(db, project)
    login(client, manager)
    data = {"kind": "revenue", "description": "满意度", "kpi_key": "satisfaction", "kpi_gain1": "4.5",
            "kpi_unit_value": "10"}
    page = client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/benefits/new",
                       data=data).get_data(as_text=True)
    assert "根据 KPI 推算收益时必须填写。" in page
    assert "满意度为 1 到 5 分，最多只能提升 4 分。" in page
    assert counts(db) == (1, 0, 0)


# --------------------------------------------------------------------------- pages and figures


def test_the_scenario_page_shows_totals_checks_and_the_payback(client, team, db):
    project = team["project"]
    scenario = make_scenario(db, project, budget="150000",
                             costs=[("licences", ("60000", "0", "0")),
                                    ("implementation", ("60000", "30000", "30000"))],
                             benefits=[("60000", "102000", "90000")])
    login(client, team["manager"])
    page = visible_text(client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}").get_data(as_text=True))
    assert "€180,000.00" in page  # three-year cost
    assert "Month 22 (year 2)" in page
    assert "€50,037.57" in page  # NPV at 10 %
    assert "66.7%" in page  # first-year share
    assert "Above budget" in page and "by €30,000.00" in page
    assert "more than 10 points under the usual share" in page  # how "marked" is defined


def test_a_marked_difference_gets_a_plain_language_note(client, make_user, make_project, db):
    manager = make_user(language="es")
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project, costs=[("licences", ("100000", "100000", "100000"))])
    login(client, manager)
    page = visible_text(client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}").get_data(as_text=True))
    assert "Diferencia marcada: tu primer año solo soporta el 33,3 % del costo" in page
    assert "Diferencia marcada: solo el 0,0 % de tu costo va a personalización" in page
    assert "No en tres años" in page


def test_the_index_compares_scenarios_and_carries_two_charts(client, team, db):
    project = team["project"]
    make_scenario(db, project, name="甲", costs=[("licences", ("100", "0", "0"))], benefits=[("0", "80", "80")])
    make_scenario(db, project, name="乙", preferred=False, costs=[("support", ("50", "50", "50"))])
    login(client, team["sponsor"])
    html = client.get(f"/projects/{project.id}/tco").get_data(as_text=True)
    assert html.count('class="plotly-chart') == 2
    assert "Cumulative cash position by scenario" in html and "Cost by scenario, year and category" in html
    assert "甲" in html and "乙" in html and "Plan scenario" in html
    assert "Add a scenario" not in html  # sponsors read only


def test_the_overview_card_shows_the_plan_scenario(client, team, db):
    project = team["project"]
    make_scenario(db, project, name="甲", budget="50", costs=[("licences", ("100", "0", "0"))])
    login(client, team["sponsor"])
    page = visible_text(client.get(f"/projects/{project.id}").get_data(as_text=True))
    assert "Three-year TCO and ROI" in page and "甲" in page and "€100.00" in page and "Above budget" in page


# --------------------------------------------------------------------------- permissions


def test_sponsors_read_staff_do_not_and_neither_can_change_anything(client, team, db):
    project = team["project"]
    scenario = make_scenario(db, project, costs=[("licences", ("100", "0", "0"))], benefits=[("1", "1", "1")])
    cost, benefit = scenario.cost_lines[0], scenario.benefit_lines[0]
    before = counts(db)
    for role in ("staff", "sponsor"):
        login(client, team[role])
        for path in (f"/projects/{project.id}/tco", f"/projects/{project.id}/tco/scenarios/{scenario.id}",
                     f"/projects/{project.id}/tco/export.xlsx", f"/projects/{project.id}/tco/export.csv"):
            assert client.get(path).status_code == (403 if role == "staff" else 200)
        base = f"/projects/{project.id}/tco"
        for path, data in ((f"{base}/scenarios/new", scenario_form(name="新")),
                           (f"{base}/scenarios/{scenario.id}/edit", scenario_form(name="改")),
                           (f"{base}/scenarios/{scenario.id}/delete", {}),
                           (f"{base}/scenarios/{scenario.id}/copy", {}),
                           (f"{base}/scenarios/{scenario.id}/costs/new", cost_form(year1="5")),
                           (f"{base}/costs/{cost.id}/edit", cost_form(year1="5")),
                           (f"{base}/costs/{cost.id}/delete", {}),
                           (f"{base}/benefits/{benefit.id}/delete", {})):
            assert client.post(path, data=data).status_code == 403, path
        client.post("/logout")
    db.session.expire_all()
    assert counts(db) == before
    assert db.session.get(TcoScenario, scenario.id).name == "本地部署"
    assert db.session.get(TcoCostLine, cost.id).year1 == D(100)


def test_outsiders_get_404_and_an_administrator_only_reads(client, team, db):
    project = team["project"]
    scenario = make_scenario(db, project)
    login(client, team["outsider"])
    assert client.get(f"/projects/{project.id}/tco").status_code == 404
    assert client.get(f"/projects/{project.id}/tco/export.csv").status_code == 404
    assert client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/delete").status_code == 404
    client.post("/logout")
    login(client, team["admin"])
    assert client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}").status_code == 200
    assert client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/delete").status_code == 403
    assert counts(db) == (1, 0, 0)


def test_ids_from_another_project_give_404_and_change_nothing(client, team, make_project, db):
    project = team["project"]
    make_scenario(db, project)
    other_project = make_project(manager=team["outsider"])
    other = make_scenario(db, other_project, name="乙方", costs=[("licences", ("7", "0", "0"))],
                          benefits=[("1", "1", "1")])
    cost, benefit = other.cost_lines[0], other.benefit_lines[0]
    login(client, team["manager"])
    base = f"/projects/{project.id}/tco"
    assert client.get(f"{base}/scenarios/{other.id}").status_code == 404
    for path, data in ((f"{base}/scenarios/{other.id}/edit", scenario_form(name="改")),
                       (f"{base}/scenarios/{other.id}/prefer", {}),
                       (f"{base}/scenarios/{other.id}/delete", {}),
                       (f"{base}/scenarios/{other.id}/costs/new", cost_form(year1="5")),
                       (f"{base}/costs/{cost.id}/edit", cost_form(year1="5")),
                       (f"{base}/costs/{cost.id}/delete", {}),
                       (f"{base}/benefits/{benefit.id}/edit", {"kind": "revenue", "description": "改"}),
                       (f"{base}/benefits/{benefit.id}/delete", {})):
        assert client.post(path, data=data).status_code == 404, path
    db.session.expire_all()
    assert counts(db) == (2, 1, 1)
    assert db.session.get(TcoScenario, other.id).name == "乙方"
    assert db.session.get(TcoCostLine, cost.id).year1 == D(7)


def test_an_archived_project_refuses_changes(client, team, db):
    from planner.db import utcnow

    project = team["project"]
    scenario = make_scenario(db, project)
    project.archived_at = utcnow()
    db.session.commit()
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/tco/scenarios/{scenario.id}/costs/new",
                           data=cost_form(year1="5"))
    assert response.status_code == 302
    assert counts(db) == (1, 0, 0)


# --------------------------------------------------------------------------- exports


def _row_with(sheet, label):
    for row in sheet.iter_rows():
        if row[0].value == label:
            return [cell.value for cell in row]
    raise AssertionError(f"no row {label!r}")


def test_the_xlsx_opens_with_openpyxl_and_holds_the_same_totals(client, make_user, make_project, db):
    manager = make_user(language="es")
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project, name="Nube", budget="200000",
                             costs=[("licences", ("60000", "0", "0")),
                                    ("implementation", ("60000.25", "30000", "30000"))],
                             benefits=[("60000", "102000", "90000")])
    analysis = scenario.analysis()
    login(client, manager)
    response = client.get(f"/projects/{project.id}/tco/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Resumen", "Nube"]
    sheet = book["Nube"]
    total = _row_with(sheet, "Costo total")
    assert [D(str(v)) for v in total[2:6]] == [*analysis.cost_by_year, analysis.total_cost]
    benefits = _row_with(sheet, "Total de beneficios")
    assert [D(str(v)) for v in benefits[2:6]] == [*analysis.benefit_by_year, analysis.total_benefit]
    net = _row_with(sheet, "Flujo neto (beneficios − costos)")
    assert [D(str(v)) for v in net[2:5]] == list(analysis.net_by_year)
    assert round(D(str(_row_with(sheet, "Valor actual neto (VAN)")[1])), 2) == round(analysis.npv, 2)
    assert _row_with(sheet, "Mes de recuperación")[1] == analysis.payback_month == 23  # the 0.25 delays it
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == total[5])
    assert "€" in cell.number_format and "#,##0.00" in cell.number_format
    summary = book["Resumen"]
    assert D(str(_row_with(summary, "Costo a tres años")[1])) == analysis.total_cost


def test_the_xlsx_with_formulas_sums_the_line_cells(client, team, db):
    project = team["project"]
    make_scenario(db, project, name="甲", costs=[("licences", ("100", "0", "0")), ("support", ("10", "20", "30"))])
    login(client, team["manager"])
    book = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/tco/export.xlsx?formulas=1").data))
    sheet = book["甲"]
    total = _row_with(sheet, "Total cost")
    first = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Licences and subscriptions")
    assert total[2] == f"=SUM(C{first}:C{first + 1})"
    assert total[5] == f"=SUM(C{first + 2}:E{first + 2})"
    assert [sheet.cell(first, c).value for c in (3, 4, 5)] == [100, 0, 0]
    assert _row_with(sheet, "Net present value")[1].startswith("=NPV(")
    assert _row_with(book["Summary"], "Three-year cost")[1] == f"='甲'!F{first + 2}"


def test_the_csv_holds_every_line_and_the_totals(client, make_user, make_project, db):
    manager = make_user(language="zh")
    project = make_project(manager=manager, currency="CNY")
    scenario = make_scenario(db, project, costs=[("licences", ("1000.5", "0", "0"))], benefits=[("1", "2", "3")])
    db.session.add(TcoBenefitLine(project_id=project.id, scenario_id=scenario.id, kind=BenefitKind.COST_SAVING,
                                  description="派生", year1=D(0), year2=D(0), year3=D(0),
                                  kpi_key=KpiKey.RETENTION, kpi_gain1=D("0.33"), kpi_volume=D("10"),
                                  kpi_unit_value=D("1")))
    scenario.discount_rate = D("7.5")
    db.session.commit()
    login(client, manager)
    response = client.get(f"/projects/{project.id}/tco/export.csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["方案", "部署模式", "部分"]
    cost = next(r for r in rows if r[3] == "许可与订阅")
    assert cost[6:11] == ["1000.50", "0.00", "0.00", "1000.50", "CNY"]
    derived = next(r for r in rows if r[4] == "派生")
    assert derived[6] == "0.033"  # 0.33 % of 10 × 1: kept exact, not rounded to cents
    total = next(r for r in rows if r[3] == "成本合计")
    assert total[9] == "1000.50"
    npv = next(r for r in rows if r[3] == "净现值（NPV）")
    assert npv[4] == "年折现率 7.5%", npv  # the rate as entered, in the locale's percent format


# --------------------------------------------------------------------------- bulk summary and demo


def test_the_bulk_summary_uses_the_plan_scenario_in_a_fixed_number_of_queries(make_user, make_project, db):
    manager = make_user()
    projects = [make_project(manager=manager, currency="USD") for _ in range(6)]
    for index, project in enumerate(projects[:5]):
        make_scenario(db, project, name="甲", preferred=False, costs=[("other", ("999", "0", "0"))])
        make_scenario(db, project, name="乙", budget="150" if index % 2 else "1000",
                      costs=[("licences", ("100", "50", "50"))], benefits=[("0", "300", "0")])
    ids = [p.id for p in projects]
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        one = tco_summary_by_project(ids[:1])
        few = len(statements)
        statements.clear()
        everything = tco_summary_by_project(ids)
        many = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert few == many == 3
    assert set(everything) == set(ids[:5])  # the project without a scenario is absent
    first = everything[ids[0]]
    assert first == one[ids[0]]
    assert (first["scenario_name"], first["total_cost"], first["total_benefit"], first["net"]) == (
        "乙", D(200), D(300), D(100))
    assert first["payback_month"] == 17  # −100 after year 1, +250 in year 2: −100 + 250 × k / 12 ≥ 0 at k = 5
    assert first["npv"].quantize(D("0.01")) == D("78.14")  # −90.909… + 206.611… − 37.565…
    assert (first["approved_budget"], first["over_budget"]) == (D(1000), False)
    assert everything[ids[1]]["over_budget"] is True
    assert tco_summary_by_project([]) == {}


def test_the_demo_loads_two_scenarios_per_project_once(app, db):
    from planner.demo import load

    load()
    first = counts(db)
    load()
    assert counts(db) == first
    assert first[0] == 6
    names = dict(db.session.execute(select(TcoScenario.name, TcoScenario.deployment)
                                    .where(TcoScenario.is_preferred.is_(True))).all())
    assert names == {"Cloud subscription": DeploymentModel.CLOUD, "Suscripción en la nube": DeploymentModel.CLOUD,
                     "云端订阅": DeploymentModel.CLOUD}
    summaries = tco_summary_by_project(db.session.scalars(select(TcoScenario.project_id)).all())
    assert {s["currency"] for s in summaries.values()} == {"USD", "EUR", "CNY"}
    assert all(s["total_cost"] > 0 and s["total_benefit"] > 0 for s in summaries.values())


def test_text_that_looks_like_a_formula_stays_text_in_both_exports(client, team, db):
    project = team["project"]
    scenario = make_scenario(db, project, name="=1+2", costs=[("licences", ("5", "0", "0"))])
    scenario.cost_lines[0].description = '=HYPERLINK("http://example.com","x")'
    db.session.commit()
    login(client, team["manager"])
    for query in ("", "?formulas=1"):
        book = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/tco/export.xlsx{query}").data))
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str) and ("HYPERLINK" in c.value or c.value == "=1+2")]
        assert len(cells) >= 3 and all(c.data_type == "s" for c in cells)
    rows = list(csv.reader(io.StringIO(client.get(f"/projects/{project.id}/tco/export.csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "'=1+2" and rows[1][4].startswith("'=HYPERLINK")
