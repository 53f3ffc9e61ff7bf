"""Webhook endpoints of a project and the deliveries made to them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext


class DisabledReason(StrEnum):
    MANUAL = "manual"  # a manager paused it
    FAILING = "failing"  # several deliveries in a row failed every attempt
    GONE = "gone"  # the receiver answered 410 Gone

    @property
    def label(self):
        return {
            DisabledReason.MANUAL: _l("A manager turned it off."),
            DisabledReason.FAILING: _l("Turned off by Rollout: several deliveries in a row failed every attempt."),
            DisabledReason.GONE: _l("Turned off by Rollout: the receiver answered 410 Gone, which says the address "
                                    "no longer wants events."),
        }[self]


class WebhookEndpoint(db.Model):
    """Where a project's events are sent: the URL, the events chosen (names from ``planner.api.events``),
    the secret the deliveries are signed with (``whsec_`` + base64), and whether it is on."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[DisabledReason | None] = mapped_column(enum_column(DisabledReason))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deliveries in a row whose every attempt failed (reset by a success); at WEBHOOKS_DISABLE_AFTER it is turned off.
    failed_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by = relationship("User")

    def follows(self, event: str) -> bool:
        return event in (self.events or [])


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # a worker is sending it
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every attempt failed (or the endpoint was turned off)

    @property
    def label(self):
        return {
            DeliveryState.PENDING: lazy_pgettext("webhook delivery", "Waiting"),
            DeliveryState.SENDING: lazy_pgettext("webhook delivery", "Sending"),
            DeliveryState.SUCCEEDED: lazy_pgettext("webhook delivery", "Delivered"),
            DeliveryState.FAILED: lazy_pgettext("webhook delivery", "Failed"),
        }[self]

    @property
    def style(self) -> str:
        return {DeliveryState.PENDING: "secondary", DeliveryState.SENDING: "info",
                DeliveryState.SUCCEEDED: "success", DeliveryState.FAILED: "danger"}[self]


class WebhookDelivery(db.Model):
    """One event for one endpoint: the body exactly as sent (``payload``), its ``webhook-id``
    (``message_id``, the same for every attempt and for "send again", so a receiver can ignore a
    repeat), the attempts so far, the last answer and when the next attempt is due."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
                      Index("ix_webhook_deliveries_state_due", "state", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # in this round ("send again" starts a new one)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    # Why the last attempt failed without an answer (``delivery.ERRORS``), and the technical detail.
    error_code: Mapped[str] = mapped_column(String(30), default="")
    error_detail: Mapped[str] = mapped_column(String(300), default="")
    duration_ms: Mapped[int | None] = mapped_column(Integer)
