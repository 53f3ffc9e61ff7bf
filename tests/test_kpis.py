"""KPI values on small hand-built data sets; each expected value is worked out in the test from
the facts it sets up (see the comments), never read back from the code under test. Runs on SQLite
and PostgreSQL alike (``make test`` runs both)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, select

from planner.crm.models import Contact, Interaction, OpportunityKind, OpportunityStage, RecordKind
from planner.crm.services import update_record
from planner.crm.signals import records_changed
from planner.errors import DomainError
from planner.kpis import services
from planner.kpis.definitions import KpiKey, KpiStatus, status_of
from planner.kpis.models import BaselineSource, KpiSetting, KpiSnapshot
from planner.projects.models import ProjectMember
from tests import crm_factories as f
from tests.crm_factories import at

AS_OF = date(2026, 9, 13)  # a Sunday
LONG_AGO = at(2026, 1, 1)


def ratio(numerator, denominator) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def member(db, project, user, joined=LONG_AGO, manager=False, sponsor=False):
    row = ProjectMember(project_id=project.id, user_id=user.id, is_manager=manager, is_sponsor=sponsor,
                        joined_at=joined)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def team(db, make_user, make_project):
    """A project with a manager, a sponsor, three staff (a, b, c) and d who joined after AS_OF."""
    project = make_project()
    users = {name: make_user(name=f"成员{name}") for name in ("m", "s", "a", "b", "c", "d")}
    member(db, project, users["m"], manager=True)
    member(db, project, users["s"], sponsor=True)
    for name in ("a", "b", "c"):
        member(db, project, users[name])
    member(db, project, users["d"], joined=at(2026, 9, 20))
    return project, users


class CountQueries:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


# --------------------------------------------------------------------------- each KPI


def test_adoption_counts_in_scope_staff_who_captured_something_in_the_seven_days(team, db):
    project, u = team
    acme = f.account(project, by=u["m"])
    f.interaction(project, acme, at(2026, 9, 10), by=u["a"])  # a: active
    f.opportunity(project, acme, date(2026, 9, 7), by=u["b"])  # b: first day of the window
    f.interaction(project, acme, at(2026, 9, 6, 23, 59), by=u["c"])  # c: the day before the window
    f.contact(project, acme, by=u["c"], created=at(2026, 9, 14, 0, 0))  # c: the day after
    f.interaction(project, acme, at(2026, 9, 12), by=u["m"])  # the manager is not in scope
    f.case(project, acme, at(2026, 9, 12), by=u["s"])  # nor is the sponsor
    f.interaction(project, acme, at(2026, 9, 12), by=u["d"])  # d joined after the window
    # In scope on 13 September: a, b, c. Active: a, b.
    assert services.kpi_value(project, KpiKey.ADOPTION, AS_OF) == ratio(2, 3)
    result = services.kpi_result(project, KpiKey.ADOPTION, AS_OF)
    assert (result.numerator, result.denominator) == (2, 3)
    # A week later d is in scope too (4 staff), and only c captured something in 14-20 September.
    assert services.kpi_value(project, KpiKey.ADOPTION, date(2026, 9, 20)) == ratio(1, 4)


def test_adoption_counts_every_kind_of_record(team, db):
    project, u = team
    acme = f.account(project, by=u["a"], created=at(2026, 9, 8))  # a: an account
    f.contact(project, acme, by=u["b"], created=at(2026, 9, 9))  # b: a contact
    f.case(project, acme, at(2026, 9, 13, 23, 59), by=u["c"])  # c: a case on the last minute
    assert services.kpi_value(project, KpiKey.ADOPTION, AS_OF) == Decimal("1.0000")


def test_adoption_without_staff_in_scope_has_no_value(make_project, make_user, db):
    project = make_project()
    member(db, project, make_user(), manager=True)
    assert services.kpi_value(project, KpiKey.ADOPTION, AS_OF) is None


def test_closed_loop_is_the_share_of_interactions_with_an_outcome_in_28_days(team, db):
    project, _u = team
    acme = f.account(project)
    f.interaction(project, acme, at(2026, 8, 16, 23, 59), outcome="")  # outside: before 17 August
    f.interaction(project, acme, at(2026, 8, 17, 0, 0), outcome="已报价")  # first minute of the window
    f.interaction(project, acme, at(2026, 9, 1), outcome="")
    f.interaction(project, acme, at(2026, 9, 5), outcome="约好回访")
    f.interaction(project, acme, at(2026, 9, 13, 23, 59), outcome="   ")  # blank after trimming: no outcome
    f.interaction(project, acme, at(2026, 9, 14, 0, 0), outcome="已解决")  # outside: the next day
    # In the window: 4 interactions, 2 with an outcome.
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, AS_OF) == Decimal("0.5000")


def test_first_contact_resolution_and_satisfaction_use_the_cases_opened_in_28_days(team, db):
    project, _u = team
    acme = f.account(project)
    f.case(project, acme, at(2026, 8, 20), fcr=True, score=5)
    f.case(project, acme, at(2026, 8, 25), fcr=False, score=2)
    f.case(project, acme, at(2026, 9, 10), fcr=True, score=None)  # no score: left out of satisfaction
    f.case(project, acme, at(2026, 9, 12), fcr=True, score=4, closed=at(2026, 9, 12, 15))
    f.case(project, acme, at(2026, 8, 10), fcr=True, score=1)  # opened before the window
    # FCR: 3 of the 4 cases opened in the window. Satisfaction: (5 + 2 + 4) / 3 = 3.67.
    assert services.kpi_value(project, KpiKey.FIRST_CONTACT_RESOLUTION, AS_OF) == Decimal("0.7500")
    assert services.kpi_value(project, KpiKey.SATISFACTION, AS_OF) == Decimal("3.67")
    result = services.kpi_result(project, KpiKey.SATISFACTION, AS_OF)
    assert (result.numerator, result.denominator) == (11, 3)


def test_cross_sell_win_rate_counts_closed_cross_and_up_sell_in_90_days(team, db):
    project, _u = team
    acme = f.account(project)
    won, lost = OpportunityStage.WON, OpportunityStage.LOST
    f.opportunity(project, acme, date(2026, 5, 1), OpportunityKind.CROSS_SELL, won, date(2026, 6, 16))  # first day
    f.opportunity(project, acme, date(2026, 7, 1), OpportunityKind.UP_SELL, won, date(2026, 9, 13))  # last day
    f.opportunity(project, acme, date(2026, 7, 1), OpportunityKind.UP_SELL, lost, date(2026, 8, 1))
    f.opportunity(project, acme, date(2026, 7, 1), OpportunityKind.CROSS_SELL, lost, date(2026, 8, 2))
    f.opportunity(project, acme, date(2026, 5, 1), OpportunityKind.CROSS_SELL, won, date(2026, 6, 15))  # too early
    f.opportunity(project, acme, date(2026, 7, 1), OpportunityKind.NEW_BUSINESS, won, date(2026, 8, 1))  # new business
    f.opportunity(project, acme, date(2026, 7, 1), OpportunityKind.CROSS_SELL)  # still open
    # 2 won of 4 closed in 16 June – 13 September.
    assert services.kpi_value(project, KpiKey.CROSS_SELL_WIN_RATE, AS_OF) == Decimal("0.5000")


def test_retention_compares_the_current_90_days_with_the_90_before(team, db):
    project, _u = team
    # Current period: 16 June – 13 September; previous: 18 March – 15 June.
    x, y, z, w, v = (f.account(project, name=name) for name in ("甲", "乙", "丙", "丁", "戊"))
    f.interaction(project, x, at(2026, 4, 1))
    f.interaction(project, x, at(2026, 7, 1))  # x: active in both: retained
    f.interaction(project, y, at(2026, 5, 1))  # y: only before: lost
    f.interaction(project, z, at(2026, 8, 1))  # z: new in the current period: not counted
    f.interaction(project, w, at(2026, 3, 17, 23, 0))  # w: before the previous period…
    f.interaction(project, w, at(2026, 7, 1))  # …so not counted
    f.interaction(project, v, at(2026, 6, 15, 23, 0))  # v: last hour of the previous period…
    f.interaction(project, v, at(2026, 6, 16, 1, 0))  # …and first hours of the current one: retained
    # Previous period: x, y, v. Still active: x, v.
    assert services.kpi_value(project, KpiKey.RETENTION, AS_OF) == ratio(2, 3)


def test_data_quality_counts_reachable_contacts_that_are_not_likely_duplicates(team, db):
    project, _u = team
    acme, other = f.account(project), f.account(project)
    f.contact(project, acme, "王芳", email="wang.fang@example.com", created=at(2026, 3, 1))  # good
    f.contact(project, acme, "李伟", phone="+86 21 6123 4567", created=at(2026, 3, 2))  # good: a phone is enough
    f.contact(project, acme, "张敏", email="not-an-email", phone="123", created=at(2026, 3, 3))  # unreachable
    f.contact(project, other, "王芳 (上海)", email="Wang.Fang@Example.com", created=at(2026, 3, 4))  # same e-mail
    f.contact(project, acme, " 李伟 ", email="li.wei@example.com", created=at(2026, 3, 5))  # same name, same account
    f.contact(project, other, "李伟", email="wei.li@example.com", created=at(2026, 3, 6))  # same name elsewhere: fine
    f.contact(project, acme, "陈静", email="chen.jing@example.com", created=at(2026, 9, 14))  # after the date
    # Up to 13 September: 6 contacts, of which 王芳, 李伟 (first), 李伟 (other account) are good.
    assert services.kpi_value(project, KpiKey.DATA_QUALITY, AS_OF) == Decimal("0.5000")
    duplicates = db.session.scalars(select(Contact.name).where(Contact.is_duplicate.is_(True))).all()
    assert sorted(duplicates) == sorted(["王芳 (上海)", "李伟"])
    # As of 2 March only the first two existed, both good.
    assert services.kpi_value(project, KpiKey.DATA_QUALITY, date(2026, 3, 2)) == Decimal("1.0000")


def test_a_kpi_without_records_has_no_value(make_project):
    project = make_project()
    for key in KpiKey:
        assert services.kpi_value(project, key, AS_OF) is None


# --------------------------------------------------------------------------- baselines and the cache


def test_a_computed_baseline_uses_the_records_as_they_stood_on_its_date(team, db):
    project, _u = team
    acme = f.account(project)
    f.interaction(project, acme, at(2026, 8, 1), outcome="")
    f.interaction(project, acme, at(2026, 8, 10), outcome="已处理")
    f.interaction(project, acme, at(2026, 8, 20), outcome="已处理")  # after the baseline date
    f.interaction(project, acme, at(2026, 8, 21), outcome="已处理")
    services.save_setting(project, KpiKey.CLOSED_LOOP, target=Decimal("0.9"), baseline_source=BaselineSource.COMPUTED,
                          baseline_value=None, baseline_as_of=date(2026, 8, 15))
    db.session.commit()
    setting = db.session.scalar(select(KpiSetting))
    # As of 15 August only the first two existed: 1 of 2 with an outcome.
    assert (setting.baseline_value, setting.baseline_as_of) == (Decimal("0.5000"), date(2026, 8, 15))
    overview = {row.key: row for row in services.kpi_overview(project, date(2026, 8, 28))}[KpiKey.CLOSED_LOOP]
    # On 28 August (window 1–28 August): 3 of 4 = 0.75; target 0.9, baseline 0.5, halfway 0.7: progressing.
    assert (overview.value, overview.target, overview.baseline) == (Decimal("0.7500"), Decimal("0.9"), Decimal("0.5"))
    assert overview.status is KpiStatus.PROGRESSING


def test_a_manual_baseline_is_kept_as_entered_and_a_computed_one_needs_data(team, db):
    project, _u = team
    services.save_setting(project, KpiKey.SATISFACTION, target=Decimal("4.5"), baseline_source=BaselineSource.MANUAL,
                          baseline_value=Decimal("3.8"), baseline_as_of=date(2026, 1, 31))
    db.session.commit()
    assert db.session.scalar(select(KpiSetting.baseline_value)) == Decimal("3.8")
    with pytest.raises(DomainError):
        services.save_setting(project, KpiKey.RETENTION, target=None, baseline_source=BaselineSource.COMPUTED,
                              baseline_value=None, baseline_as_of=date(2026, 1, 31))


def test_cached_values_follow_changes_to_records_dated_before_them(team, db):
    project, u = team
    acme = f.account(project)
    first = f.interaction(project, acme, at(2026, 9, 1), outcome="")
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, AS_OF) == Decimal("0")
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, date(2026, 9, 1)) == Decimal("0")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(KpiSnapshot)) == 2
    # A record dated after 1 September leaves the value as of 1 September cached; the later one is redone.
    f.interaction(project, acme, at(2026, 9, 5), outcome="已回复")
    assert set(db.session.scalars(select(KpiSnapshot.as_of))) == {date(2026, 9, 1)}
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, AS_OF) == Decimal("0.5000")
    # Editing the first record changes both.
    update_record(first, {"outcome": "已解决"})
    db.session.commit()
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, date(2026, 9, 1)) == Decimal("1.0000")
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, AS_OF) == Decimal("1.0000")
    # Deleting it too.
    db.session.delete(first)
    db.session.commit()
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, date(2026, 9, 1)) is None
    # Adoption: a captured something; a, b and c are in scope.
    f.interaction(project, acme, at(2026, 9, 10), by=u["a"])
    assert services.kpi_value(project, KpiKey.ADOPTION, AS_OF) == ratio(1, 3)
    db.session.commit()
    # Members leaving change adoption for every date: a bulk delete says so itself…
    db.session.execute(delete(ProjectMember).where(ProjectMember.user_id == u["b"].id))
    services.cache.invalidate(project.id, None, [KpiKey.ADOPTION])
    assert services.kpi_value(project, KpiKey.ADOPTION, AS_OF) == ratio(1, 2)
    row = db.session.scalar(select(ProjectMember).where(ProjectMember.user_id == u["c"].id))
    db.session.delete(row)  # through the ORM: the hook forgets adoption values
    db.session.commit()
    assert services.kpi_value(project, KpiKey.ADOPTION, AS_OF) == ratio(1, 1)


def test_a_bulk_crm_write_reaches_the_cache_through_the_records_changed_signal(team, db):
    """The CRM does not import the KPIs: its bulk writes announce themselves, the cache listens."""
    project, _u = team
    acme = f.account(project)
    f.interaction(project, acme, at(2026, 9, 1), outcome="")
    for day in (date(2026, 9, 1), AS_OF):
        services.kpi_value(project, KpiKey.CLOSED_LOOP, day)
        services.kpi_value(project, KpiKey.DATA_QUALITY, day)
    db.session.commit()
    records_changed.send(project.id, kind=RecordKind.INTERACTIONS, since=date(2026, 9, 2))
    left = set(db.session.execute(select(KpiSnapshot.key, KpiSnapshot.as_of)))
    assert left == {(KpiKey.CLOSED_LOOP, date(2026, 9, 1)), (KpiKey.DATA_QUALITY, date(2026, 9, 1)),
                    (KpiKey.DATA_QUALITY, AS_OF)}


def test_the_cache_hooks_are_installed_once_however_often_the_app_is_made(app, team, db, monkeypatch):
    from planner.kpis import cache

    cache.init_app(app)
    cache.init_app(app)
    project, _u = team
    acme = f.account(project)
    calls = []
    monkeypatch.setattr(cache, "invalidate", lambda *args, **kwargs: calls.append(args))
    f.interaction(project, acme, at(2026, 9, 1), outcome="")
    assert calls == [(project.id, date(2026, 9, 1), list(cache.KEYS_BY_KIND[RecordKind.INTERACTIONS]))]
    assert len(list(records_changed.receivers_for(project.id))) == 1


# --------------------------------------------------------------------------- weekly series and bulk functions


def test_the_weekly_series_ends_with_the_week_in_progress(team, db):
    project, u = team
    acme = f.account(project)
    f.interaction(project, acme, at(2026, 8, 31), by=u["a"])  # week of 31 August
    f.interaction(project, acme, at(2026, 9, 8), by=u["a"])  # week of 7 September
    f.interaction(project, acme, at(2026, 9, 9), by=u["b"])
    f.interaction(project, acme, at(2026, 9, 15), by=u["c"])  # this week (Tuesday 15, today is Wednesday 16)
    series = services.kpi_weekly_series(project, KpiKey.ADOPTION, weeks=4, until=date(2026, 9, 16))
    assert [(w.week_start, w.as_of, w.complete) for w in series] == [
        (date(2026, 8, 24), date(2026, 8, 30), True), (date(2026, 8, 31), date(2026, 9, 6), True),
        (date(2026, 9, 7), date(2026, 9, 13), True), (date(2026, 9, 14), date(2026, 9, 16), False)]
    assert [w.value for w in series] == [ratio(0, 3), ratio(1, 3), ratio(2, 3), ratio(1, 3)]
    assert services.kpi_met_for_weeks(project, KpiKey.ADOPTION, Decimal("0.3"), 2, until=date(2026, 9, 16))
    assert not services.kpi_met_for_weeks(project, KpiKey.ADOPTION, Decimal("0.5"), 2, until=date(2026, 9, 16))
    assert services.kpi_met_for_weeks(project, KpiKey.ADOPTION, Decimal("0.5"), 1, until=date(2026, 9, 16))


def test_bulk_functions_take_the_same_number_of_queries_for_one_project_or_many(db, make_project, make_user):
    projects = [make_project() for _ in range(6)]
    for index, project in enumerate(projects):
        staff = make_user()
        member(db, project, staff)
        acme = f.account(project)
        for day in range(index + 1):
            f.interaction(project, acme, at(2026, 9, 7 + day), by=staff, outcome="" if day % 2 else "已处理")
    ids = [p.id for p in projects]
    with CountQueries(db.engine) as one:
        services.adoption_trend_by_project(ids[:1], weeks=8, until=AS_OF)
    db.session.rollback()
    with CountQueries(db.engine) as six:
        trends = services.adoption_trend_by_project(ids, weeks=8, until=AS_OF)
    assert one.count == six.count <= 1 + 8 + 1  # cache read, one query per week, one cache write
    assert [trends[pid][-1].value for pid in ids] == [Decimal("1.0000")] * 6
    db.session.commit()
    with CountQueries(db.engine) as cached:
        statuses = services.kpi_status_by_project(ids, as_of=AS_OF)
        services.adoption_trend_by_project(ids, weeks=8, until=AS_OF)
    db.session.commit()
    with CountQueries(db.engine) as warm:
        services.kpi_status_by_project(ids, as_of=AS_OF)
        services.adoption_trend_by_project(ids, weeks=8, until=AS_OF)
    assert cached.count <= 2 + 7 + 1 + 1 and warm.count == 3  # settings, values, trend: all from the cache
    # Project 3 (index 2): interactions on 7, 8, 9 September, the 8th without an outcome: 2 of 3.
    assert statuses[ids[2]][KpiKey.CLOSED_LOOP].value == ratio(2, 3)
    assert statuses[ids[2]][KpiKey.CLOSED_LOOP].status is KpiStatus.NO_TARGET


# --------------------------------------------------------------------------- the status rule and properties


@pytest.mark.no_app
@pytest.mark.parametrize(("value", "target", "baseline", "expected"), [
    (None, Decimal("0.8"), None, KpiStatus.NO_DATA),
    (Decimal("0.5"), None, None, KpiStatus.NO_TARGET),
    (Decimal("0.8"), Decimal("0.8"), None, KpiStatus.ON_TARGET),
    (Decimal("0.72"), Decimal("0.8"), None, KpiStatus.PROGRESSING),  # 90 % of the target without a baseline
    (Decimal("0.71"), Decimal("0.8"), None, KpiStatus.OFF_TARGET),
    (Decimal("0.6"), Decimal("0.8"), Decimal("0.4"), KpiStatus.PROGRESSING),  # halfway from 0.4 to 0.8
    (Decimal("0.59"), Decimal("0.8"), Decimal("0.4"), KpiStatus.OFF_TARGET),
    # A baseline at or above the target says nothing about progress: the 90 % rule applies.
    (Decimal("0.75"), Decimal("0.8"), Decimal("0.9"), KpiStatus.PROGRESSING),
    (Decimal("0.70"), Decimal("0.8"), Decimal("0.9"), KpiStatus.OFF_TARGET),
])
def test_status_against_target(value, target, baseline, expected):
    assert status_of(value, target, baseline) is expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 4), st.booleans()), max_size=25))
def test_closed_loop_and_retention_match_a_plain_count(db, make_project, events):
    """Random interactions (day offset before AS_OF, account, outcome?) against a count in Python."""
    project = make_project()
    accounts = [f.account(project, name=f"账户{i}") for i in range(5)]
    for offset, index, has_outcome in events:
        f.interaction(project, accounts[index], at(2026, 9, 13) - timedelta(days=offset * 3),
                      outcome="有结果" if has_outcome else "")
    days = [(AS_OF - (at(2026, 9, 13) - timedelta(days=o * 3)).date()).days for o, _i, _h in events]
    recent = [h for d, (_o, _i, h) in zip(days, events, strict=True) if d < 28]
    expected = ratio(sum(recent), len(recent)) if recent else None
    assert services.kpi_value(project, KpiKey.CLOSED_LOOP, AS_OF) == expected
    previous = {i for d, (_o, i, _h) in zip(days, events, strict=True) if 90 <= d < 180}
    current = {i for d, (_o, i, _h) in zip(days, events, strict=True) if d < 90}
    expected = ratio(len(previous & current), len(previous)) if previous else None
    assert services.kpi_value(project, KpiKey.RETENTION, AS_OF) == expected
    db.session.rollback()
    for model in (Interaction,):
        db.session.execute(delete(model).where(model.project_id == project.id))
    db.session.commit()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 250), st.integers(0, 3), st.booleans(), st.integers(0, 5)), max_size=30),
       st.lists(st.integers(0, 200), min_size=2, max_size=6, unique=True))
def test_many_dates_in_one_query_give_the_values_of_one_date_at_a_time(db, make_project, events, offsets):
    """The trend's one-query computations agree with the plain one-date queries, date by date."""
    from planner.kpis import engine

    project = make_project()
    accounts = [f.account(project, name=f"账户{i}") for i in range(4)]
    for offset, index, flag, score in events:
        when = at(2026, 9, 13) - timedelta(days=offset)
        f.interaction(project, accounts[index], when, outcome="有结果" if flag else "")
        f.case(project, accounts[index], when, fcr=flag, score=score or None)
        f.contact(project, accounts[index], email=f"c{offset}@example.com" if flag else "", created=when)
    dates = [AS_OF - timedelta(days=offset) for offset in offsets]
    for key in engine.MANY:
        together = engine.compute_many(key, [project.id], dates)
        for as_of in dates:
            assert together[as_of] == engine.compute(key, [project.id], as_of), (key, as_of)
    db.session.rollback()


