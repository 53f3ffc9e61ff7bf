"""Telling people: notifications for the bell, mail for the outbox, and what the pages read.

``notify`` is called by the listeners inside the transaction that made the change; the mail it
queues is handed to the worker once that transaction commits (nothing is sent for a change that
was rolled back)."""

import functools
from collections.abc import Iterable

from sqlalchemy import bindparam, func, select, update

from planner.auth.models import User
from planner.db import utcnow
from planner.extensions import db
from planner.notifications import kinds, outbox
from planner.notifications.models import Delivery, DeliveryChoice, Notification

PAGE_SIZE = 30  # notifications per page


def choices_of(user_ids: Iterable[int]) -> dict[int, dict[str, Delivery]]:
    """{user_id: {kind: Delivery}} of the choices the people made (absent: the kind's default)."""
    ids = list(set(user_ids))
    found: dict[int, dict[str, Delivery]] = {uid: {} for uid in ids}
    if ids:
        for row in db.session.scalars(select(DeliveryChoice).where(DeliveryChoice.user_id.in_(ids))):
            found[row.user_id][row.kind] = row.delivery
    return found


def notify(users: Iterable[User], kind: str, params: dict, project_id: int | None = None,
           actor=None) -> list[Notification]:
    """One notification of ``kind`` per recipient (never the actor, never an inactive account), and
    an e-mail at once to those who chose it (queued in the outbox, sent after the commit)."""
    actor_id = getattr(actor, "id", None)
    recipients = {user.id: user for user in users if user is not None and user.active and user.id != actor_id}
    if not recipients:
        return []
    chosen = choices_of(recipients)
    made = []
    for user in recipients.values():
        delivery = kinds.delivery_for(kind, chosen[user.id])
        notification = Notification(user_id=user.id, project_id=project_id, kind=kind, params=dict(params),
                                    delivery=delivery, created_at=utcnow())
        db.session.add(notification)
        made.append((user, notification))
    db.session.flush()
    for user, notification in made:
        if notification.delivery == Delivery.EMAIL:
            outbox.queue_notification(user, notification)
    return [notification for _user, notification in made]


def unread_count(user) -> int:
    return db.session.scalar(_unread_statement(), {"user_id": user.id}) or 0


@functools.cache
def _unread_statement():
    """``unread_count``'s query, built once per process (the top navigation's bell, on every page)."""
    return select(func.count()).select_from(Notification).where(
        Notification.user_id == bindparam("user_id", type_=Notification.user_id.type), Notification.read_at.is_(None))


def listing_query(user):
    """``user``'s notifications, newest first (to paginate)."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def own(user, notification_id: int) -> Notification | None:
    """``user``'s notification with this id; None for anyone else's (the view answers 404)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0
