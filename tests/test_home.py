"""Staff land on "My work": the feedback wanted for their stage first, their tasks, the quick wins to
celebrate; other roles keep their start pages."""

import re
from datetime import timedelta

import pytest

from planner.change.models import QuickWinStatus, TaskStatus
from planner.dates import local_today as today
from planner.rollout.models import StageStatus
from tests import rollout_factories as rf
from tests.change_factories import make_quick_win, make_response, make_task
from tests.helpers import login


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="经理", language="en")
    sponsor = make_user(name="发起人", language="en")
    staff = make_user(name="小李", language="en")
    project = make_project(manager=manager, name="华东项目")
    add_member(project, sponsor, sponsor=True)
    member = add_member(project, staff, team="客服")
    other = make_project(manager=manager, name="别的项目")
    return {"manager": manager, "sponsor": sponsor, "staff": staff, "project": project, "member": member,
            "other": other}


@pytest.mark.parametrize("who, landing", [("staff", "/my-work"), ("sponsor", "/dashboard"),
                                          ("manager", "/projects")])
def test_each_role_lands_on_its_start_page(client, team, who, landing):
    response = login(client, team[who])
    assert response.headers["Location"].endswith("/")
    assert client.get("/").headers["Location"].endswith(landing)


def test_an_administrator_does_not_land_on_my_work(client, make_user, team, add_member):
    from planner.auth.models import GlobalRole

    admin = make_user(role=GlobalRole.ADMIN)
    add_member(team["project"], admin)
    login(client, admin)
    assert client.get("/").headers["Location"].endswith("/dashboard")


def page(client, user, language="en"):
    login(client, user)
    response = client.get(f"/my-work?lang={language}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_feedback_for_the_members_stage_comes_first_then_tasks_then_wins(client, team, db):
    project, member = team["project"], team["member"]
    rf.stage(project, name="试点：华北", status=StageStatus.ACTIVE, started=today(), teams=["销售"])
    mine = rf.stage(project, name="第一波：客服", status=StageStatus.ACTIVE, started=today(), teams=["客服"])
    late = make_task(project, title="培训材料", owner=member, due_date=today() - timedelta(days=2))
    make_task(project, title="已完成的任务", owner=member, status=TaskStatus.DONE)
    make_task(project, title="别人的任务")
    make_quick_win(project, title="首周全部录入", status=QuickWinStatus.ACHIEVED, achieved_on=today(),
                   result="录入率 95%")
    make_quick_win(project, title="还在计划中", status=QuickWinStatus.PLANNED)
    html = page(client, team["staff"])
    assert html.index('id="mywork-feedback"') < html.index('id="mywork-tasks"') < html.index('id="mywork-wins"')
    assert "How is “第一波：客服” going for you?" in html
    assert f'href="/projects/{project.id}/feedback/give?stage={mine.id}"' in html
    assert re.findall(r'data-task="(\d+)"', html) == [str(late.id)]
    assert "培训材料" in html and "overdue since" in html and "别人的任务" not in html and "已完成的任务" not in html
    assert "首周全部录入" in html and "录入率 95%" in html and "还在计划中" not in html
    assert "别的项目" not in html  # not a member there


def test_once_answered_this_week_it_thanks_and_offers_to_change(client, team, db):
    project = team["project"]
    stage = rf.stage(project, name="第一波：客服", status=StageStatus.ACTIVE, started=today(), teams=["客服"])
    make_response(project, respondent=team["staff"], stage=stage)
    html = page(client, team["staff"], "zh")
    assert 'data-answered="yes"' in html and "您本周已就“第一波：客服”提交反馈" in html and "修改您的回答" in html


def test_the_give_form_opens_on_the_stage_asked_for(client, team):
    project = team["project"]
    rf.stage(project, name="试点", status=StageStatus.ACTIVE, started=today())
    mine = rf.stage(project, name="第一波", status=StageStatus.ACTIVE, started=today())
    login(client, team["staff"])
    html = client.get(f"/projects/{project.id}/feedback/give?stage={mine.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{mine.id}">|<option value="{mine.id}" selected', html)
    foreign = client.get(f"/projects/{project.id}/feedback/give?stage=987654").get_data(as_text=True)
    assert 'value="987654"' not in foreign


def test_my_work_in_chinese_and_in_the_top_navigation(client, team):
    html = page(client, team["staff"], "zh")
    assert "您的反馈" in html and "您的任务" in html and "值得庆祝的速赢成果" in html
    nav = html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    assert 'href="/my-work"' in nav and "我的工作" in nav


def test_someone_in_no_project_gets_a_kind_empty_page(client, make_user):
    html = page(client, make_user(name="新人", language="en"))
    assert "not a member of any active project" in html
    assert 'href="/my-work"' not in html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
