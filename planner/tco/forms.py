from decimal import Decimal

from flask_babel import gettext as _
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from planner.forms import (
    BaseForm,
    DateInput,
    LocaleDecimalField,
    StrippedStringField,
    choices,
    input_required,
    length,
    optional,
    required,
)
from planner.i18n import lazy_gettext as _l
from planner.i18n import number
from planner.kpis.definitions import KpiKey
from planner.tco.models import BenefitKind, CostCategory, DeploymentModel

MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds
ZERO = Decimal(0)


class DecimalRange:
    """A bound check whose message shows the bounds in the reader's number format."""

    def __init__(self, minimum=ZERO, maximum=MAX_AMOUNT, places=2):
        self.minimum, self.maximum, self.places = Decimal(minimum), Decimal(maximum), places

    def __call__(self, form, field):
        if field.data is None:
            return
        if not self.minimum <= field.data <= self.maximum:
            digits = self.places if self.maximum != self.maximum.to_integral_value() else 0
            raise ValidationError(_("Enter a number from %(min)s to %(max)s.",
                                    min=number(self.minimum, 0), max=number(self.maximum, digits)))


def amount_field(label, **kwargs):
    return LocaleDecimalField(label, validators=[optional(), DecimalRange()], limit=MAX_AMOUNT, **kwargs)


class ScenarioForm(BaseForm):
    name = StrippedStringField(_l("Scenario name"), validators=[required(), length(120)],
                               description=_l("For example “Cloud subscription” or “On-premise licence”."))
    deployment = SelectField(_l("Deployment model"),
                             choices=choices((d.value, d.label) for d in DeploymentModel), validate_choice=True)
    description = TextAreaField(_l("Notes"), validators=[optional(), length(4000)], render_kw={"rows": 3})
    discount_rate = LocaleDecimalField(
        _l("Discount rate (% a year)"), validators=[input_required(), DecimalRange(0, 100)],
        description=_l("Used for the net present value; the cost of capital your finance team uses, e.g. 8."))
    approved_budget = amount_field(
        _l("Approved three-year budget"),
        description=_l("Optional. The executive dashboard flags a plan scenario whose three-year cost is above it."))
    starts_on = DateInput(
        _l("Year 1 starts on"), validators=[optional()],
        description=_l("Any day of the plan's first month. Actual costs and measured KPIs are set against "
                       "the plan month by month from then; left blank, the project's start date is used."))
    is_preferred = BooleanField(_l("Plan scenario"),
                                description=_l("The scenario the project intends to follow; the overview and "
                                               "the executive dashboard show its figures."))
    submit = SubmitField(_l("Save scenario"))


class CostLineForm(BaseForm):
    category = SelectField(_l("Category"), choices=choices((c.value, c.label) for c in CostCategory),
                           validate_choice=True)
    description = StrippedStringField(_l("Description"), validators=[required(), length(200)])
    year1 = amount_field(_l("Year 1"))
    year2 = amount_field(_l("Year 2"))
    year3 = amount_field(_l("Year 3"))
    submit = SubmitField(_l("Save cost line"))

    def amounts(self) -> tuple[Decimal, Decimal, Decimal]:
        return tuple(getattr(self, f"year{y}").data or ZERO for y in (1, 2, 3))


def kpi_choices():
    return choices([("", _l("None: I enter the amounts"))] + [(k.value, k.label) for k in KpiKey])


