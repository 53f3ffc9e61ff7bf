from babel.numbers import get_currency_name
from wtforms import BooleanField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from planner.forms import BaseForm, DateInput, StrippedStringField, choices, email, length, optional, required
from planner.i18n import babel_locale
from planner.i18n import lazy_gettext as _l
from planner.projects.models import BusinessArea

CURRENCIES = [
    "USD", "EUR", "GBP", "CNY", "HKD", "TWD", "JPY", "SGD", "INR", "AUD", "CAD", "CHF",
    "MXN", "COP", "PEN", "CLP", "ARS", "BRL", "SEK", "NOK", "DKK", "PLN", "ZAR", "AED",
]


def currency_choices():
    locale = babel_locale()
    return choices((code, f"{code} — {get_currency_name(code, locale=locale)}") for code in CURRENCIES)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProjectForm(BaseForm):
    name = StrippedStringField(_l("Project name"), validators=[required(), length(160)])
    description = TextAreaField(_l("Description"), validators=[optional(), length(4000)],
                                render_kw={"rows": 3})
    vision = TextAreaField(
        _l("Vision"),
        validators=[optional(), length(4000)],
        render_kw={"rows": 3},
        description=_l("What the company will do differently for its customers once the CRM is in place."),
    )
    business_areas = MultiCheckboxField(
        _l("Business areas in scope"),
        choices=choices((area.value, area.label) for area in BusinessArea),
        validate_choice=True,
    )
    currency = SelectField(_l("Currency"), choices=currency_choices, validate_choice=True, default="USD")
    start_date = DateInput(_l("Start date"), validators=[optional()])
    submit = SubmitField(_l("Save project"))


class MemberAddForm(BaseForm):
    email = StrippedStringField(_l("E-mail of an existing user"), validators=[required(), email(), length(254)])
    is_manager = BooleanField(_l("Project manager"))
    is_sponsor = BooleanField(_l("Executive sponsor"))
    team = StrippedStringField(_l("Team"), validators=[optional(), length(80)])
    submit = SubmitField(_l("Add member"))


class MemberEditForm(BaseForm):
    is_manager = BooleanField(_l("Project manager"))
    is_sponsor = BooleanField(_l("Executive sponsor"))
    team = StrippedStringField(_l("Team"), validators=[optional(), length(80)])
    submit = SubmitField(_l("Save"))


class ConfirmForm(BaseForm):
    """An empty form: a CSRF-protected button."""

    submit = SubmitField(_l("Confirm"))
