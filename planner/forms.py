"""Form building blocks shared by every feature, each message in our own catalogue."""

import re
from datetime import date
from decimal import Decimal

from flask import has_request_context, request
from flask_babel import get_translations, gettext, ngettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from markupsafe import Markup
from wtforms import DateField, Field, SelectChoice, StringField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from planner import MAX_ID
from planner.i18n import format_locale, number, parse_amount
from planner.i18n import lazy_gettext as _l

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


# C0 and C1 control characters except tab, line feed and carriage return, lone surrogates and the
# two non-characters: nothing a person types, and PostgreSQL refuses NUL outright.
INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The longest value any single field accepts, whatever its own limit (those are lower).
MAX_FIELD_CHARS = 20_000
# Dates the forms accept: wide enough for any plan or history, narrow enough for every calendar.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


ID_ARG = re.compile(r"[0-9]{1,18}")


def id_arg(name: str) -> int | None:
    """A query parameter holding a database id (a whole number no key exceeds), else None (ignored)."""
    value = (request.args.get(name) or "").strip()
    return int(value) if ID_ARG.fullmatch(value) and int(value) <= MAX_ID else None


def date_arg(name: str) -> date | None:
    """A query parameter holding an ISO date between EARLIEST_DATE and LATEST_DATE, else None."""
    try:
        value = date.fromisoformat((request.args.get(name) or "").strip()[:10])
    except ValueError:
        return None
    return value if EARLIEST_DATE <= value <= LATEST_DATE else None


def safe_text(form, field) -> None:
    """Refuses control characters (NUL…) and oversized values in whatever a field received."""
    for value in field.raw_data or ():
        if not isinstance(value, str):
            continue
        if len(value) > MAX_FIELD_CHARS:
            raise ValidationError(_l("This value is too long."))
        if INVALID_CHARACTERS.search(value):
            raise ValidationError(_l("Remove the control characters (such as NUL) from this text."))


class OnceTokenField(CSRFTokenField):
    """The CSRF token field, rendered together with the form's one-time token (planner.once), so
    every template that shows ``form.csrf_token`` (or ``form.hidden_tag()``) sends both."""

    once_name = "form_token"
    once_token = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "CSRFTokenField"  # templates tell hidden fields by this name

    def __call__(self, **kwargs):
        from flask import g

        from planner import once

        html = super().__call__(**kwargs)
        if self.once_token and g.get("form_token_claimed") == self.once_token:
            # Used up by this very request, yet the form is shown again: the next sending is a new one.
            self.once_token = once.new_token()
        if self.once_token:
            # Both values are ours (a prefix and a token matching planner.once.PATTERN), and escaped.
            extra = Markup('<input type="hidden" name="%s" value="%s">') % (self.once_name, self.once_token)
            html = Markup(html) + extra  # noqa: S704 - WTForms' own rendering of the CSRF field
        return html


class OnceCSRF(_FlaskFormCSRF):
    field_class = OnceTokenField