class BenefitLineForm(BaseForm):
    kind = SelectField(_l("Kind of benefit"), choices=choices((k.value, k.label) for k in BenefitKind),
                       validate_choice=True)
    description = StrippedStringField(_l("Description"), validators=[required(), length(200)])
    kpi_key = SelectField(_l("Derived from a KPI"), choices=kpi_choices, validate_choice=True, default="",
                          description=_l("Pick a KPI to compute the yearly amounts from its expected improvement."))
    year1 = amount_field(_l("Year 1"))
    year2 = amount_field(_l("Year 2"))
    year3 = amount_field(_l("Year 3"))
    kpi_gain1 = LocaleDecimalField(_l("Improvement in year 1 (points)"),
                                   validators=[optional(), DecimalRange(0, 100)])
    kpi_gain2 = LocaleDecimalField(_l("Improvement in year 2 (points)"),
                                   validators=[optional(), DecimalRange(0, 100)])
    kpi_gain3 = LocaleDecimalField(_l("Improvement in year 3 (points)"),
                                   validators=[optional(), DecimalRange(0, 100)])
    kpi_volume = LocaleDecimalField(
        _l("Volume per year"), validators=[optional(), DecimalRange()], limit=MAX_AMOUNT,
        description=_l("How many cases, contacts, customers or deals the KPI applies to in a year."))
    kpi_unit_value = amount_field(
        _l("Value of one unit"),
        description=_l("What each of them is worth when the KPI improves, e.g. the cost of one repeat contact "
                       "avoided or the margin of one retained customer."))
    submit = SubmitField(_l("Save benefit"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid or not self.kpi_key.data:
            return valid
        key = KpiKey(self.kpi_key.data)
        for name in ("kpi_volume", "kpi_unit_value"):
            field = getattr(self, name)
            if field.data is None:
                field.errors.append(_("Needed to derive the benefit from a KPI."))
                valid = False
        gains = [getattr(self, f"kpi_gain{y}") for y in (1, 2, 3)]
        if all(field.data is None for field in gains):
            gains[0].errors.append(_("Enter the expected improvement for at least one year."))
            valid = False
        if not key.is_ratio:
            for field in gains:
                if field.data is not None and field.data > 4:
                    field.errors.append(_("Satisfaction is a score from 1 to 5: it can rise by 4 points at most."))
                    valid = False
        return valid

    def amounts(self) -> tuple[Decimal, Decimal, Decimal]:
        return tuple(getattr(self, f"year{y}").data or ZERO for y in (1, 2, 3))

    def gains(self) -> tuple[Decimal, Decimal, Decimal]:
        return tuple(getattr(self, f"kpi_gain{y}").data or ZERO for y in (1, 2, 3))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Confirm"))


class ActualCostForm(BaseForm):
    category = SelectField(_l("Category"), choices=choices((c.value, c.label) for c in CostCategory),
                           validate_choice=True)
    month = SelectField(_l("Month"), validate_choice=True,
                        description=_l("The month of the plan the cost belongs to, e.g. the invoice's month."))
    amount = LocaleDecimalField(_l("Amount"), validators=[input_required(), DecimalRange(-MAX_AMOUNT, MAX_AMOUNT)],
                                limit=MAX_AMOUNT,
                                description=_l("A credit note is a negative amount."))
    description = StrippedStringField(_l("Description"), validators=[optional(), length(200)])
    reference = StrippedStringField(_l("Invoice or booking reference"), validators=[optional(), length(80)])
    submit = SubmitField(_l("Record the cost"))


class BenefitActualsForm(BaseForm):
    year1 = LocaleDecimalField(_l("Actual in year 1"), validators=[optional(), DecimalRange(-MAX_AMOUNT, MAX_AMOUNT)],
                               limit=MAX_AMOUNT)
    year2 = LocaleDecimalField(_l("Actual in year 2"), validators=[optional(), DecimalRange(-MAX_AMOUNT, MAX_AMOUNT)],
                               limit=MAX_AMOUNT)
    year3 = LocaleDecimalField(_l("Actual in year 3"), validators=[optional(), DecimalRange(-MAX_AMOUNT, MAX_AMOUNT)],
                               limit=MAX_AMOUNT)
    submit = SubmitField(_l("Save the actual amounts"))

    def amounts(self) -> dict[int, Decimal | None]:
        return {year: getattr(self, f"year{year}").data for year in (1, 2, 3)}


class ImportActualsForm(BaseForm):
    file = FileField(_l("CSV or Excel file"), validators=[required()],
                     render_kw={"accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument"
                                          ".spreadsheetml.sheet"},
                     description=_l("One invoice or booking a line, with columns for the month (or date), the "
                                    "category and the amount, and optionally a description and a reference."))
    day_first = SelectField(_l("Dates such as 05/03/2026 mean"), choices=choices([
        ("1", _l("5 March 2026 (day first)")), ("0", _l("3 May 2026 (month first)"))]), validate_choice=True)
    decimal_comma = SelectField(_l("Amounts are written"), choices=choices([
        ("auto", _l("as the file suggests (a decimal comma in a file separated by semicolons)")),
        ("0", _l("with a decimal point: 1,234.50")), ("1", _l("with a decimal comma: 1.234,50"))]),
        validate_choice=True, default="auto")
    check = SubmitField(_l("Check the file"))
    run = SubmitField(_l("Import"))

    def decimal_choice(self) -> bool | None:
        return None if self.decimal_comma.data == "auto" else self.decimal_comma.data == "1"
