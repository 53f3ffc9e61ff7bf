"""Operations on CRM records. Each adds an audit event; the caller commits.

Who may change what: every member of a project (staff included) captures records; a project
manager edits and deletes any record of the project; other members edit and delete only the
records they captured themselves. Administrators who are not members only read.
"""


from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from planner import MAX_ID
from planner.audit.services import record, register
from planner.crm.models import (
    Account,
    Contact,
    Interaction,
    Opportunity,
    RecordKind,
    ServiceCase,
    search_key,
    valid_email,
    valid_phone,
)
from planner.crm.signals import records_changed
from planner.dates import utc_date
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l


class Filled:
    """A lazy message whose placeholders are filled by other lazy strings, in the reader's language."""

    def __init__(self, message, **values):
        self.message, self.values = message, values

    def __str__(self) -> str:
        return str(self.message) % {name: str(value) for name, value in self.values.items()}


_MESSAGES = {
    RecordKind.ACCOUNTS: (_l("Added the account “%(name)s”."), _l("Changed the account “%(name)s”."),
                          _l("Deleted the account “%(name)s”.")),
    RecordKind.CONTACTS: (_l("Added the contact “%(name)s”."), _l("Changed the contact “%(name)s”."),
                          _l("Deleted the contact “%(name)s”.")),
    RecordKind.INTERACTIONS: (_l("Recorded an interaction: “%(name)s”."), _l("Changed the interaction “%(name)s”."),
                              _l("Deleted the interaction “%(name)s”.")),
    RecordKind.CASES: (_l("Opened the service case “%(name)s”."), _l("Changed the service case “%(name)s”."),
                       _l("Deleted the service case “%(name)s”.")),
    RecordKind.OPPORTUNITIES: (_l("Added the opportunity “%(name)s”."), _l("Changed the opportunity “%(name)s”."),
                               _l("Deleted the opportunity “%(name)s”.")),
}
for _kind, (_created, _changed, _deleted) in _MESSAGES.items():
    register(f"crm.{_kind.value}.created", _created)
    register(f"crm.{_kind.value}.updated", _changed)
    register(f"crm.{_kind.value}.deleted", _deleted)
    register(f"crm.{_kind.value}.imported", Filled(
        _l("Imported “%(file)s” into %(kind)s: %(inserted)s added, %(updated)s updated, %(unchanged)s unchanged."),
        kind=_kind.label, file="%(file)s", inserted="%(inserted)s", updated="%(updated)s",
        unchanged="%(unchanged)s"))
    register(f"crm.{_kind.value}.exported", Filled(_l("Exported the list of %(kind)s to CSV."), kind=_kind.label))


# --------------------------------------------------------------------------- permissions


def can_capture(membership) -> bool:
    return membership is not None


def can_edit(record_, user, membership) -> bool:
    if membership is None:
        return False
    return membership.is_manager or (record_.captured_by_id is not None and record_.captured_by_id == user.id)


# --------------------------------------------------------------------------- derived columns


def prepare(obj) -> None:
    """Trims the texts and fills the normalised columns used by search, sorting and the KPIs."""
    columns = type(obj).__table__.c
    for column in ("name", "subject", "segment", "industry", "country", "city", "email", "phone", "job_title",
                   "purpose", "outcome"):
        if column in columns and isinstance(getattr(obj, column, None), str):
            setattr(obj, column, getattr(obj, column).strip())
    if isinstance(obj, (Account, Contact, Opportunity)):
        obj.name_key = search_key(obj.name)
    if isinstance(obj, ServiceCase):
        obj.subject_key = search_key(obj.subject)
    if isinstance(obj, Contact):
        obj.email_key = (obj.email or "").strip().lower()[:254]
        obj.reachable = valid_email(obj.email) or valid_phone(obj.phone)


def duplicate_condition(table=Contact):
    """SQL: the contact has an earlier contact of its project with the same e-mail address, or with
    the same name at the same account (the normalised keys ignore case and accents)."""
    other = aliased(Contact)
    earlier = or_(other.created_at < table.created_at,
                  and_(other.created_at == table.created_at, other.id < table.id))
    same_email = exists().where(other.project_id == table.project_id, table.email_key != "",
                                other.email_key == table.email_key, earlier)
    same_name = exists().where(other.project_id == table.project_id, table.account_id.is_not(None),
                               table.name_key != "", other.account_id == table.account_id,
                               other.name_key == table.name_key, earlier)
    return or_(same_email, same_name)


def refresh_duplicates(project_id: int, email_keys=None, account_ids=None) -> int:
    """Recomputes the likely-duplicate flag of the project's contacts (only those sharing one of
    ``email_keys`` or belonging to one of ``account_ids`` when given); forgets the data-quality
    values from the earliest contact whose flag changed. Returns how many flags changed."""
    flag = duplicate_condition()
    scope = [Contact.project_id == project_id, Contact.is_duplicate != flag]
    if email_keys is not None or account_ids is not None:
        parts = []
        if email_keys:
            parts.append(Contact.email_key.in_(list(email_keys)))
        if account_ids:
            parts.append(Contact.account_id.in_(list(account_ids)))
        if not parts:
            return 0
        scope.append(or_(*parts))
    changed, earliest = db.session.execute(select(func.count(), func.min(Contact.created_at)).where(*scope)).one()
    if changed:
        db.session.execute(update(Contact).where(*scope).values(is_duplicate=flag),
                           execution_options={"synchronize_session": False})
        records_changed.send(project_id, kind=RecordKind.CONTACTS, since=utc_date(earliest))
    return changed


