"""Form building blocks shared by every feature, each message in our own catalogue."""

from decimal import Decimal

from flask_babel import get_translations, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from planner.i18n import format_locale, number, parse_amount

__all__ = [
    "BaseForm",
    "choices",
    "LocaleDecimalField",
    "DateInput",
    "email",
    "length",
    "optional",
    "required",
    "in_range",
]


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class WTFormsTranslations:
    """Gives WTForms' built-in messages ("Not a valid choice." …) our catalogue's translations."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


def _wtforms_messages():  # pragma: no cover - never called: lists WTForms' messages for pybabel
    gettext("Not a valid choice.")
    gettext("Invalid Choice: could not coerce.")
    gettext("Invalid choice(s): one or more data inputs could not be coerced.")
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 1)
    gettext("Not a valid date value.")
    gettext("Not a valid datetime value.")
    gettext("Not a valid time value.")
    gettext("Not a valid decimal value.")
    gettext("Not a valid float value.")
    gettext("Not a valid integer value.")
    gettext("Number must be at least %(min)s.")
    gettext("Number must be at most %(max)s.")
    gettext("Number must be between %(min)s and %(max)s.")
    gettext("Field must be equal to %(other_name)s.")
    gettext("Invalid email address.")
    gettext("Invalid input.")
    gettext("This field is required.")


class BaseForm(FlaskForm):
    """A FlaskForm (CSRF on) whose field errors are all translatable."""

    class Meta:
        def get_translations(self, form):
            return WTFormsTranslations()


def required(message=None):
    return DataRequired(message=message or _l("This field is required."))


def input_required(message=None):
    return InputRequired(message=message or _l("This field is required."))


def optional():
    return Optional()


def length(max: int, min: int = -1):  # noqa: A002 - mirrors WTForms' signature
    if min > 0:
        return Length(min=min, max=max, message=_l("Enter between %(min)d and %(max)d characters.", min=min, max=max))
    return Length(max=max, message=_l("Enter at most %(max)d characters.", max=max))


def email():
    return Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)


def in_range(min=None, max=None):  # noqa: A002
    if min is not None and max is not None:
        message = _l("Enter a number from %(min)s to %(max)s.", min=min, max=max)
    elif min is not None:
        message = _l("Enter a number of at least %(min)s.", min=min)
    else:
        message = _l("Enter a number of at most %(max)s.", max=max)
    return NumberRange(min=min, max=max, message=message)


class DateInput(DateField):
    """An HTML date input: the browser shows it in the reader's locale and sends ISO dates."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {})
        kwargs["render_kw"].setdefault("type", "date")
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a valid date.")) from None
        if self.data is None:
            raise ValueError(_l("Enter a valid date."))


class LocaleDecimalField(Field):
    """A decimal typed in the reader's locale format (``1.234,50`` in Spanish, ``1,234.50`` in English).

    The value is an exact ``Decimal``; it is shown back in the same locale format.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, places: int = 2, **kwargs):
        kwargs.setdefault("render_kw", {})
        kwargs["render_kw"].setdefault("inputmode", "decimal")
        kwargs["render_kw"].setdefault("autocomplete", "off")
        super().__init__(label, validators, **kwargs)
        self.places = places

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return number(self.data, self.places)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            value = parse_amount(valuelist[0], format_locale())
        except ValueError:
            self.data = None
            raise ValueError(
                _l("Enter a number such as %(example)s.", example=number(Decimal("1234.5"), self.places))
            ) from None
        quantum = Decimal(1).scaleb(-self.places)
        if value != value.quantize(quantum):
            self.data = None
            raise ValueError(_l("Use at most %(places)d decimal places.", places=self.places))
        self.data = value


class StrippedStringField(StringField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip()
