from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField

from planner.forms import BaseForm, DateInput, StrippedStringField, choices, input_required, length, optional, required
from planner.i18n import lazy_gettext as _l
from planner.methodology.models import Answer, ItemStatus

INVALID_CHOICE = _l("Choose one of the options offered.")


def status_choices():
    return choices((status.value, status.label) for status in ItemStatus)


class AdoptForm(BaseForm):
    methodology = HiddenField(validators=[required()])


class OwnerItemForm(BaseForm):
    """What the owner of a step may change: how far it is, notes and evidence."""

    status = SelectField(_l("Status"), choices=status_choices, validate_choice=True,
                         invalid_choice_message=INVALID_CHOICE)
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(4000)], render_kw={"rows": 3})
    evidence = TextAreaField(
        _l("Evidence"), validators=[optional(), length(4000)], render_kw={"rows": 3},
        description=_l("What shows the step is done: a document, a decision, a figure, and where to find it."))
    submit = SubmitField(_l("Save"))
    save_next = SubmitField(_l("Save and go to the next step"))


class ItemForm(OwnerItemForm):
    """What a project manager may change: everything, including who owns the step and by when."""

    owner = SelectField(_l("Owner"), validate_choice=True, invalid_choice_message=INVALID_CHOICE)
    due_date = DateInput(_l("Due date"), validators=[optional()])

    def set_owner_choices(self, members) -> None:
        self.owner.choices = choices(
            [("", _l("Nobody yet"))] + [(str(member.id), member.user.name) for member in members])


class ProblemForm(BaseForm):
    title = StrippedStringField(
        _l("Problem"), validators=[required(), length(200)],
        description=_l("One problem in a sentence, as the people who live with it would say it."))
    description = TextAreaField(_l("Details"), validators=[optional(), length(2000)], render_kw={"rows": 2})
    in_focus = BooleanField(_l("In focus"))
    submit = SubmitField(_l("Add the problem"))


class ProblemEditForm(ProblemForm):
    submit = SubmitField(_l("Save"))


class MoveForm(BaseForm):
    direction = SelectField(choices=choices([("up", "up"), ("down", "down")]), validate_choice=True,
                            invalid_choice_message=INVALID_CHOICE)


class FocusForm(BaseForm):
    in_focus = SelectField(choices=choices([("1", "1"), ("0", "0")]), validate_choice=True,
                           invalid_choice_message=INVALID_CHOICE)


def answer_choices():
    return choices((answer.value, answer.label) for answer in Answer)


def field_name(sin_key: str, sign_key: str) -> str:
    return f"a-{sin_key}-{sign_key}"


def assessment_form(methodology, previous: dict | None = None, draft: bool = False, note: str = ""):
    """A form with one yes / partly / no / don't know question per warning sign of the methodology;
    ``previous`` answers pre-fill it (only pass them when showing the form, not when saving). With
    ``draft=True`` (saving a draft) unanswered questions are allowed; an answer given must still be
    one of the options."""

    class AssessmentForm(BaseForm):
        note = TextAreaField(_l("Note for this round"), validators=[optional(), length(2000)], render_kw={"rows": 2},
                             description=_l("Who took part, and anything the next round should know."))
        submit = SubmitField(_l("Save the assessment"))
        save_draft = SubmitField(_l("Save as a draft"))

    data = {"note": note} if note else {}
    for sin in methodology.items:
        for sign in sin.warning_signs:
            name = field_name(sin.key, sign.key)
            setattr(AssessmentForm, name, RadioField(
                sign.text, choices=answer_choices,
                validators=[optional() if draft else input_required(_l("Answer this question."))],
                validate_choice=True, invalid_choice_message=INVALID_CHOICE))
            if previous and f"{sin.key}.{sign.key}" in previous:
                data[name] = previous[f"{sin.key}.{sign.key}"]
    return AssessmentForm(data=data)
