"""The audit log pages (see the package text)."""

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.audit.models import AuditEvent
from planner.audit.services import describe
from planner.auth.decorators import admin_required
from planner.i18n import lazy_gettext as _l
from planner.pagination import paginate
from planner.projects import registry
from planner.projects.access import project_view

bp = Blueprint("audit", __name__)

registry.tab(930, "audit.project_log", _l("Audit log"), roles=registry.LEADS, icon="journal-text",
             section="settings")


@bp.route("/projects/<int:project_id>/audit")
@project_view(*registry.LEADS, admin_ok=True)
def project_log(project):
    query = (
        select(AuditEvent)
        .where(AuditEvent.project_id == project.id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    page = paginate(query, per_page=50)
    return render_template("audit/log.html", project=project, page=page, describe=describe)


@bp.route("/admin/audit")
@login_required
@admin_required
def admin_log():
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if request.args.get("scope") != "all":
        query = query.where(AuditEvent.project_id.is_(None))
    page = paginate(query.options(selectinload(AuditEvent.actor)), per_page=50)
    return render_template("audit/log.html", project=None, page=page, describe=describe)
