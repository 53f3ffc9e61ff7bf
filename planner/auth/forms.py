from wtforms import PasswordField, SelectField, SubmitField
from wtforms.validators import EqualTo, ValidationError

from planner.auth import passwords
from planner.forms import BaseForm, StrippedStringField, choices, email, length, required
from planner.i18n import COMMON_TIMEZONES, LANGUAGES, region_choices_for_reader, timezone_label
from planner.i18n import lazy_gettext as _l


class LoginForm(BaseForm):
    email = StrippedStringField(_l("E-mail"), validators=[required(), email(), length(254)],
                                render_kw={"autocomplete": "username", "type": "email"})
    password = PasswordField(_l("Password"), validators=[required(), length(256)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class StrongPassword:
    """Applies the password policy; the e-mail comes from the form or the signed-in user."""

    def __init__(self, email_field: str | None = None, email_getter=None):
        self.email_field = email_field
        self.email_getter = email_getter

    def __call__(self, form, field):
        address = ""
        if self.email_field:
            address = form[self.email_field].data or ""
        elif self.email_getter:
            address = self.email_getter() or ""
        found = passwords.problems(field.data or "", address)
        if found:
            raise ValidationError(" ".join(str(message) for message in found))


def language_choices():
    return choices([("", _l("Same as my browser")), *LANGUAGES.items()])


def region_choices():
    return choices([("", _l("Same as my browser")), *region_choices_for_reader()])


def timezone_choices():
    return choices((name, timezone_label(name)) for name in COMMON_TIMEZONES)


class ProfileForm(BaseForm):
    name = StrippedStringField(_l("Name"), validators=[required(), length(120)],
                               render_kw={"autocomplete": "name"})
    language = SelectField(_l("Preferred language"), choices=language_choices, validate_choice=True)
    region = SelectField(_l("Formats for numbers, dates and amounts"), choices=region_choices,
                         validate_choice=True,
                         description=_l("Independent of the language: for example Spanish with the formats of Mexico."))
    timezone = SelectField(_l("Time zone"), choices=timezone_choices, validate_choice=True)
    submit = SubmitField(_l("Save settings"))


def _current_email():
    from flask_login import current_user

    return current_user.email if current_user.is_authenticated else ""


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[required(), length(256)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"),
        validators=[required(), length(256), StrongPassword(email_getter=_current_email)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 12 characters; a short sentence is easy to remember and hard to guess."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), length(256), EqualTo("new_password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


def token_scope_choices():
    from planner.auth.models import TokenScope

    return choices((scope.value, scope.label) for scope in TokenScope)


def token_lifetime_choices():
    from flask_babel import ngettext

    from planner.auth.tokens import LIFETIMES

    return choices((str(days), ngettext("%(num)d day", "%(num)d days", days)) for days in LIFETIMES)


class TokenForm(BaseForm):
    name = StrippedStringField(_l("Token name"), validators=[required(), length(80)],
                               description=_l("What the token is for, for example “nightly CRM export”."))
    scope = SelectField(_l("Access"), choices=token_scope_choices, validate_choice=True, default="read")
    days = SelectField(_l("Expires after"), choices=token_lifetime_choices, validate_choice=True, default="90")
    submit = SubmitField(_l("Create token"))
