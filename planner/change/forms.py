from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, SubmitField, TextAreaField

from planner.change.models import QuickWinStatus, TaskCategory, TaskStatus
from planner.extensions import db
from planner.forms import (
    CHOOSE_AN_OPTION,
    BaseForm,
    DateInput,
    LocaleDecimalField,
    StrippedStringField,
    choices,
    length,
    optional,
    optional_int,
    required,
)
from planner.i18n import lazy_gettext as _l
from planner.kpis.definitions import KpiKey
from planner.projects.models import ProjectMember
from planner.rollout.forms import stage_choices


def member_choices(project, empty_label):
    members = db.session.scalars(
        select(ProjectMember).options(selectinload(ProjectMember.user)).where(ProjectMember.project_id == project.id)
    ).all()
    members = sorted(members, key=lambda m: m.user.name.lower())
    return choices([("", empty_label)] + [(str(m.id), m.user.name) for m in members])


class TaskForm(BaseForm):
    """The full task form, for project managers."""

    title = StrippedStringField(_l("Title"), validators=[required(), length(200)])
    description = TextAreaField(_l("Description"), validators=[optional(), length(4000)], render_kw={"rows": 4})
    category = SelectField(_l("Category"), choices=choices((c.value, c.label) for c in TaskCategory),
                           validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION,
                           default=TaskCategory.OTHER.value)
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=True,
                           invalid_choice_message=CHOOSE_AN_OPTION)
    due_date = DateInput(_l("Due date"), validators=[optional()])
    stage_id = SelectField(_l("Stage"), coerce=optional_int, validate_choice=True,
                           invalid_choice_message=CHOOSE_AN_OPTION)
    status = SelectField(_l("Status"), choices=choices((s.value, s.label) for s in TaskStatus),
                         validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION, default=TaskStatus.OPEN.value)
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(4000)], render_kw={"rows": 3})
    submit = SubmitField(_l("Save task"))

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = member_choices(project, _l("Nobody yet"))
        self.stage_id.choices = stage_choices(project, _l("No particular stage"))


class TaskUpdateForm(BaseForm):
    """What the task's owner may change: its status and the notes."""

    status = SelectField(_l("Status"), choices=choices((s.value, s.label) for s in TaskStatus),
                         validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION)
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(4000)], render_kw={"rows": 4})
    submit = SubmitField(_l("Save"))


class TaskStatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=choices((s.value, s.label) for s in TaskStatus),
                         validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION)


class QuickWinForm(BaseForm):
    title = StrippedStringField(_l("Quick win"), validators=[required(), length(200)])
    benefit = TextAreaField(
        _l("Measurable benefit it must show"), validators=[required(), length(2000)], render_kw={"rows": 3},
        description=_l("Say what will be measured and by how much, so everyone can tell when the win is reached."))
    kpi = SelectField(_l("KPI (optional)"), validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION,
                      default="")
    kpi_target = LocaleDecimalField(
        _l("Target value"), validators=[optional()], places=2, state_range=False,
        description=_l("A percentage from 0 to 100 for rates (for example 85), a score from 1 to 5 for "
                       "satisfaction."))
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=True,
                           invalid_choice_message=CHOOSE_AN_OPTION)
    target_date = DateInput(_l("Target date"), validators=[optional()])
    status = SelectField(_l("Status"), choices=choices((s.value, s.label) for s in QuickWinStatus),
                         validate_choice=True, invalid_choice_message=CHOOSE_AN_OPTION,
                         default=QuickWinStatus.PLANNED.value)
    achieved_on = DateInput(_l("Achieved on"), validators=[optional()],
                            description=_l("Leave empty to use today's date when the win is achieved."))
    result = TextAreaField(_l("Result shown"), validators=[optional(), length(2000)], render_kw={"rows": 2},
                           description=_l("The figure or evidence that shows the benefit was reached."))
    submit = SubmitField(_l("Save quick win"))

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi.choices = choices([("", _l("No KPI"))] + [(k.value, k.label) for k in KpiKey])
        self.owner_id.choices = member_choices(project, _l("Nobody yet"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        kpi = KpiKey(self.kpi.data) if self.kpi.data in KpiKey._value2member_map_ else None
        target = self.kpi_target.data
        if target is not None and kpi is None and not self.kpi.errors:
            self.kpi.errors = [*self.kpi.errors, _l("Choose the KPI this target applies to.")]
            valid = False
        if kpi is not None and target is not None:
            low, high = (Decimal(0), Decimal(100)) if kpi.is_ratio else (Decimal(1), Decimal(5))
            if not low <= target <= high:
                message = (_l("Enter a percentage from 0 to 100.") if kpi.is_ratio
                           else _l("Enter a score from 1 to 5."))
                self.kpi_target.errors = [*self.kpi_target.errors, message]
                valid = False
        return valid

    def kpi_value(self):
        """The KPI and its target in the KPI's own unit (a ratio for rates)."""
        kpi = KpiKey(self.kpi.data) if self.kpi.data in KpiKey._value2member_map_ else None
        target = self.kpi_target.data
        if kpi is not None and target is not None and kpi.is_ratio:
            target = target / 100
        return kpi, target


class CelebrateForm(BaseForm):
    celebrated_on = DateInput(_l("Celebrated on"), validators=[required()])
    note = TextAreaField(_l("How it was celebrated"), validators=[optional(), length(2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Mark as celebrated"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Confirm"))
