"""Forms that are saved once: a double submission creates one object.

Every form built on ``planner.forms.BaseForm`` carries, next to its CSRF token, a one-time form token
(``form_token``), new each time the form is shown and kept when it comes back with errors. When a
form validates on a POST, its token is claimed in ``form_submissions`` inside the request's own
transaction, so it is only used up if what the form does is committed. A second submission of the
same token (a double click, a resent page) finds it claimed, saves nothing, and is sent where the
first one went, with a message. Two submissions at the same moment meet at the table's primary key:
the second waits for the first and is refused.
"""

import re
import secrets
from datetime import datetime, timedelta

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, delete, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, utcnow
from planner.extensions import db
from planner.jobs.purge import purges

FIELD = "form_token"
PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP = timedelta(days=2)


class FormSubmission(db.Model):
    """A form token that has been used, and where its submission led."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    location: Mapped[str] = mapped_column(String(2000), default="")


class AlreadySubmitted(Exception):
    def __init__(self, location: str = ""):
        super().__init__(location)
        self.location = location


def new_token() -> str:
    return secrets.token_urlsafe(24)


def usable(value) -> str | None:
    return value if isinstance(value, str) and PATTERN.match(value) else None


def claim(token: str) -> None:
    """Uses up ``token`` in the current transaction; AlreadySubmitted if it was used before."""
    from flask_login import current_user

    existing = db.session.get(FormSubmission, token)
    if existing is not None:
        raise AlreadySubmitted(existing.location)
    user_id = current_user.id if current_user.is_authenticated else None
    db.session.add(FormSubmission(token=token, user_id=user_id, created_at=utcnow()))
    try:
        db.session.flush()
    except (IntegrityError, OperationalError):  # claimed at this very moment by the other submission
        db.session.rollback()
        raise AlreadySubmitted() from None
    g.form_token_claimed = token


def _local(location: str | None) -> str | None:
    if location and location.startswith("/") and not location.startswith("//") and "\\" not in location:
        return location
    return None


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    root = request.host_url
    return _local("/" + referrer[len(root):]) if referrer.startswith(root) else None


def init_app(app) -> None:
    @app.errorhandler(AlreadySubmitted)
    def already_submitted(error):
        db.session.rollback()
        flash(_("This form was already sent, and it was saved once. Nothing was added a second time."), "info")
        return redirect(_local(error.location) or _same_site_referrer() or url_for("main.home"), code=303)

    @app.after_request
    def remember_where_it_led(response):
        token = g.pop("form_token_claimed", None)
        if token and response.status_code in (301, 302, 303) and _local(response.location):
            db.session.execute(update(FormSubmission).where(FormSubmission.token == token)
                               .values(location=response.location[:2000]))
            db.session.commit()
        return response


def purge_old() -> dict:
    result = db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEEP))
    return {"form_submissions": result.rowcount or 0}


purges(purge_old)  # run by the nightly purge job
