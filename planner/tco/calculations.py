"""The three-year TCO and ROI arithmetic: pure functions on ``Decimal`` (no Flask, no database).

Conventions (the TCO page explains them to the reader in the same terms):

- **Exact amounts.** Every amount is a ``Decimal`` and nothing here rounds to cents: rounding to
  the currency's minor unit happens only when an amount is shown or exported as text. The
  arithmetic runs with 60 significant digits, so sums and products of amounts of up to
  fourteen digits are exact; only divisions that do not terminate (NPV discounting, a monthly
  twelfth) are cut at the 60th digit.
- **Net flow** of year *t* = benefits of year *t* − costs of year *t*.
- **Cumulative cash position** at the end of year *t* = the sum of the net flows of years 1…*t*.
- **Monthly position.** Each year's net flow is spread evenly over the twelve months of that
  year: at the end of month *m* (1…36) of year *y* = ceil(*m*/12), *k* = *m* − 12(*y* − 1), the
  position is cumulative(*y* − 1) + net(*y*) × *k* / 12.
- **Payback month**: the first month *m* whose end-of-month position is zero or more, or
  ``None`` ("not within three years") when no month gets there. A model without any amount has
  no payback month either. The test is done without dividing: 12 × cumulative(*y* − 1) +
  *k* × net(*y*) ≥ 0.
- **Net present value** at an annual rate *r* (the scenario's discount rate in percent / 100):
  NPV = Σ net(*t*) / (1 + *r*)^*t* for *t* = 1, 2, 3, i.e. each year's net flow counted at the
  end of its year and nothing at year 0 (the convention of the spreadsheet function ``NPV``).
- **Shares** are parts of the three-year cost (ratios between 0 and 1), ``None`` when the
  three-year cost is zero.
"""

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

YEARS = 3
MONTHS = 12 * YEARS
PRECISION = 60
ZERO = Decimal(0)

# Cost categories (the values of ``planner.tco.models.CostCategory``), grouped the way the
# reference figures group them.
LICENCES = "licences"
HARDWARE_HOSTING = "hardware_hosting"
IMPLEMENTATION = "implementation"
CUSTOMISATION = "customisation"
INTEGRATION = "integration"
DATA_MIGRATION = "data_migration"
TRAINING = "training"
CHANGE_MANAGEMENT = "change_management"
INTERNAL_STAFF = "internal_staff"
SUPPORT = "support"
OTHER = "other"
CATEGORIES = (LICENCES, HARDWARE_HOSTING, IMPLEMENTATION, CUSTOMISATION, INTEGRATION, DATA_MIGRATION,
              TRAINING, CHANGE_MANAGEMENT, INTERNAL_STAFF, SUPPORT, OTHER)
LICENCE_CATEGORIES = frozenset({LICENCES})
# Customisation, integration, deployment (implementation services, data migration, training,
# change management, the project's own staff time) and ongoing support and maintenance.
SERVICE_CATEGORIES = frozenset({CUSTOMISATION, INTEGRATION, IMPLEMENTATION, DATA_MIGRATION, TRAINING,
                                CHANGE_MANAGEMENT, INTERNAL_STAFF, SUPPORT})

# Reference figures from the sources, and what we call a marked difference from them.
FIRST_YEAR_TYPICAL = Decimal("0.60")  # the first year typically carries more than 60% of the cost
FIRST_YEAR_MARKED_BELOW = Decimal("0.50")  # more than 10 points under the typical share
SERVICES_CEILING = Decimal("0.90")  # up to 90% of lifecycle cost lies outside licences
SERVICES_MARKED_BELOW = Decimal("0.50")  # less than half the cost on services is unusually little

Amounts = tuple[Decimal, Decimal, Decimal]


@dataclass(frozen=True)
class CostItem:
    category: str
    amounts: Amounts


@dataclass(frozen=True)
class Check:
    """A figure of the scenario set against a reference; ``status`` says how it compares."""

    key: str  # "first_year" or "services"
    value: Decimal | None
    status: str  # "typical", "slightly_below", "marked_low", "marked_high" or "no_data"


