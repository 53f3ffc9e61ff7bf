"""The KPI page (values, baselines, targets, statuses, weekly trends, definitions) and the form
for a KPI's baseline and target. Endpoint other features link to: ``kpis.index`` (``project_id``)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.charts import PALETTE, figure
from planner.dates import utc_today
from planner.extensions import db
from planner.i18n import date_format as format_date
from planner.i18n import gettext as _  # the request's translations, looked up once (trend labels: 17 a chart)
from planner.i18n import lazy_gettext as _l
from planner.kpis import cache, services
from planner.kpis.definitions import DEFINITIONS, GENERAL_NOTES, KpiKey
from planner.kpis.forms import kpi_form
from planner.kpis.models import BaselineSource
from planner.projects import registry
from planner.projects.access import project_view
from planner.projects.models import ProjectRole
from planner.transactions import saving

bp = Blueprint("kpis", __name__)


@bp.record_once
def _keep_cache_current(state):
    cache.init_app(state.app)


TREND_WEEKS = 16

registry.tab(310, "kpis.index", _l("KPIs"), icon="graph-up-arrow", section="data")


def _panel(project):
    # The values computed here, if any, are kept by the overview's commit after it renders (a commit
    # here would make every card after this one load the project and the reader again).
    return {"rows": services.kpi_overview(project), "project": project}


registry.panel(300, "kpis/_panel.html", _panel)


def trend_figure(key: KpiKey, series, target, baseline) -> dict:
    ratio = key.is_ratio
    xs = [point.as_of for point in series]
    ys = [point.value for point in series]
    text = [_("Week of %(day)s", day=format_date(point.week_start, "medium")) if point.complete
            else _("Last 7 days to %(day)s", day=format_date(point.as_of, "medium")) for point in series]
    value_format = "%{y:.1%}" if ratio else "%{y:.2f}"
    data = [{"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys, "name": str(key.label),
             "text": text, "hovertemplate": "%{text}<br>" + value_format + "<extra></extra>",
             "line": {"color": PALETTE[0], "width": 2}, "connectgaps": False}]
    for value, name, dash, color in ((target, _("Target"), "dash", "#198754"),
                                     (baseline, _("Baseline"), "dot", "#6c757d")):
        if value is not None and xs:
            data.append({"type": "scatter", "mode": "lines", "x": [xs[0], xs[-1]], "y": [value, value], "name": name,
                         "hovertemplate": name + ": " + value_format + "<extra></extra>",
                         "line": {"color": color, "dash": dash, "width": 1.5}})
    yaxis = {"tickformat": ".0%", "range": [0, 1.05]} if ratio else {"range": [0.8, 5.2], "dtick": 1}
    return figure(data, height=240, margin={"l": 48, "r": 12, "t": 12, "b": 36},
                  xaxis={"type": "date", "nticks": 6, "fixedrange": True},
                  yaxis={**yaxis, "fixedrange": True, "zeroline": False},
                  legend={"orientation": "h", "y": -0.25, "font": {"size": 11}}, showlegend=len(data) > 1)


@bp.route("/projects/<int:project_id>/kpis")
@project_view()
def index(project):
    as_of = utc_today()
    rows, trends = services.kpi_page(project, TREND_WEEKS, as_of)
    charts = {row.key: trend_figure(row.key, trends[row.key], row.target, row.baseline) for row in rows
              if any(point.value is not None for point in trends[row.key])}
    page = render_template("kpis/index.html", project=project, rows=rows, charts=charts, as_of=as_of,
                           definitions=DEFINITIONS, notes=GENERAL_NOTES, weeks=TREND_WEEKS)
    db.session.commit()  # keeps the values computed for this page (after rendering: nothing reloads)
    return page


@bp.route("/projects/<int:project_id>/kpis/<key>", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def edit(project, key):
    if key not in KpiKey._value2member_map_:
        abort(404)
    key = KpiKey(key)
    setting = services.settings_by_project([project.id])[project.id].get(key)
    form = kpi_form(key, formdata=request.form if request.method == "POST" else None, setting=setting)
    if request.method == "POST" and form.validate():
        source = BaselineSource(form.baseline_source.data) if form.baseline_source.data else None
        field = form.baseline_as_of if source == BaselineSource.COMPUTED else form.baseline_value
        with saving(error_to=field) as saved:
            services.save_setting(
                project, key, target=form.ratio_or_score(form.target.data), baseline_source=source,
                baseline_value=form.ratio_or_score(form.baseline_value.data),
                baseline_as_of=form.baseline_as_of.data if source else None, note=form.note.data, user=current_user)
        if saved:
            flash(_("The baseline and target of “%(kpi)s” are saved.", kpi=key.label), "success")
            return redirect(url_for("kpis.index", project_id=project.id, _anchor=f"kpi-{key.value}"))
    overview = {row.key: row for row in services.kpi_overview(project)}[key]
    return render_template("kpis/edit.html", project=project, key=key, form=form, row=overview,
                           definition=DEFINITIONS[key])
