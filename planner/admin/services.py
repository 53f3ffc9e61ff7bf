from sqlalchemy import func, select

from planner.audit.services import record
from planner.auth import sessions
from planner.auth.models import GlobalRole, User, normalise_email
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l


def create_user(email: str, name: str, role: str, password: str, language: str | None = None,
                timezone: str = "UTC") -> User:
    address = normalise_email(email)
    if User.by_email(address) is not None:
        raise DomainError(_l("An account with this e-mail already exists."))
    user = User(email=address, name=name, role=GlobalRole(role), language=language or None, timezone=timezone)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.created", target=user, email=user.email, role=user.role.value)
    return user


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == GlobalRole.ADMIN, User.active.is_(True))
    )


def update_user(actor: User, user: User, *, name: str, role: str, language: str | None, timezone: str,
                active: bool, new_password: str | None) -> None:
    role = GlobalRole(role)
    losing_admin = user.is_admin and user.active and (role != GlobalRole.ADMIN or not active)
    if losing_admin and _active_admins() <= 1:
        raise DomainError(_l("At least one active administrator must remain."))
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    user.name, user.role, user.language, user.timezone = name, role, language or None, timezone
    if user.active and not active:
        sessions.end_all(user, keep_current=False)
    user.active = active
    record("user.updated", target=user, email=user.email)
    if new_password:
        user.set_password(new_password)
        sessions.end_all(user, keep_current=user.id == actor.id)
        record("user.password_reset", target=user, email=user.email)
