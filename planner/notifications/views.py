"""The bell and its page, each person's notification settings, the unsubscribe links of e-mail,
and the administrators' outbox."""

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner import nav
from planner.auth.decorators import admin_required
from planner.extensions import db
from planner.forms import flash_errors
from planner.i18n import lazy_gettext as _l
from planner.i18n import timezone_label
from planner.notifications import kinds, listeners, outbox, preferences, services  # noqa: F401 - listeners connect
from planner.notifications.forms import ConfirmForm, ReminderForm, preferences_form
from planner.notifications.models import Delivery, MailState, OutboxMail
from planner.pagination import paginate
from planner.projects import registry
from planner.projects.access import project_view
from planner.projects.models import ProjectRole
from planner.transactions import saving

bp = Blueprint("notifications", __name__)


def _unread(user) -> int:
    cached = g.get("notifications_unread")
    if cached is None or cached[0] != user.id:
        cached = (user.id, services.unread_count(user))
        g.notifications_unread = cached
    return cached[1]


nav.item(950, "notifications.index", _l("Notifications"), badge=_unread, icon="bell", section="notifications",
         compact=True)


@bp.route("/notifications")
@login_required
def index():
    page = paginate(services.listing_query(current_user), per_page=services.PAGE_SIZE)
    return render_template("notifications/index.html", page=page, text=kinds.text, form=ConfirmForm(),
                           unread=_unread(current_user))


@bp.route("/notifications/<int:notification_id>", endpoint="open")
@login_required
def open_(notification_id):
    """Marks the notification read and goes to what it is about."""
    notification = services.own(current_user, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(notification)
    db.session.commit()
    target = kinds.target(notification)
    return redirect(url_for(target[0], **target[1]) if target else url_for("notifications.index"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id):
    notification = services.own(current_user, notification_id)
    if notification is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        with saving():
            services.mark_read(notification)
    else:
        flash_errors(form)
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    form = ConfirmForm()
    if form.validate_on_submit():
        with saving() as saved:
            services.mark_all_read(current_user)
        if saved:
            flash(_("Every notification is marked as read."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"], endpoint="preferences")
@login_required
def preferences_page():
    chosen = preferences.current(current_user)
    form = preferences_form(chosen, preferences.digest_hour(current_user))
    if form.validate_on_submit():
        deliveries = {key: Delivery(getattr(form, f"kind_{key}").data) for key in kinds.choosable()}
        with saving() as saved:
            preferences.save(current_user, deliveries, int(form.digest_hour.data))
        if saved:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.preferences"))
    elif request.method == "POST":
        flash_errors(form)
    return render_template("notifications/preferences.html", form=form, kinds=kinds.choosable(),
                           mail_on=outbox.configured(), zone_label=timezone_label(current_user.timezone))


# --------------------------------------------------------------------------- a project's reminders


registry.tab(925, "notifications.project_reminders", _l("Reminders"), roles=(ProjectRole.MANAGER,), icon="alarm",
             section="settings")


@bp.route("/projects/<int:project_id>/reminders", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def project_reminders(project):
    form = ReminderForm()
    if request.method == "GET":
        form.signoff_days.data = preferences.project_reminder_days(project)
    if form.validate_on_submit():
        with saving(error_to=form.signoff_days) as saved:
            preferences.set_project_reminder_days(project, form.signoff_days.data)
        if saved:
            flash(_("The reminder setting is saved."), "success")
            return redirect(url_for("notifications.project_reminders", project_id=project.id))
    return render_template("notifications/project_reminders.html", project=project, form=form)


# --------------------------------------------------------------------------- unsubscribe (no sign-in)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET"])
def unsubscribe(token):
    found = preferences.describe(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", valid=False, form=ConfirmForm()), 404
    user, label, used = found
    return render_template("notifications/unsubscribe.html", valid=True, used=used, label=label, token=token,
                           form=ConfirmForm())


@bp.route("/notifications/unsubscribe/<token>", methods=["POST"])
def unsubscribe_post(token):
    with saving(quiet=True) as saved:
        _user, kind = preferences.unsubscribe_with(token)
    if not saved:
        return render_template("notifications/unsubscribe.html", valid=True, used=True, refused=saved.error.message,
                               form=ConfirmForm()), 400
    return render_template("notifications/unsubscribe.html", valid=True, done=True, form=ConfirmForm(),
                           label=_("The daily digest") if kind == "digest" else kinds.KINDS[kind].label)


# --------------------------------------------------------------------------- the outbox (administrators)


@bp.route("/admin/outbox")
@login_required
@admin_required
def outbox_page():
    page = paginate(outbox.listing_query(), per_page=50)
    return render_template("notifications/outbox.html", page=page, mail_on=outbox.configured(),
                           server=outbox.server_label(), MailState=MailState)


@bp.route("/admin/outbox/<int:mail_id>")
@login_required
@admin_required
def outbox_mail(mail_id):
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    return render_template("notifications/outbox_mail.html", mail=row, form=ConfirmForm(),
                           mail_on=outbox.configured())


@bp.route("/admin/outbox/<int:mail_id>/html")
@login_required
@admin_required
def outbox_html(mail_id):
    """The HTML part as the recipient's mail program shows it, alone, with nothing allowed to run."""
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    response = Response(row.html_body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@bp.route("/admin/outbox/<int:mail_id>/retry", methods=["POST"])
@login_required
@admin_required
def outbox_retry(mail_id):
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif row.state != MailState.FAILED:
        flash(_("Only a failed mail can be sent again."), "danger")
    else:
        with saving() as saved:
            outbox.retry(row)
        if saved:
            flash(_("The mail is queued again."), "success")
    return redirect(url_for("notifications.outbox_mail", mail_id=mail_id))
