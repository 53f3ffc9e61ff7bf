"""A plan scenario with cost and benefit lines, for tests. Text defaults to Chinese so the Chinese
page crawl can tell user data from interface text."""

from decimal import Decimal as D

from planner.tco.models import BenefitKind, CostCategory, DeploymentModel, TcoBenefitLine, TcoCostLine, TcoScenario


def make_scenario(db, project, name="本地部署", preferred=True, rate="10", budget=None, costs=(), benefits=()):
    scenario = TcoScenario(project_id=project.id, name=name, deployment=DeploymentModel.ON_PREMISE,
                           discount_rate=D(rate), approved_budget=None if budget is None else D(budget),
                           is_preferred=preferred)
    db.session.add(scenario)
    db.session.flush()
    for category, amounts in costs:
        db.session.add(TcoCostLine(project_id=project.id, scenario_id=scenario.id, category=CostCategory(category),
                                   description="成本", year1=D(amounts[0]), year2=D(amounts[1]),
                                   year3=D(amounts[2])))
    for amounts in benefits:
        db.session.add(TcoBenefitLine(project_id=project.id, scenario_id=scenario.id, kind=BenefitKind.REVENUE,
                                      description="收益", year1=D(amounts[0]), year2=D(amounts[1]),
                                      year3=D(amounts[2])))
    db.session.commit()
    return scenario
