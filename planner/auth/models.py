from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l


class GlobalRole(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    USER = "user"

    @property
    def label(self):
        return {
            GlobalRole.ADMIN: _l("Administrator"),
            GlobalRole.MANAGER: _l("Project creator"),
            GlobalRole.USER: _l("Member"),
        }[self]

    @property
    def description(self):
        return {
            GlobalRole.ADMIN: _l("Manages users and can see every project."),
            GlobalRole.MANAGER: _l("Can create new implementation projects."),
            GlobalRole.USER: _l("Sees only the projects they are a member of."),
        }[self]


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[GlobalRole] = mapped_column(enum_column(GlobalRole), default=GlobalRole.USER)
    language: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(16))  # formats (es_MX); None: from the browser
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list["UserSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == GlobalRole.ADMIN

    @property
    def can_create_projects(self) -> bool:
        return self.role in (GlobalRole.ADMIN, GlobalRole.MANAGER)

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_no_password(password: str) -> bool:
        """Spends the time a real check takes, for an address with no (active) account, so the
        sign-in answers as slowly whether or not the account exists. Always False."""
        check_password_hash(_dummy_hash(), password)
        return False

    @classmethod
    def by_email(cls, email: str) -> "User | None":
        return db.session.scalar(db.select(cls).where(func.lower(cls.email) == normalise_email(email)))


class UserSession(db.Model):
    """One signed-in browser. The cookie carries a random token; only its hash is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="sessions")


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password made with the configured method (cached per method)."""
    import secrets

    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


class TokenScope(StrEnum):
    """What a personal access token may do: ``write`` includes ``read``."""

    READ = "read"
    WRITE = "write"

    @property
    def label(self):
        return {TokenScope.READ: _l("Read only"), TokenScope.WRITE: _l("Read and write")}[self]


class ApiToken(db.Model):
    """A personal access token for the API. Only the SHA-256 of the secret is kept; the secret is
    shown once, when it is created. A token acts for its user, under the user's project roles."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))  # the first characters, to tell tokens apart
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope), default=TokenScope.READ)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and not self.expired

    def allows(self, scope: TokenScope) -> bool:
        return self.scope is TokenScope.WRITE or scope is TokenScope.READ