@dataclass(frozen=True)
class Analysis:
    cost_by_year: Amounts
    cost_by_category: dict[str, Amounts]
    benefit_by_year: Amounts
    discount_rate: Decimal  # in percent
    net_by_year: Amounts = field(init=False)
    cumulative_by_year: Amounts = field(init=False)

    def __post_init__(self):
        with localcontext() as ctx:
            ctx.prec = PRECISION
            net = tuple(b - c for b, c in zip(self.benefit_by_year, self.cost_by_year, strict=True))
            running, cumulative = ZERO, []
            for value in net:
                running += value
                cumulative.append(running)
        object.__setattr__(self, "net_by_year", net)
        object.__setattr__(self, "cumulative_by_year", tuple(cumulative))

    # ------------------------------------------------------------------ totals and shares

    @property
    def total_cost(self) -> Decimal:
        return add_up(self.cost_by_year)

    @property
    def total_benefit(self) -> Decimal:
        return add_up(self.benefit_by_year)

    @property
    def net_total(self) -> Decimal:
        return self.cumulative_by_year[-1]

    def category_total(self, category: str) -> Decimal:
        return add_up(self.cost_by_category.get(category, (ZERO,)))

    def _share(self, part: Decimal) -> Decimal | None:
        total = self.total_cost
        if total == 0:
            return None
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return part / total

    @property
    def first_year_share(self) -> Decimal | None:
        return self._share(self.cost_by_year[0])

    @property
    def licence_share(self) -> Decimal | None:
        return self._share(add_up(self.category_total(c) for c in LICENCE_CATEGORIES))

    @property
    def services_share(self) -> Decimal | None:
        return self._share(add_up(self.category_total(c) for c in SERVICE_CATEGORIES))

    @property
    def other_share(self) -> Decimal | None:
        """Hardware, hosting and other costs: neither licences nor services."""
        others = [c for c in self.cost_by_category if c not in LICENCE_CATEGORIES | SERVICE_CATEGORIES]
        return self._share(add_up(self.category_total(c) for c in others))

    @property
    def services_per_licence(self) -> Decimal | None:
        """How much goes to services for each unit spent on licences."""
        licences = add_up(self.category_total(c) for c in LICENCE_CATEGORIES)
        if licences == 0:
            return None
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return add_up(self.category_total(c) for c in SERVICE_CATEGORIES) / licences

    @property
    def roi(self) -> Decimal | None:
        """Three-year return: net total / three-year cost."""
        return self._share(self.net_total)

    @property
    def is_empty(self) -> bool:
        return all(v == 0 for v in self.cost_by_year + self.benefit_by_year)

    # ------------------------------------------------------------------ cash and time

    def position_at_month(self, month: int) -> Decimal:
        """The cumulative cash position at the end of ``month`` (1…36); for charts and tables."""
        if not 1 <= month <= MONTHS:
            raise ValueError("month out of range")
        year, k = divmod(month - 1, 12)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            before = self.cumulative_by_year[year - 1] if year else ZERO
            return before + self.net_by_year[year] * (k + 1) / 12

    def monthly_positions(self) -> list[Decimal]:
        return [self.position_at_month(m) for m in range(1, MONTHS + 1)]

    @property
    def payback_month(self) -> int | None:
        if self.is_empty:
            return None
        with localcontext() as ctx:
            ctx.prec = PRECISION
            for month in range(1, MONTHS + 1):
                year, k = divmod(month - 1, 12)
                before = self.cumulative_by_year[year - 1] if year else ZERO
                if 12 * before + (k + 1) * self.net_by_year[year] >= 0:
                    return month
        return None

    @property
    def discounted_by_year(self) -> tuple[Decimal, ...]:
        return discounted(self.net_by_year, self.discount_rate)

    @property
    def npv(self) -> Decimal:
        return npv(self.net_by_year, self.discount_rate)

    # ------------------------------------------------------------------ reference figures

    def checks(self) -> list[Check]:
        first, services = self.first_year_share, self.services_share
        if first is None:
            first_status = "no_data"
        elif first < FIRST_YEAR_MARKED_BELOW:
            first_status = "marked_low"
        elif first < FIRST_YEAR_TYPICAL:
            first_status = "slightly_below"
        else:
            first_status = "typical"
        if services is None:
            services_status = "no_data"
        elif services < SERVICES_MARKED_BELOW:
            services_status = "marked_low"
        elif services > SERVICES_CEILING:
            services_status = "marked_high"
        else:
            services_status = "typical"
        return [Check("first_year", first, first_status), Check("services", services, services_status)]


def add_up(values) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = ZERO
        for value in values:
            total += value
        return total


def discounted(net_by_year, rate_percent: Decimal) -> tuple[Decimal, ...]:
    """Each year-end flow divided by (1 + rate)^year, ``rate_percent`` in percent."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        factor = 1 + Decimal(rate_percent) / 100
        if factor <= 0:
            raise ValueError("discount rate must be above -100%")
        values, divisor = [], Decimal(1)
        for value in net_by_year:
            divisor *= factor
            values.append(value / divisor)
        return tuple(values)


def npv(net_by_year, rate_percent: Decimal) -> Decimal:
    """Net present value of year-end flows (year 1 discounted once), ``rate_percent`` in percent."""
    return add_up(discounted(net_by_year, rate_percent))


def kpi_benefit(gains, volume: Decimal, unit_value: Decimal, ratio: bool = True) -> Amounts:
    """Yearly benefit of a KPI improvement: gain × volume × value of one unit.

    For a ratio KPI the gain is in percentage points (5 → 5% of the volume); for a score (customer
    satisfaction) it is in points of the score. E.g. first-contact resolution up 5 points on
    40,000 cases a year, each repeat contact avoided worth 12 → 0.05 × 40,000 × 12 = 24,000.
    """
    with localcontext() as ctx:
        ctx.prec = PRECISION
        scale = Decimal(100) if ratio else Decimal(1)
        return tuple(Decimal(gain) * volume * unit_value / scale for gain in gains)


def analyse(costs, benefits, discount_rate: Decimal = ZERO) -> Analysis:
    """``costs``: ``CostItem``s; ``benefits``: yearly amounts (3-tuples), in any order."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        by_year = [ZERO] * YEARS
        by_category: dict[str, list[Decimal]] = {}
        for item in costs:
            row = by_category.setdefault(str(item.category), [ZERO] * YEARS)
            for year, amount in enumerate(item.amounts):
                by_year[year] += amount
                row[year] += amount
        benefit = [ZERO] * YEARS
        for amounts in benefits:
            for year, amount in enumerate(amounts):
                benefit[year] += amount
    ordered = {c: tuple(by_category[c]) for c in CATEGORIES if c in by_category}
    ordered.update({c: tuple(v) for c, v in by_category.items() if c not in ordered})
    return Analysis(cost_by_year=tuple(by_year), cost_by_category=ordered, benefit_by_year=tuple(benefit),
                    discount_rate=Decimal(discount_rate))
