"""Access rules for the TCO and ROI model: members read it, project managers change it."""

from datetime import date
from decimal import Decimal

from planner.extensions import db
from planner.kpis.definitions import KpiKey
from planner.tco.models import (
    BenefitKind,
    CostCategory,
    DeploymentModel,
    TcoActualCost,
    TcoBenefitLine,
    TcoCostLine,
    TcoScenario,
)
from tests.access.matrix import LEADS, MANAGERS, Rule, foreign

SCENARIO = {"name": "新方案", "deployment": "cloud", "discount_rate": "8", "approved_budget": "1000"}
COST = {"category": "licences", "description": "订阅费", "year1": "100", "year2": "100", "year3": "100"}
BENEFIT = {"kind": "revenue", "description": "交叉销售", "kpi_key": "", "year1": "50", "year2": "80", "year3": "90"}

ACTUAL = {"category": "training", "month": "2026-03-01", "amount": "1234.50", "description": "培训发票",
          "reference": "FP-1"}
BENEFIT_ACTUALS = {"year1": "40", "year2": "", "year3": ""}

P = "/projects/{project}/tco"


def IMPORT(world):  # noqa: N802 - a form like the constants above, built afresh for each request
    import io

    content = "月份,类别,金额,说明\n2026-03-15,培训,1200.50,培训发票\n".encode()
    return {"file": (io.BytesIO(content), "发票.csv"), "day_first": "1", "decimal_comma": "auto", "run": "1"}


RULES = [
    Rule("tco.index", P, LEADS),
    Rule("tco.scenario", P + "/scenarios/{tco_scenario}", LEADS),
    Rule("tco.scenario", P + "/scenarios/{other_tco_scenario}", foreign(LEADS)),
    Rule("tco.export_xlsx", P + "/export.xlsx", LEADS),
    Rule("tco.export_csv", P + "/export.csv", LEADS),
    Rule("tco.create_scenario", P + "/scenarios/new", MANAGERS),
    Rule("tco.create_scenario", P + "/scenarios/new", MANAGERS, method="POST", data=SCENARIO),
    Rule("tco.edit_scenario", P + "/scenarios/{tco_scenario}/edit", MANAGERS),
    Rule("tco.edit_scenario", P + "/scenarios/{other_tco_scenario}/edit", foreign(MANAGERS)),
    Rule("tco.edit_scenario", P + "/scenarios/{tco_scenario}/edit", MANAGERS, method="POST", data=SCENARIO),
    Rule("tco.edit_scenario", P + "/scenarios/{other_tco_scenario}/edit", foreign(MANAGERS), method="POST",
         data=SCENARIO),
    Rule("tco.prefer_scenario", P + "/scenarios/{tco_scenario}/prefer", MANAGERS, method="POST"),
    Rule("tco.prefer_scenario", P + "/scenarios/{other_tco_scenario}/prefer", foreign(MANAGERS), method="POST"),
    Rule("tco.copy_scenario", P + "/scenarios/{tco_scenario}/copy", MANAGERS, method="POST"),
    Rule("tco.copy_scenario", P + "/scenarios/{other_tco_scenario}/copy", foreign(MANAGERS), method="POST"),
    Rule("tco.delete_scenario", P + "/scenarios/{tco_scenario}/delete", MANAGERS, method="POST"),
    Rule("tco.delete_scenario", P + "/scenarios/{other_tco_scenario}/delete", foreign(MANAGERS), method="POST"),
    Rule("tco.create_cost", P + "/scenarios/{tco_scenario}/costs/new", MANAGERS),
    Rule("tco.create_cost", P + "/scenarios/{other_tco_scenario}/costs/new", foreign(MANAGERS)),
    Rule("tco.create_cost", P + "/scenarios/{tco_scenario}/costs/new", MANAGERS, method="POST", data=COST),
    Rule("tco.create_cost", P + "/scenarios/{other_tco_scenario}/costs/new", foreign(MANAGERS), method="POST",
         data=COST),
    Rule("tco.edit_cost", P + "/costs/{tco_cost}/edit", MANAGERS),
    Rule("tco.edit_cost", P + "/costs/{other_tco_cost}/edit", foreign(MANAGERS)),
    Rule("tco.edit_cost", P + "/costs/{tco_cost}/edit", MANAGERS, method="POST", data=COST),
    Rule("tco.edit_cost", P + "/costs/{other_tco_cost}/edit", foreign(MANAGERS), method="POST", data=COST),
    Rule("tco.delete_cost", P + "/costs/{tco_cost}/delete", MANAGERS, method="POST"),
    Rule("tco.delete_cost", P + "/costs/{other_tco_cost}/delete", foreign(MANAGERS), method="POST"),
    Rule("tco.create_benefit", P + "/scenarios/{tco_scenario}/benefits/new", MANAGERS),
    Rule("tco.create_benefit", P + "/scenarios/{other_tco_scenario}/benefits/new", foreign(MANAGERS)),
    Rule("tco.create_benefit", P + "/scenarios/{tco_scenario}/benefits/new", MANAGERS, method="POST",
         data=BENEFIT),
    Rule("tco.create_benefit", P + "/scenarios/{other_tco_scenario}/benefits/new", foreign(MANAGERS),
         method="POST", data=BENEFIT),
    Rule("tco.edit_benefit", P + "/benefits/{tco_benefit}/edit", MANAGERS),
    Rule("tco.edit_benefit", P + "/benefits/{other_tco_benefit}/edit", foreign(MANAGERS)),
    Rule("tco.edit_benefit", P + "/benefits/{tco_benefit}/edit", MANAGERS, method="POST", data=BENEFIT),
    Rule("tco.edit_benefit", P + "/benefits/{other_tco_benefit}/edit", foreign(MANAGERS), method="POST",
         data=BENEFIT),
    Rule("tco.delete_benefit", P + "/benefits/{tco_benefit}/delete", MANAGERS, method="POST"),
    Rule("tco.delete_benefit", P + "/benefits/{other_tco_benefit}/delete", foreign(MANAGERS), method="POST"),
    Rule("tco.actuals_page", P + "/actuals", LEADS),
    Rule("tco.actual_costs", P + "/actuals/costs", LEADS),
    Rule("tco.add_actual_cost", P + "/actuals/costs/new", MANAGERS),
    Rule("tco.add_actual_cost", P + "/actuals/costs/new", MANAGERS, method="POST", data=ACTUAL,
         success=P + "/actuals"),
    Rule("tco.import_actual_costs", P + "/actuals/import", MANAGERS),
    Rule("tco.import_actual_costs", P + "/actuals/import", MANAGERS, method="POST", data=IMPORT,
         success=P + "/actuals"),
    Rule("tco.delete_actual_cost", P + "/actuals/costs/{tco_actual}/delete", MANAGERS, method="POST"),
    Rule("tco.delete_actual_cost", P + "/actuals/costs/{other_tco_actual}/delete", foreign(MANAGERS),
         method="POST"),
    Rule("tco.benefit_actuals", P + "/benefits/{tco_entered_benefit}/actuals", MANAGERS),
    Rule("tco.benefit_actuals", P + "/benefits/{other_tco_entered_benefit}/actuals", foreign(MANAGERS)),
    Rule("tco.benefit_actuals", P + "/benefits/{tco_entered_benefit}/actuals", MANAGERS, method="POST",
         data=BENEFIT_ACTUALS, success=P + "/actuals"),
    Rule("tco.benefit_actuals", P + "/benefits/{other_tco_entered_benefit}/actuals", foreign(MANAGERS),
         method="POST", data=BENEFIT_ACTUALS),
    Rule("tco.benefit_evidence", P + "/benefits/{tco_benefit}/evidence", LEADS),
    Rule("tco.benefit_evidence", P + "/benefits/{other_tco_benefit}/evidence", foreign(LEADS)),
]


