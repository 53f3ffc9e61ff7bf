"""The kinds of event a person can be told about: the sentence (written in the reader's language
when shown or mailed, from the parameters stored with the notification), where it links to, its
name on the preferences page and how it is delivered unless the person chose otherwise."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from planner.i18n import lazy_gettext as _l
from planner.notifications.models import Delivery


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # lazy: the name on the preferences page
    default: Delivery
    text: Callable[[dict], str]  # the sentence, in the current language
    endpoint: str  # where it links to; its values come from ``values(params)``
    values: Callable[[dict], dict]
    in_app_only: bool = False  # never mailed (and not offered as a choice): see survey_reminder


KINDS: dict[str, Kind] = {}


def kind(key, label, default, endpoint, values, in_app_only=False):
    def declare(text):
        KINDS[key] = Kind(key, label, default, text, endpoint, values, in_app_only)
        return text

    return declare


def choosable() -> dict[str, Kind]:
    """The kinds a person chooses the delivery of (the preferences page)."""
    return {key: k for key, k in KINDS.items() if not k.in_app_only}


def _gate(params: dict) -> dict:
    return {"project_id": params["project_id"], "stage_id": params["stage_id"]}


def _outcome(value: str) -> str:
    from planner.rollout.models import Outcome

    try:
        return str(Outcome(value).stage_status.label)
    except ValueError:
        return value


@kind("signoff_requested", _l("A sign-off is requested from you"), Delivery.EMAIL, "rollout.gate", _gate)
def _signoff_requested(p):
    return _("%(actor)s asks you to sign off the stage “%(stage)s” of %(project)s.",
             actor=p.get("actor") or _("Someone"), stage=p["stage"], project=p["project"])


@kind("signoff_decided", _l("A sign-off is decided"), Delivery.EMAIL, "rollout.gate", _gate)
def _signoff_decided(p):
    return _("%(actor)s decided on the stage “%(stage)s” of %(project)s: %(outcome)s.",
             actor=p.get("actor") or _("Someone"), stage=p["stage"], project=p["project"],
             outcome=_outcome(p["outcome"]))


@kind("signoff_withdrawn", _l("A sign-off request is withdrawn"), Delivery.APP, "rollout.gate", _gate)
def _signoff_withdrawn(p):
    return _("%(actor)s withdrew the sign-off request for the stage “%(stage)s” of %(project)s.",
             actor=p.get("actor") or _("Someone"), stage=p["stage"], project=p["project"])


@kind("signoff_reminder", _l("A sign-off is still waiting"), Delivery.EMAIL, "rollout.gate", _gate)
def _signoff_reminder(p):
    return ngettext("The sign-off of the stage “%(stage)s” of %(project)s has been waiting for %(num)d day.",
                    "The sign-off of the stage “%(stage)s” of %(project)s has been waiting for %(num)d days.",
                    p["days"], stage=p["stage"], project=p["project"])


def _task(params: dict) -> dict:
    return {"project_id": params["project_id"], "task_id": params["task_id"]}


def _project(params: dict) -> dict:
    return {"project_id": params["project_id"]}


def _day(value: str) -> str:
    from datetime import date

    from planner.formatting import formats

    try:
        return formats().date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


@kind("task_assigned", _l("A task is assigned to you"), Delivery.EMAIL, "change.task_edit", _task)
def _task_assigned(p):
    return _("%(actor)s gave you the task “%(task)s” in %(project)s.", actor=p.get("actor") or _("Someone"),
             task=p["task"], project=p["project"])


@kind("task_due_soon", _l("One of your tasks is due tomorrow"), Delivery.DIGEST, "change.task_edit", _task)
def _task_due_soon(p):
    return _("Your task “%(task)s” in %(project)s is due tomorrow, %(day)s.", task=p["task"],
             project=p["project"], day=_day(p.get("due")))


@kind("task_overdue", _l("One of your tasks is overdue"), Delivery.DIGEST, "change.task_edit", _task)
def _task_overdue(p):
    return _("Your task “%(task)s” in %(project)s was due on %(day)s and is not done.", task=p["task"],
             project=p["project"], day=_day(p.get("due")))


@kind("quick_win_achieved", _l("A quick win is achieved"), Delivery.APP, "change.quick_wins", _project)
def _quick_win(p):
    return _("Quick win in %(project)s: “%(title)s” is achieved.", project=p["project"], title=p["title"])


@kind("member_added", _l("You are added to a project"), Delivery.EMAIL, "projects.overview", _project)
def _member_added(p):
    return _("%(actor)s added you to the project %(project)s as %(roles)s.", actor=p.get("actor") or _("Someone"),
             project=p["project"], roles=_roles(p.get("roles", [])))


@kind("member_roles_changed", _l("Your role in a project changes"), Delivery.APP, "projects.overview", _project)
def _member_roles(p):
    return _("Your role in the project %(project)s is now: %(roles)s.", project=p["project"],
             roles=_roles(p.get("roles", [])))


def _roles(values) -> str:
    from planner.projects.models import ProjectRole

    labels = []
    order = [ProjectRole.MANAGER.value, ProjectRole.SPONSOR.value, ProjectRole.STAFF.value]
    for value in sorted(values, key=lambda v: order.index(v) if v in order else 9):
        try:
            labels.append(str(ProjectRole(value).label))
        except ValueError:
            continue
    from babel.lists import format_list
    from flask_babel import get_locale

    return format_list(labels, locale=get_locale()) if labels else str(ProjectRole.STAFF.label)


def _conditions(params: dict) -> dict:
    return {"project_id": params["project_id"]}


@kind("condition_assigned", _l("A sign-off condition is yours to follow up"), Delivery.EMAIL, "conditions.index",
      _conditions)
def _condition_assigned(p):
    return _("%(actor)s made you the owner of a condition of the sign-off of “%(stage)s” in %(project)s, due on "
             "%(day)s: “%(text)s”.", actor=p.get("actor") or _("Someone"), stage=p["stage"], project=p["project"],
             day=_day(p.get("due")), text=p["text"])


@kind("condition_due_soon", _l("One of your sign-off conditions is due tomorrow"), Delivery.DIGEST,
      "conditions.index", _conditions)
def _condition_due_soon(p):
    return _("Your condition “%(text)s” in %(project)s is due tomorrow, %(day)s.", text=p["text"],
             project=p["project"], day=_day(p.get("due")))


@kind("condition_overdue", _l("One of your sign-off conditions is overdue"), Delivery.DIGEST, "conditions.index",
      _conditions)
def _condition_overdue(p):
    return _("Your condition “%(text)s” in %(project)s was due on %(day)s and is not closed.", text=p["text"],
             project=p["project"], day=_day(p.get("due")))


@kind("condition_closed", _l("A sign-off condition is closed"), Delivery.APP, "conditions.index", _conditions)
def _condition_closed(p):
    return _("%(actor)s closed the condition “%(text)s” of the sign-off of “%(stage)s” in %(project)s: %(note)s",
             actor=p.get("actor") or _("Someone"), text=p["text"], stage=p["stage"], project=p["project"],
             note=p.get("note", ""))


def _endpoint(params: dict) -> dict:
    return {"project_id": params["project_id"], "endpoint_id": params["endpoint_id"]}


@kind("webhook_disabled", _l("A webhook endpoint is turned off"), Delivery.EMAIL, "webhooks.endpoint", _endpoint)
def _webhook_disabled(p):
    if p.get("reason") == "gone":
        return _("The webhook endpoint %(url)s of %(project)s answered 410 Gone, so Rollout turned it off. Turn it "
                 "on again on its page if it should still receive events.", url=p["url"], project=p["project"])
    return _("Rollout turned off the webhook endpoint %(url)s of %(project)s: several events in a row could not be "
             "delivered after every retry. Its delivery log says why; turn it on again once it answers.",
             url=p["url"], project=p["project"])


def _survey(params: dict) -> dict:
    values = {"project_id": params["project_id"]}
    if params.get("stage_id"):
        values["stage"] = params["stage_id"]
    return values


@kind("survey_open", _l("The adoption survey opens for your stage"), Delivery.DIGEST, "feedback.give", _survey)
def _survey_open(p):
    if p.get("stage"):
        return _("The adoption survey of %(project)s is open for the stage “%(stage)s”: tell the team how the "
                 "new CRM works for you.", project=p["project"], stage=p["stage"])
    return _("The adoption survey of %(project)s is open: tell the team how the new CRM works for you.",
             project=p["project"])


# In the app only, never by e-mail: the outbox (which administrators read) would show who has not answered.
@kind("survey_reminder", _l("A reminder of the adoption survey"), Delivery.APP, "feedback.give", _survey,
      in_app_only=True)
def _survey_reminder(p):
    return _("A reminder: the adoption survey of %(project)s for the stage “%(stage)s” is still open. If you "
             "have answered already, there is nothing more to do.", project=p["project"], stage=p["stage"])


def text(notification) -> str:
    found = KINDS.get(notification.kind)
    return found.text(notification.params or {}) if found is not None else ""


def target(notification) -> tuple[str, dict] | None:
    """(endpoint, values) of the page the notification is about, or None."""
    found = KINDS.get(notification.kind)
    if found is None:
        return None
    try:
        return found.endpoint, found.values(notification.params or {})
    except KeyError:
        return None


def delivery_for(kind_key: str, chosen: dict) -> Delivery:
    """How ``kind_key`` is delivered to a person whose choices are ``chosen`` ({kind: Delivery})."""
    if KINDS[kind_key].in_app_only:
        return Delivery.APP
    return chosen.get(kind_key) or KINDS[kind_key].default
