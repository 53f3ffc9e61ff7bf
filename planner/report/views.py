"""The print-ready project report. Endpoint other features link to: ``report.index`` (``project_id``).

Any member of the project (and an administrator) may read it, archived projects included. The
feedback section follows the feedback feature's rule: its figures are for project managers,
executive sponsors and administrators, and a group answered by fewer than five people shows none.
"""

from flask import Blueprint, g, render_template
from flask_login import current_user

from planner.db import utcnow
from planner.extensions import db
from planner.feedback.services import BARRIER_THRESHOLD, MIN_GROUP
from planner.i18n import lazy_gettext as _l
from planner.projects import registry
from planner.projects.access import has_role, project_view
from planner.projects.models import ProjectRole
from planner.report import charts, services
from planner.report.summary import executive_summary

bp = Blueprint("report", __name__)

registry.tab(320, "report.index", _l("Report"), roles=registry.LEADS, icon="printer", section="data")


def _can_read_feedback() -> bool:
    """The feedback results page's rule: managers, sponsors, and administrators who are not members."""
    return has_role(ProjectRole.MANAGER) or has_role(ProjectRole.SPONSOR) or (
        g.get("membership") is None and current_user.is_admin)


@bp.route("/projects/<int:project_id>/report")
@project_view(*registry.LEADS, admin_ok=True)
def index(project):
    report = services.project_report(project, _can_read_feedback())
    figures = {
        "sins": charts.sins_chart(report.sins) if report.assessment else None,
        "kpis": charts.kpi_chart(report.kpis) if report.kpis else None,
        "tco": charts.tco_chart(report.tco) if report.tco else None,
        "feedback": charts.feedback_chart(report.feedback.overall, BARRIER_THRESHOLD)
        if report.feedback is not None and report.feedback.overall.shown else None,
    }
    page = render_template("report/index.html", project=project, report=report, figures=figures,
                           summary=executive_summary(report),
                           generated_at=utcnow(), min_group=MIN_GROUP, threshold=BARRIER_THRESHOLD)
    db.session.commit()  # keeps the KPI values computed for this page (after rendering: nothing reloads)
    return page
