from decimal import Decimal

from sqlalchemy import select
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField

from planner.change.models import ChangeTask
from planner.extensions import db
from planner.forms import (
    CHOOSE_AN_OPTION,
    BaseForm,
    DateInput,
    LocaleDecimalField,
    StrippedStringField,
    choices,
    in_range,
    length,
    optional,
    optional_int,
    required,
)
from planner.i18n import lazy_gettext as _l
from planner.kpis.definitions import KpiKey
from planner.methodology.services import checklist_items
from planner.projects.forms import MultiCheckboxField
from planner.projects.models import BusinessArea
from planner.rollout.models import Comparison, Outcome, Stage
from planner.rollout.plans import PLANS

HUNDRED = Decimal(100)


def stage_choices(project, empty_label):
    stages = db.session.scalars(
        select(Stage).where(Stage.project_id == project.id).order_by(Stage.position, Stage.id)
    ).all()
    return choices([("", empty_label)] + [(str(s.id), s.name) for s in stages])


class VersionedForm(BaseForm):
    """A form about a stage: it carries the stage's version, for optimistic locking."""

    version = HiddenField()


class StageForm(VersionedForm):
    name = StrippedStringField(_l("Stage name"), validators=[required(), length(160)])
    description = TextAreaField(_l("Description"), validators=[optional(), length(4000)], render_kw={"rows": 3},
                                description=_l("What this stage covers and what it must prove."))
    business_areas = MultiCheckboxField(_l("Business areas"), validate_choice=True,
                                        choices=choices((area.value, area.label) for area in BusinessArea))
    teams = MultiCheckboxField(_l("Teams"), validate_choice=True,
                               description=_l("The teams are those given to the project's members."))
    users_in_scope = IntegerField(_l("Number of users"), validators=[optional(), in_range(min=1, max=1000000)],
                                  description=_l("Leave empty to count the members of the teams chosen."))
    planned_start = DateInput(_l("Planned start"), validators=[optional()])
    planned_end = DateInput(_l("Planned end"), validators=[optional()])
    actual_start = DateInput(_l("Actual start"), validators=[optional()])
    actual_end = DateInput(_l("Actual end"), validators=[optional()])
    submit = SubmitField(_l("Save stage"))

    def __init__(self, teams, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = list(teams)
        stage = kwargs.get("obj")
        for value in getattr(stage, "teams", None) or []:  # a team no member has any more stays choosable
            if value not in known:
                known.append(value)
        # Only these can be chosen: anything else posted is refused as an unknown choice.
        self.teams.choices = choices((team, team) for team in known)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for start, end in ((self.planned_start, self.planned_end), (self.actual_start, self.actual_end)):
            if start.data and end.data and end.data < start.data:
                end.errors = [*end.errors, _l("The end cannot come before the start.")]
                valid = False
        return valid


class PlanForm(BaseForm):
    plan = RadioField(_l("Template"), validate_choice=True, default="pilot_waves",
                      choices=choices((plan.key, plan.label) for plan in PLANS.values()))
    start = DateInput(_l("First stage starts on"), validators=[required()])
    waves = IntegerField(_l("Number of waves"), default=2, validators=[optional(), in_range(min=1, max=6)],
                         description=_l("Only for the pilot-and-waves template."))
    with_criteria = BooleanField(_l("Add suggested exit criteria (adoption and closed-loop thresholds)"),
                                 default=True)
    submit = SubmitField(_l("Add the stages"))


class StartForm(VersionedForm):
    actual_start = DateInput(_l("Started on"), validators=[required()])
    override_reason = TextAreaField(
        _l("Reason for starting before the previous stage is approved"), validators=[optional(), length(2000)],
        render_kw={"rows": 2},
        description=_l("Needed only when the previous stage is not approved yet. It is kept in the audit log and "
                       "shown on the timeline."))
    submit = SubmitField(_l("Start the stage"))


class RequestForm(VersionedForm):
    note = TextAreaField(_l("Note for the sponsors"), validators=[optional(), length(2000)], render_kw={"rows": 2},
                         description=_l("Optional: what the sponsors should look at, or why you ask now."))
    submit = SubmitField(_l("Request sign-off"))


class WithdrawForm(VersionedForm):
    submit = SubmitField(_l("Withdraw the request"))


class ConfirmForm(BaseForm):
    """An empty form: a CSRF-protected button."""


class DeleteForm(VersionedForm):
    submit = SubmitField(_l("Delete"))


class DecisionForm(VersionedForm):
    outcome = RadioField(_l("Your decision"), validators=[required(_l("Choose your decision."))],
                         validate_choice=True, choices=choices((o.value, o.label) for o in Outcome))
    comment = TextAreaField(
        _l("Comment"), validators=[optional(), length(4000)], render_kw={"rows": 4},
        description=_l("Required to approve with conditions or to reject. Conditions: one condition per line; "
                       "each becomes an item to follow up, with an owner and a due date. A rejection: the "
                       "reasons."))
    # In whose name: a stand-in chooses the sponsor (the rule is checked by the service).
    on_behalf_of = SelectField(_l("You decide for"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("Record the decision"))

    def offer(self, approvers) -> None:
        """The names the reader may decide in (``approvals.acting_for``)."""
        self.on_behalf_of.choices = choices((a.id, a.name) for a in approvers)
        if self.on_behalf_of.data is None and approvers:
            self.on_behalf_of.data = approvers[0].id

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.outcome.data in Outcome._value2member_map_ and Outcome(self.outcome.data).needs_comment \
                and not (self.comment.data or "").strip():
            self.comment.errors = [*self.comment.errors,
                                   _l("Write a comment: the conditions, or the reasons for the rejection.")]
            valid = False
        return valid


class KpiCriterionForm(VersionedForm):
    kpi = SelectField(_l("KPI"), validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION,
                      choices=choices((key.value, key.label) for key in KpiKey))
    comparison = SelectField(_l("Comparison"), validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION,
                             choices=choices((c.value, c.label) for c in Comparison), default=Comparison.AT_LEAST.value)
    threshold = LocaleDecimalField(
        _l("Threshold"), validators=[required()], places=2, state_range=False,
        description=_l("A percentage from 0 to 100 for rates (for example 80), a score from 1 to 5 for "
                       "satisfaction."))
    weeks = IntegerField(_l("Consecutive complete weeks"), default=2,
                         validators=[required(), in_range(min=1, max=12)],
                         description=_l("Weeks run from Monday to Sunday; the week in progress does not count."))
    submit = SubmitField(_l("Save criterion"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.kpi.data in KpiKey._value2member_map_ and self.threshold.data is not None:
            ratio = KpiKey(self.kpi.data).is_ratio
            low, high = (Decimal(0), HUNDRED) if ratio else (Decimal(1), Decimal(5))
            if not low <= self.threshold.data <= high:
                message = _l("Enter a percentage from 0 to 100.") if ratio else _l("Enter a score from 1 to 5.")
                self.threshold.errors = [*self.threshold.errors, message]
                valid = False
        return valid

    def values(self) -> dict:
        key = KpiKey(self.kpi.data)
        threshold = self.threshold.data
        if key.is_ratio:
            threshold = (threshold / HUNDRED).quantize(Decimal("0.0001"))
        return {"kpi": key, "comparison": Comparison(self.comparison.data), "threshold": threshold,
                "weeks": self.weeks.data}

    def show(self, criterion) -> None:
        self.kpi.data = criterion.kpi.value if criterion.kpi else None
        self.comparison.data = criterion.comparison.value if criterion.comparison else None
        threshold = criterion.threshold
        if threshold is not None and criterion.kpi is not None and criterion.kpi.is_ratio:
            threshold = threshold * HUNDRED
        self.threshold.data = threshold.normalize() if threshold is not None else None
        self.weeks.data = criterion.weeks


class ChecklistCriterionForm(VersionedForm):
    checklist_item_id = SelectField(_l("Methodology step"), coerce=optional_int, validate_choice=True,
                                    invalid_choice_message=CHOOSE_AN_OPTION, validators=[required()])
    submit = SubmitField(_l("Save criterion"))

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = []
        for item in checklist_items(project):
            methodology = item.methodology
            group = str(methodology.title) if methodology else ""
            options.append((item.id, f"{group} · {item.position}. {item.title}" if group else str(item.title)))
        self.checklist_item_id.choices = choices(options)

    def values(self) -> dict:
        return {"checklist_item_id": self.checklist_item_id.data}

    def show(self, criterion) -> None:
        self.checklist_item_id.data = criterion.checklist_item_id


class TasksCriterionForm(VersionedForm):
    task_ids = MultiCheckboxField(_l("Tasks that must be done"), coerce=int, validate_choice=True,
                                  validators=[required(_l("Choose at least one task."))])
    submit = SubmitField(_l("Save criterion"))

    def __init__(self, project, stage, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tasks = db.session.scalars(select(ChangeTask).where(ChangeTask.project_id == project.id)).all()
        # The stage's own tasks first, then the others; each with its status.
        tasks = sorted(tasks, key=lambda t: (t.stage_id != stage.id, t.title.lower(), t.id))
        self.tasks = tasks
        self.task_ids.choices = choices((t.id, t.title) for t in tasks)

    def values(self) -> dict:
        return {}

    def show(self, criterion) -> None:
        self.task_ids.data = [t.id for t in criterion.tasks]


CRITERION_FORMS = {"kpi": KpiCriterionForm, "checklist": ChecklistCriterionForm, "tasks": TasksCriterionForm}
