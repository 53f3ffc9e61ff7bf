"""Who calls the API: a personal access token sent as ``Authorization: Bearer …``.

Cookies never authenticate an API call (so the API needs no CSRF token: a request without a
bearer token is refused before anything runs). The token acts for its user, with the user's roles;
a read-only token may only read; each token has its own rate limit (``API_RATE_LIMIT`` requests a
minute), beyond which the answer is 429 with ``Retry-After``.
"""

import math
from datetime import timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException

from planner import ratelimit
from planner.auth import tokens
from planner.auth.models import ApiToken, TokenScope
from planner.db import utcnow
from planner.extensions import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
RATE_WINDOW_SECONDS = 60
_TOUCH_EVERY = timedelta(seconds=60)


class ApiRefusal(HTTPException):
    """An HTTP error whose description is ours (translated) and may carry headers."""

    translated = True

    def __init__(self, code: int, description=None, headers: dict | None = None):
        self.code = code
        super().__init__(description=str(description) if description is not None else None)
        self.extra_headers = headers or {}

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), *self.extra_headers.items()]


def refuse(code: int, description=None, **headers):
    raise ApiRefusal(code, description, {name.replace("_", "-"): value for name, value in headers.items()})


def authenticate() -> None:
    """Runs before every API resource: the token, its rate limit and its scope."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    token = tokens.find(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiRefusal(401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    key = f"api-token:{token.id}"
    if ratelimit.hit(key, RATE_WINDOW_SECONDS) > current_app.config["API_RATE_LIMIT"]:
        started = db.session.scalar(select(ratelimit.RateCounter.window_start)
                                    .where(ratelimit.RateCounter.key == key))
        wait = RATE_WINDOW_SECONDS
        if started is not None:
            wait = max(1, math.ceil((started + timedelta(seconds=RATE_WINDOW_SECONDS) - utcnow()).total_seconds()))
        refuse(429, _("This token sent too many requests. Wait %(seconds)s seconds, then try again.",
                      seconds=wait), Retry_After=str(wait))
    needed = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE
    if not token.allows(needed):
        refuse(403, _("This token may only read. Create a token with write access on your account page."))
    g._login_user = token.user  # Flask-Login's current user for this request only; no session is opened
    g.api_token = token


def note_use(response):
    """After a successful call, when the token was last used (at most once a minute)."""
    token = getattr(g, "api_token", None)
    if token is not None and response.status_code < 400:
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
            db.session.commit()
    return response
