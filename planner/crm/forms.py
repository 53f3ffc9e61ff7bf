"""Forms for CRM records, the list filters and the import steps."""

from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import get_timezone
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectField, SubmitField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import DateTimeLocalInput

from planner.crm.fields import FIELDS
from planner.crm.models import Channel, OpportunityKind, OpportunityStage, RecordKind, valid_email, valid_phone
from planner.forms import (
    EARLIEST_DATE,
    LATEST_DATE,
    BaseForm,
    DateInput,
    LocaleDecimalField,
    StrippedStringField,
    choices,
    in_range,
    input_required,
    length,
    optional,
    required,
)
from planner.i18n import date_format, lazy_pgettext
from planner.i18n import lazy_gettext as _l


class _Messages:
    """WTForms' own messages (an unknown choice…) in our catalogue, in the reader's language."""

    TEXTS = {"Not a valid choice.": _l("Choose one of the options offered."),
             "Invalid Choice: could not coerce.": _l("Choose one of the options offered.")}

    def gettext(self, string):
        return str(self.TEXTS.get(string, string))

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


class CrmForm(BaseForm):
    class Meta:
        def get_translations(self, form):
            return _Messages()


class LocalDateTimeField(Field):
    """A date and time typed in the reader's time zone (HTML ``datetime-local``); the data is UTC."""

    widget = DateTimeLocalInput()
    FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return self.data.astimezone(get_timezone()).strftime("%Y-%m-%dT%H:%M")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        for fmt in self.FORMATS:
            try:
                local = datetime.strptime(valuelist[0].strip(), fmt)
            except ValueError:
                continue
            if not EARLIEST_DATE <= local.date() <= LATEST_DATE:
                self.data = None
                raise ValueError(_l("Enter a date from %(first)s to %(last)s.", first=date_format(EARLIEST_DATE),
                                    last=date_format(LATEST_DATE)))
            self.data = local.replace(tzinfo=get_timezone()).astimezone(UTC)
            return
        self.data = None
        raise ValueError(_l("Enter a valid date and time."))


PHONE_MESSAGE = _l("Enter a phone number of 7 to 15 digits (spaces, dashes and a leading + are fine).")
EMAIL_MESSAGE = _l("Enter a valid e-mail address.")


def phone():
    """The import checks phones with the same rule (``valid_phone``)."""
    def check(_form, field):
        if field.data and not valid_phone(field.data):
            raise ValidationError(PHONE_MESSAGE)

    return check


def contact_email():
    """The import checks e-mail addresses with the same rule (``valid_email``, email-validator's)."""
    def check(_form, field):
        if field.data and not valid_email(field.data):
            raise ValidationError(EMAIL_MESSAGE)

    return check


def _reference(label, required_=False, kind="accounts"):
    validators = [required(), length(260)] if required_ else [optional(), length(260)]
    return StrippedStringField(label, validators=validators, render_kw={
        "autocomplete": "off", "data-lookup": kind, "list": f"{kind}-suggestions"},
        description=_l("Start typing a name, then pick it from the suggestions, or type its external id."))


EXTERNAL_ID_HELP = _l("The record's id in the CRM it comes from, if any. Imports use it to update instead of "
                      "adding the record again.")


class AccountForm(CrmForm):
    name = StrippedStringField(lazy_pgettext("record name", "Name"), validators=[required(), length(200)])
    external_id = StrippedStringField(_l("External id"), validators=[optional(), length(100)],
                                      description=EXTERNAL_ID_HELP)
    segment = StrippedStringField(_l("Segment"), validators=[optional(), length(80)])
    industry = StrippedStringField(_l("Industry"), validators=[optional(), length(80)])
    country = StrippedStringField(_l("Country"), validators=[optional(), length(80)])
    city = StrippedStringField(_l("City"), validators=[optional(), length(80)])
    submit = SubmitField(_l("Save"))

    FIELDS = ("name", "external_id", "segment", "industry", "country", "city")


class ContactForm(CrmForm):
    name = StrippedStringField(_l("Name"), validators=[required(), length(200)])
    account_ref = _reference(_l("Account"))
    email = StrippedStringField(_l("E-mail"), validators=[optional(), contact_email(), length(254)])
    phone = StrippedStringField(_l("Phone"), validators=[optional(), length(40), phone()])
    job_title = StrippedStringField(_l("Job title"), validators=[optional(), length(120)])
    external_id = StrippedStringField(_l("External id"), validators=[optional(), length(100)],
                                      description=EXTERNAL_ID_HELP)
    submit = SubmitField(_l("Save"))

    FIELDS = ("name", "email", "phone", "job_title", "external_id")


class InteractionForm(CrmForm):
    account_ref = _reference(_l("Account"), required_=True)
    contact_ref = _reference(_l("Contact"), kind="contacts")
    occurred_at = LocalDateTimeField(_l("Date and time"), validators=[input_required()])
    channel = SelectField(_l("Channel"), choices=choices((c.value, c.label) for c in Channel), validate_choice=True)
    purpose = StrippedStringField(_l("Purpose"), validators=[required(), length(200)],
                                  description=_l("Why the customer got in touch, or why we did."))
    outcome = TextAreaField(_l("Outcome"), validators=[optional(), length(500)], render_kw={"rows": 3},
                            description=_l("How it ended: what was agreed, solved or still pending. An interaction "
                                           "without an outcome counts against closed-loop capture."))
    external_id = StrippedStringField(_l("External id"), validators=[optional(), length(100)],
                                      description=EXTERNAL_ID_HELP)
    submit = SubmitField(_l("Save"))

    FIELDS = ("occurred_at", "channel", "purpose", "outcome", "external_id")


