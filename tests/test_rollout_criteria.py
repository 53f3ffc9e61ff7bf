"""Exit criteria evaluated against hand-built data: KPI thresholds over consecutive complete weeks
(from real CRM records), methodology steps and change-management tasks. Every expected value is
worked out here from the facts each test sets up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.change.models import TaskStatus
from planner.kpis.definitions import KpiKey
from planner.kpis.services import WeekValue
from planner.methodology import services as methodology
from planner.methodology.models import ChecklistItem, ItemStatus
from planner.projects.models import ProjectMember
from planner.rollout import services
from planner.rollout.models import Comparison, StageStatus
from tests import crm_factories as f
from tests import rollout_factories as r
from tests.change_factories import count_queries
from tests.crm_factories import at

SUNDAY = date(2026, 9, 13)
GE, GT, LE, LT = Comparison.AT_LEAST, Comparison.MORE_THAN, Comparison.AT_MOST, Comparison.LESS_THAN


def week(sunday: date, value, complete=True) -> WeekValue:
    value = Decimal(value) if value is not None else None
    return WeekValue(sunday - timedelta(days=6), sunday, 0, 0, value, complete)


def series(*values, current=None):
    """Complete weeks ending on the Sundays before SUNDAY (the last on SUNDAY), then the week in progress."""
    weeks = [week(SUNDAY - timedelta(weeks=len(values) - 1 - n), v) for n, v in enumerate(values)]
    if current is not None:
        weeks.append(week(SUNDAY + timedelta(days=3), current, complete=False))
    return weeks


# --------------------------------------------------------------------------- the rule itself (no database)


@pytest.mark.no_app
def test_the_last_complete_weeks_must_each_meet_the_threshold():
    data = series("0.70", "0.85", "0.80", current="0.10")  # the week in progress is never judged
    window, passed, met = services.kpi_window(data, GE, Decimal("0.80"), 2)
    assert [w.value for w in window] == [Decimal("0.85"), Decimal("0.80")]
    assert passed == [True, True] and met
    window, passed, met = services.kpi_window(data, GE, Decimal("0.80"), 3)
    assert passed == [False, True, True] and not met


@pytest.mark.no_app
def test_a_week_without_data_or_too_few_weeks_fail():
    _, passed, met = services.kpi_window(series("0.90", None), GE, Decimal("0.5"), 2)
    assert passed == [True, False] and not met
    window, passed, met = services.kpi_window(series("0.90"), GE, Decimal("0.5"), 2)
    assert len(window) == 1 and passed == [True] and not met


@pytest.mark.no_app
def test_only_weeks_inside_the_stage_are_judged():
    data = series("0.10", "0.90", "0.95", current="0.99")  # weeks starting Aug 24, Aug 31 and Sep 7
    # The stage began on Monday Aug 31: the poor week before it is context, never a "not met" week.
    window, passed, met = services.kpi_window(data, GE, Decimal("0.80"), 2, since=date(2026, 8, 31))
    assert [w.week_start for w in window] == [date(2026, 8, 31), date(2026, 9, 7)]
    assert passed == [True, True] and met
    # A stage that began on a Wednesday: the week it began in started before it, so it does not count.
    window, passed, met = services.kpi_window(data, GE, Decimal("0.80"), 2, since=date(2026, 9, 2))
    assert [w.week_start for w in window] == [date(2026, 9, 7)] and passed == [True] and not met
    # Three weeks asked, two inside the stage: not met yet, and the week before is not shown as failed.
    window, passed, met = services.kpi_window(data, GE, Decimal("0.80"), 3, since=date(2026, 8, 31))
    assert len(window) == 2 and passed == [True, True] and not met
    # A stage that has not begun has no week to judge.
    assert services.kpi_window(data, GE, Decimal("0.80"), 1, since=date(2026, 9, 21)) == ([], [], False)


@pytest.mark.no_app
@given(count=st.integers(min_value=1, max_value=10), start=st.integers(min_value=0, max_value=30),
       weeks=st.integers(min_value=1, max_value=12))
def test_no_judged_week_begins_before_the_stage(count, start, weeks):
    data = series(*["0.50"] * count)
    since = data[0].week_start + timedelta(days=start * 2)
    window, passed, met = services.kpi_window(data, GE, Decimal("0"), weeks, since=since)
    assert all(w.week_start >= since for w in window)
    inside = [w for w in data if w.week_start >= since]
    assert met == (len(inside) >= weeks)


@pytest.mark.no_app
def test_each_comparison_at_the_boundary():
    at_threshold = series("0.80")
    assert services.kpi_window(at_threshold, GE, Decimal("0.80"), 1)[2]
    assert not services.kpi_window(at_threshold, GT, Decimal("0.80"), 1)[2]
    assert services.kpi_window(at_threshold, LE, Decimal("0.80"), 1)[2]
    assert not services.kpi_window(at_threshold, LT, Decimal("0.80"), 1)[2]
    assert services.kpi_window(series("4.50"), LT, Decimal("4.6"), 1)[2]


@pytest.mark.no_app
@given(values=st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2)), min_size=0, max_size=10),
       weeks=st.integers(min_value=1, max_value=12), threshold=st.decimals(min_value=0, max_value=1, places=2))
def test_met_means_the_lowest_of_the_last_weeks_reaches_the_threshold(values, weeks, threshold):
    met = services.kpi_window(series(*values, current="0"), GE, threshold, weeks)[2]
    last = values[-weeks:]
    expected = len(values) >= weeks and None not in last and min(last) >= threshold
    assert met == expected


# --------------------------------------------------------------------------- KPI criteria on CRM records


@pytest.fixture
def staffed(db, make_user, make_project):
    """A project with a manager and two staff, a and b, members since January."""
    project = make_project()
    users = {name: make_user(name=f"成员{name}") for name in ("m", "a", "b")}
    for name, user in users.items():
        db.session.add(ProjectMember(project_id=project.id, user_id=user.id, is_manager=name == "m",
                                     joined_at=at(2026, 1, 1)))
    db.session.commit()
    return project, users


def test_adoption_held_for_consecutive_weeks(staffed, db):
    project, u = staffed
    acme = f.account(project, by=u["m"], created=at(2026, 1, 5))
    # Week ending 30 Aug: a and b capture (100 %). Week ending 6 Sep: only a (50 %).
    # Week ending 13 Sep: a and b (100 %). Nothing after that, for now.
    for when, who in [(at(2026, 8, 26), "a"), (at(2026, 8, 27), "b"), (at(2026, 9, 2), "a"),
                      (at(2026, 9, 8), "a"), (at(2026, 9, 12), "b")]:
        f.interaction(project, acme, when, by=u[who])
    stage = r.stage(project, status=StageStatus.ACTIVE, started=date(2026, 8, 1))
    one = r.kpi_criterion(stage, KpiKey.ADOPTION, "0.80", weeks=1)
    two = r.kpi_criterion(stage, KpiKey.ADOPTION, "0.80", weeks=2)
    half = r.kpi_criterion(stage, KpiKey.ADOPTION, "0.50", weeks=3)
    at_most = r.kpi_criterion(stage, KpiKey.ADOPTION, "0.60", weeks=1, comparison=LE)
    db.session.refresh(stage)

    gate = services.evaluate_stage(stage, until=SUNDAY + timedelta(days=3))  # a Wednesday
    results = {res.criterion.id: res for res in gate.results}
    assert results[one.id].met  # 13 Sep: 100 %
    assert [w.value for w in results[two.id].kpi.window] == [Decimal("0.5000"), Decimal("1.0000")]
    assert results[two.id].kpi.window_met == [False, True] and not results[two.id].met
    assert results[half.id].met  # 100 %, 50 %, 100 % are all at least 50 %
    assert not results[at_most.id].met  # 100 % is not at most 60 %
    current = results[one.id].kpi.current
    # The week in progress shows the 7 days to Wednesday 16 Sep: b's record of 12 Sep only (50 %).
    assert not current.complete and current.as_of == date(2026, 9, 16) and current.value == Decimal("0.5")
    assert gate.total == 4 and gate.met == 2 and not gate.go

    # A week later, with both capturing again, two consecutive weeks hold (13 and 20 Sep).
    f.interaction(project, acme, at(2026, 9, 15), by=u["a"])
    f.interaction(project, acme, at(2026, 9, 16), by=u["b"])
    later = services.evaluate_stage(stage, until=date(2026, 9, 20))
    assert {res.criterion.id: res.met for res in later.results}[two.id]


def test_satisfaction_threshold_is_a_score(staffed, db):
    project, u = staffed
    acme = f.account(project, by=u["m"])
    f.case(project, acme, at(2026, 9, 9), score=4, by=u["a"])
    f.case(project, acme, at(2026, 9, 10), score=5, by=u["b"])  # average 4.5 over the 28 days to 13 Sep
    stage = r.stage(project, status=StageStatus.ACTIVE, started=date(2026, 8, 1))
    above = r.kpi_criterion(stage, KpiKey.SATISFACTION, "4.5", weeks=1)
    below = r.kpi_criterion(stage, KpiKey.SATISFACTION, "4.6", weeks=1)
    db.session.refresh(stage)
    met = {res.criterion.id: res.met for res in services.evaluate_stage(stage, until=SUNDAY).results}
    assert met == {above.id: True, below.id: False}


# --------------------------------------------------------------------------- checklist items and tasks


def test_a_methodology_step_counts_only_when_done(db, make_project):
    project = make_project()
    methodology.adopt(project, "twelve_steps")
    db.session.commit()
    item = db.session.query(ChecklistItem).filter_by(project_id=project.id, item_key="stages").one()
    stage = r.stage(project, status=StageStatus.ACTIVE)
    criterion = r.checklist_criterion(stage, item)
    db.session.refresh(stage)
    for status, expected in [(ItemStatus.IN_PROGRESS, False), (ItemStatus.NOT_APPLICABLE, False),
                             (ItemStatus.DONE, True)]:
        item.status = status
        db.session.commit()
        result = services.evaluate_stage(stage).results[0]
        assert result.criterion.id == criterion.id and result.item.id == item.id
        assert result.met is expected, status


def test_a_set_of_tasks_counts_when_every_one_is_done(db, make_project):
    project = make_project()
    stage = r.stage(project, status=StageStatus.ACTIVE)
    first, second = r.task(project, status=TaskStatus.DONE), r.task(project, status=TaskStatus.IN_PROGRESS)
    r.tasks_criterion(stage, [first, second])
    db.session.refresh(stage)
    result = services.evaluate_stage(stage).results[0]
    assert not result.met and result.tasks_done == 1 and [t.id for t in result.tasks] == [first.id, second.id]
    second.status = TaskStatus.CANCELLED  # a cancelled task is not done
    db.session.commit()
    assert not services.evaluate_stage(stage).results[0].met
    second.status = TaskStatus.DONE
    db.session.commit()
    gate = services.evaluate_stage(stage)
    assert gate.results[0].met and gate.go


def test_without_criteria_there_is_no_go(db, make_project):
    stage = r.stage(make_project(), status=StageStatus.ACTIVE)
    gate = services.evaluate_stage(stage)
    assert gate.total == 0 and not gate.go


def test_criteria_refuse_items_and_tasks_of_another_project(db, make_project):
    from planner.errors import DomainError
    from planner.rollout.models import CriterionKind

    project, other = make_project(), make_project()
    methodology.adopt(other, "twelve_steps")
    db.session.commit()
    foreign_item = db.session.query(ChecklistItem).filter_by(project_id=other.id).first()
    foreign_task = r.task(other)
    stage = r.stage(project, status=StageStatus.ACTIVE)
    with pytest.raises(DomainError):
        services.add_criterion(stage, stage.version, CriterionKind.CHECKLIST, checklist_item_id=foreign_item.id)
    db.session.rollback()
    with pytest.raises(DomainError):
        services.add_criterion(stage, stage.version, CriterionKind.TASKS, task_ids=[foreign_task.id])
    db.session.rollback()
    assert services.evaluate_stage(stage).total == 0


def test_evaluation_takes_the_same_queries_for_few_or_many_criteria(staffed, db):
    project, u = staffed
    stage = r.stage(project, status=StageStatus.ACTIVE)
    tasks = [r.task(project) for _ in range(3)]
    r.kpi_criterion(stage)
    r.tasks_criterion(stage, tasks[:1])

    def queries():
        loaded = services.project_stages(project)
        services.evaluate_stages(project, loaded, until=SUNDAY)  # fill the KPI cache
        db.session.commit()
        with count_queries(db) as statements:
            services.evaluate_stages(project, services.project_stages(project), until=SUNDAY)
        return len(statements)

    few = queries()
    for key in (KpiKey.CLOSED_LOOP, KpiKey.RETENTION, KpiKey.ADOPTION):
        r.kpi_criterion(stage, key)
    r.tasks_criterion(stage, tasks)
    r.tasks_criterion(stage, tasks[1:])
    assert queries() == few
