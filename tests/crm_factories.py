"""Factories for CRM records in tests: each saves and returns the record (ORM path, so the KPI
cache hooks run as they do in the app). Names default to Chinese like the other factories."""

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from planner.crm.models import (
    Account,
    Channel,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    ServiceCase,
)
from planner.crm.services import prepare, refresh_duplicates
from planner.extensions import db

_n = itertools.count(1)


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _save(obj, commit=True):
    prepare(obj)
    db.session.add(obj)
    db.session.flush()
    if commit:
        db.session.commit()
    return obj


def account(project, name=None, by=None, created=None, **fields):
    n = next(_n)
    return _save(Account(project_id=project.id, name=name or f"客户{n}", captured_by_id=getattr(by, "id", by),
                         created_at=created or at(2026, 1, 5), **fields))


def contact(project, account=None, name=None, email="", phone="", by=None, created=None, **fields):
    n = next(_n)
    obj = _save(Contact(project_id=project.id, account_id=getattr(account, "id", account), name=name or f"联系人{n}",
                        email=email, phone=phone, captured_by_id=getattr(by, "id", by),
                        created_at=created or at(2026, 1, 5), **fields), commit=False)
    refresh_duplicates(project.id)
    db.session.commit()
    return obj


def interaction(project, account, when, outcome="已处理", by=None, channel=Channel.PHONE, **fields):
    return _save(Interaction(project_id=project.id, account_id=getattr(account, "id", account), occurred_at=when,
                             channel=channel, purpose=fields.pop("purpose", "咨询"), outcome=outcome,
                             captured_by_id=getattr(by, "id", by), **fields))


def case(project, account, opened, fcr=False, score=None, closed=None, by=None, **fields):
    n = next(_n)
    return _save(ServiceCase(project_id=project.id, account_id=getattr(account, "id", account),
                             subject=fields.pop("subject", f"问题{n}"), opened_at=opened, closed_at=closed,
                             resolved_first_contact=fcr, satisfaction=score, captured_by_id=getattr(by, "id", by),
                             **fields))


def opportunity(project, account, opened_on, kind=OpportunityKind.CROSS_SELL, stage=OpportunityStage.PROSPECTING,
                closed_on=None, amount="1000.00", by=None, **fields):
    n = next(_n)
    return _save(Opportunity(project_id=project.id, account_id=getattr(account, "id", account),
                             name=fields.pop("name", f"商机{n}"), opportunity_kind=kind, stage=stage,
                             opened_on=opened_on, closed_on=closed_on, amount=Decimal(amount),
                             captured_by_id=getattr(by, "id", by), **fields))


__all__ = ["account", "contact", "interaction", "case", "opportunity", "at", "date"]
