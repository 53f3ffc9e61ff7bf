"""Plan against reality: the plan-vs-actual page, recording actual costs, the actual amounts of
benefits entered by hand and the KPI evidence behind a realised benefit. Routes on the TCO blueprint."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import date_format, date_skeleton
from planner.kpis import services as kpi_services
from planner.projects import registry
from planner.projects.access import get_in_project, project_view
from planner.projects.models import ProjectRole
from planner.tco import actuals, figures, imports
from planner.tco.forms import ActualCostForm, BenefitActualsForm, ConfirmForm, ImportActualsForm
from planner.tco.models import CostCategory, TcoActualCost, TcoBenefitLine
from planner.tco.texts import derivation_text
from planner.transactions import saving

MANAGER = ProjectRole.MANAGER
EVIDENCE_WEEKS = 16


def month_label(day) -> str:
    """"November 2025", "noviembre de 2025", "2025年11月": the region's own way (a CLDR skeleton)."""
    return date_skeleton(day, "yMMMM")


def _context(project):
    scenario = actuals.plan_scenario(project)
    if scenario is None:
        return None, None
    return scenario, actuals.tracking(project, scenario)


@project_view(*registry.LEADS, admin_ok=True)
def actuals_page(project):
    scenario, track = _context(project)
    db.session.commit()  # keeps the KPI values computed for this page
    charts = {}
    if track is not None and track.start is not None and not track.plan.is_empty:
        charts["burn"] = figures.burn_chart(track, project.currency)
    return render_template("tco/actuals.html", project=project, scenario=scenario, track=track, charts=charts,
                           category_label=lambda value: CostCategory(value).label, month_label=month_label,
                           months=actuals.plan_months(track.start) if track and track.start else [],
                           derivation=lambda line: derivation_text(line, project.currency))


@project_view(*registry.LEADS, admin_ok=True)
def actual_costs(project):
    entries = db.session.scalars(select(TcoActualCost).where(TcoActualCost.project_id == project.id)
                                 .order_by(TcoActualCost.month.desc(), TcoActualCost.id.desc())).all()
    scenario = actuals.plan_scenario(project)
    start = actuals.plan_start(scenario, project)
    return render_template("tco/actual_costs.html", project=project, entries=entries, start=start,
                           month_label=month_label, month_number=actuals.month_number)


def _month_choices(start):
    return [(day.isoformat(), _("Month %(number)s · %(month)s", number=number, month=month_label(day)))
            for number, day in enumerate(actuals.plan_months(start), start=1)]


@project_view(MANAGER)
def add_actual_cost(project):
    scenario = actuals.plan_scenario(project)
    start = actuals.plan_start(scenario, project)
    if scenario is None or start is None:
        flash(_("Add a plan scenario and the month it starts before recording actual costs."), "warning")
        return redirect(url_for("tco.actuals_page", project_id=project.id))
    form = ActualCostForm()
    form.month.choices = _month_choices(start)
    if request.method == "GET":
        from planner.dates import utc_today

        current = actuals.first_of_month(utc_today()).isoformat()
        if current in dict(form.month.choices):
            form.month.data = current
    if form.validate_on_submit():
        from datetime import date

        with saving(error_to=form.month) as saved:
            actuals.add_actual_cost(project, start, category=form.category.data,
                                    month=date.fromisoformat(form.month.data), amount=form.amount.data,
                                    description=form.description.data or "", reference=form.reference.data or "",
                                    user=current_user)
        if saved:
            flash(_("The actual cost is recorded."), "success")
            if request.form.get("again"):
                return redirect(url_for("tco.add_actual_cost", project_id=project.id))
            return redirect(url_for("tco.actuals_page", project_id=project.id))
    return render_template("tco/actual_cost_form.html", project=project, form=form, scenario=scenario)


@project_view(MANAGER)
def delete_actual_cost(project, entry_id):
    entry = get_in_project(TcoActualCost, entry_id, project)
    if ConfirmForm().validate_on_submit():
        actuals.delete_actual_cost(entry)
        db.session.commit()
        flash(_("The actual cost is deleted."), "success")
    return redirect(url_for("tco.actual_costs", project_id=project.id))


@project_view(MANAGER)
def benefit_actuals(project, line_id):
    line = get_in_project(TcoBenefitLine, line_id, project)
    if line.is_derived:
        abort(404)
    form = BenefitActualsForm()
    if request.method == "GET":
        for year, amount in actuals.benefit_actuals(line).items():
            getattr(form, f"year{year}").data = amount
    if form.validate_on_submit():
        with saving(error_to=form.year1) as saved:
            actuals.save_benefit_actuals(line, form.amounts())
        if saved:
            flash(_("The actual amounts of the benefit are saved."), "success")
            return redirect(url_for("tco.actuals_page", project_id=project.id, _anchor="benefits"))
    return render_template("tco/benefit_actuals_form.html", project=project, form=form, line=line)


