from wtforms import BooleanField, PasswordField, SelectField, SubmitField

from planner.auth.forms import StrongPassword, language_choices, timezone_choices
from planner.auth.models import GlobalRole
from planner.forms import BaseForm, StrippedStringField, choices, email, length, optional, required
from planner.i18n import lazy_gettext as _l


def role_choices():
    return choices((role.value, role.label) for role in GlobalRole)


class UserCreateForm(BaseForm):
    email = StrippedStringField(_l("E-mail"), validators=[required(), email(), length(254)])
    name = StrippedStringField(_l("Name"), validators=[required(), length(120)])
    role = SelectField(_l("Global role"), choices=role_choices, default=GlobalRole.USER.value)
    language = SelectField(_l("Preferred language"), choices=language_choices)
    timezone = SelectField(_l("Time zone"), choices=timezone_choices, default="UTC")
    password = PasswordField(
        _l("Initial password"),
        validators=[required(), length(256), StrongPassword(email_field="email")],
        render_kw={"autocomplete": "new-password"},
        description=_l("Give it to the person through a safe channel; they can change it in their account."),
    )
    submit = SubmitField(_l("Create user"))


class UserEditForm(BaseForm):
    name = StrippedStringField(_l("Name"), validators=[required(), length(120)])
    role = SelectField(_l("Global role"), choices=role_choices)
    language = SelectField(_l("Preferred language"), choices=language_choices)
    timezone = SelectField(_l("Time zone"), choices=timezone_choices)
    active = BooleanField(_l("Account active"),
                          description=_l("An inactive account cannot sign in; its history is kept."))
    new_password = PasswordField(
        _l("New password"),
        validators=[optional(), length(256), StrongPassword(email_field=None)],
        render_kw={"autocomplete": "new-password"},
        description=_l("Leave empty to keep the current password."),
    )
    submit = SubmitField(_l("Save user"))
