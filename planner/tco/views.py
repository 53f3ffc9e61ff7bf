from decimal import Decimal
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.projects import registry
from planner.projects.access import get_in_project, is_lead, project_view
from planner.projects.models import ProjectRole
from planner.tco import actual_views, actuals, exports, figures, services
from planner.tco.forms import BenefitLineForm, ConfirmForm, CostLineForm, ScenarioForm
from planner.tco.models import CostCategory, TcoBenefitLine, TcoCostLine, TcoScenario
from planner.tco.texts import derivation_text
from planner.transactions import saving

bp = Blueprint("tco", __name__)
actual_views.register(bp)

MANAGER = ProjectRole.MANAGER

registry.tab(130, "tco.index", _l("TCO and ROI"), roles=registry.LEADS, icon="calculator", section="plan")


def _overview_panel(project):
    if not is_lead():
        return None
    summary = services.tco_summary_by_project([project.id]).get(project.id)
    return {"project": project, "summary": summary}


registry.panel(400, "tco/_panel.html", _overview_panel)


def _scenario_or_404(project, scenario_id: int) -> TcoScenario:
    scenario = services.load_scenario(scenario_id, project)
    if scenario is None:
        abort(404)
    return scenario


def _scenario_fields(form: ScenarioForm) -> dict:
    return {"name": form.name.data, "deployment": form.deployment.data, "description": form.description.data or "",
            "discount_rate": form.discount_rate.data, "approved_budget": form.approved_budget.data,
            "starts_on": form.starts_on.data.replace(day=1) if form.starts_on.data else None,
            "is_preferred": form.is_preferred.data}


# --------------------------------------------------------------------------- pages


@bp.route("/projects/<int:project_id>/tco")
@project_view(*registry.LEADS, admin_ok=True)
def index(project):
    scenarios = services.load_scenarios(project)
    items = [(scenario, scenario.analysis()) for scenario in scenarios]
    charts = {}
    if items and any(not a.is_empty for _s, a in items):
        charts["cash"] = figures.cash_curve(items, project.currency,
                                            title=_("Cumulative cash position by scenario"))
        charts["costs"] = figures.cost_comparison(items, project.currency)
    return render_template("tco/index.html", project=project, items=items, charts=charts)


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>")
@project_view(*registry.LEADS, admin_ok=True)
def scenario(project, scenario_id):
    item = _scenario_or_404(project, scenario_id)
    analysis = item.analysis()
    charts = {}
    if analysis.total_cost:
        charts["costs"] = figures.cost_by_year(analysis, project.currency)
    if not analysis.is_empty:
        charts["cash"] = figures.cash_curve([(item, analysis)], project.currency)
    return render_template("tco/scenario.html", project=project, scenario=item, analysis=analysis,
                           charts=charts, discounted=analysis.discounted_by_year,
                           category_label=lambda value: CostCategory(value).label,
                           derivation=lambda line: derivation_text(line, project.currency))


# --------------------------------------------------------------------------- scenarios


@bp.route("/projects/<int:project_id>/tco/scenarios/new", methods=["GET", "POST"])
@project_view(MANAGER)
def create_scenario(project):
    form = ScenarioForm()
    if request.method == "GET":
        form.discount_rate.data = Decimal("8")
    if form.validate_on_submit():
        with saving(error_to=form.name) as saved:
            created = services.create_scenario(project, **_scenario_fields(form))
        if saved:
            flash(_("The scenario is added. Now enter its cost lines."), "success")
            return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=created.id))
    return render_template("tco/scenario_form.html", project=project, form=form, scenario=None)


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@project_view(MANAGER)
def edit_scenario(project, scenario_id):
    item = get_in_project(TcoScenario, scenario_id, project)
    form = ScenarioForm(obj=item)
    if request.method == "GET":
        form.deployment.data = item.deployment.value
    if form.validate_on_submit():
        with saving(error_to=form.name) as saved:
            services.update_scenario(item, **_scenario_fields(form))
        if saved:
            flash(_("The scenario is saved."), "success")
            return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=item.id))
    return render_template("tco/scenario_form.html", project=project, form=form, scenario=item)


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>/prefer", methods=["POST"])
@project_view(MANAGER)
def prefer_scenario(project, scenario_id):
    item = get_in_project(TcoScenario, scenario_id, project)
    if ConfirmForm().validate_on_submit():
        services.set_preferred(item)
        db.session.commit()
        flash(_("“%(name)s” is now the plan scenario.", name=item.name), "success")
    return redirect(url_for("tco.index", project_id=project.id))


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>/copy", methods=["POST"])
@project_view(MANAGER)
def copy_scenario(project, scenario_id):
    item = _scenario_or_404(project, scenario_id)
    if ConfirmForm().validate_on_submit():
        copy = services.copy_scenario(item, services.copy_name(item, _("copy")))
        db.session.commit()
        flash(_("The scenario is copied. Rename it and change what differs."), "success")
        return redirect(url_for("tco.edit_scenario", project_id=project.id, scenario_id=copy.id))
    return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=item.id))


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>/delete", methods=["POST"])
@project_view(MANAGER)
def delete_scenario(project, scenario_id):
    item = get_in_project(TcoScenario, scenario_id, project)
    if ConfirmForm().validate_on_submit():
        services.delete_scenario(item)
        db.session.commit()
        flash(_("The scenario and its lines are deleted."), "success")
    return redirect(url_for("tco.index", project_id=project.id))


