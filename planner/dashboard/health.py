"""A project's overall health (red, amber or green) and the reasons behind it.

Every rule and threshold the executive dashboard applies is here, and only here: the rules page
(``dashboard.rules``) describes them from these same constants, so what the page says is what the
code does. The health is the worst level of the reasons found. A project with no reason is green
only when the rules had the data to judge it: when any of ``NEEDED_FOR_GREEN`` is missing (no
self-assessment, no cost model, no KPI target), it is "unknown" (grey) and says what is missing.

Rules (each gives at most one reason):

1. Overdue change tasks: amber from ``OVERDUE_AMBER`` open tasks past their due date, red from
   ``OVERDUE_RED``.
2. KPIs below target: a KPI is "below target" when its status is off target (less than halfway
   from its baseline to its target; see ``planner.kpis.definitions.status_of``). Amber from
   ``KPI_AMBER`` such KPIs, red from ``KPI_RED``.
3. Seven-sins risk: the latest self-assessment's level, when amber or red.
4. Budget above plan: the plan scenario's three-year cost above the approved budget is amber,
   and red when more than ``BUDGET_RED_SHARE`` above it.
5. Payback later than planned: once actual costs or measured benefits exist, the plan scenario's
   forecast payback month (``planner.tco.actuals``) compared with the planned one. Amber when it
   comes more than ``PAYBACK_LATE_AMBER`` months later, red when more than ``PAYBACK_LATE_RED``
   months later or no longer within three years while the plan paid back.
6. Falling adoption feedback: the latest reported week's average score (1–5) compared with the
   average of the earlier reported weeks of the window (weeks with fewer than five answers are
   never reported). Needs ``FEEDBACK_MIN_WEEKS`` reported weeks. Amber when it fell by at least
   ``FEEDBACK_DROP_AMBER`` points, red from ``FEEDBACK_DROP_RED``.

Missing data (no assessment, no plan scenario, no KPI target, too little feedback) never makes a
project red or amber; it is listed as a gap, and the core gaps make a quiet project "unknown"
rather than green, so nobody mistakes silence for health.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from babel.lists import format_list
from flask_babel import lazy_gettext as _l

from planner.i18n import babel_locale, money, ngettext, number, percent
from planner.i18n import gettext as _

OVERDUE_AMBER = 1
OVERDUE_RED = 5
KPI_AMBER = 1
KPI_RED = 3
BUDGET_RED_SHARE = Decimal("0.10")
PAYBACK_LATE_AMBER = 3  # months
PAYBACK_LATE_RED = 6
PAYBACK_HORIZON = 36  # months: the three years of the plan
FEEDBACK_WEEKS = 8
FEEDBACK_MIN_WEEKS = 3
FEEDBACK_DROP_AMBER = 0.25
FEEDBACK_DROP_RED = 0.5


class Level(StrEnum):
    GREEN = "green"
    UNKNOWN = "unknown"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        """How much attention the level asks for: red first, then amber, unknown, green."""
        return {Level.GREEN: 0, Level.UNKNOWN: 1, Level.AMBER: 2, Level.RED: 3}[self]

    @property
    def label(self):
        return {Level.GREEN: _l("On track"), Level.UNKNOWN: _l("Not enough data"), Level.AMBER: _l("At risk"),
                Level.RED: _l("Off track")}[self]


class Rule(StrEnum):
    OVERDUE_TASKS = "overdue_tasks"
    KPIS_BELOW_TARGET = "kpis_below_target"
    SINS_RISK = "sins_risk"
    BUDGET = "budget"
    PAYBACK = "payback"
    FEEDBACK = "feedback"

    @property
    def label(self):
        return {
            Rule.OVERDUE_TASKS: _l("Overdue change tasks"),
            Rule.KPIS_BELOW_TARGET: _l("KPIs below target"),
            Rule.SINS_RISK: _l("Seven-sins risk"),
            Rule.BUDGET: _l("Budget above plan"),
            Rule.PAYBACK: _l("Payback later than planned"),
            Rule.FEEDBACK: _l("Falling adoption feedback"),
        }[self]


class Gap(StrEnum):
    """Information a rule needs and the project does not have yet."""

    NO_ASSESSMENT = "no_assessment"
    NO_COST_MODEL = "no_cost_model"
    NO_BUDGET = "no_budget"
    NO_KPI_TARGET = "no_kpi_target"
    LITTLE_FEEDBACK = "little_feedback"

    @property
    def label(self):
        return {
            Gap.NO_ASSESSMENT: _l("No seven-sins self-assessment yet."),
            Gap.NO_COST_MODEL: _l("No plan scenario in the cost model."),
            Gap.NO_BUDGET: _l("No approved budget to compare the cost with."),
            Gap.NO_KPI_TARGET: _l("No KPI has a target."),
            Gap.LITTLE_FEEDBACK: _l("Too few weeks of staff feedback to see a trend."),
        }[self]


# Without these a quiet project cannot be called green: it is "unknown" until they exist.
NEEDED_FOR_GREEN = (Gap.NO_ASSESSMENT, Gap.NO_COST_MODEL, Gap.NO_KPI_TARGET)


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one project (gathered in bulk by ``services``)."""

    overdue_tasks: int = 0
    kpis_below_target: tuple = ()  # KpiKey values whose status is off target
    kpis_with_target: int = 0
    sins: tuple[int, str] | None = None  # (score 0–100, level) of the latest assessment
    total_cost: Decimal | None = None  # plan scenario, three years
    approved_budget: Decimal | None = None
    currency: str = "EUR"
    feedback: tuple = ()  # ((week_start, average 1–5), …) oldest first, reported weeks only
    has_forecast: bool = False  # actual costs or measured benefits exist for the plan scenario
    plan_payback: int | None = None  # month 1–36, None: not within three years
    forecast_payback: int | None = None


