"""Record lists that stay fast at any size: prefix search on indexed keys, filters and sorts that
each match an index, and keyset pagination (``?after=`` / ``?before=`` a row's sort values), so a
page costs the same whether it is the first or the ten-thousandth and no COUNT(*) is ever run."""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from flask import request
from flask_babel import get_timezone
from sqlalchemy import and_, literal, or_, select, text, tuple_
from sqlalchemy.orm import joinedload

from planner.auth.models import User
from planner.crm.models import (
    Account,
    Channel,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    RecordKind,
    ServiceCase,
    search_key,
)
from planner.extensions import db
from planner.forms import date_arg, id_arg
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext

PER_PAGE = 50
SEARCH_ACCOUNT_LIMIT = 500  # interactions: at most this many accounts match a name search


@dataclass(frozen=True)
class Sort:
    key: str
    label: object
    column: object
    descending: bool = False
    kind: str = "text"  # how a cursor value is read back: text, datetime, date, decimal


@dataclass
class Page:
    items: list
    has_next: bool
    has_previous: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None


@dataclass
class Listing:
    query: object  # the filtered query, before paging (the CSV export reuses its conditions)
    model: object
    sort: Sort
    sorts: list
    filters: dict = field(default_factory=dict)
    term: str = ""
    options: dict = field(default_factory=dict)
    page: Page | None = None

    @property
    def active_filters(self) -> bool:
        return bool(self.term or any(self.filters.values()))


# --------------------------------------------------------------------------- cursors


def _encode(values) -> str:
    def plain(value):
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        if isinstance(value, (date, Decimal)):
            return str(value)
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str | None, sort: Sort):
    """The (sort value, id) of a cursor, or None when it is missing or not one of ours."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, row_id = json.loads(raw)
        row_id = int(row_id)
        if sort.kind == "datetime":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
        elif sort.kind == "date":
            value = date.fromisoformat(value)
        elif sort.kind == "decimal":
            value = Decimal(value)
        elif not isinstance(value, str):
            return None
    except (ValueError, TypeError, binascii.Error, InvalidOperation, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value, row_id


def keyset(query, model, sort: Sort, after: str | None, before: str | None, per_page: int = PER_PAGE,
           value_of=None) -> Page:
    """One query of ``per_page + 1`` rows after (or before) a cursor, in the order of ``sort``."""
    value_of = value_of or (lambda row: getattr(row, sort.column.key))
    key = tuple_(sort.column, model.id)
    forward = [sort.column.desc(), model.id.desc()] if sort.descending else [sort.column.asc(), model.id.asc()]
    backward = [sort.column.asc(), model.id.asc()] if sort.descending else [sort.column.desc(), model.id.desc()]
    after_key, before_key = _decode(after, sort), _decode(before, sort)

    def bound(cursor):
        return tuple_(literal(cursor[0], sort.column.type), literal(cursor[1], model.id.type))
    if before_key is not None:
        condition = key > bound(before_key) if sort.descending else key < bound(before_key)
        rows = list(db.session.scalars(query.where(condition).order_by(*backward).limit(per_page + 1)))
        has_previous = len(rows) > per_page
        items = list(reversed(rows[:per_page]))
        has_next = True
    else:
        if after_key is not None:
            condition = key < bound(after_key) if sort.descending else key > bound(after_key)
            query = query.where(condition)
        rows = list(db.session.scalars(query.order_by(*forward).limit(per_page + 1)))
        items = rows[:per_page]
        has_next = len(rows) > per_page
        has_previous = after_key is not None
    page = Page(items=items, has_next=has_next and bool(items), has_previous=has_previous and bool(items))
    if items:
        page.next_cursor = _encode([value_of(items[-1]), items[-1].id])
        page.previous_cursor = _encode([value_of(items[0]), items[0].id])
    return page


def prefix(column, term: str):
    """``column`` starts with ``term``: a range on the index (keys compare byte by byte)."""
    return and_(column >= term, column < term + "\U0010ffff")


def distinct_values(table: str, column: str, project_id: int, limit: int = 100) -> list[str]:
    """The distinct non-empty values of an indexed column, read by skipping through the index
    (one short index probe per value) instead of scanning every row."""
    if (table, column) not in {("crm_accounts", "segment"), ("crm_accounts", "country")}:
        raise ValueError("not an indexed list column")
    sql = text(f"""
        WITH RECURSIVE found(v) AS (
            SELECT MIN({column}) FROM {table} WHERE project_id = :project
            UNION ALL
            SELECT (SELECT MIN({column}) FROM {table} WHERE project_id = :project AND {column} > found.v)
            FROM found WHERE found.v IS NOT NULL
        )
        SELECT v FROM found WHERE v IS NOT NULL AND v <> '' LIMIT :limit
    """)  # noqa: S608 - table and column come from the fixed list above
    return [row[0] for row in db.session.execute(sql, {"project": project_id, "limit": limit})]


# --------------------------------------------------------------------------- arguments


def arg(name: str) -> str:
    return (request.args.get(name) or "").strip()[:200]


def arg_int(name: str) -> int | None:
    return id_arg(name)


def arg_date(name: str) -> date | None:
    return date_arg(name)


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(), get_timezone()).astimezone(UTC)


def _choose_sort(sorts: list[Sort]) -> Sort:
    wanted = arg("sort")
    return next((s for s in sorts if s.key == wanted), sorts[0])


# --------------------------------------------------------------------------- one function per kind


NAMED_BY = {Account: Account.name, Contact: Contact.name, User: User.name}


def shown_by_name(*relationships):
    """Loader options for the records a list shows next to each row by name (its account, contact,
    who captured it): joined into the page's one query, reading only their id and name."""
    options = []
    for relationship in relationships:
        target = relationship.property.mapper.class_
        options.append(joinedload(relationship).load_only(target.id, NAMED_BY[target]))
    return options


