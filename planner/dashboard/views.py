"""The executive dashboard (``dashboard.index``) and the page explaining its health rules
(``dashboard.rules``)."""

from collections import Counter

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from planner import nav
from planner.dashboard import health, rendered, services
from planner.extensions import db
from planner.feedback.services import MIN_GROUP
from planner.projects import registry
from planner.projects.access import is_lead
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


@bp.route("/dashboard")
@login_required
def index():
    shown = request.args.get("health", "")
    if shown not in LEVELS:
        shown = ""
    cards = rendered.cards(current_user)
    db.session.commit()  # keeps the KPI values just computed, if any, for the next visit
    counts = Counter(card.level.value for card in cards)
    visible = [card for card in cards if not shown or card.level == shown]
    return render_template("dashboard/index.html", cards=visible, total=len(cards), counts=counts,
                           shown=shown, levels=list(reversed(health.Level)),
                           level_names={level: str(level.label) for level in health.Level},
                           waiting=pending_signoffs_for(current_user))


@bp.route("/dashboard/health-rules")
@login_required
def rules():
    return render_template("dashboard/rules.html", h=health, rules=list(health.Rule), min_group=MIN_GROUP)
