"""The forms of approval rules and stand-ins (the rules themselves: ``services.approvals``)."""

from wtforms import FieldList, RadioField, SelectField, SubmitField

from planner.forms import CHOOSE_AN_OPTION, BaseForm, DateInput, choices, optional_int, required
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext
from planner.rollout.models import ApprovalRule

MAX_CHAIN = 5  # approvers a chain can name
INHERIT = "project"  # a stage without a rule of its own follows the project's


class RuleForm(BaseForm):
    rule = RadioField(_l("Who must approve a sign-off"), validate_choice=True,
                      validators=[required(CHOOSE_AN_OPTION)])
    chain = FieldList(SelectField(coerce=optional_int, validate_choice=True,
                                  invalid_choice_message=CHOOSE_AN_OPTION), min_entries=MAX_CHAIN,
                      max_entries=MAX_CHAIN)
    submit = SubmitField(_l("Save the approval rule"))

    def __init__(self, sponsors, for_stage: bool = False, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(rule.value, rule.label) for rule in ApprovalRule]
        if for_stage:
            options.insert(0, (INHERIT, _l("The project's rule")))
        self.rule.choices = choices(options)
        people = [(None, lazy_pgettext("approver", "—"))] + [(user.id, user.name) for user in sponsors]
        for entry in self.chain.entries:
            entry.choices = choices(people)
            entry.label.text = ""

    def chosen(self) -> list[int]:
        """The chain's approvers in the order given, the empty places skipped."""
        return [entry.data for entry in self.chain.entries if isinstance(entry.data, int)]

    def show(self, rule: str, chain) -> None:
        self.rule.data = rule
        ids = list(chain or [])
        for index, entry in enumerate(self.chain.entries):
            entry.data = ids[index] if index < len(ids) else None


class StandInForm(BaseForm):
    stand_in_id = SelectField(_l("Stand-in"), coerce=optional_int, validate_choice=True,
                              invalid_choice_message=CHOOSE_AN_OPTION, validators=[required(CHOOSE_AN_OPTION)])
    starts_on = DateInput(_l("First day"), validators=[required()])
    ends_on = DateInput(_l("Last day"), validators=[required()])
    submit = SubmitField(_l("Name the stand-in"))

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stand_in_id.choices = choices([(None, CHOOSE_AN_OPTION)] + [(user.id, user.name) for user in candidates])
