"""``home.mine``: a member's own page, and the start page of staff after signing in."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from planner import nav
from planner.dates import local_today as today
from planner.home import services
from planner.i18n import lazy_gettext as _l

bp = Blueprint("home", __name__)

nav.item(3, "home.mine", _l("My work"), visible=services.is_member_anywhere, icon="person-check")
nav.landing(20, "home.mine", services.lands_on_my_work)


@bp.route("/my-work")
@login_required
def mine():
    work = services.my_work(current_user, today())
    return render_template("home/mine.html", work=work, celebrate_days=services.CELEBRATE_DAYS)
