from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext
from planner.kpis.definitions import KpiKey


class TaskCategory(StrEnum):
    SPONSORSHIP = "sponsorship"
    COMMUNICATION = "communication"
    TRAINING = "training"
    FEEDBACK = "feedback"
    PROCESS = "process"
    DATA = "data"
    OTHER = "other"

    @property
    def label(self):
        return {
            TaskCategory.SPONSORSHIP: _l("Sponsorship"),
            TaskCategory.COMMUNICATION: _l("Communication"),
            TaskCategory.TRAINING: _l("Training"),
            TaskCategory.FEEDBACK: _l("Feedback follow-up"),
            TaskCategory.PROCESS: _l("Process change"),
            TaskCategory.DATA: lazy_pgettext("task category", "Data"),
            TaskCategory.OTHER: lazy_pgettext("task category", "Other"),
        }[self]

    @property
    def icon(self) -> str:
        return {
            TaskCategory.SPONSORSHIP: "megaphone",
            TaskCategory.COMMUNICATION: "chat-left-text",
            TaskCategory.TRAINING: "mortarboard",
            TaskCategory.FEEDBACK: "arrow-repeat",
            TaskCategory.PROCESS: "diagram-3",
            TaskCategory.DATA: "database",
            TaskCategory.OTHER: "three-dots",
        }[self]


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {
            TaskStatus.OPEN: lazy_pgettext("task status", "Open"),
            TaskStatus.IN_PROGRESS: lazy_pgettext("task status", "In progress"),
            TaskStatus.DONE: lazy_pgettext("task status", "Done"),
            TaskStatus.CANCELLED: lazy_pgettext("task status", "Cancelled"),
        }[self]

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class ChangeTask(db.Model):
    """One change-management task: something people must do so the CRM is adopted, not just installed."""

    __tablename__ = "change_tasks"
    __table_args__ = (Index("ix_change_tasks_project_status_due", "project_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[TaskCategory] = mapped_column(enum_column(TaskCategory), default=TaskCategory.OTHER)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_members.id", ondelete="SET NULL"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"), index=True)
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.OPEN)
    notes: Mapped[str] = mapped_column(Text, default="")
    starter_key: Mapped[str | None] = mapped_column(String(40))
    source_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The due date whose passing the listeners were told of (``services.signal_overdue_tasks``): once each.
    overdue_signalled_for: Mapped[date | None] = mapped_column(Date)

    owner = relationship("ProjectMember")
    stage = relationship("Stage")

    def __repr__(self) -> str:
        return f"<ChangeTask {self.id} {self.title!r}>"

    def is_overdue(self, today: date) -> bool:
        return self.status.is_active and self.due_date is not None and self.due_date < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due_date).days if self.is_overdue(today) else 0

    def set_status(self, status: TaskStatus) -> bool:
        if status == self.status:
            return False
        self.status = status
        self.completed_at = utcnow() if status == TaskStatus.DONE else None
        return True


class QuickWinStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"

    @property
    def label(self):
        return {
            QuickWinStatus.PLANNED: lazy_pgettext("quick win status", "Planned"),
            QuickWinStatus.IN_PROGRESS: lazy_pgettext("quick win status", "In progress"),
            QuickWinStatus.ACHIEVED: lazy_pgettext("quick win status", "Achieved"),
            QuickWinStatus.DROPPED: lazy_pgettext("quick win status", "Dropped"),
        }[self]

    @property
    def style(self) -> str:
        return {
            QuickWinStatus.PLANNED: "secondary",
            QuickWinStatus.IN_PROGRESS: "primary",
            QuickWinStatus.ACHIEVED: "success",
            QuickWinStatus.DROPPED: "light",
        }[self]


class QuickWin(db.Model):
    """An early, visible win (step 8 of the twelve steps), with the measurable benefit it must show."""

    __tablename__ = "quick_wins"
    __table_args__ = (Index("ix_quick_wins_project_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    benefit: Mapped[str] = mapped_column(Text)
    kpi: Mapped[KpiKey | None] = mapped_column(enum_column(KpiKey, 40))
    kpi_target: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_members.id", ondelete="SET NULL"), index=True)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[QuickWinStatus] = mapped_column(enum_column(QuickWinStatus), default=QuickWinStatus.PLANNED)
    achieved_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str] = mapped_column(Text, default="")
    celebrated_on: Mapped[date | None] = mapped_column(Date)
    celebration_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner = relationship("ProjectMember")

    def __repr__(self) -> str:
        return f"<QuickWin {self.id} {self.title!r}>"

    @property
    def celebrated(self) -> bool:
        return self.celebrated_on is not None

    def is_late(self, today: date) -> bool:
        return (self.status in (QuickWinStatus.PLANNED, QuickWinStatus.IN_PROGRESS)
                and self.target_date is not None and self.target_date < today)

    def set_status(self, status: QuickWinStatus, achieved_on: date | None, today: date) -> None:
        if self.celebrated and status != QuickWinStatus.ACHIEVED:
            raise DomainError(_l("This quick win has been celebrated, so it stays achieved."))
        self.status = status
        if status == QuickWinStatus.ACHIEVED:
            self.achieved_on = achieved_on or self.achieved_on or today
        else:
            self.achieved_on = None

    def celebrate(self, on: date, note: str) -> None:
        if self.status != QuickWinStatus.ACHIEVED:
            raise DomainError(_l("Only an achieved quick win can be celebrated."))
        if self.achieved_on is not None and on < self.achieved_on:
            raise DomainError(_l("The celebration cannot come before the win was achieved."))
        self.celebrated_on = on
        self.celebration_note = note or ""
