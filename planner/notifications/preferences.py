"""Each person's choices: how each kind of event reaches them, and when their digest goes out."""

from sqlalchemy import select

from planner.audit.services import record, register
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.notifications import unsubscribe
from planner.notifications.kinds import KINDS, choosable
from planner.notifications.models import DEFAULT_DIGEST_HOUR, Delivery, DeliveryChoice, DigestSetting, OutboxMail

register("notifications.reminders_set", _l("Set the sign-off reminders to every %(days)s days."))


def current(user) -> dict[str, Delivery]:
    """{kind: Delivery} for every kind (the person's choice, else the kind's default)."""
    chosen = {row.kind: row.delivery for row in db.session.scalars(
        select(DeliveryChoice).where(DeliveryChoice.user_id == user.id))}
    return {key: chosen.get(key, kind.default) for key, kind in choosable().items()}


def digest_hour(user) -> int:
    setting = db.session.get(DigestSetting, user.id)
    return setting.hour if setting is not None else DEFAULT_DIGEST_HOUR


def choose(user, kind: str, delivery: Delivery) -> None:
    if kind not in choosable():
        raise DomainError(_l("This kind of notification does not exist."))
    row = db.session.get(DeliveryChoice, (user.id, kind))
    if row is None:
        db.session.add(DeliveryChoice(user_id=user.id, kind=kind, delivery=Delivery(delivery)))
    else:
        row.delivery = Delivery(delivery)


def save(user, deliveries: dict[str, Delivery], hour: int) -> None:
    if not 0 <= hour <= 23:
        raise DomainError(_l("Choose an hour between 00:00 and 23:00."))
    for kind, delivery in deliveries.items():
        choose(user, kind, delivery)
    setting = db.session.get(DigestSetting, user.id)
    if setting is None:
        db.session.add(DigestSetting(user_id=user.id, hour=hour))
    else:
        setting.hour = hour


def unsubscribe_with(token: str):
    """Uses an unsubscribe link: returns (the user, the kind) it was for. Refused when the link is
    not ours, or was used already."""
    from planner.auth.models import User

    data = unsubscribe.read(token)
    mail = db.session.get(OutboxMail, data["m"]) if data else None
    if data is None or mail is None or mail.user_id != data["u"] or mail.kind != data["k"]:
        raise DomainError(_l("This unsubscribe link is not valid. Change your choices on the notification "
                             "settings page instead."))
    if mail.unsubscribed_at is not None:
        raise DomainError(_l("This unsubscribe link was used already, so nothing changed. Your choices are on "
                             "the notification settings page."))
    user = db.session.get(User, data["u"])
    if user is None:
        raise DomainError(_l("This unsubscribe link is not valid. Change your choices on the notification "
                             "settings page instead."))
    mail.unsubscribed_at = utcnow()
    kind = data["k"]
    if kind == unsubscribe.DIGEST:
        for key, delivery in current(user).items():
            if delivery == Delivery.DIGEST:
                choose(user, key, Delivery.APP)
    else:
        choose(user, kind, Delivery.APP)
    return user, kind


def describe(token: str):
    """(user, kind label) the link is for, or None when it is not valid; nothing changes."""
    from planner.auth.models import User

    data = unsubscribe.read(token)
    if data is None:
        return None
    mail = db.session.get(OutboxMail, data["m"])
    if mail is None or mail.user_id != data["u"] or mail.kind != data["k"]:
        return None
    user = db.session.get(User, data["u"])
    if user is None:
        return None
    if data["k"] != unsubscribe.DIGEST and data["k"] not in KINDS:
        return None
    label = _l("The daily digest") if data["k"] == unsubscribe.DIGEST else KINDS[data["k"]].label
    return user, label, mail.unsubscribed_at is not None


def project_reminder_days(project) -> int:
    from planner.notifications.models import DEFAULT_SIGNOFF_REMINDER_DAYS, ProjectReminders

    row = db.session.get(ProjectReminders, project.id)
    return row.signoff_days if row is not None else DEFAULT_SIGNOFF_REMINDER_DAYS


def set_project_reminder_days(project, days: int) -> None:
    from planner.notifications.models import ProjectReminders

    if not 1 <= days <= 60:
        raise DomainError(_l("Choose between 1 and 60 days."))
    row = db.session.get(ProjectReminders, project.id)
    if row is None:
        db.session.add(ProjectReminders(project_id=project.id, signoff_days=days))
    elif row.signoff_days != days:
        row.signoff_days = days
    record("notifications.reminders_set", project=project, target=project, days=days)