def test_the_kpi_page_computed_cold_gives_the_values_of_one_kpi_and_date_at_a_time(db, make_project, make_user):
    """The page's batched path (every KPI as of 16 Sundays and a Wednesday, the KPIs that share
    rows computed together, two projects at once) against the one-date queries, value by value, on
    records placed at random and on the windows' edges (the first and last instant of a day)."""
    import random

    from planner.kpis import engine

    rng = random.Random(12)
    until = date(2026, 9, 16)  # a Wednesday: the week in progress is one of the dates
    projects = [make_project(), make_project()]
    for project in projects:
        staff = make_user()
        member(db, project, staff)
        accounts = [f.account(project, name=f"客户{i}", by=staff) for i in range(6)]
        for n in range(60):
            day = until - timedelta(days=rng.randrange(300))
            when = rng.choice([at(day.year, day.month, day.day, 0, 0), at(day.year, day.month, day.day, 23, 59),
                               at(day.year, day.month, day.day, rng.randrange(24), 30)])
            acme = rng.choice(accounts)
            f.interaction(project, acme, when, outcome=rng.choice(["", "已回电"]), by=staff if n % 3 else None)
            if n % 2:
                f.case(project, acme, when, fcr=rng.random() < 0.5, score=rng.choice([None, 1, 3, 5]))
            if n % 3 == 0:
                closed = when.date() + timedelta(days=rng.randrange(30))
                f.opportunity(project, acme, when.date(), rng.choice(list(OpportunityKind)),
                              rng.choice([OpportunityStage.WON, OpportunityStage.LOST]), closed)
            if n % 4 == 0:
                f.contact(project, acme, email=rng.choice(["", "same@example.com", f"c{n}@example.com"]),
                          created=when)
    ids = [p.id for p in projects]
    trends = services.kpi_trends_by_project(ids, list(KpiKey), 17, until)
    dates = [w.as_of for w in trends[ids[0]][KpiKey.RETENTION]]
    assert len(dates) == 17 and dates[-1] == until
    for key in KpiKey:
        together = engine.compute_many_keys([key, KpiKey.SATISFACTION, KpiKey.FIRST_CONTACT_RESOLUTION], ids, dates)
        assert together[key] == engine.compute_many(key, ids, dates), key
        for as_of in dates:
            alone = engine.compute(key, ids, as_of)
            assert together[key][as_of] == alone, (key, as_of)
            for pid in ids:
                week = next(w for w in trends[pid][key] if w.as_of == as_of)
                assert (week.numerator, week.denominator) == alone.get(pid, (0, 0)), (key, as_of, pid)
    assert any(w.denominator for pid in ids for key in KpiKey for w in trends[pid][key])


@pytest.mark.real_db
@pytest.mark.parametrize("page", ["", "/kpis"])
def test_the_overview_and_the_kpi_page_keep_the_values_they_computed(db, make_user, make_project, client, login,
                                                                     page):
    """Both commit once, after rendering (a commit before would make the page load what it shows
    again): the values they computed are there for the next visit, seen from another connection."""
    manager = make_user()
    project = make_project(manager=manager)
    db.session.commit()
    login(client, manager)
    response = client.get(f"/projects/{project.id}{page}")
    assert response.status_code == 200 and project.name in response.get_data(as_text=True)
    with db.engine.connect() as other:
        kept = other.execute(select(KpiSnapshot.key).where(KpiSnapshot.project_id == project.id)).scalars().all()
    assert set(kept) == set(KpiKey)
