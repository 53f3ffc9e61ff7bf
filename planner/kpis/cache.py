"""Keeps computed KPI values (``KpiSnapshot``) and throws them away when the records change.

A KPI as of day D depends only on records dated on or before D (and, for adoption, on the
project's members). So when a record dated T is added, changed or deleted, every cached value
as of T or later for the KPIs that record feeds is deleted, in the same transaction. Values as of
earlier days stay valid, which keeps weekly trends cheap at any data size.

ORM writes are noticed by session hooks; the CRM announces its bulk writes (imports, duplicate
flags) with the ``planner.crm.signals.records_changed`` signal; generators call
``invalidate(project_id, since, keys)`` themselves. ``init_app`` installs the hooks and the
listener (the KPI blueprint calls it when the application registers it).
"""

import functools
from datetime import date
from itertools import chain

from sqlalchemy import bindparam, delete, event, inspect, select
from sqlalchemy.orm import Session

from planner.crm.models import Account, Contact, Interaction, Opportunity, RecordKind, ServiceCase
from planner.crm.signals import records_changed
from planner.dates import utc_date, utc_today
from planner.db import utcnow
from planner.extensions import db
from planner.kpis.definitions import KpiKey
from planner.kpis.models import KpiSnapshot
from planner.projects.models import ProjectMember

# Which KPIs each kind of record feeds.
KEYS_BY_KIND: dict[RecordKind, tuple[KpiKey, ...]] = {
    RecordKind.ACCOUNTS: (KpiKey.ADOPTION,),
    RecordKind.CONTACTS: (KpiKey.ADOPTION, KpiKey.DATA_QUALITY),
    RecordKind.INTERACTIONS: (KpiKey.ADOPTION, KpiKey.CLOSED_LOOP, KpiKey.RETENTION),
    RecordKind.CASES: (KpiKey.ADOPTION, KpiKey.FIRST_CONTACT_RESOLUTION, KpiKey.SATISFACTION),
    RecordKind.OPPORTUNITIES: (KpiKey.ADOPTION, KpiKey.CROSS_SELL_WIN_RATE),
}
# The columns that date a record for the KPIs.
DATE_COLUMNS = {
    Account: ("created_at",),
    Contact: ("created_at",),
    Interaction: ("occurred_at",),
    ServiceCase: ("opened_at",),
    Opportunity: ("opened_on", "closed_on"),
}
CRM_MODELS = tuple(DATE_COLUMNS)


# --------------------------------------------------------------------------- reading and writing values


def read(project_ids, keys, dates) -> dict[tuple[int, KpiKey, date], tuple[int, int]]:
    """Cached (numerator, denominator) by (project, key, as-of date): one query."""
    project_ids, keys, dates = list(project_ids), list(keys), list(dates)
    if not (project_ids and keys and dates):
        return {}
    rows = db.session.execute(_read_statement(), {"project_ids": project_ids, "keys": keys, "dates": dates})
    return {(pid, KpiKey(key), as_of): (num, den) for pid, key, as_of, num, den in rows}


@functools.cache
def _read_statement():
    """``read``'s query, built once per process (the KPI page and the overview read the cache on every
    visit): the projects, keys and dates are parameters."""
    s = KpiSnapshot
    return (select(s.project_id, s.key, s.as_of, s.numerator, s.denominator)
            .where(s.project_id.in_(bindparam("project_ids", expanding=True)),
                   s.key.in_(bindparam("keys", expanding=True)), s.as_of.in_(bindparam("dates", expanding=True))))


def store(values: dict[tuple[int, KpiKey, date], tuple[int, int]]) -> None:
    """Saves computed values; a value another request saved meanwhile is left as it is."""
    if not values:
        return
    rows = [{"project_id": pid, "key": key, "as_of": as_of, "numerator": num, "denominator": den,
             "computed_at": utcnow()} for (pid, key, as_of), (num, den) in values.items()]
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect}")
    statement = insert(KpiSnapshot).on_conflict_do_nothing(index_elements=["project_id", "key", "as_of"])
    db.session.execute(statement, rows)


def invalidate(project_id: int, since: date | None = None, keys=None, connection=None) -> None:
    """Forgets the cached values of ``keys`` (all KPIs by default) as of ``since`` or later
    (every date when ``since`` is None)."""
    statement = delete(KpiSnapshot).where(KpiSnapshot.project_id == project_id)
    if keys is not None:
        statement = statement.where(KpiSnapshot.key.in_([KpiKey(k) for k in keys]))
    if since is not None:
        statement = statement.where(KpiSnapshot.as_of >= since)
    (connection or db.session).execute(statement)


def invalidate_kind(project_id: int, kind: RecordKind, since: date | None, connection=None) -> None:
    invalidate(project_id, since, KEYS_BY_KIND[RecordKind(kind)], connection=connection)


# --------------------------------------------------------------------------- noticing ORM writes


def _dates_of(obj, state) -> list[date]:
    found = []
    for name in DATE_COLUMNS[type(obj)]:
        history = state.attrs[name].history
        for value in chain(history.added or (), history.deleted or (), history.unchanged or ()):
            day = utc_date(value)
            if day is not None:
                found.append(day)
        if not history.added and not history.deleted and not history.unchanged and state.persistent:
            day = utc_date(getattr(obj, name))  # expired since the last commit: loads it
            if day is not None:
                found.append(day)
    return found


def _project_ids(obj, state) -> set[int]:
    history = state.attrs["project_id"].history
    ids = set(chain(history.added or (), history.deleted or (), history.unchanged or ()))
    if not ids and state.persistent:
        ids.add(obj.project_id)  # expired since the last commit: loads it
    ids.discard(None)
    return ids


def _collect(session, _flush_context, _instances):
    pending: dict[tuple[int, KpiKey], date | None] = session.info.setdefault("kpi_invalidate", {})

    def note(project_id, keys, since):
        for key in keys:
            slot = (project_id, key)
            if slot in pending and (pending[slot] is None or (since is not None and pending[slot] <= since)):
                continue
            pending[slot] = since

    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, CRM_MODELS):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            state = inspect(obj)
            dates = _dates_of(obj, state)
            if not dates and obj in session.new:
                dates = [utc_today()]  # created_at is filled in by its default during the flush
            since = min(dates) if dates else None
            for project_id in _project_ids(obj, state):
                note(project_id, KEYS_BY_KIND[obj.kind], since)
        elif isinstance(obj, ProjectMember):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            for project_id in _project_ids(obj, inspect(obj)):
                note(project_id, (KpiKey.ADOPTION,), None)


def _apply(session, _flush_context):
    pending = session.info.pop("kpi_invalidate", None)
    if not pending:
        return
    connection = session.connection()
    by_scope: dict[tuple[int, date | None], list[KpiKey]] = {}
    for (project_id, key), since in pending.items():
        by_scope.setdefault((project_id, since), []).append(key)
    for (project_id, since), keys in by_scope.items():
        invalidate(project_id, since, keys, connection=connection)


def _forget(session):
    session.info.pop("kpi_invalidate", None)


def _records_changed(project_id, kind, since=None, **_extra) -> None:
    invalidate_kind(project_id, kind, since)


# --------------------------------------------------------------------------- installing


_SESSION_HOOKS = (("before_flush", _collect), ("after_flush", _apply), ("after_rollback", _forget))


def init_app(app) -> None:
    """Keeps the cache current in this process: the session hooks (on every SQLAlchemy session,
    installed once) and the CRM's bulk-write signal."""
    for name, hook in _SESSION_HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
    records_changed.connect(_records_changed)