SCORE_CHOICES = choices([("", "—")] + [(str(n), str(n)) for n in range(1, 6)])


class CaseForm(CrmForm):
    account_ref = _reference(_l("Account"), required_=True)
    contact_ref = _reference(_l("Contact"), kind="contacts")
    subject = StrippedStringField(_l("Subject"), validators=[required(), length(200)])
    opened_at = LocalDateTimeField(_l("Opened"), validators=[input_required()])
    closed_at = LocalDateTimeField(_l("Closed"), validators=[optional()],
                                   description=_l("Leave empty while the case is open."))
    resolved_first_contact = BooleanField(_l("Resolved at first contact"))
    satisfaction = SelectField(_l("Satisfaction (1–5)"), choices=SCORE_CHOICES, validate_choice=True, default="",
                               description=_l("The customer's score, from 1 (very unhappy) to 5 (very happy)."))
    external_id = StrippedStringField(_l("External id"), validators=[optional(), length(100)],
                                      description=EXTERNAL_ID_HELP)
    submit = SubmitField(_l("Save"))

    FIELDS = ("subject", "opened_at", "closed_at", "resolved_first_contact", "external_id")


class OpportunityForm(CrmForm):
    account_ref = _reference(_l("Account"), required_=True)
    name = StrippedStringField(lazy_pgettext("record name", "Name"), validators=[required(), length(200)])
    opportunity_kind = SelectField(_l("Type"), choices=choices((k.value, k.label) for k in OpportunityKind),
                                   validate_choice=True)
    amount = LocaleDecimalField(_l("Amount"), validators=[required(), in_range(min=0, max=999_999_999_999)],
                                limit=Decimal("999999999999.99"))
    stage = SelectField(_l("Stage"), choices=choices((s.value, s.label) for s in OpportunityStage),
                        validate_choice=True)
    opened_on = DateInput(_l("Opened on"), validators=[input_required()])
    closed_on = DateInput(_l("Closed on"), validators=[optional()],
                          description=_l("The day it was won or lost. Leave empty while it is open."))
    expected_close_on = DateInput(_l("Expected to close on"), validators=[optional()],
                                  description=_l("Your forecast while it is open; kept for reference once it "
                                                 "is won or lost."))
    external_id = StrippedStringField(_l("External id"), validators=[optional(), length(100)],
                                      description=EXTERNAL_ID_HELP)
    submit = SubmitField(_l("Save"))

    FIELDS = ("name", "opportunity_kind", "amount", "stage", "opened_on", "closed_on", "expected_close_on",
              "external_id")


FORMS = {
    RecordKind.ACCOUNTS: AccountForm,
    RecordKind.CONTACTS: ContactForm,
    RecordKind.INTERACTIONS: InteractionForm,
    RecordKind.CASES: CaseForm,
    RecordKind.OPPORTUNITIES: OpportunityForm,
}


# --------------------------------------------------------------------------- import


class UploadForm(CrmForm):
    kind = SelectField(_l("What the file holds"), choices=choices((k.value, k.label) for k in RecordKind),
                       validate_choice=True)
    file = FileField(_l("CSV or Excel file"), validators=[required()],
                     render_kw={"accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument"
                                          ".spreadsheetml.sheet"},
                     description=_l("A CSV file, separated by commas or semicolons, or an .xlsx workbook, with the "
                                    "column names on the first line."))
    submit = SubmitField(_l("Upload"))


class MappingForm(CrmForm):
    """One select per field of the kind (built in ``mapping_form``), plus how to read dates and numbers."""

    day_first = SelectField(_l("Dates such as 05/03/2026 mean"), choices=choices([
        ("1", _l("5 March 2026 (day first)")), ("0", _l("3 May 2026 (month first)"))]), validate_choice=True)
    decimal_comma = SelectField(_l("Amounts are written"), choices=choices([
        ("0", _l("with a decimal point: 1,234.50")), ("1", _l("with a decimal comma: 1.234,50"))]),
        validate_choice=True)
    check = SubmitField(_l("Check the file"))


def _name_or_parts(parts: list[str]):
    """The name, or its parts (first and last name), must come from the file."""
    def check(form, field):
        if not field.data and not any(form[f"col_{part}"].data for part in parts):
            raise ValidationError(_l("Choose the column that holds the name, or those of the first and last "
                                     "name."))

    return check


def _short(header: str, limit: int = 60) -> str:
    """A column name as a choice shows it (the page offers every column for every field)."""
    return header if len(header) <= limit else header[:limit - 1] + "…"


def mapping_form(kind: RecordKind, headers: list[str], formdata=None, data=None) -> MappingForm:
    """A MappingForm with one ``col_<field>`` select per field, offering the file's columns."""
    options = [("", _l("— not in the file —"))] + [(str(i), _short(header) or f"#{i + 1}")
                                                   for i, header in enumerate(headers)]

    class Form(MappingForm):
        pass

    specs = FIELDS[RecordKind(kind)]
    parts = [spec.name for spec in specs if spec.type == "name_part"]
    for spec in specs:
        label = spec.label
        validators = [required(_l("Choose the column that holds this required field."))] if spec.required else []
        if spec.name == "name" and parts:
            validators = [_name_or_parts(parts)]
        setattr(Form, f"col_{spec.name}", SelectField(label, choices=choices(options), validate_choice=True,
                                                      validators=validators, default=""))
    return Form(formdata=formdata, data=data)
