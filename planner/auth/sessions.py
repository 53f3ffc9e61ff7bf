"""Server-side sign-in sessions: a new one at every sign-in, gone for good at sign-out."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, update

from planner import logs
from planner.auth.models import User, UserSession
from planner.db import utcnow
from planner.extensions import db

_TOUCH_EVERY = timedelta(seconds=60)


def _quiet() -> bool:
    """A view that pages poll by themselves (``view.quiet_session = True``, e.g. an import's progress):
    it neither keeps the session alive nor writes to the database (on SQLite a running import holds the
    only write lock)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "quiet_session", False))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> None:
    """Signs the user in on a brand-new session (the old cookie contents are discarded)."""
    token = secrets.token_urlsafe(32)
    session.clear()
    db.session.add(
        UserSession(
            id=_digest(token),
            user_id=user.id,
            ip=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:255],
        )
    )
    user.last_login_at = utcnow()
    db.session.commit()
    session["sid"] = token
    session.permanent = True
    login_user(user)


def end() -> None:
    token = session.get("sid")
    if token:
        db.session.execute(delete(UserSession).where(UserSession.id == _digest(token)))
        db.session.commit()
        logs.event("auth.session.ended", user_id=getattr(current_user, "id", None))
    logout_user()
    session.clear()


def current_session_id() -> str | None:
    token = session.get("sid")
    return _digest(token) if token else None


def end_all(user: User, keep_current: bool = True) -> int:
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    current = current_session_id()
    if keep_current and current:
        stmt = stmt.where(UserSession.id != current)
    result = db.session.execute(stmt)
    ended = result.rowcount or 0
    logs.event("auth.sessions.revoked", user_id=user.id, sessions=ended, kept_current=keep_current)
    return ended


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user only if the cookie's session is still open and not idle."""
    token = session.get("sid")
    if not token:
        return None
    record = db.session.get(UserSession, _digest(token))
    if record is None or str(record.user_id) != str(user_id):
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if now - record.last_seen_at > idle:
        db.session.delete(record)
        db.session.commit()
        logs.event("auth.session.expired", user_id=record.user_id)
        session.pop("sid", None)
        g.session_expired = True
        return None
    user = record.user
    if not user.active:
        return None
    if now - record.last_seen_at > _TOUCH_EVERY and not _quiet():
        db.session.execute(
            update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
        )
        db.session.commit()
    return user


def unauthorized():
    """Where a signed-out visitor goes: the sign-in page, with a reason and the way back."""
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized"), 401
    if getattr(g, "session_expired", False):
        flash(_("Your session expired after a period of inactivity. Please sign in again."), "info")
    elif request.endpoint != "main.home":
        flash(_("Please sign in to see this page."), "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))
