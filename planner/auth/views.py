import logging
from decimal import Decimal
from urllib.parse import urlsplit

from babel.numbers import get_territory_currencies
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from planner import logs
from planner.audit.services import record
from planner.auth import sessions, throttle, tokens
from planner.auth.forms import LoginForm, PasswordChangeForm, ProfileForm, TokenForm
from planner.auth.models import ApiToken, TokenScope, User, UserSession, normalise_email
from planner.dates import local_today
from planner.extensions import db
from planner.i18n import (
    babel_locale,
    current_language,
    date_format,
    explicit_choice,
    format_locale,
    keep_language_after_sign_out,
    money,
    number,
    remember_choice_at_sign_in,
    select_region,
)
from planner.regions import region_label
from planner.transactions import saving

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        address = normalise_email(form.email.data)
        if throttle.is_blocked(address, request.remote_addr):
            logs.event("auth.login.locked", logging.WARNING, ip=request.remote_addr)
            message = _(
                "Too many failed attempts. Wait %(minutes)d minutes, then try again.",
                minutes=throttle.window_minutes(),
            )
            return render_template("auth/login.html", form=form, blocked_message=message), 429
        user = User.by_email(address)
        # An unknown or inactive account is checked against a dummy hash: the answer takes as long.
        if user is None or not user.active:
            User.check_no_password(form.password.data)
        if user is None or not user.active or not user.check_password(form.password.data):
            throttle.record_failure(address, request.remote_addr)
            reason = "unknown_user" if user is None else ("inactive" if not user.active else "password")
            logs.event("auth.login.failed", logging.WARNING, user_id=user.id if user else None, reason=reason,
                       ip=request.remote_addr)
            if throttle.is_blocked(address, request.remote_addr):
                logs.event("auth.login.lockout", logging.WARNING, user_id=user.id if user else None,
                           ip=request.remote_addr)
            form.password.errors.append(_("Wrong e-mail address or password."))
            return render_template("auth/login.html", form=form), 200
        throttle.clear(address)
        chosen = explicit_choice()  # read before the new session discards the old one
        sessions.start(user)
        remember_choice_at_sign_in(user, chosen)
        db.session.commit()
        logs.event("auth.login.ok", user_id=user.id, ip=request.remote_addr)
        return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    language = current_language()
    sessions.end()
    keep_language_after_sign_out(language)
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(prefix="profile", obj=current_user)
    password_form = PasswordChangeForm(prefix="password")
    if request.method == "GET":
        profile.language.data = current_user.language or ""
    if request.method == "GET" or profile.region.name not in request.form:  # a form without it keeps the region
        profile.region.data = current_user.region or ""
    if profile.submit.data and profile.validate_on_submit():
        current_user.name = profile.name.data
        current_user.language = profile.language.data or None
        current_user.region = profile.region.data or None
        current_user.timezone = profile.timezone.data
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.account"))
    return _render_account(profile, password_form)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    profile = ProfileForm(prefix="profile", obj=current_user)
    profile.language.data = current_user.language or ""
    profile.region.data = current_user.region or ""
    form = PasswordChangeForm(prefix="password")
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            current_user.set_password(form.new_password.data)
            ended = sessions.end_all(current_user, keep_current=True)
            record("user.password_changed", target=current_user, other_sessions=ended)
            db.session.commit()
            flash(_("Your password is changed. Your other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    return _render_account(profile, form), 200


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    ended = sessions.end_all(current_user, keep_current=True)
    db.session.commit()
    if ended:
        flash(ngettext("Signed out of %(num)d other session.", "Signed out of %(num)d other sessions.", ended),
              "success")
    else:
        flash(_("You had no other sessions to sign out of."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm(prefix="token")
    secret = None
    if form.validate_on_submit():
        with saving(error_to=form.name) as saved:
            token, secret = tokens.create(current_user, form.name.data, TokenScope(form.scope.data),
                                          int(form.days.data))
        if saved:
            # Shown on this answer only: the page is not cached and the secret is never stored.
            response = _render_account(token_form=TokenForm(prefix="token", formdata=None), new_secret=secret,
                                       new_token=token)
            return response, 201, {"Cache-Control": "no-store"}
    return _render_account(token_form=form), 200


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id))
    if token is None:
        abort(404)
    tokens.revoke(token)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked; it no longer opens the API.", name=token.name), "success")
    return redirect(url_for("auth.account"))


def format_samples() -> dict:
    """How dates, numbers and amounts look in the reader's region, with the region's own currency."""
    today = local_today()
    territory = format_locale().territory
    currencies = get_territory_currencies(territory, today) if territory else []
    return {
        "date": date_format(today, "long"),
        "number": number(Decimal("1234567.891"), 2),
        "money": money(Decimal("1234.5"), currencies[0] if currencies else "USD"),
        "region": region_label(select_region(), babel_locale()),
    }


def _render_account(profile=None, password_form=None, token_form=None, **extra):
    if profile is None:
        profile = ProfileForm(prefix="profile", formdata=None, obj=current_user)
        profile.language.data = current_user.language or ""
        profile.region.data = current_user.region or ""
    open_sessions = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == current_user.id)
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    current = sessions.current_session_id()
    if current is None:
        abort(401)
    return render_template(
        "auth/account.html",
        samples=format_samples(),
        profile=profile,
        password_form=password_form or PasswordChangeForm(prefix="password", formdata=None),
        token_form=token_form or TokenForm(prefix="token", formdata=None),
        api_tokens=tokens.active(current_user),
        open_sessions=open_sessions,
        current_session=current,
        **extra,
    )
