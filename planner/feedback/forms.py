from wtforms import IntegerField, RadioField, SelectField, SubmitField, TextAreaField

from planner.feedback.models import DIMENSIONS, Dimension
from planner.forms import (
    CHOOSE_AN_OPTION,
    BaseForm,
    StrippedStringField,
    choices,
    in_range,
    length,
    optional,
    optional_int,
)
from planner.i18n import lazy_gettext as _l
from planner.rollout.forms import stage_choices

RATING_LABELS = {
    1: _l("Strongly disagree"),
    2: _l("Disagree"),
    3: _l("Neither agree nor disagree"),
    4: _l("Agree"),
    5: _l("Strongly agree"),
}


class RatingField(RadioField):
    """A rating from 1 to 5; a missing or tampered value gets our own message."""

    def __init__(self, dimension: Dimension, **kwargs):
        super().__init__(
            dimension.statement, choices=choices((str(n), label) for n, label in RATING_LABELS.items()),
            coerce=optional_int, validate_choice=True,
            invalid_choice_message=_l("Choose a rating from 1 to 5 for this statement."), **kwargs)
        self.dimension = dimension


class FeedbackForm(BaseForm):
    awareness = RatingField(Dimension.AWARENESS)
    desire = RatingField(Dimension.DESIRE)
    knowledge = RatingField(Dimension.KNOWLEDGE)
    ability = RatingField(Dimension.ABILITY)
    reinforcement = RatingField(Dimension.REINFORCEMENT)
    comment = TextAreaField(
        _l("Anything else the project team should hear? (optional)"),
        validators=[optional(), length(4000)], render_kw={"rows": 4},
        description=_l("Write in whichever language you prefer. The project team reads it exactly as you wrote it."))
    submit = SubmitField(_l("Send my feedback"))

    def ratings(self) -> dict[Dimension, int]:
        return {d: int(getattr(self, d.value).data) for d in DIMENSIONS}

    def rating_fields(self):
        return [getattr(self, d.value) for d in DIMENSIONS]


class MemberFeedbackForm(FeedbackForm):
    stage_id = SelectField(_l("Which stage are you answering about?"), coerce=optional_int, validate_choice=True,
                           invalid_choice_message=CHOOSE_AN_OPTION)

    def __init__(self, project, membership, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from planner.feedback.services import stages_open_to

        stages = stages_open_to(project, membership)
        self.stage_id.choices = choices([("", _l("The project as a whole"))] + [(str(s.id), s.name) for s in stages])


class SurveyForm(FeedbackForm):
    """The anonymous survey: nothing about the person is asked for, except what they choose to give."""

    team = SelectField(_l("Your team (optional)"), validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION,
                       default="",
                       description=_l("Helps the project team see where support is needed. Results of small groups "
                                      "are never shown."))
    contact = StrippedStringField(
        _l("Name or e-mail, if you want an answer (optional)"), validators=[optional(), length(200)],
        description=_l("Leave it empty to stay anonymous."))

    def __init__(self, teams: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = choices([("", _l("I prefer not to say"))] + [(t, t) for t in teams])


class LinkForm(BaseForm):
    stage_id = SelectField(_l("Stage"), coerce=optional_int, validate_choice=True,
                           invalid_choice_message=CHOOSE_AN_OPTION)
    label = StrippedStringField(_l("Label (optional)"), validators=[optional(), length(160)],
                                description=_l("For your own reference, for example the team or site you send it to."))
    max_answers = IntegerField(
        _l("Answers accepted (optional)"), validators=[optional(), in_range(min=1, max=100_000)],
        description=_l("For example the number of people you send it to. Once reached, the link closes itself."))
    submit = SubmitField(_l("Create a survey link"))

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_id.choices = stage_choices(project, _l("The project as a whole"))
