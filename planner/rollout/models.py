from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_pgettext
from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db


class StageStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    AWAITING_SIGNOFF = "awaiting_signoff"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"

    @property
    def label(self):
        return {
            StageStatus.PLANNED: lazy_pgettext("stage status", "Planned"),
            StageStatus.ACTIVE: lazy_pgettext("stage status", "Active"),
            StageStatus.AWAITING_SIGNOFF: lazy_pgettext("stage status", "Awaiting sign-off"),
            StageStatus.APPROVED: lazy_pgettext("stage status", "Approved"),
            StageStatus.APPROVED_WITH_CONDITIONS: lazy_pgettext("stage status", "Approved with conditions"),
            StageStatus.REJECTED: lazy_pgettext("stage status", "Rejected"),
        }[self]


class Stage(db.Model):
    """One stage of a project's rollout (pilot, a wave, a step of the adoption cycle…)."""

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[StageStatus] = mapped_column(enum_column(StageStatus), default=StageStatus.PLANNED)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Stage {self.id} {self.name!r}>"