class BaseForm(FlaskForm):
    """A FlaskForm (CSRF on) whose field errors are all translatable, whose every field is checked
    by ``safe_text``, and which is saved once however often it is sent (planner.once)."""

    class Meta:
        csrf_class = OnceCSRF

        def get_translations(self, form):
            return WTFormsTranslations()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from planner import once

        self._once_posted = None
        field = self._fields.get("csrf_token")
        if isinstance(field, OnceTokenField):
            name = f"{self._prefix}{once.FIELD}"
            posted = None
            if has_request_context() and request.method == "POST":
                posted = once.usable(request.form.get(name))
            field.once_name, field.once_token = name, posted or once.new_token()
            self._once_posted = posted

    def validate(self, extra_validators=None):
        valid = self._validate_fields(extra_validators)
        if valid and self._once_posted and has_request_context() and request.method == "POST":
            from planner import once

            once.claim(self._once_posted)  # raises once.AlreadySubmitted for a second submission
        return valid

    def _validate_fields(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for name, field in self._fields.items():
            if name == "csrf_token":
                continue
            try:
                safe_text(self, field)
            except ValidationError as error:
                field.errors = [*field.errors, *error.args]
                self._errors = None
                valid = False
        return valid


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
    """An HTML date input: the browser shows it in the reader's locale and sends ISO dates, within
    ``EARLIEST_DATE`` and ``LATEST_DATE`` (stated to the browser as min and max)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {})
        kwargs["render_kw"].setdefault("type", "date")
        kwargs["render_kw"].setdefault("min", EARLIEST_DATE.isoformat())
        kwargs["render_kw"].setdefault("max", LATEST_DATE.isoformat())
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
        if not EARLIEST_DATE <= self.data <= LATEST_DATE:
            from planner.i18n import date_format

            self.data = None
            raise ValueError(_l("Enter a date from %(first)s to %(last)s.", first=date_format(EARLIEST_DATE),
                                last=date_format(LATEST_DATE)))


class LocaleDecimalField(Field):
    """A decimal typed in the reader's locale format (``1.234,50`` in Spanish, ``1,234.50`` in English).

    The value is an exact ``Decimal``; it is shown back in the same locale format.
    """

    widget = TextInput()
    # What every decimal column holds (Numeric(14, 2) and Numeric(14, 4) alike); fields may narrow it.
    LIMIT = Decimal("999999999")

    def __init__(self, label=None, validators=None, places: int = 2, limit: Decimal | int | None = None,
                 state_range: bool = True, **kwargs):
        kwargs.setdefault("render_kw", {})
        kwargs["render_kw"].setdefault("inputmode", "decimal")
        kwargs["render_kw"].setdefault("autocomplete", "off")
        kwargs["render_kw"].setdefault("maxlength", 32)
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.limit = Decimal(limit) if limit is not None else self.LIMIT
        # False where the description already says the range (one that depends on another field).
        self.state_range = state_range

    def bounds(self) -> tuple[Decimal, Decimal]:
        """The lowest and highest value the field accepts: its own limit narrowed by its range validators."""
        low, high = -self.limit, self.limit
        for validator in self.validators:
            minimum = getattr(validator, "minimum", getattr(validator, "min", None))
            maximum = getattr(validator, "maximum", getattr(validator, "max", None))
            if isinstance(minimum, int | float | Decimal) and not isinstance(minimum, bool):
                low = max(low, Decimal(str(minimum)))
            if isinstance(maximum, int | float | Decimal) and not isinstance(maximum, bool):
                high = min(high, Decimal(str(maximum)))
        return low, high

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
        if abs(value) > self.limit:
            self.data = None
            digits = 0 if self.limit == self.limit.to_integral_value() else self.places
            raise ValueError(_l("Enter a number from %(min)s to %(max)s.", min=number(-self.limit, digits),
                                max=number(self.limit, digits)))
        value = value + 0  # -0 is 0
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


def _range_text(low, high, places: int) -> str:
    def shown(value) -> str:
        value = Decimal(value)
        return number(value, 0 if value == value.to_integral_value() else places)

    if low == 0 and high >= 1000:
        return gettext("Up to %(max)s.", max=shown(high))
    return gettext("From %(min)s to %(max)s.", min=shown(low), max=shown(high))


def stated_limit(field) -> str:
    """The limit of a field said in the reader's language and number format, shown with its description
    by templates/_macros.html: the range of every number (decimal or whole) and the length of long texts
    (single-line inputs carry their maxlength, which the browser enforces as the person types)."""
    from wtforms import IntegerField, TextAreaField

    if isinstance(field, LocaleDecimalField):
        if not field.state_range:
            return ""
        low, high = field.bounds()
        return _range_text(low, high, field.places)
    if isinstance(field, IntegerField):
        ranges = [v for v in field.validators if isinstance(v, NumberRange)]
        low = max((v.min for v in ranges if v.min is not None), default=None)
        high = min((v.max for v in ranges if v.max is not None), default=None)
        if low is None or high is None:
            return ""
        return _range_text(low, high, 0)
    if isinstance(field, TextAreaField):
        maximum = min((v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0),
                      default=None)
        if maximum is None:
            return ""
        return gettext("Up to %(count)s characters.", count=number(maximum))
    return ""


def flash_errors(form) -> None:
    """Shows every validation error of a form as a flash message (for forms posted from a list
    page that redirects instead of re-rendering the form)."""
    from flask import flash

    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "danger")


CHOOSE_AN_OPTION = _l("Choose one of the options.")


def optional_int(value):
    """Coerces a select's value to an id (None for the empty option). Anything else stays as it came,
    matches no option, and is refused with our own message."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
