"""The project's webhook pages (Settings → Webhooks), for the project's managers only: the endpoints,
registering and changing one, its secret, its delivery log with "send again", a test event, turning it
off and on. Every write is a POST with its CSRF token; the secret is shown only on answers that are
not cached."""

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from planner.api import events
from planner.forms import flash_errors
from planner.i18n import lazy_gettext as _l
from planner.pagination import paginate
from planner.projects import registry
from planner.projects.access import get_in_project, project_view
from planner.projects.models import ProjectRole
from planner.transactions import saving
from planner.webhooks import addresses, delivery, listeners, services  # noqa: F401 - listeners connect
from planner.webhooks.forms import EVENT_LABELS, ConfirmForm, EndpointForm
from planner.webhooks.models import DeliveryState, DisabledReason, WebhookEndpoint

bp = Blueprint("webhooks", __name__)
MANAGER = ProjectRole.MANAGER
PAGE_SIZE = 25
NO_STORE = {"Cache-Control": "no-store"}

registry.tab(940, "webhooks.index", _l("Webhooks"), roles=(MANAGER,), icon="broadcast", section="settings")


def _endpoint(project, endpoint_id: int) -> WebhookEndpoint:
    return get_in_project(WebhookEndpoint, endpoint_id, project)


def _back(project, endpoint):
    return redirect(url_for("webhooks.endpoint", project_id=project.id, endpoint_id=endpoint.id))


def _common() -> dict:
    return {"labels": EVENT_LABELS, "private_allowed": addresses.private_allowed(), "DeliveryState": DeliveryState,
            "error_text": delivery.error_text}


@bp.route("/projects/<int:project_id>/webhooks")
@project_view(MANAGER)
def index(project):
    return render_template("webhooks/index.html", project=project, endpoints=services.endpoints_of(project),
                           form=ConfirmForm(), **_common())


@bp.route("/projects/<int:project_id>/webhooks/new", methods=["GET", "POST"])
@project_view(MANAGER)
def new(project):
    form = EndpointForm()
    if request.method == "GET":
        form.events.data = [events.SIGNOFF_REQUESTED, events.SIGNOFF_DECIDED]
    if form.validate_on_submit():
        with saving(error_to=form.url) as saved:
            endpoint = services.create_endpoint(project, form.url.data, form.events.data, form.description.data,
                                                current_user)
        if saved:
            return _endpoint_page(project, endpoint, secret=endpoint.secret, created=True), 201, NO_STORE
    return render_template("webhooks/form.html", project=project, form=form, endpoint=None, **_common())


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>")
@project_view(MANAGER)
def endpoint(project, endpoint_id):
    return _endpoint_page(project, _endpoint(project, endpoint_id))


def _endpoint_page(project, endpoint, secret=None, created=False):
    page = paginate(services.deliveries_query(endpoint), per_page=PAGE_SIZE)
    return render_template("webhooks/endpoint.html", project=project, endpoint=endpoint, page=page, secret=secret,
                           created=created, form=ConfirmForm(), reason=endpoint.disabled_reason, **_common())


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/edit", methods=["GET", "POST"])
@project_view(MANAGER)
def edit(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    form = EndpointForm(obj=endpoint) if request.method == "GET" else EndpointForm()
    if form.validate_on_submit():
        with saving(error_to=form.url) as saved:
            changed = services.update_endpoint(endpoint, form.url.data, form.events.data, form.description.data,
                                               current_user)
        if saved:
            if changed:
                flash(_("The endpoint is saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _back(project, endpoint)
    return render_template("webhooks/form.html", project=project, form=form, endpoint=endpoint, **_common())


def _confirmed() -> bool:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return False
    return True


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@project_view(MANAGER)
def delete(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    if not _confirmed():
        return _back(project, endpoint)
    url = endpoint.url
    with saving() as saved:
        services.delete_endpoint(endpoint, current_user)
    if saved:
        flash(_("The endpoint %(url)s is deleted, with its delivery log. Nothing more is sent there.", url=url),
              "success")
    return redirect(url_for("webhooks.index", project_id=project.id))


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/test", methods=["POST"])
@project_view(MANAGER)
def send_test(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    if _confirmed():
        with saving() as saved:
            services.send_test(endpoint)
        if saved:
            flash(_("A test event is on its way. Its delivery is at the top of the log below."), "success")
    return _back(project, endpoint)


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/enable", methods=["POST"])
@project_view(MANAGER)
def enable(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    if _confirmed():
        with saving() as saved:
            changed = services.enable(endpoint, current_user)
        if saved and changed:
            flash(_("The endpoint is on again: the events it follows are sent there from now on."), "success")
    return _back(project, endpoint)


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/disable", methods=["POST"])
@project_view(MANAGER)
def disable(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    if _confirmed():
        with saving() as saved:
            changed = services.disable(endpoint, DisabledReason.MANUAL, current_user)
        if saved and changed:
            flash(_("The endpoint is off: no events are sent there until you turn it on again."), "success")
    return _back(project, endpoint)


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/secret", methods=["POST"])
@project_view(MANAGER)
def reveal_secret(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    if not _confirmed():
        return _back(project, endpoint)
    with saving() as saved:
        secret = services.reveal_secret(endpoint, current_user)
    if not saved:
        return _back(project, endpoint)
    return _endpoint_page(project, endpoint, secret=secret), 200, NO_STORE


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/rotate", methods=["POST"])
@project_view(MANAGER)
def rotate_secret(project, endpoint_id):
    endpoint = _endpoint(project, endpoint_id)
    if not _confirmed():
        return _back(project, endpoint)
    with saving() as saved:
        secret = services.rotate_secret(endpoint, current_user)
    if not saved:
        return _back(project, endpoint)
    flash(_("The endpoint has a new secret; the old one no longer signs anything. Give the new one to the receiver."),
          "success")
    return _endpoint_page(project, endpoint, secret=secret), 200, NO_STORE


def _delivery(project, endpoint_id: int, delivery_id: int):
    endpoint = _endpoint(project, endpoint_id)
    found = services.delivery_of(endpoint, delivery_id)
    if found is None:
        abort(404)
    return endpoint, found


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>")
@project_view(MANAGER)
def delivery_page(project, endpoint_id, delivery_id):
    endpoint, found = _delivery(project, endpoint_id, delivery_id)
    try:
        pretty = json.dumps(json.loads(found.payload), ensure_ascii=False, indent=2)
    except ValueError:
        pretty = found.payload
    return render_template("webhooks/delivery.html", project=project, endpoint=endpoint, delivery=found,
                           payload=pretty, form=ConfirmForm(), **_common())


@bp.route("/projects/<int:project_id>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend",
          methods=["POST"])
@project_view(MANAGER)
def resend(project, endpoint_id, delivery_id):
    endpoint, found = _delivery(project, endpoint_id, delivery_id)
    if _confirmed():
        with saving() as saved:
            services.send_again(found, endpoint)
        if saved:
            flash(_("The event is sent again, with the same webhook-id so the receiver can tell it is a repeat."),
                  "success")
    if request.form.get("back") == "delivery":
        return redirect(url_for("webhooks.delivery_page", project_id=project.id, endpoint_id=endpoint.id,
                                delivery_id=found.id))
    return _back(project, endpoint)
