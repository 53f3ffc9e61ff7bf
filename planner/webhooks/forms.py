from planner.api import events
from planner.forms import BaseForm, StrippedStringField, choices, length, optional, required
from planner.i18n import lazy_gettext as _l
from planner.projects.forms import MultiCheckboxField

# The name of each event on the pages (its technical name stands beside it).
EVENT_LABELS = {
    events.SIGNOFF_REQUESTED: _l("A sign-off is requested"),
    events.SIGNOFF_DECIDED: _l("A sign-off is decided"),
    events.STAGE_STARTED: _l("A stage starts"),
    events.STAGE_APPROVED: _l("A stage is approved"),
    events.TASK_CREATED: _l("A task is added"),
    events.TASK_CHANGED: _l("A task changes"),
    events.TASK_OVERDUE: _l("A task becomes overdue"),
    events.QUICK_WIN_ACHIEVED: _l("A quick win is achieved"),
    events.IMPORT_FINISHED: _l("An import of CRM records finishes"),
    events.KPI_TARGET_CROSSED: _l("A KPI reaches its target or falls below it"),
    events.TEST: _l("Test event"),
}


class EndpointForm(BaseForm):
    url = StrippedStringField(_l("Address (URL)"), validators=[required(), length(2000)],
                              description=_l("Rollout sends each event there as an HTTPS (or HTTP) POST with a JSON "
                                             "body."))
    description = StrippedStringField(_l("Description"), validators=[optional(), length(200)],
                                      description=_l("What receives the events, for example the sales team's chat "
                                                     "channel."))
    events = MultiCheckboxField(_l("Events to send"), validate_choice=True,
                                choices=choices((name, EVENT_LABELS[name]) for name in events.ALL))

    def validate_events(self, field):
        from wtforms.validators import ValidationError

        if not field.data:
            raise ValidationError(_l("Choose at least one event to send."))


class ConfirmForm(BaseForm):
    """A button and its CSRF token."""