NAME_SORTS = lambda model: [  # noqa: E731
    Sort("name", _l("Name, A to Z"), model.name_key),
    Sort("-name", _l("Name, Z to A"), model.name_key, descending=True),
    Sort("-created", _l("Newest first"), model.created_at, descending=True, kind="datetime"),
    Sort("created", _l("Oldest first"), model.created_at, kind="datetime"),
]


def accounts(project) -> Listing:
    sorts = NAME_SORTS(Account)
    sort = _choose_sort(sorts)
    query = select(Account).where(Account.project_id == project.id)
    term = arg("q")
    if term:
        query = query.where(or_(prefix(Account.name_key, search_key(term)), Account.external_id == term))
    filters = {"segment": arg("segment"), "country": arg("country")}
    if filters["segment"]:
        query = query.where(Account.segment == filters["segment"])
    if filters["country"]:
        query = query.where(Account.country == filters["country"])
    options = {name: [(v, v) for v in distinct_values("crm_accounts", name, project.id)]
               for name in ("segment", "country")}
    return Listing(query, Account, sort, sorts, filters, term, options)


QUALITY = {"unreachable": _l("No valid e-mail or phone"), "duplicate": _l("Likely duplicates")}


def contacts(project) -> Listing:
    sorts = NAME_SORTS(Contact)
    sort = _choose_sort(sorts)
    query = (select(Contact).where(Contact.project_id == project.id)
             .options(*shown_by_name(Contact.account)))
    term = arg("q")
    if term:
        key = search_key(term)
        query = query.where(or_(prefix(Contact.name_key, key), prefix(Contact.email_key, term.lower()),
                                Contact.external_id == term))
    filters = {"quality": arg("quality") if arg("quality") in QUALITY else "", "account": arg_int("account")}
    if filters["quality"] == "unreachable":
        query = query.where(Contact.reachable.is_(False))
    elif filters["quality"] == "duplicate":
        query = query.where(Contact.is_duplicate.is_(True))
    if filters["account"]:
        query = query.where(Contact.account_id == filters["account"])
    return Listing(query, Contact, sort, sorts, filters, term, {"quality": list(QUALITY.items())})


def _account_filter(project, query, model, filters):
    if filters.get("account"):
        query = query.where(model.account_id == filters["account"])
    return query


def _matching_accounts(project, term: str) -> list[int]:
    return list(db.session.scalars(
        select(Account.id).where(Account.project_id == project.id, prefix(Account.name_key, search_key(term)))
        .order_by(Account.name_key).limit(SEARCH_ACCOUNT_LIMIT)))


OUTCOME = {"recorded": _l("Outcome recorded"), "missing": _l("Outcome missing")}


