"""The CRM records a project manages: accounts, contacts, interactions, service cases and
opportunities, plus the bookkeeping of file imports.

Every record belongs to one project and may carry the id it has in the source CRM
(``external_id``, unique per project and kind), which makes re-importing a file an update rather
than a duplicate. ``captured_by_id`` is the project member who entered the record.

Lists stay fast at scale because every filter and sort they offer is backed by an index that
starts with ``project_id``; names and e-mails are also kept in a normalised ``*_key`` column
(lower case, accents removed) so a prefix search is an index range scan.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from planner.db import UTCDateTime, enum_column, utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext

NAME_LENGTH = 200
EXTERNAL_ID_LENGTH = 100


def KeyString(length: int = NAME_LENGTH):  # noqa: N802 - reads like a type
    """A search key column, compared byte by byte on every backend (prefix ranges use its index)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def search_key(text: str | None, length: int = NAME_LENGTH) -> str:
    """``"  José  Pérez "`` → ``"jose perez"``: case folded, accents removed, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())[:length]


PHONE_ALLOWED_RE = re.compile(r"^\+?[\d\s().\-/]+$")


_PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*@"
                          r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def valid_email(value: str | None) -> bool:
    """The one rule for an e-mail address, the contact form's and the import's: ``email-validator``'s
    (syntax only, no DNS). Plain ASCII addresses that it surely accepts skip the library (an import
    checks hundreds of thousands); tests/test_crm_validation.py holds both paths to the same answers."""
    if not value or len(value) > 254:
        return False
    if _PLAIN_EMAIL.match(value) and value.index("@") <= 64 and "--" not in value.partition("@")[2] \
            and value.rpartition(".")[2].lower() not in SPECIAL_USE_DOMAIN_NAMES:
        return True
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def valid_phone(value: str | None) -> bool:
    """A number a person could dial: digits with the usual separators, 7 to 15 digits."""
    if not value or not PHONE_ALLOWED_RE.match(value.strip()):
        return False
    digits = sum(ch.isdigit() for ch in value)
    return 7 <= digits <= 15


class RecordKind(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    INTERACTIONS = "interactions"
    CASES = "cases"
    OPPORTUNITIES = "opportunities"

    @property
    def label(self):
        return {
            RecordKind.ACCOUNTS: _l("Accounts"),
            RecordKind.CONTACTS: _l("Contacts"),
            RecordKind.INTERACTIONS: _l("Interactions"),
            RecordKind.CASES: _l("Service cases"),
            RecordKind.OPPORTUNITIES: _l("Opportunities"),
        }[self]

    @property
    def model(self):
        return {
            RecordKind.ACCOUNTS: Account,
            RecordKind.CONTACTS: Contact,
            RecordKind.INTERACTIONS: Interaction,
            RecordKind.CASES: ServiceCase,
            RecordKind.OPPORTUNITIES: Opportunity,
        }[self]


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    IN_PERSON = "in_person"
    CHAT = "chat"
    OTHER = "other"

    @property
    def label(self):
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.PHONE: lazy_pgettext("channel", "Phone"),
    Channel.EMAIL: lazy_pgettext("channel", "E-mail"),
    Channel.WEB: lazy_pgettext("channel", "Web"),
    Channel.IN_PERSON: lazy_pgettext("channel", "In person"),
    Channel.CHAT: lazy_pgettext("channel", "Chat"),
    Channel.OTHER: lazy_pgettext("channel", "Other"),
}


class OpportunityKind(StrEnum):
    NEW_BUSINESS = "new_business"
    CROSS_SELL = "cross_sell"
    UP_SELL = "up_sell"

    @property
    def label(self):
        return {
            OpportunityKind.NEW_BUSINESS: _l("New business"),
            OpportunityKind.CROSS_SELL: _l("Cross-sell"),
            OpportunityKind.UP_SELL: _l("Up-sell"),
        }[self]


class OpportunityStage(StrEnum):
    PROSPECTING = "prospecting"
    QUALIFICATION = "qualification"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"

    @property
    def label(self):
        return {
            OpportunityStage.PROSPECTING: lazy_pgettext("opportunity stage", "Prospecting"),
            OpportunityStage.QUALIFICATION: lazy_pgettext("opportunity stage", "Qualification"),
            OpportunityStage.PROPOSAL: lazy_pgettext("opportunity stage", "Proposal"),
            OpportunityStage.NEGOTIATION: lazy_pgettext("opportunity stage", "Negotiation"),
            OpportunityStage.WON: lazy_pgettext("opportunity stage", "Won"),
            OpportunityStage.LOST: lazy_pgettext("opportunity stage", "Lost"),
        }[self]

    @property
    def is_closed(self) -> bool:
        return self in (OpportunityStage.WON, OpportunityStage.LOST)


class CrmRecord:
    """Columns every CRM record has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LENGTH))
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The columns of an imported file that feed no field, as they were (column name → text), shown on
    # the record's page and written back by the export; None when there were none.
    other_fields: Mapped[dict | None] = mapped_column(JSON)

    @declared_attr
    def captured_by(cls):
        return relationship("User", lazy="raise_on_sql")

    # Each class sets ``kind`` (a RecordKind) as a plain class attribute.

    @property
    def display_name(self) -> str:
        return getattr(self, "name", "") or getattr(self, "subject", "") or self.external_id or f"#{self.id}"


