"""Operations on TCO scenarios and their lines (each adds an audit event; the caller commits),
the loading of a project's model, and the bulk summary for the executive dashboard."""

import functools
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from planner.audit.services import record, register
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.kpis.definitions import KpiKey
from planner.projects.models import Project
from planner.tco import calculations as calc
from planner.tco.models import (
    BenefitKind,
    CostCategory,
    DeploymentModel,
    TcoBenefitLine,
    TcoCostLine,
    TcoScenario,
)

ZERO = Decimal(0)

register("tco.scenario_created", _l("Added the TCO scenario “%(name)s”."))
register("tco.scenario_updated", _l("Changed the TCO scenario “%(name)s”."))
register("tco.scenario_deleted", _l("Deleted the TCO scenario “%(name)s”."))
register("tco.scenario_preferred", _l("Made “%(name)s” the plan scenario of the TCO model."))
register("tco.scenario_copied", _l("Copied the TCO scenario “%(source)s” as “%(name)s”."))
register("tco.cost_saved", _l("Saved the cost line “%(description)s” of the TCO scenario “%(scenario)s”."))
register("tco.cost_deleted", _l("Deleted the cost line “%(description)s” of the TCO scenario “%(scenario)s”."))
register("tco.benefit_saved", _l("Saved the benefit “%(description)s” of the TCO scenario “%(scenario)s”."))
register("tco.benefit_deleted", _l("Deleted the benefit “%(description)s” of the TCO scenario “%(scenario)s”."))

SCENARIO_FIELDS = ("name", "deployment", "description", "discount_rate", "approved_budget", "starts_on")


# --------------------------------------------------------------------------- scenarios