@project_view(*registry.LEADS, admin_ok=True)
def benefit_evidence(project, line_id):
    line = get_in_project(TcoBenefitLine, line_id, project)
    if not line.is_derived:
        abort(404)
    scenario = line.scenario
    track = actuals.tracking(project, scenario)
    benefit = next(b for b in track.benefits if b.line.id == line.id)
    weeks = kpi_services.kpi_weekly_series(project, line.kpi_key, EVIDENCE_WEEKS)
    db.session.commit()  # keeps the KPI values computed for this page
    return render_template("tco/evidence.html", project=project, line=line, scenario=scenario, track=track,
                           benefit=benefit, weeks=weeks, month_label=month_label,
                           records=evidence_links(project, line.kpi_key,
                                                  benefit.months[-1].as_of if benefit.months else None),
                           derivation=derivation_text(line, project.currency))


@project_view(MANAGER)
def import_actual_costs(project):
    scenario = actuals.plan_scenario(project)
    start = actuals.plan_start(scenario, project)
    if scenario is None or start is None:
        flash(_("Add a plan scenario and the month it starts before recording actual costs."), "warning")
        return redirect(url_for("tco.actuals_page", project_id=project.id))
    form = ImportActualsForm()
    checked, filename = None, ""
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "").rsplit("/", 1)[-1]
        try:
            path = imports.receive(upload.stream, filename)
        except DomainError as exc:
            form.file.errors.append(str(exc.message))
        else:
            try:
                checked = imports.check(path, start, day_first=form.day_first.data == "1",
                                        decimal_comma=form.decimal_choice())
            finally:
                path.unlink(missing_ok=True)
            if form.run.data and checked.ok:
                count = imports.save(project, checked, start, filename, current_user)
                db.session.commit()
                flash(ngettext("%(num)s actual cost is imported.", "%(num)s actual costs are imported.", count),
                      "success")
                return redirect(url_for("tco.actuals_page", project_id=project.id))
    return render_template("tco/import_actuals.html", project=project, form=form, checked=checked,
                           filename=filename, limit_mb=imports.LIMIT_MB, max_rows=imports.MAX_ROWS,
                           month_label=month_label, ran=bool(form.run.data))


def evidence_links(project, key, last_day=None) -> list[tuple[str, str]]:
    """(label, URL) of the CRM record lists the KPI counts, filtered where the list can be: the
    interactions of the window behind the last measured value, the cases resolved (or not) at the
    first contact, the cross-sell and up-sell opportunities."""
    from datetime import timedelta

    from planner.crm.models import OpportunityKind, RecordKind
    from planner.kpis.definitions import DEFINITIONS, KpiKey

    key = KpiKey(key)
    base = {kind: (str(kind.label), {}) for kind in RecordKind}
    window = DEFINITIONS[key].window_days
    if last_day is not None and window:
        since = (last_day - timedelta(days=window - 1)).isoformat()
        base[RecordKind.INTERACTIONS] = (
            _("Interactions from %(first)s to %(last)s", first=date_format(last_day - timedelta(days=window - 1)),
              last=date_format(last_day)), {"since": since, "until": last_day.isoformat()})
    links = {
        KpiKey.ADOPTION: [base[k] + (k,) for k in (RecordKind.INTERACTIONS, RecordKind.CASES,
                                                     RecordKind.OPPORTUNITIES, RecordKind.CONTACTS,
                                                     RecordKind.ACCOUNTS)],
        KpiKey.CLOSED_LOOP: [base[RecordKind.INTERACTIONS] + (RecordKind.INTERACTIONS,)],
        KpiKey.FIRST_CONTACT_RESOLUTION: [
            (_("Service cases resolved at the first contact"), {"fcr": "yes"}, RecordKind.CASES),
            (_("Service cases not resolved at the first contact"), {"fcr": "no"}, RecordKind.CASES)],
        KpiKey.SATISFACTION: [base[RecordKind.CASES] + (RecordKind.CASES,)],
        KpiKey.CROSS_SELL_WIN_RATE: [
            (str(kind.label), {"type": kind.value}, RecordKind.OPPORTUNITIES)
            for kind in (OpportunityKind.CROSS_SELL, OpportunityKind.UP_SELL)],
        KpiKey.RETENTION: [base[k] + (k,) for k in (RecordKind.INTERACTIONS, RecordKind.ACCOUNTS)],
        KpiKey.DATA_QUALITY: [base[RecordKind.CONTACTS] + (RecordKind.CONTACTS,)],
    }[key]
    return [(label, url_for(f"crm.{kind.value}", project_id=project.id, **args)) for label, args, kind in links]


def register(bp) -> None:
    """Adds the routes to the TCO blueprint (called by ``planner.tco.views``)."""
    base = "/projects/<int:project_id>/tco"
    both = ["GET", "POST"]
    bp.add_url_rule(f"{base}/actuals", "actuals_page", actuals_page)
    bp.add_url_rule(f"{base}/actuals/costs", "actual_costs", actual_costs)
    bp.add_url_rule(f"{base}/actuals/costs/new", "add_actual_cost", add_actual_cost, methods=both)
    bp.add_url_rule(f"{base}/actuals/import", "import_actual_costs", import_actual_costs, methods=both)
    bp.add_url_rule(f"{base}/actuals/costs/<int:entry_id>/delete", "delete_actual_cost", delete_actual_cost,
                    methods=["POST"])
    bp.add_url_rule(f"{base}/benefits/<int:line_id>/actuals", "benefit_actuals", benefit_actuals, methods=both)
    bp.add_url_rule(f"{base}/benefits/<int:line_id>/evidence", "benefit_evidence", benefit_evidence)