class Account(CrmRecord, db.Model):
    __tablename__ = "crm_accounts"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id", name="uq_crm_accounts_project_external"),
        # The API's list in id order, its updated_since filter checked in the index as it goes, and the
        # few records changed since a recent moment found directly (planner.api.resources.crm).
        Index("ix_crm_accounts_project_keyset", "project_id", "id", "updated_at"),
        Index("ix_crm_accounts_project_updated", "project_id", "updated_at", "id"),
        Index("ix_crm_accounts_project_name", "project_id", "name_key", "id"),
        Index("ix_crm_accounts_project_created", "project_id", "created_at", "id"),
        Index("ix_crm_accounts_project_segment", "project_id", "segment", "name_key"),
        Index("ix_crm_accounts_project_country", "project_id", "country", "name_key"),
        Index("ix_crm_accounts_project_captured", "project_id", "captured_by_id", "created_at"),
    )
    kind = RecordKind.ACCOUNTS

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(KeyString(), default="")
    segment: Mapped[str] = mapped_column(String(80), default="")
    industry: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    city: Mapped[str] = mapped_column(String(80), default="")


class Contact(CrmRecord, db.Model):
    __tablename__ = "crm_contacts"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id", name="uq_crm_contacts_project_external"),
        # The API's list in id order, its updated_since filter checked in the index as it goes, and the
        # few records changed since a recent moment found directly (planner.api.resources.crm).
        Index("ix_crm_contacts_project_keyset", "project_id", "id", "updated_at"),
        Index("ix_crm_contacts_project_updated", "project_id", "updated_at", "id"),
        Index("ix_crm_contacts_project_name", "project_id", "name_key", "id"),
        Index("ix_crm_contacts_project_email", "project_id", "email_key", "created_at", "id"),
        Index("ix_crm_contacts_project_account", "project_id", "account_id", "name_key", "created_at", "id"),
        Index("ix_crm_contacts_project_quality", "project_id", "created_at", "reachable", "is_duplicate", "id"),
        Index("ix_crm_contacts_project_captured", "project_id", "captured_by_id", "created_at"),
    )
    kind = RecordKind.CONTACTS

    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_accounts.id"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(KeyString(), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_key: Mapped[str] = mapped_column(KeyString(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    job_title: Mapped[str] = mapped_column(String(120), default="")
    # Derived when the contact is saved: a valid e-mail or phone; a likely duplicate of an earlier contact.
    reachable: Mapped[bool] = mapped_column(Boolean, default=False)
    is_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)

    account: Mapped["Account | None"] = relationship(lazy="raise_on_sql")