def _model(project, name):
    scenario = TcoScenario(project_id=project.id, name=name, deployment=DeploymentModel.ON_PREMISE,
                           description="方案说明", discount_rate=Decimal("6"), approved_budget=Decimal("500000"),
                           is_preferred=True, starts_on=date(2026, 1, 1))
    db.session.add(scenario)
    db.session.flush()
    cost = TcoCostLine(project_id=project.id, scenario_id=scenario.id, category=CostCategory.LICENCES,
                       description="永久许可", year1=Decimal("300000"), year2=Decimal("0"), year3=Decimal("0"))
    benefit = TcoBenefitLine(project_id=project.id, scenario_id=scenario.id, kind=BenefitKind.COST_SAVING,
                             description="重复来电减少", year1=Decimal(0), year2=Decimal(0), year3=Decimal(0),
                             kpi_key=KpiKey.FIRST_CONTACT_RESOLUTION, kpi_gain1=Decimal("3"),
                             kpi_gain2=Decimal("5"), kpi_gain3=Decimal("6"), kpi_volume=Decimal("100000"),
                             kpi_unit_value=Decimal("20"))
    entered = TcoBenefitLine(project_id=project.id, scenario_id=scenario.id, kind=BenefitKind.REVENUE,
                             description="交叉销售", year1=Decimal(50), year2=Decimal(80), year3=Decimal(90))
    actual = TcoActualCost(project_id=project.id, category=CostCategory.LICENCES, month=date(2026, 2, 1),
                           amount=Decimal("25000"), description="许可发票")
    db.session.add_all([cost, benefit, entered, actual])
    db.session.flush()
    return scenario, cost, benefit, entered, actual


def setup(world):
    scenario, cost, benefit, entered, actual = _model(world.project, "本地部署")
    other_scenario, other_cost, other_benefit, other_entered, other_actual = _model(world.other_project, "乙方方案")
    db.session.commit()
    world.ids.update(tco_scenario=scenario.id, tco_cost=cost.id, tco_benefit=benefit.id,
                     other_tco_scenario=other_scenario.id, other_tco_cost=other_cost.id,
                     other_tco_benefit=other_benefit.id, tco_entered_benefit=entered.id,
                     other_tco_entered_benefit=other_entered.id, tco_actual=actual.id,
                     other_tco_actual=other_actual.id)
