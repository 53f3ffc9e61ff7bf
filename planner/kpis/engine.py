"""The KPI calculations, in SQL.

Each function takes many project ids and one as-of date and runs ONE aggregate query grouped by
project; it returns ``{project_id: (numerator, denominator)}`` (projects without data are
absent). No record is loaded into Python. See ``definitions.DEFINITIONS`` for what each counts.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, or_, select

from planner.crm.models import (
    Account,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    ServiceCase,
)
from planner.extensions import db
from planner.kpis.definitions import DEFINITIONS, KpiKey
from planner.projects.models import ProjectMember

Counts = dict[int, tuple[int, int]]


def day_end(as_of: date) -> datetime:
    """The first instant after ``as_of`` (UTC): windows are [start, end)."""
    return datetime.combine(as_of + timedelta(days=1), time(), UTC)


def window(as_of: date, days: int) -> tuple[datetime, datetime]:
    end = day_end(as_of)
    return end - timedelta(days=days), end


def _ones(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _run(query) -> Counts:
    return {pid: (int(num or 0), int(den or 0)) for pid, den, num in db.session.execute(query)}


def adoption(project_ids, as_of: date) -> Counts:
    days = DEFINITIONS[KpiKey.ADOPTION].window_days
    start, end = window(as_of, days)
    first_day = as_of - timedelta(days=days - 1)
    m = ProjectMember

    def captured(model, column, low, high):
        return exists().where(model.project_id == m.project_id, model.captured_by_id == m.user_id,
                              column >= low, column < high)

    active = or_(
        captured(Interaction, Interaction.occurred_at, start, end),
        captured(ServiceCase, ServiceCase.opened_at, start, end),
        captured(Opportunity, Opportunity.opened_on, first_day, as_of + timedelta(days=1)),
        captured(Contact, Contact.created_at, start, end),
        captured(Account, Account.created_at, start, end),
    )
    query = (
        select(m.project_id, func.count(), _ones(active))
        .where(m.project_id.in_(project_ids), m.is_manager.is_(False), m.is_sponsor.is_(False),
               m.joined_at < end)
        .group_by(m.project_id)
    )
    return _run(query)


def closed_loop(project_ids, as_of: date) -> Counts:
    start, end = window(as_of, DEFINITIONS[KpiKey.CLOSED_LOOP].window_days)
    i = Interaction
    query = (
        select(i.project_id, func.count(), _ones(i.outcome != ""))
        .where(i.project_id.in_(project_ids), i.occurred_at >= start, i.occurred_at < end)
        .group_by(i.project_id)
    )
    return _run(query)


def first_contact_resolution(project_ids, as_of: date) -> Counts:
    start, end = window(as_of, DEFINITIONS[KpiKey.FIRST_CONTACT_RESOLUTION].window_days)
    c = ServiceCase
    query = (
        select(c.project_id, func.count(), _ones(c.resolved_first_contact.is_(True)))
        .where(c.project_id.in_(project_ids), c.opened_at >= start, c.opened_at < end)
        .group_by(c.project_id)
    )
    return _run(query)


def satisfaction(project_ids, as_of: date) -> Counts:
    start, end = window(as_of, DEFINITIONS[KpiKey.SATISFACTION].window_days)
    c = ServiceCase
    query = (
        select(c.project_id, func.count(c.satisfaction), func.coalesce(func.sum(c.satisfaction), 0))
        .where(c.project_id.in_(project_ids), c.opened_at >= start, c.opened_at < end,
               c.satisfaction.is_not(None))
        .group_by(c.project_id)
    )
    return _run(query)


def cross_sell_win_rate(project_ids, as_of: date) -> Counts:
    days = DEFINITIONS[KpiKey.CROSS_SELL_WIN_RATE].window_days
    o = Opportunity
    query = (
        select(o.project_id, func.count(), _ones(o.stage == OpportunityStage.WON))
        .where(o.project_id.in_(project_ids),
               o.opportunity_kind.in_([OpportunityKind.CROSS_SELL, OpportunityKind.UP_SELL]),
               o.stage.in_([OpportunityStage.WON, OpportunityStage.LOST]),
               o.closed_on >= as_of - timedelta(days=days - 1), o.closed_on <= as_of)
        .group_by(o.project_id)
    )
    return _run(query)


def retention(project_ids, as_of: date) -> Counts:
    days = DEFINITIONS[KpiKey.RETENTION].window_days
    current_start, end = window(as_of, days)
    previous_start = current_start - timedelta(days=days)
    i = Interaction
    # The dates are compared through coalesce() so that the planner reads the (project, account, date)
    # index in account order, grouping as it goes, rather than the date index plus a lookup of every
    # row's account: three to five times faster on a million interactions.
    when = func.coalesce(i.occurred_at, i.occurred_at)
    per_account = (
        select(i.project_id.label("project_id"),
               func.min(i.occurred_at).label("first_seen"),
               func.max(i.occurred_at).label("last_seen"))
        .where(i.project_id.in_(project_ids), when >= previous_start, when < end)
        .group_by(i.project_id, i.account_id)
        .subquery()
    )
    query = (
        select(per_account.c.project_id, func.count(), _ones(per_account.c.last_seen >= current_start))
        .where(per_account.c.first_seen < current_start)
        .group_by(per_account.c.project_id)
    )
    return _run(query)


def data_quality(project_ids, as_of: date) -> Counts:
    c = Contact
    query = (
        select(c.project_id, func.count(), _ones(and_(c.reachable.is_(True), c.is_duplicate.is_(False))))
        .where(c.project_id.in_(project_ids), c.created_at < day_end(as_of))
        .group_by(c.project_id)
    )
    return _run(query)


CALCULATIONS = {
    KpiKey.ADOPTION: adoption,
    KpiKey.CLOSED_LOOP: closed_loop,
    KpiKey.FIRST_CONTACT_RESOLUTION: first_contact_resolution,
    KpiKey.SATISFACTION: satisfaction,
    KpiKey.CROSS_SELL_WIN_RATE: cross_sell_win_rate,
    KpiKey.RETENTION: retention,
    KpiKey.DATA_QUALITY: data_quality,
}


def compute(key: KpiKey, project_ids, as_of: date) -> Counts:
    """``{project_id: (numerator, denominator)}`` of KPI ``key`` as of ``as_of``, one query."""
    project_ids = list(project_ids)
    if not project_ids:
        return {}
    return CALCULATIONS[KpiKey(key)](project_ids, as_of)
