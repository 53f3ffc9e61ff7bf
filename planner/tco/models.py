"""Cost scenarios (e.g. on-premise and cloud), their cost lines and expected benefits."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext
from planner.kpis.definitions import KpiKey
from planner.tco import calculations as calc

MONEY = Numeric(14, 2)
ZERO = Decimal(0)


class DeploymentModel(StrEnum):
    ON_PREMISE = "on_premise"
    CLOUD = "cloud"
    HYBRID = "hybrid"

    @property
    def label(self):
        return {
            DeploymentModel.ON_PREMISE: _l("On-premise"),
            DeploymentModel.CLOUD: _l("Cloud (subscription)"),
            DeploymentModel.HYBRID: _l("Hybrid"),
        }[self]


class CostCategory(StrEnum):
    LICENCES = calc.LICENCES
    HARDWARE_HOSTING = calc.HARDWARE_HOSTING
    IMPLEMENTATION = calc.IMPLEMENTATION
    CUSTOMISATION = calc.CUSTOMISATION
    INTEGRATION = calc.INTEGRATION
    DATA_MIGRATION = calc.DATA_MIGRATION
    TRAINING = calc.TRAINING
    CHANGE_MANAGEMENT = calc.CHANGE_MANAGEMENT
    INTERNAL_STAFF = calc.INTERNAL_STAFF
    SUPPORT = calc.SUPPORT
    OTHER = calc.OTHER

    @property
    def label(self):
        return {
            CostCategory.LICENCES: _l("Licences and subscriptions"),
            CostCategory.HARDWARE_HOSTING: _l("Hardware and hosting"),
            CostCategory.IMPLEMENTATION: _l("Implementation services"),
            CostCategory.CUSTOMISATION: _l("Customisation"),
            CostCategory.INTEGRATION: _l("Integration"),
            CostCategory.DATA_MIGRATION: _l("Data migration"),
            CostCategory.TRAINING: _l("Training"),
            CostCategory.CHANGE_MANAGEMENT: _l("Change management"),
            CostCategory.INTERNAL_STAFF: _l("Internal staff time"),
            CostCategory.SUPPORT: _l("Support and maintenance"),
            CostCategory.OTHER: lazy_pgettext("cost category", "Other"),
        }[self]


class BenefitKind(StrEnum):
    REVENUE = "revenue"
    COST_SAVING = "cost_saving"

    @property
    def label(self):
        return {
            BenefitKind.REVENUE: _l("More revenue"),
            BenefitKind.COST_SAVING: _l("Lower cost"),
        }[self]


class _YearAmounts:
    """The three yearly amounts as typed in (a blank year is zero)."""

    @property
    def entered(self) -> calc.Amounts:
        return (self.year1 or ZERO, self.year2 or ZERO, self.year3 or ZERO)


class TcoScenario(db.Model):
    """One way of running the CRM for three years, with its own costs, benefits and rate."""

    __tablename__ = "tco_scenarios"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    deployment: Mapped[DeploymentModel] = mapped_column(enum_column(DeploymentModel))
    description: Mapped[str] = mapped_column(Text, default="")
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=ZERO)  # percent a year
    approved_budget: Mapped[Decimal | None] = mapped_column(MONEY)  # three-year budget
    is_preferred: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date | None] = mapped_column(Date)  # the first day of the plan's first month
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project = relationship("Project")
    cost_lines: Mapped[list["TcoCostLine"]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TcoCostLine.id")
    benefit_lines: Mapped[list["TcoBenefitLine"]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TcoBenefitLine.id")

    def __repr__(self) -> str:
        return f"<TcoScenario {self.id} {self.name!r}>"

    def analysis(self) -> calc.Analysis:
        return calc.analyse([line.item for line in self.cost_lines],
                            [line.amounts for line in self.benefit_lines], self.discount_rate or ZERO)

    def sorted_cost_lines(self) -> list["TcoCostLine"]:
        order = {c: i for i, c in enumerate(calc.CATEGORIES)}
        return sorted(self.cost_lines, key=lambda line: (order.get(line.category, 99), line.id))


class TcoCostLine(_YearAmounts, db.Model):
    __tablename__ = "tco_cost_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("tco_scenarios.id", ondelete="CASCADE"), index=True)
    category: Mapped[CostCategory] = mapped_column(enum_column(CostCategory))
    description: Mapped[str] = mapped_column(String(200))
    year1: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    year2: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    year3: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[TcoScenario] = relationship(back_populates="cost_lines")

    @property
    def amounts(self) -> calc.Amounts:
        return self.entered

    @property
    def total(self) -> Decimal:
        return calc.add_up(self.amounts)

    @property
    def item(self) -> calc.CostItem:
        return calc.CostItem(self.category.value, self.amounts)


class TcoBenefitLine(_YearAmounts, db.Model):
    """An expected benefit: amounts entered per year, or derived from a KPI improvement
    (gain in points per year × volume per year × value of one unit)."""

    __tablename__ = "tco_benefit_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("tco_scenarios.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind))
    description: Mapped[str] = mapped_column(String(200))
    year1: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    year2: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    year3: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    kpi_key: Mapped[KpiKey | None] = mapped_column(enum_column(KpiKey))
    kpi_gain1: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    kpi_gain2: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    kpi_gain3: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    kpi_volume: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    kpi_unit_value: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[TcoScenario] = relationship(back_populates="benefit_lines")

    @property
    def is_derived(self) -> bool:
        return self.kpi_key is not None

    @property
    def gains(self) -> calc.Amounts:
        return (self.kpi_gain1 or ZERO, self.kpi_gain2 or ZERO, self.kpi_gain3 or ZERO)

    @property
    def amounts(self) -> calc.Amounts:
        if not self.is_derived:
            return self.entered
        return calc.kpi_benefit(self.gains, self.kpi_volume or ZERO, self.kpi_unit_value or ZERO,
                                ratio=self.kpi_key.is_ratio)

    @property
    def total(self) -> Decimal:
        return calc.add_up(self.amounts)


class ActualSource(StrEnum):
    MANUAL = "manual"
    IMPORT = "import"

    @property
    def label(self):
        return {ActualSource.MANUAL: _l("Entered by hand"), ActualSource.IMPORT: _l("Imported")}[self]


class TcoActualCost(db.Model):
    """Money actually spent: one invoice or booking, in a cost category and a calendar month
    (its first day). Reality belongs to the project; it is set against whichever scenario is
    the plan scenario."""

    __tablename__ = "tco_actual_costs"
    __table_args__ = (Index("ix_tco_actual_costs_project_month", "project_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    category: Mapped[CostCategory] = mapped_column(enum_column(CostCategory))
    month: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(80), default="")
    source: Mapped[ActualSource] = mapped_column(enum_column(ActualSource), default=ActualSource.MANUAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TcoBenefitActual(db.Model):
    """What a benefit entered by hand actually brought in one year of the plan."""

    __tablename__ = "tco_benefit_actuals"
    __table_args__ = (UniqueConstraint("benefit_line_id", "year", name="uq_tco_benefit_actuals_line_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    benefit_line_id: Mapped[int] = mapped_column(ForeignKey("tco_benefit_lines.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