# --------------------------------------------------------------------------- cost lines


def _cost_form_page(project, scenario, line):
    form = CostLineForm(obj=line)
    if request.method == "GET" and line is not None:
        form.category.data = line.category.value
    if form.validate_on_submit():
        services.save_cost_line(scenario, line, category=form.category.data, description=form.description.data,
                                amounts=form.amounts())
        db.session.commit()
        flash(_("The cost line is saved."), "success")
        return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=scenario.id) + "#costs")
    return render_template("tco/line_form.html", project=project, scenario=scenario, form=form, line=line,
                           kind="cost")


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>/costs/new", methods=["GET", "POST"])
@project_view(MANAGER)
def create_cost(project, scenario_id):
    return _cost_form_page(project, get_in_project(TcoScenario, scenario_id, project), None)


@bp.route("/projects/<int:project_id>/tco/costs/<int:line_id>/edit", methods=["GET", "POST"])
@project_view(MANAGER)
def edit_cost(project, line_id):
    line = get_in_project(TcoCostLine, line_id, project)
    return _cost_form_page(project, line.scenario, line)


@bp.route("/projects/<int:project_id>/tco/costs/<int:line_id>/delete", methods=["POST"])
@project_view(MANAGER)
def delete_cost(project, line_id):
    line = get_in_project(TcoCostLine, line_id, project)
    scenario_id = line.scenario_id
    if ConfirmForm().validate_on_submit():
        services.delete_cost_line(line)
        db.session.commit()
        flash(_("The cost line is deleted."), "success")
    return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=scenario_id) + "#costs")


# --------------------------------------------------------------------------- benefit lines


def _benefit_form_page(project, scenario, line):
    form = BenefitLineForm(obj=line)
    if request.method == "GET" and line is not None:
        form.kind.data = line.kind.value
        form.kpi_key.data = line.kpi_key.value if line.kpi_key else ""
    if form.validate_on_submit():
        services.save_benefit_line(
            scenario, line, kind=form.kind.data, description=form.description.data, amounts=form.amounts(),
            kpi_key=form.kpi_key.data or None, gains=form.gains(), volume=form.kpi_volume.data,
            unit_value=form.kpi_unit_value.data)
        db.session.commit()
        flash(_("The benefit is saved."), "success")
        return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=scenario.id) + "#benefits")
    return render_template("tco/line_form.html", project=project, scenario=scenario, form=form, line=line,
                           kind="benefit")


@bp.route("/projects/<int:project_id>/tco/scenarios/<int:scenario_id>/benefits/new", methods=["GET", "POST"])
@project_view(MANAGER)
def create_benefit(project, scenario_id):
    return _benefit_form_page(project, get_in_project(TcoScenario, scenario_id, project), None)


@bp.route("/projects/<int:project_id>/tco/benefits/<int:line_id>/edit", methods=["GET", "POST"])
@project_view(MANAGER)
def edit_benefit(project, line_id):
    line = get_in_project(TcoBenefitLine, line_id, project)
    return _benefit_form_page(project, line.scenario, line)


@bp.route("/projects/<int:project_id>/tco/benefits/<int:line_id>/delete", methods=["POST"])
@project_view(MANAGER)
def delete_benefit(project, line_id):
    line = get_in_project(TcoBenefitLine, line_id, project)
    scenario_id = line.scenario_id
    if ConfirmForm().validate_on_submit():
        services.delete_benefit_line(line)
        db.session.commit()
        flash(_("The benefit is deleted."), "success")
    return redirect(url_for("tco.scenario", project_id=project.id, scenario_id=scenario_id) + "#benefits")


# --------------------------------------------------------------------------- exports


@bp.route("/projects/<int:project_id>/tco/export.xlsx")
@project_view(*registry.LEADS, admin_ok=True)
def export_xlsx(project):
    with_formulas = request.args.get("formulas") == "1"
    scenarios = services.load_scenarios(project)
    plan = scenarios[0] if scenarios else None
    track = actuals.tracking(project, plan) if plan and actuals.plan_start(plan, project) else None
    content = exports.workbook(project, scenarios, with_formulas=with_formulas, track=track)
    return _download(content, exports.filename(project, "xlsx"),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/projects/<int:project_id>/tco/export.csv")
@project_view(*registry.LEADS, admin_ok=True)
def export_csv(project):
    content = exports.csv_text(project, services.load_scenarios(project))
    return _download(content.encode("utf-8-sig"), exports.filename(project, "csv"), "text/csv; charset=utf-8")


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "ignore").decode() or "tco"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response