# --------------------------------------------------------------------------- create, change, delete


def _audit(action: str, obj) -> None:
    record(f"crm.{obj.kind.value}.{action}", project=obj.project_id, target=obj, name=obj.display_name)


class ExternalIdTaken(DomainError):
    """Another record of the same kind in the project already has this external id."""


def _check(obj) -> None:
    if obj.external_id:
        model = type(obj)
        with db.session.no_autoflush:
            clash = db.session.scalar(select(model.id).where(model.project_id == obj.project_id,
                                                             model.external_id == obj.external_id,
                                                             model.id != (obj.id or 0)))
        if clash is not None:
            raise ExternalIdTaken(_l("Another record of this kind already has this external id."))
    if isinstance(obj, ServiceCase) and obj.closed_at is not None and obj.closed_at < obj.opened_at:
        raise DomainError(_l("A case cannot be closed before it was opened."))
    if isinstance(obj, Opportunity):
        if obj.stage.is_closed and obj.closed_on is None:
            raise DomainError(_l("A won or lost opportunity needs the date it was closed."))
        if not obj.stage.is_closed and obj.closed_on is not None:
            raise DomainError(_l("Only a won or lost opportunity has a closing date."))
        if obj.closed_on is not None and obj.closed_on < obj.opened_on:
            raise DomainError(_l("An opportunity cannot close before it was opened."))


def _dedupe_after_change(obj, old_email_key=None, old_account_id=None) -> None:
    if isinstance(obj, Contact):
        emails = {key for key in (obj.email_key, old_email_key) if key}
        accounts = {key for key in (obj.account_id, old_account_id) if key}
        refresh_duplicates(obj.project_id, emails, accounts)


def create(project, kind: RecordKind, fields: dict, user) -> object:
    model = RecordKind(kind).model
    obj = model(project_id=project.id, **fields)
    obj.external_id = obj.external_id or None
    if obj.captured_by_id is None:
        obj.captured_by_id = user.id
    prepare(obj)
    _check(obj)
    db.session.add(obj)
    db.session.flush()
    _dedupe_after_change(obj)
    _audit("created", obj)
    return obj


def update_record(obj, fields: dict) -> bool:
    old_email_key = getattr(obj, "email_key", None)
    old_account_id = getattr(obj, "account_id", None)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.external_id = obj.external_id or None
    prepare(obj)
    _check(obj)
    changed = db.session.is_modified(obj)
    db.session.flush()
    _dedupe_after_change(obj, old_email_key, old_account_id)
    if changed:
        _audit("updated", obj)
    return changed


def dependants(account: Account) -> bool:
    for model in (Contact, Interaction, ServiceCase, Opportunity):
        if db.session.scalar(select(exists().where(model.project_id == account.project_id,
                                                   model.account_id == account.id))):
            return True
    return False


def delete_record(obj) -> None:
    if isinstance(obj, Account) and dependants(obj):
        raise DomainError(_l("This account still has contacts, interactions, cases or opportunities. "
                             "Delete or move them first."))
    _audit("deleted", obj)
    email_key, account_id, project_id = getattr(obj, "email_key", None), getattr(obj, "account_id", None), \
        obj.project_id
    db.session.delete(obj)
    db.session.flush()
    if isinstance(obj, Contact):
        refresh_duplicates(project_id, {email_key} - {"", None}, {account_id} - {None})


def resolve_account(project, text: str) -> Account | None:
    """An account from what a person typed: "Name (#12)", "#12", an external id or an exact name."""
    return _resolve(project, Account, text)


def resolve_contact(project, text: str) -> Contact | None:
    return _resolve(project, Contact, text)


def _resolve(project, model, text: str):
    import re

    text = (text or "").strip()
    if not text:
        return None
    match = re.search(r"#(\d+)\)?\s*$", text)
    if match:
        record_id = int(match.group(1))
        if record_id > MAX_ID:
            return None
        return db.session.scalar(select(model).where(model.project_id == project.id, model.id == record_id))
    found = db.session.scalar(select(model).where(model.project_id == project.id, model.external_id == text))
    if found is not None:
        return found
    matches = db.session.scalars(select(model).where(model.project_id == project.id,
                                                     model.name_key == search_key(text)).limit(2)).all()
    if len(matches) > 1:
        raise DomainError(_l("Several records have this name. Pick one from the suggestions."))
    return matches[0] if matches else None


def reference_text(obj) -> str:
    return f"{obj.name} (#{obj.id})" if obj is not None else ""
