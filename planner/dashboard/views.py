"""The executive dashboard (``dashboard.index``) and the page explaining its health rules
(``dashboard.rules``)."""

from collections import Counter

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from planner import nav
from planner.dashboard import health, services
from planner.extensions import db
from planner.feedback.services import MIN_GROUP
from planner.i18n import gettext as _
from planner.i18n import number, pgettext
from planner.projects import registry
from planner.projects.access import is_lead
from planner.rollout.models import StageStatus
from planner.rollout.services import pending_signoffs_for

bp = Blueprint("dashboard", __name__)

nav.item(10, "dashboard.index", _l("Dashboard"), visible=services.follows_projects, icon="speedometer2")
nav.landing(10, "dashboard.index", services.lands_on_dashboard)

def _health_panel(project):
    """The project's health on its overview, for those who follow it (not for staff)."""
    if not is_lead():
        return None
    return {"health": services.health_of(project)}


registry.panel(10, "dashboard/_panel_health.html", _health_panel)

LEVELS = [level.value for level in health.Level]

# Words every card repeats, translated once per page rather than fifty times (see bench/dashboard.py).
WORDS = {
    "cost_and_benefits": _l("Three years: cost and benefits"),
    "cost_model": _l("Cost model"),
    "cost": _l("Cost"),
    "benefits": _l("Benefits"),
    "no_cost_model": _l("No cost model yet."),
    "no_payback": _l("no payback within three years"),
    "no_warning": _l("No warning signs."),
    "unknown": _l("No warning signs so far, but too little data to call it on track."),
    "no_stages": _l("No rollout stages planned yet"),
    "feedback_title": _l("Staff feedback, 1–5"),
    "no_adoption": _l("No adoption figures yet."),
    "no_feedback": _l("Not enough staff feedback to show a trend."),
    "report": _l("Report"),
}


def _words() -> dict:
    words = {name: str(text) for name, text in WORDS.items()}
    words["adoption_title"] = _("Adoption, %(weeks)s weeks", weeks=number(services.ADOPTION_WEEKS))
    words["colon"] = pgettext("after a label", ":")
    words["weeks"] = number(services.ADOPTION_WEEKS)
    words["level"] = {level: str(level.label) for level in health.Level}
    words["rule"] = {rule: str(rule.label) for rule in health.Rule}
    words["gap"] = {gap: str(gap.label) for gap in health.Gap}
    words["status"] = {status: str(status.label) for status in StageStatus}
    return words


@bp.route("/dashboard")
@login_required
def index():
    shown = request.args.get("health", "")
    if shown not in LEVELS:
        shown = ""
    cards = services.cards(current_user)
    db.session.commit()  # keeps the KPI values just computed, if any, for the next visit
    counts = Counter(card.health.level.value for card in cards)
    visible = [card for card in cards if not shown or card.health.level == shown]
    return render_template("dashboard/index.html", cards=visible, total=len(cards), counts=counts,
                           shown=shown, levels=list(reversed(health.Level)), words=_words(),
                           waiting=pending_signoffs_for(current_user))


@bp.route("/dashboard/health-rules")
@login_required
def rules():
    return render_template("dashboard/rules.html", h=health, rules=list(health.Rule), min_group=MIN_GROUP)
