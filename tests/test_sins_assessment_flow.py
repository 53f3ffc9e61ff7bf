"""The seven-sins self-assessment as a guided round: one error summary instead of a wall of
errors, a draft kept between visits, and "don't know" scored as a risk of its own."""

import re

import pytest
from sqlalchemy import func, select

from planner.auth.models import GlobalRole
from planner.methodology import scoring
from planner.methodology.catalogue import load_catalogue
from planner.methodology.models import SinAssessment, SinAssessmentDraft
from tests.helpers import login, visible_text

SINS = load_catalogue().get("seven_sins")
KEYS = [f"a-{sin.key}-{sign.key}" for sin in SINS.items for sign in sin.warning_signs]


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="李娜", role=GlobalRole.MANAGER, language="zh")
    project = make_project(manager=manager)
    staff = make_user(name="王伟")
    add_member(project, staff)
    return {"manager": manager, "project": project, "staff": staff}


def checked(html: str, name: str) -> str | None:
    """The value of the radio button of ``name`` that the page shows as chosen."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html):
        if " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.no_app
def test_dont_know_scores_like_partly_and_is_counted_apart():
    result = scoring.assess({"a": ["unknown", "no", "no"], "b": ["partly", "no", "no"], "c": ["no", "no", "no"]})
    assert result.scores == {"a": 17, "b": 17, "c": 0}  # 1 of 6 points each
    assert result.unknowns == 1
    assert scoring.assess({"a": ["no", "no"]}).unknowns == 0


def test_an_empty_submit_gives_one_summary_linking_every_unanswered_question(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    html = client.post(f"/projects/{project.id}/risk/new", data={"note": ""}).get_data(as_text=True)
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S).group(0)
    assert f"还有 {len(KEYS)} 个问题未回答" in summary
    links = re.findall(r'href="#([^"]+)-question"', summary)
    assert links == KEYS  # one link per question, in order, each to its question
    for key in KEYS:
        assert f'id="{key}-question"' in html
    # No wall of identical messages: the field message is short and the long one is gone.
    assert "请回答此问题。" not in visible_text(html)
    assert count(db, SinAssessment) == 0


def test_a_draft_is_kept_restored_and_removed_when_the_round_is_saved(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    first, second = KEYS[0], KEYS[1]
    response = client.post(f"/projects/{project.id}/risk/new",
                           data={first: "yes", second: "unknown", "note": "第一次讨论", "save_draft": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project.id}/risk/new")
    draft = db.session.scalar(select(SinAssessmentDraft))
    assert draft.answers == {first.removeprefix("a-").replace("-", ".", 1): "yes",
                             second.removeprefix("a-").replace("-", ".", 1): "unknown"}
    assert count(db, SinAssessment) == 0
    html = client.get(f"/projects/{project.id}/risk/new").get_data(as_text=True)
    assert "草稿由 李娜 于" in visible_text(html)
    assert checked(html, first) == "yes" and checked(html, second) == "unknown"
    assert "第一次讨论" in html
    assert "已回答 2 / 21 个问题" in visible_text(html)

    everything = dict.fromkeys(KEYS, "no") | {first: "yes", second: "unknown"}
    client.post(f"/projects/{project.id}/risk/new", data=everything)
    assert count(db, SinAssessment) == 1 and count(db, SinAssessmentDraft) == 0
    text = visible_text(client.get(f"/projects/{project.id}/risk").get_data(as_text=True))
    assert "有 1 个问题回答为“不清楚”" in text


def test_a_draft_refuses_answers_that_are_not_offered(client, team, db):
    login(client, team["manager"])
    response = client.post(f"/projects/{team['project'].id}/risk/new",
                           data={KEYS[0]: "maybe", "save_draft": "1"})
    assert response.status_code == 200
    assert "请从给出的选项中选择一项。" in visible_text(response.get_data(as_text=True))
    assert count(db, SinAssessmentDraft) == 0


def test_the_draft_can_be_discarded_by_a_manager_only(client, make_client, team, db):
    project = team["project"]
    login(client, team["manager"])
    client.post(f"/projects/{project.id}/risk/new", data={KEYS[0]: "no", "save_draft": "1"})
    staff = make_client()
    login(staff, team["staff"])
    assert staff.post(f"/projects/{project.id}/risk/draft/discard").status_code == 403
    assert staff.post(f"/projects/{project.id}/risk/new", data={KEYS[0]: "yes", "save_draft": "1"}).status_code == 403
    assert count(db, SinAssessmentDraft) == 1
    assert db.session.scalar(select(SinAssessmentDraft)).answers == {KEYS[0].removeprefix("a-").replace("-", ".", 1):
                                                                    "no"}
    assert client.post(f"/projects/{project.id}/risk/draft/discard", csrf=False).status_code == 400
    assert count(db, SinAssessmentDraft) == 1  # no CSRF token, nothing discarded
    client.post(f"/projects/{project.id}/risk/draft/discard")
    assert count(db, SinAssessmentDraft) == 0


def test_the_page_states_how_dont_know_counts_in_spanish(client, team, db):
    team["manager"].language = "es"
    db.session.commit()
    login(client, team["manager"])
    text = visible_text(client.get(f"/projects/{team['project'].id}/risk/new").get_data(as_text=True))
    assert "No lo sé" in text
    assert "«No lo sé» cuenta 1 punto, como «en parte»" in text
