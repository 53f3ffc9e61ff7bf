"""Forms are saved once: the one-time form token sent with every form makes a second submission
of the same page create nothing, and send the person where the first one went."""

import re

import pytest
from sqlalchemy import func, select

from planner.change.models import ChangeTask
from planner.methodology.models import KeyProblem
from planner.once import FormSubmission
from tests.helpers import login


@pytest.fixture
def team(make_user, make_project):
    manager = make_user(email="pm@example.com", name="项目经理", language="zh")
    return {"manager": manager, "project": make_project(manager=manager, name="华南推广")}


def form_fields(html: str, containing: str = "form_token") -> dict:
    """The hidden inputs of the page's first POST form that has ``containing``, as a browser sends them."""
    for form in re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, re.S):
        if f'name="{containing}"' in form:
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form with {containing}")


def count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_form_page_carries_a_fresh_one_time_token(client, team):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/change/tasks/new"
    first, second = form_fields(client.get(url).get_data(as_text=True)), form_fields(client.get(url).get_data(
        as_text=True))
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", first["form_token"])
    assert first["form_token"] != second["form_token"]


def test_a_double_submission_creates_one_task(client, team, db):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/change/tasks/new"
    data = {**form_fields(client.get(url).get_data(as_text=True)), "title": "培训计划", "category": "training",
            "status": "open"}
    first = client.post(url, data=data)
    assert first.status_code == 302
    second = client.post(url, data=data)
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert count(db, ChangeTask) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "此表单已经提交过" in page


def test_a_double_submission_creates_one_problem(client, team, db):
    login(client, team["manager"])
    project = team["project"]
    url = f"/projects/{project.id}/problems"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {**form_fields(page.get_data(as_text=True), containing="title"), "title": "客户资料分散在各部门",
            "description": "", "in_focus": "0"}
    responses = [client.post(url, data=data) for _ in range(3)]
    assert responses[0].status_code == 302, responses[0].get_data(as_text=True)[:2000]
    assert [r.status_code for r in responses[1:]] == [303, 303]
    assert count(db, KeyProblem) == 1


def test_a_form_sent_back_with_errors_keeps_its_token_and_can_be_corrected(client, team, db):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/change/tasks/new"
    token = form_fields(client.get(url).get_data(as_text=True))["form_token"]
    wrong = client.post(url, data={"form_token": token, "title": "", "category": "training", "status": "open"})
    assert wrong.status_code == 200
    assert form_fields(wrong.get_data(as_text=True))["form_token"] == token
    assert count(db, FormSubmission) == 0  # refused: the token is not used up
    right = client.post(url, data={"form_token": token, "title": "培训", "category": "training", "status": "open"})
    assert right.status_code == 302
    assert count(db, ChangeTask) == 1 and count(db, FormSubmission) == 1


def test_a_refused_business_rule_leaves_the_token_usable(client, team, db):
    from tests import rollout_factories as rf

    login(client, team["manager"])
    project = team["project"]
    stage = rf.stage(project, name="试点")
    url = f"/projects/{project.id}/rollout/stages/{stage.id}/edit"
    fields = form_fields(client.get(url).get_data(as_text=True))
    stale = client.post(url, data={**fields, "version": "999", "name": "新名字"})
    assert stale.status_code in (200, 302, 409)
    assert count(db, FormSubmission) == 0


def test_forms_without_a_token_still_work(client, team, db):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/change/tasks/new"
    for _ in range(2):
        assert client.post(url, data={"title": "培训", "category": "training", "status": "open"}).status_code == 302
    assert count(db, ChangeTask) == 2


@pytest.mark.parametrize("token", ["short", "a\x00" * 20, "x" * 65, "<script>" * 5, "长" * 30])
def test_a_malformed_token_is_ignored_not_stored(client, team, db, token):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/change/tasks/new"
    response = client.post(url, data={"form_token": token, "title": "培训", "category": "training", "status": "open"})
    assert response.status_code == 302
    assert count(db, FormSubmission) == 0


def test_a_token_used_by_someone_else_cannot_replay_their_submission(client, make_client, team, db, make_user,
                                                                       add_member):
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/change/tasks/new"
    token = form_fields(client.get(url).get_data(as_text=True))["form_token"]
    client.post(url, data={"form_token": token, "title": "培训", "category": "training", "status": "open"})
    other = make_user(email="pm2@example.com", name="另一位经理")
    add_member(team["project"], other, manager=True)
    second = make_client()
    login(second, other)
    response = second.post(url, data={"form_token": token, "title": "培训", "category": "training",
                                      "status": "open"})
    assert response.status_code == 303
    assert count(db, ChangeTask) == 1