def _check_name(project: Project, name: str, exclude_id: int | None = None) -> None:
    query = select(TcoScenario.id).where(TcoScenario.project_id == project.id, TcoScenario.name == name)
    if exclude_id is not None:
        query = query.where(TcoScenario.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DomainError(_l("This project already has a scenario with that name."))


def _scenarios(project: Project) -> list[TcoScenario]:
    return list(db.session.scalars(
        select(TcoScenario).where(TcoScenario.project_id == project.id).order_by(TcoScenario.id)))


def _make_preferred(project: Project, scenario: TcoScenario) -> None:
    for other in _scenarios(project):
        other.is_preferred = other.id == scenario.id
    scenario.is_preferred = True


def create_scenario(project: Project, *, name: str, deployment: DeploymentModel, description: str = "",
                    discount_rate: Decimal = ZERO, approved_budget: Decimal | None = None,
                    is_preferred: bool = False, starts_on=None) -> TcoScenario:
    _check_name(project, name)
    first = not _scenarios(project)
    scenario = TcoScenario(project_id=project.id, name=name, deployment=DeploymentModel(deployment),
                           description=description or "", discount_rate=discount_rate,
                           approved_budget=approved_budget, starts_on=starts_on, is_preferred=False)
    db.session.add(scenario)
    db.session.flush()
    if first or is_preferred:
        _make_preferred(project, scenario)
    record("tco.scenario_created", project=project, target=scenario, name=name)
    return scenario


def update_scenario(scenario: TcoScenario, *, is_preferred: bool = False, **fields) -> None:
    project = scenario.project
    if "name" in fields:
        _check_name(project, fields["name"], exclude_id=scenario.id)
    if "deployment" in fields:
        fields["deployment"] = DeploymentModel(fields["deployment"])
    for key in SCENARIO_FIELDS:
        if key in fields:
            setattr(scenario, key, fields[key] if key != "description" else (fields[key] or ""))
    if is_preferred and not scenario.is_preferred:
        _make_preferred(project, scenario)
    record("tco.scenario_updated", project=project, target=scenario, name=scenario.name)


def set_preferred(scenario: TcoScenario) -> None:
    _make_preferred(scenario.project, scenario)
    record("tco.scenario_preferred", project=scenario.project, target=scenario, name=scenario.name)


def delete_scenario(scenario: TcoScenario) -> None:
    project = scenario.project
    record("tco.scenario_deleted", project=project, target=scenario, name=scenario.name)
    was_preferred = scenario.is_preferred
    db.session.delete(scenario)
    db.session.flush()
    if was_preferred:
        remaining = _scenarios(project)
        if remaining:
            remaining[0].is_preferred = True


def copy_scenario(scenario: TcoScenario, name: str) -> TcoScenario:
    """A new scenario with the same settings and lines, to try another deployment or plan."""
    project = scenario.project
    _check_name(project, name)
    copy = TcoScenario(project_id=project.id, name=name, deployment=scenario.deployment,
                       description=scenario.description, discount_rate=scenario.discount_rate,
                       approved_budget=scenario.approved_budget, starts_on=scenario.starts_on, is_preferred=False)
    db.session.add(copy)
    db.session.flush()
    for line in scenario.cost_lines:
        db.session.add(TcoCostLine(project_id=project.id, scenario_id=copy.id, category=line.category,
                                   description=line.description, year1=line.year1, year2=line.year2,
                                   year3=line.year3))
    for line in scenario.benefit_lines:
        db.session.add(TcoBenefitLine(
            project_id=project.id, scenario_id=copy.id, kind=line.kind, description=line.description,
            year1=line.year1, year2=line.year2, year3=line.year3, kpi_key=line.kpi_key,
            kpi_gain1=line.kpi_gain1, kpi_gain2=line.kpi_gain2, kpi_gain3=line.kpi_gain3,
            kpi_volume=line.kpi_volume, kpi_unit_value=line.kpi_unit_value))
    record("tco.scenario_copied", project=project, target=copy, name=name, source=scenario.name)
    return copy


def copy_name(scenario: TcoScenario, suffix: str) -> str:
    """A free name for a copy: "<name> (<suffix>)", then "<name> (<suffix> 2)"…"""
    taken = set(db.session.scalars(select(TcoScenario.name).where(TcoScenario.project_id == scenario.project_id)))
    base = scenario.name[: 120 - len(suffix) - 6]
    candidate, n = f"{base} ({suffix})", 2
    while candidate in taken:
        candidate, n = f"{base} ({suffix} {n})", n + 1
    return candidate


# --------------------------------------------------------------------------- lines


def save_cost_line(scenario: TcoScenario, line: TcoCostLine | None, *, category, description: str,
                   amounts) -> TcoCostLine:
    if line is None:
        line = TcoCostLine(project_id=scenario.project_id, scenario_id=scenario.id)
        db.session.add(line)
    line.category = CostCategory(category)
    line.description = description
    line.year1, line.year2, line.year3 = amounts
    db.session.flush()
    record("tco.cost_saved", project=scenario.project_id, target=line, description=description,
           scenario=scenario.name)
    return line


def delete_cost_line(line: TcoCostLine) -> None:
    record("tco.cost_deleted", project=line.project_id, target=line, description=line.description,
           scenario=line.scenario.name)
    db.session.delete(line)


def save_benefit_line(scenario: TcoScenario, line: TcoBenefitLine | None, *, kind, description: str,
                      amounts=(ZERO, ZERO, ZERO), kpi_key=None, gains=(ZERO, ZERO, ZERO),
                      volume: Decimal | None = None, unit_value: Decimal | None = None) -> TcoBenefitLine:
    if line is None:
        line = TcoBenefitLine(project_id=scenario.project_id, scenario_id=scenario.id)
        db.session.add(line)
    line.kind = BenefitKind(kind)
    line.description = description
    if kpi_key:
        line.kpi_key = KpiKey(kpi_key)
        line.kpi_gain1, line.kpi_gain2, line.kpi_gain3 = gains
        line.kpi_volume, line.kpi_unit_value = volume, unit_value
        line.year1 = line.year2 = line.year3 = ZERO  # the amounts are derived, not entered
    else:
        line.kpi_key = None
        line.kpi_gain1 = line.kpi_gain2 = line.kpi_gain3 = line.kpi_volume = line.kpi_unit_value = None
        line.year1, line.year2, line.year3 = amounts
    db.session.flush()
    record("tco.benefit_saved", project=scenario.project_id, target=line, description=description,
           scenario=scenario.name)
    return line


def delete_benefit_line(line: TcoBenefitLine) -> None:
    record("tco.benefit_deleted", project=line.project_id, target=line, description=line.description,
           scenario=line.scenario.name)
    db.session.delete(line)


# --------------------------------------------------------------------------- reading


def load_scenarios(project: Project) -> list[TcoScenario]:
    """The project's scenarios with their lines (three queries), the plan scenario first."""
    scenarios = db.session.scalars(
        select(TcoScenario)
        .options(selectinload(TcoScenario.cost_lines), selectinload(TcoScenario.benefit_lines))
        .where(TcoScenario.project_id == project.id)
        .order_by(TcoScenario.is_preferred.desc(), TcoScenario.id)
    ).all()
    return list(scenarios)


def load_scenario(scenario_id: int, project: Project) -> TcoScenario | None:
    return db.session.scalar(
        select(TcoScenario)
        .options(selectinload(TcoScenario.cost_lines), selectinload(TcoScenario.benefit_lines))
        .where(TcoScenario.id == scenario_id, TcoScenario.project_id == project.id)
    )


@functools.cache
def _summary_statements():
    """``tco_summary_by_project``'s three queries, built once per process (the overview's cost card,
    its setup checklist and its health card read the summary on every visit): ids are parameters."""
    ids = bindparam("ids", expanding=True)
    return (select(TcoScenario.id, TcoScenario.project_id, TcoScenario.name, TcoScenario.deployment,
                   TcoScenario.discount_rate, TcoScenario.approved_budget, Project.currency)
            .join(Project, Project.id == TcoScenario.project_id)
            .where(TcoScenario.project_id.in_(ids), TcoScenario.is_preferred.is_(True))
            .order_by(TcoScenario.id),
            select(TcoCostLine.scenario_id, TcoCostLine.category, TcoCostLine.year1, TcoCostLine.year2,
                   TcoCostLine.year3).where(TcoCostLine.scenario_id.in_(ids)),
            select(TcoBenefitLine).where(TcoBenefitLine.scenario_id.in_(ids)))


def tco_summary_by_project(project_ids) -> dict[int, dict]:
    """The plan scenario's three-year figures for many projects, in three queries whatever their number.

    Returns ``{project_id: summary}`` for the projects that have a scenario (others are absent).
    Each summary holds exact ``Decimal`` amounts in the project's currency:
    ``scenario_id``, ``scenario_name``, ``deployment``, ``currency``, ``cost_by_year`` (3-tuple),
    ``total_cost``, ``total_benefit``, ``net`` (benefits − costs over three years), ``npv`` (at the
    scenario's ``discount_rate``, in percent), ``roi`` (net / cost, or None), ``payback_month``
    (1…36, or None when not within three years), ``first_year_share`` (or None),
    ``approved_budget`` (or None) and ``over_budget`` (three-year cost above the approved budget;
    None without a budget).

    Amounts are added up in Python, not SQL: SQLite has no decimal type and would sum them as
    binary floating point. The rows read are narrow (ids and amounts only).
    """
    ids = sorted({int(pid) for pid in project_ids})
    if not ids:
        return {}
    statements = _summary_statements()
    scenarios = db.session.execute(statements[0], {"ids": ids}).all()
    by_id, seen = {}, set()
    for row in scenarios:  # one plan scenario per project; should two ever be marked, the oldest wins
        if row.project_id not in seen:
            seen.add(row.project_id)
            by_id[row.id] = row
    if not by_id:
        return {}
    costs: dict[int, list] = {sid: [] for sid in by_id}
    for sid, category, y1, y2, y3 in db.session.execute(statements[1], {"ids": list(by_id)}):
        costs[sid].append(calc.CostItem(category.value, (y1, y2, y3)))
    benefits: dict[int, list] = {sid: [] for sid in by_id}
    for line in db.session.scalars(statements[2], {"ids": list(by_id)}):
        benefits[line.scenario_id].append(line.amounts)
    result = {}
    for sid, row in by_id.items():
        analysis = calc.analyse(costs[sid], benefits[sid], row.discount_rate or ZERO)
        result[row.project_id] = summary(analysis, scenario_id=sid, scenario_name=row.name,
                                         deployment=row.deployment, currency=row.currency,
                                         approved_budget=row.approved_budget)
    return result


def summary(analysis: calc.Analysis, **extra) -> dict:
    budget = extra.get("approved_budget")
    return {
        **extra,
        "discount_rate": analysis.discount_rate,
        "cost_by_year": analysis.cost_by_year,
        "benefit_by_year": analysis.benefit_by_year,
        "total_cost": analysis.total_cost,
        "total_benefit": analysis.total_benefit,
        "net": analysis.net_total,
        "npv": analysis.npv,
        "roi": analysis.roi,
        "payback_month": analysis.payback_month,
        "first_year_share": analysis.first_year_share,
        "over_budget": None if budget is None else analysis.total_cost > budget,
    }
