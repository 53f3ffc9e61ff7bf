from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from planner import nav
from planner.admin import services
from planner.admin.forms import UserCreateForm, UserEditForm
from planner.auth.decorators import admin_required
from planner.auth.models import GlobalRole, User
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.pagination import paginate
from planner.transactions import saving

bp = Blueprint("admin", __name__, url_prefix="/admin")

nav.item(900, "admin.users", _l("Administration"), visible=lambda user: user.is_admin, icon="shield-lock",
         section="admin")


@bp.before_request
@login_required
@admin_required
def _only_admins():
    return None


SEARCH_CHARS = 200  # also the search box's maxlength


@bp.route("/users")
def users():
    query = select(User).order_by(func.lower(User.name))
    term = (request.args.get("q") or "").strip()[:SEARCH_CHARS]
    if term:
        like = f"%{term.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    return render_template("admin/users.html", page=paginate(query, per_page=50), term=term)


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        with saving(error_to=form.email) as saved:
            services.create_user(form.email.data, form.name.data, form.role.data, form.password.data,
                                 form.language.data, form.timezone.data)
        if saved:
            flash(_("The account is created."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None, role_descriptions=_role_descriptions())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.language.data = user.language or ""
    if form.validate_on_submit():
        with saving() as saved:
            services.update_user(current_user, user, name=form.name.data, role=form.role.data,
                                 language=form.language.data, timezone=form.timezone.data,
                                 active=form.active.data, new_password=form.new_password.data)
        if saved:
            flash(_("The account is saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, role_descriptions=_role_descriptions())


def _role_descriptions():
    return {role.value: role.description for role in GlobalRole}