@dataclass(frozen=True)
class Reason:
    rule: Rule
    level: Level
    text: str


@dataclass(frozen=True)
class Health:
    level: Level
    reasons: list[Reason] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def missing(self) -> list[Gap]:
        """The gaps that keep a quiet project from being green."""
        return [gap for gap in self.gaps if gap in NEEDED_FOR_GREEN]


def _overdue(facts: Facts) -> Reason | None:
    count = facts.overdue_tasks
    if count < OVERDUE_AMBER:
        return None
    level = Level.RED if count >= OVERDUE_RED else Level.AMBER
    text = ngettext("%(num)d change task is past its due date.",
                    "%(num)d change tasks are past their due date.", count)
    return Reason(Rule.OVERDUE_TASKS, level, text)


def _kpis(facts: Facts) -> Reason | None:
    below = list(facts.kpis_below_target)
    if len(below) < KPI_AMBER:
        return None
    level = Level.RED if len(below) >= KPI_RED else Level.AMBER
    names = _names(tuple(str(key.label) for key in below), str(babel_locale()))
    text = ngettext("%(num)d KPI is well below its target: %(names)s.",
                    "%(num)d KPIs are well below their target: %(names)s.", len(below), names=names)
    return Reason(Rule.KPIS_BELOW_TARGET, level, text)


@lru_cache(maxsize=256)
def _names(names: tuple[str, ...], locale: str) -> str:
    return format_list(list(names), locale=locale)


def _sins(facts: Facts) -> Reason | None:
    if facts.sins is None:
        return None
    score, level = facts.sins
    if level not in (Level.AMBER, Level.RED):
        return None
    if level == Level.RED:
        text = _("The latest seven-sins self-assessment shows a high risk (overall score %(score)s out of 100).",
                 score=number(score))
    else:  # amber: a middling score, or a low one with a sin in the red
        text = _("The latest seven-sins self-assessment shows a medium risk (overall score %(score)s out of 100).",
                 score=number(score))
    return Reason(Rule.SINS_RISK, Level(level), text)


