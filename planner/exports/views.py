"""The Exports page of a project, the CSV/XLSX downloads, and the private calendar feed.

Endpoints: ``exports.index`` (``project_id``), ``exports.download`` (``project_id``, ``key``,
``fmt`` = csv | xlsx), ``exports.calendar_new`` / ``exports.calendar_revoke`` (POST),
``exports.calendar_feed`` (``token``, no sign-in).
"""

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from planner.audit.services import record, register
from planner.crm.models import RecordKind
from planner.exports import feeds, services, tables
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.projects import registry
from planner.projects.access import project_view
from planner.projects.models import ProjectRole

bp = Blueprint("exports", __name__)

registry.tab(850, "exports.index", _l("Exports"), icon="download", section="data")
register("exports.downloaded", _l("Downloaded the export “%(name)s” (%(format)s)."))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _render_index(project, new_token: str | None = None, status: int = 200):
    membership = g.get("membership")
    token = feeds.token_of(membership)
    feed_url = url_for("exports.calendar_feed", token=new_token, _external=True) if new_token else None
    return render_template(
        "exports/index.html", project=project, datasets=services.datasets_for(project),
        crm_kinds=list(RecordKind), token=token, feed_url=feed_url, is_member=membership is not None,
        hidden=len(services.DATASETS) - len(services.datasets_for(project)),
    ), status


@bp.route("/projects/<int:project_id>/exports")
@project_view()
def index(project):
    return _render_index(project)


@bp.route("/projects/<int:project_id>/exports/<key>.<any(csv, xlsx):fmt>")
@project_view()
def download(project, key, fmt):
    if key == services.ALL and fmt == "xlsx":
        tables_ = [item.build(project) for item in services.datasets_for(project)]
        record("exports.downloaded", project=project, name=_("Everything in one workbook"), format="XLSX")
        db.session.commit()
        return _attachment(tables.to_xlsx(*tables_), services.filename(project, key, fmt), XLSX)
    found = services.dataset(key)
    if found is None:
        abort(404)
    if not found.allowed():
        abort(403)
    table = services.build(key, project)
    record("exports.downloaded", project=project, name=str(found.label), format=fmt.upper())
    db.session.commit()  # the audit event, and any KPI value just computed
    if fmt == "csv":
        content, mimetype = tables.to_csv(table), "text/csv; charset=utf-8"
    else:
        content, mimetype = tables.to_xlsx(table), XLSX
    return _attachment(content, services.filename(project, key, fmt), mimetype)


def _attachment(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, content_type=mimetype)  # as given: "text/csv; charset=utf-8" once
    ascii_name = filename.encode("ascii", "ignore").decode().lstrip("-") or f"export.{filename.rsplit('.', 1)[-1]}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- the calendar feed


@bp.route("/projects/<int:project_id>/exports/calendar", methods=["POST"])
@project_view(ProjectRole.STAFF)
def calendar_new(project):
    token = feeds.issue_token(g.membership)
    db.session.commit()
    flash(_("Your private calendar address is ready. Copy it now: it is shown only this once."), "success")
    return _render_index(project, new_token=token)


@bp.route("/projects/<int:project_id>/exports/calendar/revoke", methods=["POST"])
@project_view(ProjectRole.STAFF, allow_archived=True)
def calendar_revoke(project):
    if feeds.revoke_token(g.membership):
        db.session.commit()
        flash(_("Your calendar address no longer works. Calendars that used it stop updating."), "success")
    else:
        flash(_("You had no calendar address to revoke."), "info")
    return redirect(url_for("exports.index", project_id=project.id))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    address = request.remote_addr
    if feeds.too_many_misses(address):
        abort(429)
    owner = feeds.lookup(token)
    if owner is None:
        feeds.count_miss(address)
        abort(404)
    body = feeds.feed_text(owner.project, owner.user, request.host)
    feeds.note_use(owner.token)
    db.session.commit()
    response = Response(body.encode("utf-8"), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = "inline; filename=\"rollout.ics\""
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