def interactions(project, members) -> Listing:
    sorts = [Sort("-occurred", _l("Newest first"), Interaction.occurred_at, descending=True, kind="datetime"),
             Sort("occurred", _l("Oldest first"), Interaction.occurred_at, kind="datetime")]
    sort = _choose_sort(sorts)
    query = (select(Interaction).where(Interaction.project_id == project.id)
             .options(*shown_by_name(Interaction.account, Interaction.contact, Interaction.captured_by)))
    term = arg("q")
    if term:
        query = query.where(Interaction.account_id.in_(_matching_accounts(project, term)))
    filters = {"channel": arg("channel") if arg("channel") in Channel._value2member_map_ else "",
               "captured_by": arg_int("captured_by") if arg_int("captured_by") in members else None,
               "outcome": arg("outcome") if arg("outcome") in OUTCOME else "",
               "since": arg_date("since"), "until": arg_date("until"), "account": arg_int("account")}
    if filters["channel"]:
        query = query.where(Interaction.channel == Channel(filters["channel"]))
    if filters["captured_by"]:
        query = query.where(Interaction.captured_by_id == filters["captured_by"])
    if filters["outcome"] == "recorded":
        query = query.where(Interaction.outcome != "")
    elif filters["outcome"] == "missing":
        query = query.where(Interaction.outcome == "")
    if filters["since"]:
        query = query.where(Interaction.occurred_at >= local_day_start(filters["since"]))
    if filters["until"]:
        query = query.where(Interaction.occurred_at < local_day_start(filters["until"] + timedelta(days=1)))
    query = _account_filter(project, query, Interaction, filters)
    return Listing(query, Interaction, sort, sorts, filters, term,
                   {"channel": [(c.value, c.label) for c in Channel], "outcome": list(OUTCOME.items()),
                    "captured_by": list(members.items())})


CASE_STATUS = {"open": lazy_pgettext("case status", "Open"), "closed": lazy_pgettext("case status", "Closed")}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}


def cases(project) -> Listing:
    sorts = [Sort("-opened", _l("Newest first"), ServiceCase.opened_at, descending=True, kind="datetime"),
             Sort("opened", _l("Oldest first"), ServiceCase.opened_at, kind="datetime"),
             Sort("subject", _l("Subject, A to Z"), ServiceCase.subject_key)]
    sort = _choose_sort(sorts)
    query = (select(ServiceCase).where(ServiceCase.project_id == project.id)
             .options(*shown_by_name(ServiceCase.account)))
    term = arg("q")
    if term:
        query = query.where(or_(prefix(ServiceCase.subject_key, search_key(term)), ServiceCase.external_id == term))
    filters = {"status": arg("status") if arg("status") in CASE_STATUS else "",
               "fcr": arg("fcr") if arg("fcr") in YES_NO else "", "account": arg_int("account")}
    if filters["status"] == "open":
        query = query.where(ServiceCase.closed_at.is_(None))
    elif filters["status"] == "closed":
        query = query.where(ServiceCase.closed_at.is_not(None))
    if filters["fcr"]:
        query = query.where(ServiceCase.resolved_first_contact.is_(filters["fcr"] == "yes"))
    query = _account_filter(project, query, ServiceCase, filters)
    return Listing(query, ServiceCase, sort, sorts, filters, term,
                   {"status": list(CASE_STATUS.items()), "fcr": list(YES_NO.items())})


def opportunities(project) -> Listing:
    sorts = [Sort("-opened", _l("Newest first"), Opportunity.opened_on, descending=True, kind="date"),
             Sort("opened", _l("Oldest first"), Opportunity.opened_on, kind="date"),
             Sort("-amount", _l("Largest amount first"), Opportunity.amount, descending=True, kind="decimal"),
             Sort("amount", _l("Smallest amount first"), Opportunity.amount, kind="decimal"),
             Sort("name", _l("Name, A to Z"), Opportunity.name_key)]
    sort = _choose_sort(sorts)
    query = (select(Opportunity).where(Opportunity.project_id == project.id)
             .options(*shown_by_name(Opportunity.account)))
    term = arg("q")
    if term:
        query = query.where(or_(prefix(Opportunity.name_key, search_key(term)), Opportunity.external_id == term))
    filters = {"type": arg("type") if arg("type") in OpportunityKind._value2member_map_ else "",
               "stage": arg("stage") if arg("stage") in OpportunityStage._value2member_map_ else "",
               "account": arg_int("account")}
    if filters["type"]:
        query = query.where(Opportunity.opportunity_kind == OpportunityKind(filters["type"]))
    if filters["stage"]:
        query = query.where(Opportunity.stage == OpportunityStage(filters["stage"]))
    query = _account_filter(project, query, Opportunity, filters)
    return Listing(query, Opportunity, sort, sorts, filters, term,
                   {"type": [(k.value, k.label) for k in OpportunityKind],
                    "stage": [(v.value, v.label) for v in OpportunityStage]})


def build(kind: RecordKind, project, members=None) -> Listing:
    """The list's query with the search and filters of the request, not yet paged."""
    kind = RecordKind(kind)
    if kind is RecordKind.INTERACTIONS:
        return interactions(project, members or {})
    return {RecordKind.ACCOUNTS: accounts, RecordKind.CONTACTS: contacts, RecordKind.CASES: cases,
            RecordKind.OPPORTUNITIES: opportunities}[kind](project)


def listing(kind: RecordKind, project, members=None) -> Listing:
    """One page of the list, as the request asks for it."""
    found = build(kind, project, members)
    found.page = keyset(found.query, found.model, found.sort, arg("after"), arg("before"))
    return found
