"""Personal access tokens for the API: created and revoked by their owner (the account page, or
``flask tokens create`` for scripts). The secret is returned once; only its SHA-256 is stored."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from planner import logs
from planner.audit.services import record, register
from planner.auth.models import ApiToken, TokenScope, User
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l

PREFIX = "rol_"
LIFETIMES = (30, 90, 365)  # days a token may live, as offered on the account page
MAX_DAYS = 365
MAX_ACTIVE = 20  # usable tokens per user

register("api_token.created", _l("Created the access token “%(name)s”."))
register("api_token.revoked", _l("Revoked the access token “%(name)s”."))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(user: User, name: str, scope: TokenScope, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret (to show once). The caller commits."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the token a name."))
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_l("A token lives from 1 to %(days)s days.", days=MAX_DAYS))
    if len(active(user)) >= MAX_ACTIVE:
        raise DomainError(_l("You already have %(count)s active tokens. Revoke one first.", count=MAX_ACTIVE))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:80], token_hash=digest(secret), hint=secret[:8],
                     scope=TokenScope(scope), expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", target=token, actor=user, name=token.name, scope=token.scope.value)
    logs.event("api.token.created", user_id=user.id, token_id=token.id, scope=token.scope.value)
    return token, secret


def active(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", target=token, name=token.name)
        logs.event("api.token.revoked", user_id=token.user_id, token_id=token.id)


def find(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked, expired, or its user inactive)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.usable or not token.user.active:
        return None
    return token
