"""The conditions of a sign-off "approved with conditions", followed up while the next stage runs.

Each non-empty line of the decision's comment becomes one ``Condition`` (the decision itself never
changes): an owner (a member of the project), a due date, and a status:

    open ──close (note)──▶ closed
      │
      └──carry over (reason)──▶ carried over ──close (note)──▶ closed

A carried-over condition no longer holds back the next sign-off but stays on the lists, marked as
carried over, until someone closes it. ``ConditionSettings`` holds the project's choice that the
next stage's sign-off waits for the conditions (without a row: it does not wait).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_pgettext


class ConditionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CARRIED_OVER = "carried_over"

    @property
    def label(self):
        return {
            ConditionStatus.OPEN: lazy_pgettext("condition status", "Open"),
            ConditionStatus.CLOSED: lazy_pgettext("condition status", "Closed"),
            ConditionStatus.CARRIED_OVER: lazy_pgettext("condition status", "Carried over"),
        }[self]

    @property
    def style(self) -> str:
        return {ConditionStatus.OPEN: "warning", ConditionStatus.CLOSED: "success",
                ConditionStatus.CARRIED_OVER: "secondary"}[self]


UNCLOSED = (ConditionStatus.OPEN, ConditionStatus.CARRIED_OVER)


class Condition(db.Model):
    """One condition a sponsor set when approving a stage, to be done while the next stage runs."""

    __tablename__ = "signoff_conditions"
    __table_args__ = (Index("ix_signoff_conditions_project_status_due", "project_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("signoff_decisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # its line in the decision's comment
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("project_members.id", ondelete="SET NULL"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ConditionStatus] = mapped_column(enum_column(ConditionStatus, 16), default=ConditionStatus.OPEN)
    # Closed: the note, who and when (the name stays if the account goes).
    closing_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    closed_by_id: Mapped[int | None] = mapped_column()
    closed_by_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Carried over past a sign-off request: the reason, who and when.
    carry_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    carried_by_id: Mapped[int | None] = mapped_column()
    carried_by_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    carried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)

    owner = relationship("ProjectMember")
    stage = relationship("Stage")

    def __repr__(self) -> str:
        return f"<Condition {self.id} {self.status}>"

    @property
    def closed(self) -> bool:
        return self.status == ConditionStatus.CLOSED

    def overdue(self, today: date) -> bool:
        return not self.closed and self.due_date < today


class ConditionSettings(db.Model):
    """A project's choice: the next stage's sign-off can be requested only once the conditions of
    the stages before it are closed (or carried over, each with a reason)."""

    __tablename__ = "signoff_condition_settings"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    block_next_signoff: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