class Interaction(CrmRecord, db.Model):
    __tablename__ = "crm_interactions"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id", name="uq_crm_interactions_project_external"),
        # The API's list in id order, its updated_since filter checked in the index as it goes, and the
        # few records changed since a recent moment found directly (planner.api.resources.crm).
        Index("ix_crm_interactions_project_keyset", "project_id", "id", "updated_at"),
        Index("ix_crm_interactions_project_updated", "project_id", "updated_at", "id"),
        Index("ix_crm_interactions_project_occurred", "project_id", "occurred_at", "id"),
        # Interactions without an outcome, for the closed-loop KPI (planner.kpis.engine.NO_OUTCOME).
        Index("ix_crm_interactions_project_no_outcome", "project_id", "occurred_at",
              sqlite_where=text("outcome = ''"), postgresql_where=text("outcome = ''")),
        Index("ix_crm_interactions_project_account", "project_id", "account_id", "occurred_at"),
        Index("ix_crm_interactions_project_captured", "project_id", "captured_by_id", "occurred_at"),
        Index("ix_crm_interactions_contact", "contact_id"),
    )
    kind = RecordKind.INTERACTIONS

    account_id: Mapped[int] = mapped_column(ForeignKey("crm_accounts.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contacts.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.PHONE)
    purpose: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    outcome: Mapped[str] = mapped_column(String(500), default="")

    account: Mapped[Account] = relationship(lazy="raise_on_sql")
    contact: Mapped["Contact | None"] = relationship(lazy="raise_on_sql")

    @property
    def name(self) -> str:
        return self.purpose


class ServiceCase(CrmRecord, db.Model):
    __tablename__ = "crm_cases"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id", name="uq_crm_cases_project_external"),
        # The API's list in id order, its updated_since filter checked in the index as it goes, and the
        # few records changed since a recent moment found directly (planner.api.resources.crm).
        Index("ix_crm_cases_project_keyset", "project_id", "id", "updated_at"),
        Index("ix_crm_cases_project_updated", "project_id", "updated_at", "id"),
        # Cases by opening date, with what first-contact resolution and satisfaction count: their
        # KPIs are read from the index alone (planner.kpis.engine).
        Index("ix_crm_cases_project_opened", "project_id", "opened_at", "id", "resolved_first_contact", "satisfaction"),
        Index("ix_crm_cases_project_subject", "project_id", "subject_key", "id"),
        Index("ix_crm_cases_project_closed", "project_id", "closed_at", "opened_at"),
        Index("ix_crm_cases_project_account", "project_id", "account_id", "opened_at"),
        Index("ix_crm_cases_project_captured", "project_id", "captured_by_id", "opened_at"),
        Index("ix_crm_cases_contact", "contact_id"),
    )
    kind = RecordKind.CASES

    account_id: Mapped[int] = mapped_column(ForeignKey("crm_accounts.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contacts.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(NAME_LENGTH))
    subject_key: Mapped[str] = mapped_column(KeyString(), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_first_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)

    account: Mapped[Account] = relationship(lazy="raise_on_sql")
    contact: Mapped["Contact | None"] = relationship(lazy="raise_on_sql")

    @property
    def name(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Opportunity(CrmRecord, db.Model):
    __tablename__ = "crm_opportunities"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id", name="uq_crm_opportunities_project_external"),
        # The API's list in id order, its updated_since filter checked in the index as it goes, and the
        # few records changed since a recent moment found directly (planner.api.resources.crm).
        Index("ix_crm_opportunities_project_keyset", "project_id", "id", "updated_at"),
        Index("ix_crm_opportunities_project_updated", "project_id", "updated_at", "id"),
        Index("ix_crm_opportunities_project_opened", "project_id", "opened_on", "id"),
        Index("ix_crm_opportunities_project_name", "project_id", "name_key", "id"),
        Index("ix_crm_opportunities_project_amount", "project_id", "amount", "id"),
        Index("ix_crm_opportunities_project_stage", "project_id", "stage", "opened_on"),
        Index("ix_crm_opportunities_project_kind_closed", "project_id", "kind", "closed_on", "stage"),
        Index("ix_crm_opportunities_project_account", "project_id", "account_id", "opened_on"),
        Index("ix_crm_opportunities_project_captured", "project_id", "captured_by_id", "opened_on"),
    )
    kind = RecordKind.OPPORTUNITIES

    account_id: Mapped[int] = mapped_column(ForeignKey("crm_accounts.id"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(KeyString(), default="")
    # ``kind`` names the record type on every model, so the column is ``opportunity_kind`` in Python.
    opportunity_kind: Mapped[OpportunityKind] = mapped_column(
        "kind", enum_column(OpportunityKind), default=OpportunityKind.NEW_BUSINESS)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    stage: Mapped[OpportunityStage] = mapped_column(enum_column(OpportunityStage),
                                                    default=OpportunityStage.PROSPECTING)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # When an open opportunity should close (a forecast, not a fact): CRM exports call it "Close Date".
    expected_close_on: Mapped[date | None] = mapped_column(Date)

    account: Mapped[Account] = relationship(lazy="raise_on_sql")


class ImportStatus(StrEnum):
    UPLOADED = "uploaded"
    CHECKED = "checked"
    PROBLEMS = "problems"
    IMPORTED = "imported"

    @property
    def label(self):
        return {
            ImportStatus.UPLOADED: lazy_pgettext("import status", "Waiting for a check"),
            ImportStatus.CHECKED: lazy_pgettext("import status", "Ready to import"),
            ImportStatus.PROBLEMS: lazy_pgettext("import status", "Has problems"),
            ImportStatus.IMPORTED: lazy_pgettext("import status", "Imported"),
        }[self]


class JobState(StrEnum):
    """Where the background work on an import stands (the check or the import, see ``ImportJob.work``)."""

    IDLE = "idle"
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"


class ImportJob(db.Model):
    """One uploaded file on its way into the records: mapping, check (dry run), then the import.

    The check and the import run in the worker: ``state`` says whether one is queued or running,
    ``work`` which one, ``claim`` the token of the worker that took it (taken by a conditional
    UPDATE, so two workers never run it twice), ``progress``/``progress_rows``/``heartbeat_at`` how
    far it got, ``error`` why the last one failed."""

    __tablename__ = "crm_import_jobs"
    __table_args__ = (Index("ix_crm_import_jobs_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer, default=0)
    file_format: Mapped[str] = mapped_column(String(8), default="csv")
    encoding: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str] = mapped_column(String(1), default=",")
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus), default=ImportStatus.UPLOADED)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_bad: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preview: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.IDLE)
    work: Mapped[str] = mapped_column(String(8), default="")
    claim: Mapped[str | None] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # per mille
    progress_rows: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(40), default="")

    created_by = relationship("User", lazy="raise_on_sql")


class ImportProblem(db.Model):
    """One bad row found by a dry run: its line in the file and a reason (a code and its values)."""

    __tablename__ = "crm_import_problems"
    __table_args__ = (Index("ix_crm_import_problems_job_line", "job_id", "line", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("crm_import_jobs.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40), default="")
    code: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text, default="")
    other_line: Mapped[int | None] = mapped_column(Integer)


class ImportMapping(db.Model):
    """The column mapping last used for a kind of file in a project, proposed again next time."""

    __tablename__ = "crm_import_mappings"
    __table_args__ = (UniqueConstraint("project_id", "kind", name="uq_crm_import_mappings_project_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind))
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
