from decimal import Decimal

from wtforms import RadioField, SubmitField

from planner.crm.forms import CrmForm
from planner.forms import (
    DateInput,
    LocaleDecimalField,
    StrippedStringField,
    choices,
    in_range,
    length,
    optional,
)
from planner.i18n import lazy_gettext as _l
from planner.kpis.definitions import KpiKey
from planner.kpis.models import BaselineSource

HUNDRED = Decimal(100)


def kpi_form(key: KpiKey, formdata=None, setting=None):
    """The baseline-and-target form of one KPI: percentages for ratios, a 1–5 score for satisfaction."""
    ratio = KpiKey(key).is_ratio
    bounds = in_range(min=0, max=100) if ratio else in_range(min=1, max=5)
    places = 1 if ratio else 2
    unit = _l("as a percentage") if ratio else _l("from 1 to 5")

    class KpiSettingForm(CrmForm):
        target = LocaleDecimalField(_l("Target (%(unit)s)", unit=unit), validators=[optional(), bounds], places=places,
                                    description=_l("The value the project commits to reach. Leave empty for none."))
        baseline_source = RadioField(_l("Baseline"), choices=choices([
            ("", _l("None yet")),
            (BaselineSource.COMPUTED.value, BaselineSource.COMPUTED.label),
            (BaselineSource.MANUAL.value, BaselineSource.MANUAL.label)]), default="", validate_choice=True)
        baseline_as_of = DateInput(_l("Baseline date"), validators=[optional()],
                                   description=_l("For a computed baseline: the day whose records it is computed "
                                                  "from, ideally before the go-live."))
        baseline_value = LocaleDecimalField(_l("Baseline value (%(unit)s)", unit=unit),
                                            validators=[optional(), bounds], places=places,
                                            description=_l("For a baseline entered by hand, for example from the "
                                                           "old system's reports."))
        note = StrippedStringField(_l("Note"), validators=[optional(), length(500)])
        submit = SubmitField(_l("Save"))

        def ratio_or_score(self, value: Decimal | None) -> Decimal | None:
            """What a person typed (80 for 80 %) as a KPI value (0.8)."""
            if value is None:
                return None
            return (value / HUNDRED).quantize(Decimal("0.0001")) if ratio else value

    form = KpiSettingForm(formdata=formdata)
    if formdata is None and setting is not None:
        def shown(value):
            if value is None:
                return None
            return (value * HUNDRED).normalize() if ratio else value.normalize()

        form.target.data = shown(setting.target)
        form.baseline_source.data = setting.baseline_source.value if setting.baseline_source else ""
        form.baseline_as_of.data = setting.baseline_as_of
        form.baseline_value.data = shown(setting.baseline_value) \
            if setting.baseline_source == BaselineSource.MANUAL else None
        form.note.data = setting.note
    return form
