from wtforms import BooleanField, HiddenField, SelectField, TextAreaField

from planner.forms import BaseForm, DateInput, choices, length, optional_int, required
from planner.i18n import lazy_gettext as _l

# Where a form on the gate, the overview or the conditions page sends the reader back.
BACK = ("list", "gate", "overview")


class _Back(BaseForm):
    back = HiddenField()
    stage = HiddenField()


class CloseForm(_Back):
    note = TextAreaField(_l("Closing note"), validators=[
        required(_l("Write a closing note: what was done to meet the condition.")), length(2000)],
        render_kw={"rows": 2}, description=_l("What was done to meet the condition. Required."))


class CarryForm(_Back):
    reason = TextAreaField(_l("Reason for carrying it over"), validators=[
        required(_l("Write the reason for carrying the condition over.")), length(2000)],
        render_kw={"rows": 2},
        description=_l("Why the next sign-off may go ahead while this condition is still open. Required."))


class ChangeForm(BaseForm):
    owner = SelectField(_l("Owner"), coerce=optional_int, validate_choice=True,
                        invalid_choice_message=_l("Choose a member of the project as the owner."))
    due_date = DateInput(_l("Due date"), validators=[required(_l("Choose the due date."))])

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = choices(owners)


class SettingForm(BaseForm):
    block_next_signoff = BooleanField(_l("The next stage's sign-off can be requested only when the conditions are "
                                         "closed"), description=_l(
        "Or when each open one is carried over, with a reason. Applies to the pages and the API alike."))
