"""Per-project KPI settings (baseline and target) and the cache of computed values."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.kpis.definitions import KpiKey


class BaselineSource(StrEnum):
    COMPUTED = "computed"
    MANUAL = "manual"

    @property
    def label(self):
        return {
            BaselineSource.COMPUTED: _l("Computed from the records as they stood on a date"),
            BaselineSource.MANUAL: _l("Entered by hand"),
        }[self]


class KpiSetting(db.Model):
    """A project's baseline and target for one KPI. Values are stored like KPI values: ratios
    between 0 and 1, satisfaction as a score from 1 to 5."""

    __tablename__ = "kpi_settings"
    __table_args__ = (UniqueConstraint("project_id", "key", name="uq_kpi_settings_project_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    key: Mapped[KpiKey] = mapped_column(enum_column(KpiKey))
    target: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    baseline_source: Mapped[BaselineSource | None] = mapped_column(enum_column(BaselineSource))
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    baseline_as_of: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Whether the value was at or above the target when the worker last computed it (None: not seen
    # since the target was set); ``services.note_target_crossings`` compares and tells the listeners.
    target_reached: Mapped[bool | None] = mapped_column(Boolean)


class KpiSnapshot(db.Model):
    """A computed KPI value kept so pages do not recompute it: the numerator and denominator of
    KPI ``key`` for ``project_id`` as of ``as_of``. Rows are deleted whenever records dated on or
    before a later day change (see ``planner.kpis.cache``), so a row present is always current."""

    __tablename__ = "kpi_snapshots"
    __table_args__ = (UniqueConstraint("project_id", "key", "as_of", name="uq_kpi_snapshots_project_key_as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    key: Mapped[KpiKey] = mapped_column(enum_column(KpiKey))
    as_of: Mapped[date] = mapped_column(Date)
    numerator: Mapped[int] = mapped_column(Integer, default=0)
    denominator: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

