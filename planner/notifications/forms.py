from wtforms import IntegerField, SelectField

from planner.forms import BaseForm, choices, in_range, input_required
from planner.i18n import lazy_gettext as _l
from planner.notifications.kinds import choosable
from planner.notifications.models import Delivery


class ConfirmForm(BaseForm):
    """A button and its CSRF token."""


def preferences_form(current: dict, hour: int, formdata=None):
    """A form with one choice per kind of event (``kind_<key>``) and the digest's hour."""

    class PreferencesForm(BaseForm):
        pass

    delivery = choices((d.value, d.label) for d in Delivery)
    for key, kind in choosable().items():
        setattr(PreferencesForm, f"kind_{key}", SelectField(kind.label, choices=delivery,
                                                            default=current.get(key, kind.default).value))
    PreferencesForm.digest_hour = SelectField(
        _l("Send my daily digest at"), choices=choices((str(h), f"{h:02d}:00") for h in range(24)),
        default=str(hour))
    return PreferencesForm(formdata=formdata) if formdata is not None else PreferencesForm()


class ReminderForm(BaseForm):
    signoff_days = IntegerField(
        _l("Remind of a pending sign-off after this many days, and again every as many days"),
        validators=[input_required(), in_range(1, 60)])
