"""The setup checklist and "what blocks the next sign-off" on the overview, and "Projects" in the
top navigation, through HTTP."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest

from planner.dates import local_today as today
from planner.guide.models import SetupDismissal
from planner.kpis.definitions import KpiKey
from planner.kpis.models import BaselineSource, KpiSetting
from planner.methodology import services as methodology
from planner.rollout.models import StageStatus
from tests import rollout_factories as rf
from tests.helpers import login
from tests.tco_factories import make_scenario


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="经理", language="en")
    project = make_project(manager=manager, name="新项目")
    staff, sponsor = make_user(name="员工", language="en"), make_user(name="发起人", language="en")
    return {"manager": manager, "project": project, "staff": staff, "sponsor": sponsor, "add": add_member}


def steps_of(html: str) -> dict:
    return dict(re.findall(r'data-step="(\w+)" data-done="(\w+)"', html))


def overview(client, user, project, language="en"):
    login(client, user)
    response = client.get(f"/projects/{project.id}?lang={language}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def complete_setup(db, team):
    project = team["project"]
    team["add"](project, team["sponsor"], sponsor=True)
    team["add"](project, team["staff"], team="客服")
    methodology.adopt(project, "twelve_steps")
    methodology.add_problem(project, "报价太慢", in_focus=True)
    rf.kpi_criterion(rf.stage(project, name="试点"))
    db.session.add(KpiSetting(project_id=project.id, key=KpiKey.ADOPTION, target=D("0.8"),
                              baseline_source=BaselineSource.MANUAL, baseline_value=D("0.2"),
                              baseline_as_of=today()))
    make_scenario(db, project, costs=[("licences", ("100", "100", "100"))])
    db.session.commit()


def test_a_new_project_shows_its_manager_six_ordered_steps_the_first_one_next(client, team):
    html = overview(client, team["manager"], team["project"])
    assert list(steps_of(html)) == ["methodology", "members", "problems", "stages", "baselines", "tco"]
    assert set(steps_of(html).values()) == {"no"}
    assert "0 of 6 steps done" in html
    assert re.search(r'data-step="methodology"[^>]*>.*?Next', html, re.S)
    pid = team["project"].id
    for path in ("methodology", "members", "problems", "rollout", "kpis", "tco"):
        assert f'href="/projects/{pid}/{path}"' in html  # each step one click away
    assert "Put the checklist away" not in html  # not while steps are open


def test_the_checklist_speaks_chinese(client, team):
    html = overview(client, team["manager"], team["project"], "zh")
    assert "设置项目" in html and "已完成 0 / 6 步" in html and "选择方法论" in html


def test_steps_turn_done_as_the_work_is_done_and_the_next_one_moves_on(client, team, db):
    project = team["project"]
    methodology.adopt(project, "twelve_steps")
    team["add"](project, team["sponsor"], sponsor=True)  # a sponsor but no staff yet: not done
    db.session.commit()
    html = overview(client, team["manager"], project)
    assert steps_of(html) == {"methodology": "yes", "members": "no", "problems": "no", "stages": "no",
                              "baselines": "no", "tco": "no"}
    assert re.search(r'data-step="members"[^>]*>.*?Next', html, re.S)
    assert "1 of 6 steps done" in html


def test_staff_and_sponsors_do_not_get_the_checklist(client, team):
    project = team["project"]
    team["add"](project, team["staff"])
    team["add"](project, team["sponsor"], sponsor=True)
    for who in ("staff", "sponsor"):
        assert 'id="setup-checklist"' not in overview(client, team[who], project)


def test_the_checklist_is_put_away_only_once_done_and_only_by_a_manager(client, make_client, team, db):
    project = team["project"]
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/setup/dismiss?lang=en", follow_redirects=True)
    assert "once every step is done" in response.get_data(as_text=True)
    assert db.session.get(SetupDismissal, project.id) is None  # refused: nothing saved

    complete_setup(db, team)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert set(steps_of(html).values()) == {"yes"} and "Put the checklist away" in html

    staff = make_client()
    login(staff, team["staff"])
    assert staff.post(f"/projects/{project.id}/setup/dismiss").status_code == 403
    assert db.session.get(SetupDismissal, project.id) is None

    assert client.post(f"/projects/{project.id}/setup/dismiss").status_code == 302
    assert db.session.get(SetupDismissal, project.id) is not None
    assert 'id="setup-checklist"' not in client.get(f"/projects/{project.id}").get_data(as_text=True)


def blockers_of(html: str) -> list[str]:
    return re.findall(r'data-blocker="(\w+)"', html)


def test_the_overview_shows_what_blocks_the_next_signoff(client, team, db):
    project = team["project"]
    stage = rf.stage(project, name="试点", status=StageStatus.ACTIVE, started=today() - timedelta(days=3))
    rf.kpi_criterion(stage)  # adoption at 80 % for two weeks: no records, so not met
    html = overview(client, team["manager"], project)
    assert blockers_of(html) == ["criterion", "no_sponsor"]
    assert "What blocks the sign-off" in html and "Not met yet:" in html
    assert f'href="/projects/{project.id}/members"' in html

    team["add"](project, team["sponsor"], sponsor=True)
    html = overview(client, team["sponsor"], project, "zh")
    assert blockers_of(html) == ["criterion"] and "审批的阻碍" in html and "尚未达成" in html


def test_a_stage_without_criteria_or_not_started_says_so_and_a_met_one_is_ready(client, team, db):
    project = team["project"]
    team["add"](project, team["sponsor"], sponsor=True)
    stage = rf.stage(project, name="试点")
    assert blockers_of(overview(client, team["manager"], project)) == ["not_started", "no_criteria"]
    stage.status, stage.actual_start = StageStatus.ACTIVE, today()
    rf.tasks_criterion(stage, [rf.task(project, status="done")])
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert blockers_of(html) == ["ready"] and "the sign-off can be requested" in html


def test_staff_see_the_stage_but_not_the_blockers(client, team):
    project = team["project"]
    team["add"](project, team["staff"])
    rf.kpi_criterion(rf.stage(project, name="试点", status=StageStatus.ACTIVE, started=today()))
    html = overview(client, team["staff"], project)
    assert "试点" in html and blockers_of(html) == []


def test_projects_is_in_the_top_navigation(client, team):
    html = overview(client, team["manager"], team["project"])
    nav = html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    assert 'href="/projects"' in nav and "Projects" in nav
