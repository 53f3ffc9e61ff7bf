"""Notifications, the outbox of e-mail, each person's choices, and the reminders already sent."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_pgettext


class Delivery(StrEnum):
    """How a person hears of one kind of event."""

    APP = "app"
    EMAIL = "email"
    DIGEST = "digest"

    @property
    def label(self):
        return {
            Delivery.APP: lazy_pgettext("notification delivery", "In the app only"),
            Delivery.EMAIL: lazy_pgettext("notification delivery", "E-mail at once"),
            Delivery.DIGEST: lazy_pgettext("notification delivery", "Daily digest"),
        }[self]


class Notification(db.Model):
    """One event told to one person. ``params`` holds names and ids as they were (the stage's name,
    who acted); the sentence is written in the reader's language when shown (``kinds.text``)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),
                      Index("ix_notifications_user_read", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, 8), default=Delivery.APP)
    # For the daily digest: when it went out in one (None: not yet, or not a digest notification).
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


class MailState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    KEPT = "kept"  # no mail server is configured: kept in the outbox, not sent
    FAILED = "failed"  # every attempt failed; kept with its last error

    @property
    def label(self):
        return {
            MailState.QUEUED: lazy_pgettext("mail state", "Waiting to be sent"),
            MailState.SENDING: lazy_pgettext("mail state", "Being sent"),
            MailState.SENT: lazy_pgettext("mail state", "Sent"),
            MailState.KEPT: lazy_pgettext("mail state", "Not sent: no mail server"),
            MailState.FAILED: lazy_pgettext("mail state", "Failed"),
        }[self]

    @property
    def style(self) -> str:
        return {MailState.QUEUED: "secondary", MailState.SENDING: "info", MailState.SENT: "success",
                MailState.KEPT: "warning", MailState.FAILED: "danger"}[self]


class OutboxMail(db.Model):
    """One e-mail to one person, written in their language when it was queued, then sent by the
    worker (``tasks.send_mail``). Nothing is deleted on failure: the attempts and the last error stay."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="en")
    kind: Mapped[str] = mapped_column(String(40))  # a notification kind, or "digest"
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    unsubscribe_url: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[MailState] = mapped_column(enum_column(MailState, 16), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # its link was used (once)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} {self.state}>"


class DeliveryChoice(db.Model):
    """A person's choice for one kind of event (without a row: the kind's default)."""

    __tablename__ = "notification_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, 8))


DEFAULT_DIGEST_HOUR = 8


class DigestSetting(db.Model):
    """When a person's daily digest goes out (an hour of their own day), and the last day it did."""

    __tablename__ = "notification_digests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[int] = mapped_column(default=DEFAULT_DIGEST_HOUR)
    last_sent_on: Mapped[date | None] = mapped_column(Date)  # in the person's time zone


class ReminderSent(db.Model):
    """A reminder given: never twice for the same thing, person and day (a unique row)."""

    __tablename__ = "notification_reminders"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "user_id", "day", name="uq_notification_reminders"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()  # the sign-off request, the stage…
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)  # in the person's time zone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


DEFAULT_SIGNOFF_REMINDER_DAYS = 3


class ProjectReminders(db.Model):
    """A project's reminder setting: a pending sign-off is recalled after this many days, and again
    every as many days (without a row: ``DEFAULT_SIGNOFF_REMINDER_DAYS``)."""

    __tablename__ = "notification_project_settings"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    signoff_days: Mapped[int] = mapped_column(default=DEFAULT_SIGNOFF_REMINDER_DAYS)