def _budget(facts: Facts) -> Reason | None:
    if facts.total_cost is None or facts.approved_budget is None or facts.total_cost <= facts.approved_budget:
        return None
    excess = facts.total_cost - facts.approved_budget
    share = excess / facts.approved_budget if facts.approved_budget > 0 else None
    level = Level.RED if share is None or share > BUDGET_RED_SHARE else Level.AMBER
    if share is None:
        text = _("The three-year cost of %(cost)s has no approved budget above zero.",
                 cost=money(facts.total_cost, facts.currency))
    else:
        text = _("The three-year cost of %(cost)s is %(share)s above the approved budget of %(budget)s.",
                 cost=money(facts.total_cost, facts.currency), share=percent(share),
                 budget=money(facts.approved_budget, facts.currency))
    return Reason(Rule.BUDGET, level, text)


def payback_delay(plan: int | None, forecast: int | None) -> int | None:
    """Months the forecast pays back later than the plan (a payback beyond three years counts as
    month 37); None when the plan itself does not pay back within three years."""
    if plan is None:
        return None
    return (forecast or PAYBACK_HORIZON + 1) - plan


def _payback(facts: Facts) -> Reason | None:
    if not facts.has_forecast:
        return None
    late = payback_delay(facts.plan_payback, facts.forecast_payback)
    if late is None or late <= PAYBACK_LATE_AMBER:
        return None
    level = Level.RED if facts.forecast_payback is None or late > PAYBACK_LATE_RED else Level.AMBER
    if facts.forecast_payback is None:
        text = _("At the current pace the investment no longer pays back within three years; the plan paid "
                 "back in month %(plan)s.", plan=number(facts.plan_payback))
    else:
        text = ngettext("The forecast pays back in month %(forecast)s, %(num)d month later than the planned "
                        "month %(plan)s.",
                        "The forecast pays back in month %(forecast)s, %(num)d months later than the planned "
                        "month %(plan)s.", late, forecast=number(facts.forecast_payback),
                        plan=number(facts.plan_payback))
    return Reason(Rule.PAYBACK, level, text)


def feedback_drop(weeks) -> tuple[float, float, float] | None:
    """(drop, latest, earlier average) when there are enough reported weeks, else None. A positive
    drop means the latest week scored lower than the weeks before it."""
    weeks = list(weeks)
    if len(weeks) < FEEDBACK_MIN_WEEKS:
        return None
    latest = float(weeks[-1][1])
    earlier = sum(float(avg) for _week, avg in weeks[:-1]) / (len(weeks) - 1)
    return round(earlier - latest, 4), latest, earlier


def _feedback(facts: Facts) -> Reason | None:
    found = feedback_drop(facts.feedback)
    if found is None:
        return None
    drop, latest, earlier = found
    if drop < FEEDBACK_DROP_AMBER:
        return None
    level = Level.RED if drop >= FEEDBACK_DROP_RED else Level.AMBER
    text = _("Staff feedback fell to %(latest)s out of 5, from an average of %(earlier)s in the weeks before.",
             latest=number(latest, 1), earlier=number(earlier, 1))
    return Reason(Rule.FEEDBACK, level, text)


RULES = (_overdue, _kpis, _sins, _budget, _payback, _feedback)


def gaps(facts: Facts) -> list[Gap]:
    found = []
    if facts.sins is None:
        found.append(Gap.NO_ASSESSMENT)
    if facts.total_cost is None:
        found.append(Gap.NO_COST_MODEL)
    elif facts.approved_budget is None:
        found.append(Gap.NO_BUDGET)
    if facts.kpis_with_target == 0:
        found.append(Gap.NO_KPI_TARGET)
    if len(facts.feedback) < FEEDBACK_MIN_WEEKS:
        found.append(Gap.LITTLE_FEEDBACK)
    return found


def assess(facts: Facts) -> Health:
    reasons = [reason for rule in RULES if (reason := rule(facts)) is not None]
    reasons.sort(key=lambda r: -r.level.rank)
    found = gaps(facts)
    quiet = Level.UNKNOWN if any(gap in NEEDED_FOR_GREEN for gap in found) else Level.GREEN
    level = max((r.level for r in reasons), key=lambda lv: lv.rank, default=quiet)
    return Health(level, reasons, found)
