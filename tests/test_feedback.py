"""Adoption feedback through HTTP: signed-in and anonymous answers in each language, survey links,
the anonymity rule, the figures (checked against sums done by hand), comments and their tasks."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.change.models import ChangeTask, TaskCategory
from planner.feedback import services
from planner.feedback.models import Channel, Dimension, FeedbackResponse, SurveyLink, week_start
from tests.change_factories import count_queries, make_link, make_response, make_stage
from tests.helpers import login

A, D, K, AB, R = (Dimension.AWARENESS, Dimension.DESIRE, Dimension.KNOWLEDGE, Dimension.ABILITY,
                  Dimension.REINFORCEMENT)


def ratings(awareness=4, desire=3, knowledge=2, ability=5, reinforcement=4, **extra):
    data = {"awareness": str(awareness), "desire": str(desire), "knowledge": str(knowledge),
            "ability": str(ability), "reinforcement": str(reinforcement)}
    data.update(extra)
    return data


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="经理", language="en")
    project = make_project(manager=manager)
    staff = make_user(name="员工甲")
    sponsor = make_user(name="发起人")
    staff_member = add_member(project, staff, team="售后服务")
    add_member(project, sponsor, sponsor=True)
    other = make_project(manager=make_user())
    return {"project": project, "other": other, "manager": manager, "staff": staff, "sponsor": sponsor,
            "staff_member": staff_member}


def answers(db, project=None):
    db.session.expire_all()
    query = select(FeedbackResponse).order_by(FeedbackResponse.id)
    if project is not None:
        query = query.where(FeedbackResponse.project_id == project.id)
    return db.session.scalars(query).all()


# --------------------------------------------------------------------------- signed-in members


@pytest.mark.parametrize("language, thanks", [
    ("en", "Thank you. The project team will see your answer"),
    ("es", "Gracias. El equipo del proyecto verá tu respuesta"),
    ("zh", "谢谢！项目组会把您的回答"),
])
def test_a_member_answers_in_their_language_and_their_team_is_recorded(client, team, db, language, thanks):
    project, staff = team["project"], team["staff"]
    staff.language = language
    db.session.commit()
    stage = make_stage(project, name="试点")
    login(client, staff)
    form = client.get(f"/projects/{project.id}/feedback/give").get_data(as_text=True)
    statement = {"en": "I know why the company is moving to the new CRM.",
                 "es": "Sé por qué la empresa se pasa al nuevo CRM.",
                 "zh": "我清楚公司为什么要改用新的 CRM 系统。"}[language]
    assert statement in form
    response = client.post(f"/projects/{project.id}/feedback/give", follow_redirects=True,
                           data=ratings(stage_id=str(stage.id), comment="系统有点慢，但很有用"))
    assert thanks in response.get_data(as_text=True)
    [answer] = answers(db)
    assert (answer.language, answer.team, answer.respondent_id, answer.channel, answer.stage_id) == (
        language, "售后服务", staff.id, Channel.MEMBER, stage.id)
    assert (answer.awareness, answer.desire, answer.knowledge, answer.ability, answer.reinforcement) == (4, 3, 2, 5, 4)
    assert answer.comment == "系统有点慢，但很有用" and answer.contact == ""
    assert answer.week_start == week_start(answer.submitted_at)


def test_answering_again_in_the_same_week_replaces_the_answer_for_that_stage(client, team, db):
    project = team["project"]
    stage = make_stage(project)
    login(client, team["staff"])
    url = f"/projects/{project.id}/feedback/give"
    client.post(url, data=ratings(stage_id=str(stage.id)))
    page = client.post(url + "?lang=en", data=ratings(awareness=1, stage_id=str(stage.id)),
                       follow_redirects=True).get_data(as_text=True)
    assert "Your answer for this week is updated." in page
    client.post(url, data=ratings(stage_id=""))
    rows = answers(db)
    assert len(rows) == 2
    assert [(r.stage_id, r.awareness) for r in rows] == [(stage.id, 1), (None, 4)]


@pytest.mark.parametrize("language, message", [
    ("en", "Choose a rating from 1 to 5 for this statement."),
    ("es", "Elige una puntuación de 1 a 5 para esta afirmación."),
    ("zh", "请为这项陈述选择 1 到 5 分。"),
])
def test_a_missing_or_impossible_rating_is_refused_and_nothing_saved(client, team, db, language, message):
    team["staff"].language = language
    db.session.commit()
    login(client, team["staff"])
    data = ratings(awareness=7, stage_id="")
    del data["desire"]
    page = client.post(f"/projects/{team['project'].id}/feedback/give", data=data).get_data(as_text=True)
    assert page.count(message) == 2
    assert answers(db) == []


def test_an_administrator_who_is_not_a_member_cannot_answer_for_the_project(client, team, make_user, db):
    from planner.auth.models import GlobalRole

    login(client, make_user(role=GlobalRole.ADMIN))
    assert client.post(f"/projects/{team['project'].id}/feedback/give", data=ratings(stage_id="")).status_code == 403
    assert answers(db) == []


def test_the_feedback_tab_leads_staff_to_the_form_and_managers_to_the_results(client, make_client, team):
    project = team["project"]
    login(client, team["staff"])
    assert client.get(f"/projects/{project.id}/feedback").headers["Location"].endswith("/feedback/give")
    manager = make_client()
    login(manager, team["manager"])
    assert manager.get(f"/projects/{project.id}/feedback").headers["Location"].endswith("/feedback/results")


# --------------------------------------------------------------------------- anonymous survey links


@pytest.mark.parametrize("language, heading, thanks", [
    ("en", "How is the new CRM working for you?", "Thank you for your answer"),
    ("es", "¿Qué tal te funciona el nuevo CRM?", "Gracias por tu respuesta"),
    ("zh", "新的 CRM 系统用得怎么样？", "感谢您的回答"),
])
def test_anyone_with_the_link_answers_anonymously_in_their_language(client, team, db, language, heading, thanks):
    project = team["project"]
    stage = make_stage(project)
    link = make_link(project, stage=stage)
    page = client.get(f"/s/{link.token}?lang={language}").get_data(as_text=True)
    assert heading in page and "售后服务" in page  # the project's teams are offered, optionally
    response = client.post(f"/s/{link.token}", data=ratings(comment="培训太短了", team="售后服务"),
                           follow_redirects=True)
    assert thanks in response.get_data(as_text=True)
    [answer] = answers(db)
    assert (answer.language, answer.channel, answer.respondent_id, answer.link_id, answer.stage_id) == (
        language, Channel.LINK, None, link.id, stage.id)
    assert (answer.team, answer.contact, answer.comment) == ("售后服务", "", "培训太短了")


def test_a_signed_in_member_using_the_link_stays_anonymous(client, team, db):
    link = make_link(team["project"])
    login(client, team["staff"])
    client.post(f"/s/{link.token}", data=ratings(contact=""))
    [answer] = answers(db)
    assert (answer.respondent_id, answer.team, answer.contact) == (None, "", "")


def test_contact_details_are_kept_only_when_given(client, team, db):
    link = make_link(team["project"])
    client.post(f"/s/{link.token}", data=ratings(contact="王芳 138xxxx"))
    client.post(f"/s/{link.token}", data=ratings(team="不存在的团队"))
    [answer] = answers(db)
    assert answer.contact == "王芳 138xxxx"


def test_a_closed_link_refuses_answers(client, team, db):
    link = make_link(team["project"], closed=True)
    response = client.get(f"/s/{link.token}?lang=es")
    assert response.status_code == 410
    assert "Esta encuesta está cerrada" in response.get_data(as_text=True)
    assert client.post(f"/s/{link.token}", data=ratings()).status_code == 410
    assert answers(db) == []


def test_a_link_of_an_archived_project_refuses_answers(client, team, db):
    link = make_link(team["project"])
    team["project"].archived_at = datetime.now(UTC)
    db.session.commit()
    assert client.post(f"/s/{link.token}", data=ratings()).status_code == 410
    assert answers(db) == []


def test_an_unknown_token_is_not_found(client, team):
    make_link(team["project"])
    assert client.get("/s/not-a-real-token").status_code == 404
    assert client.post("/s/not-a-real-token", data=ratings()).status_code == 404


def test_answers_through_a_link_are_rate_limited_per_address(app, client, team, db, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_MAX_ANSWERS_PER_ADDRESS", 2)
    link = make_link(team["project"])
    for _ in range(2):
        assert client.post(f"/s/{link.token}", data=ratings()).status_code == 302
    response = client.post(f"/s/{link.token}?lang=zh", data=ratings())
    assert response.status_code == 429 and "请求过于频繁" in response.get_data(as_text=True)
    other_address = client.post(f"/s/{link.token}", data=ratings(), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_address.status_code == 302
    assert len(answers(db)) == 3
    from planner.ratelimit import RateCounter

    keys = db.session.scalars(select(RateCounter.key)).all()
    assert keys and not any("127.0.0.1" in key or "10.1.2.3" in key for key in keys)  # addresses are not kept


def test_a_manager_creates_closes_and_reopens_a_link(client, team, db):
    project = team["project"]
    stage = make_stage(project, name="第一批")
    login(client, team["manager"])
    client.post(f"/projects/{project.id}/feedback/links", data={"stage_id": str(stage.id), "label": "仓库"})
    link = db.session.scalar(select(SurveyLink))
    assert (link.stage_id, link.label, link.is_open) == (stage.id, "仓库", True)
    assert len(link.token) >= 32
    page = client.get(f"/projects/{project.id}/feedback/links").get_data(as_text=True)
    assert f"/s/{link.token}" in page
    client.post(f"/projects/{project.id}/feedback/links/{link.id}/close")
    assert client.post(f"/s/{link.token}", data=ratings()).status_code == 410
    client.post(f"/projects/{project.id}/feedback/links/{link.id}/reopen")
    assert client.post(f"/s/{link.token}", data=ratings()).status_code == 302
    assert len(answers(db)) == 1


@pytest.mark.parametrize("role", ["staff", "sponsor"])
def test_only_managers_manage_links(client, team, db, role):
    project = team["project"]
    link = make_link(project)
    login(client, team[role])
    assert client.post(f"/projects/{project.id}/feedback/links", data={"stage_id": ""}).status_code == 403
    assert client.post(f"/projects/{project.id}/feedback/links/{link.id}/close").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SurveyLink)) == 1
    assert db.session.get(SurveyLink, link.id).is_open


def test_a_link_of_another_project_cannot_be_closed_through_this_one(client, team, db):
    foreign = make_link(team["other"])
    login(client, team["manager"])
    assert client.post(f"/projects/{team['project'].id}/feedback/links/{foreign.id}/close").status_code == 404
    db.session.expire_all()
    assert db.session.get(SurveyLink, foreign.id).is_open


# --------------------------------------------------------------------------- the figures


@pytest.fixture
def answered(team, make_user):
    """Seven members' answers; averages below are worked out by hand from these ratings."""
    project = team["project"]
    pilot = make_stage(project, name="试点阶段", position=1)
    wave = make_stage(project, name="第一批推广", position=2)
    rows = [
        ((4, 5, 2, 3, 3), pilot, "客服", "zh"),
        ((5, 4, 3, 4, 2), pilot, "客服", "zh"),
        ((3, 4, 2, 4, 3), pilot, "客服", "es"),
        ((4, 3, 3, 5, 2), pilot, "客服", "zh"),
        ((4, 4, 5, 4, 3), pilot, "销售", "en"),
        ((5, 5, 4, 4, 4), wave, "销售", "zh"),
        ((2, 3, 2, 3, 2), wave, "客服", "zh"),
    ]
    for n, (values, stage, team_name, language) in enumerate(rows):
        person = make_user(email=f"answer{n}@example.com", name=f"答卷人{n}")
        make_response(project, values, stage=stage, team=team_name, language=language, respondent=person)
    return {"pilot": pilot, "wave": wave}


def test_the_figures_match_a_calculation_by_hand(team, answered):
    found = services.results(team["project"])
    overall = found.overall
    assert (overall.respondents, overall.responses) == (7, 7)
    # awareness 27/7, desire 28/7, knowledge 21/7, ability 27/7, reinforcement 19/7; all 122/35
    assert overall.averages == {A: pytest.approx(27 / 7), D: pytest.approx(4.0), K: pytest.approx(3.0),
                                AB: pytest.approx(27 / 7), R: pytest.approx(19 / 7)}
    assert overall.overall == pytest.approx(122 / 35)
    assert overall.weakest == R
    assert overall.barriers == [K, R]  # 3.0 is a barrier point too

    by_stage = {g.key: g for g in found.by_stage}
    pilot = by_stage[answered["pilot"].id]
    assert pilot.respondents == 5
    assert pilot.averages == {A: pytest.approx(4.0), D: pytest.approx(4.0), K: pytest.approx(3.0),
                              AB: pytest.approx(4.0), R: pytest.approx(2.6)}
    assert pilot.overall == pytest.approx(88 / 25)

    by_team = {g.key: g for g in found.by_team}
    assert by_team["客服"].averages == {A: pytest.approx(3.6), D: pytest.approx(3.8), K: pytest.approx(2.4),
                                       AB: pytest.approx(3.8), R: pytest.approx(2.4)}
    assert by_team["客服"].weakest == K  # tied with reinforcement: the earlier in ADKAR order

    by_language = {g.key: g for g in found.by_language}
    assert by_language["zh"].averages == {A: pytest.approx(4.0), D: pytest.approx(4.0), K: pytest.approx(2.8),
                                          AB: pytest.approx(3.8), R: pytest.approx(2.6)}
    assert by_language["zh"].overall == pytest.approx(86 / 25)


def test_groups_of_fewer_than_five_people_are_not_shown(team, answered):
    found = services.results(team["project"])
    hidden = [g for g in found.by_stage + found.by_team + found.by_language if not g.shown]
    assert sorted(str(g.key) for g in hidden) == sorted(
        [str(answered["wave"].id), "销售", "es", "en"])
    assert all(g.averages == {} and g.overall is None and g.weakest is None for g in hidden)
    only_wave = services.results(team["project"], stage_filter=answered["wave"].id)
    assert not only_wave.overall.shown and only_wave.overall.averages == {}


def test_the_pages_state_the_anonymity_and_barrier_rules_from_the_constants(client, team, answered, monkeypatch):
    monkeypatch.setattr(services, "MIN_GROUP", 7)
    monkeypatch.setattr(services, "BARRIER_THRESHOLD", 2.5)
    login(client, team["manager"])
    page = client.get(f"/projects/{team['project'].id}/feedback/results?lang=en").get_data(as_text=True)
    assert "Barrier points (average of 2.5 or less)" in page
    assert "a dimension averaging 2.5 or less" in page
    assert "Hidden: fewer than 7 people answered" in page and "five people" not in page
    give = client.get(f"/projects/{team['project'].id}/feedback/give?lang=en").get_data(as_text=True)
    assert "results of groups of 7 people or more" in give


def test_the_results_page_shows_the_figures_the_weakest_dimension_and_the_barrier_points(client, team, answered):
    login(client, team["manager"])
    page = client.get(f"/projects/{team['project'].id}/feedback/results?lang=en").get_data(as_text=True)
    assert "People who answered" in page
    assert "Weakest dimension (2.7)" in page
    assert "Barrier point: Knowledge" in page  # the first barrier in ADKAR order
    assert page.count("Hidden: fewer than 5 people answered") == 4
    assert ">3.5<" in page  # pilot: 88/25 = 3.52
    assert ">2.6<" in page  # pilot reinforcement, and Chinese answers' reinforcement
    assert "试点阶段" in page and "简体中文" in page
    es_page = client.get(f"/projects/{team['project'].id}/feedback/results?lang=es").get_data(as_text=True)
    assert "Dimensión más débil (2,7)" in es_page


def test_the_results_can_be_narrowed_to_a_stage(client, team, answered):
    login(client, team["manager"])
    page = client.get(f"/projects/{team['project'].id}/feedback/results?lang=en&stage={answered['wave'].id}"
                      ).get_data(as_text=True)
    assert "Not enough answers to show results yet." in page
    assert "Weakest dimension" not in page


def test_a_member_answering_every_week_counts_as_one_person(client, team, db):
    project = team["project"]
    now = datetime.now(UTC)
    for weeks in range(6):
        make_response(project, respondent=team["staff"], when=now - timedelta(weeks=weeks))
    for _ in range(3):
        make_response(project)  # through a link: never counted as people
    found = services.results(project)
    assert (found.overall.respondents, found.overall.responses, found.overall.shown) == (1, 6, False)
    assert [(g.respondents, g.shown) for g in found.by_link] == []  # these three came with no link
    login(client, team["manager"])
    page = client.get(f"/projects/{project.id}/feedback/results?lang=en").get_data(as_text=True)
    assert "Not enough answers to show results yet." in page


def test_only_managers_sponsors_and_administrators_see_the_results(client, make_client, team, make_user, answered):
    from planner.auth.models import GlobalRole

    url = f"/projects/{team['project'].id}/feedback/results"
    login(client, team["staff"])
    assert client.get(url).status_code == 403
    sponsor = make_client()
    login(sponsor, team["sponsor"])
    assert sponsor.get(url).status_code == 200
    admin = make_client()
    login(admin, make_user(role=GlobalRole.ADMIN))
    assert admin.get(url).status_code == 200


# --------------------------------------------------------------------------- comments


def test_a_comment_with_html_and_script_is_shown_inert_exactly_as_written(client, team, answered):
    project = team["project"]
    nasty = '<script>alert("x")</script><img src=x onerror="alert(1)"> 培训 & 支持'
    make_response(project, comment=nasty, language="zh")
    login(client, team["manager"])
    page = client.get(f"/projects/{project.id}/feedback/results").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(1)&#34;&gt; "
            "培训 &amp; 支持") in page


def test_comments_are_listed_in_their_own_language(client, team, answered):
    project = team["project"]
    make_response(project, comment="同一个客户有两条记录。", language="zh")
    make_response(project, comment="La ficha tarda en abrir.", language="es")
    login(client, team["manager"])
    page = client.get(f"/projects/{project.id}/feedback/results?lang=en").get_data(as_text=True)
    quote = '<blockquote class="mb-1 comment-text" lang="{}" translate="no">{}</blockquote>'
    assert quote.format("zh", "同一个客户有两条记录。") in page
    assert quote.format("es", "La ficha tarda en abrir.") in page
    assert "Español" in page and "简体中文" in page


def test_a_comment_becomes_a_feedback_follow_up_task_once(client, team, db, answered):
    project = team["project"]
    answer = make_response(project, comment="同一个客户有两条记录，不知道该用哪一条。", stage=answered["pilot"])
    login(client, team["manager"])
    url = f"/projects/{project.id}/feedback/responses/{answer.id}/task"
    response = client.post(url + "?lang=en")
    [task] = db.session.scalars(select(ChangeTask)).all()
    assert response.headers["Location"].endswith(f"/change/tasks/{task.id}")
    assert (task.category, task.source_response_id, task.stage_id, task.description) == (
        TaskCategory.FEEDBACK, answer.id, answered["pilot"].id, "同一个客户有两条记录，不知道该用哪一条。")
    assert task.title.startswith("Follow up on feedback: 同一个客户")
    client.post(url)
    assert db.session.scalar(select(func.count()).select_from(ChangeTask)) == 1
    page = client.get(f"/projects/{project.id}/feedback/results?lang=en").get_data(as_text=True)
    assert "A task follows this up" in page


@pytest.mark.parametrize("role", ["staff", "sponsor"])
def test_only_managers_turn_comments_into_tasks(client, team, db, role, answered):
    answer = make_response(team["project"], comment="意见")
    login(client, team[role])
    assert client.post(f"/projects/{team['project'].id}/feedback/responses/{answer.id}/task").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ChangeTask)) == 0


def test_a_comment_of_another_project_cannot_become_a_task_here(client, team, db):
    foreign = make_response(team["other"], comment="乙方意见")
    login(client, team["manager"])
    assert client.post(f"/projects/{team['project'].id}/feedback/responses/{foreign.id}/task").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ChangeTask)) == 0


def test_staff_see_what_is_being_done_about_the_feedback(client, make_client, team, answered):
    project = team["project"]
    answer = make_response(project, comment="需要更多培训")
    manager = make_client()
    login(manager, team["manager"])
    manager.post(f"/projects/{project.id}/feedback/responses/{answer.id}/task")
    login(client, team["staff"])
    page = client.get(f"/projects/{project.id}/feedback/give?lang=zh").get_data(as_text=True)
    assert "我们正在如何落实反馈" in page and "需要更多培训" in page


# --------------------------------------------------------------------------- for the executive dashboard


def test_weekly_trend_and_latest_average_by_project_in_one_query_each(team, make_project, make_user, db):
    project, other = team["project"], team["other"]
    empty = make_project(manager=make_user())
    today = date(2026, 6, 10)  # a Wednesday; its week starts on Monday 8 June
    this_week = datetime(2026, 6, 9, 10, tzinfo=UTC)
    for values in [(4, 4, 4, 4, 4), (3, 3, 3, 3, 3), (5, 5, 5, 5, 5), (2, 2, 2, 2, 2), (4, 3, 2, 5, 1)]:
        make_response(project, values, respondent=make_user(), when=this_week)  # averages 4, 3, 5, 2, 3 → 17/5
    for values in [(1, 1, 1, 1, 1)] * 3:
        make_response(project, values, respondent=make_user(),
                      when=this_week - timedelta(weeks=1))  # three people: left out
    for values in [(5, 4, 5, 4, 5)] * 5:
        make_response(project, values, respondent=make_user(), when=this_week - timedelta(weeks=2))  # 4.6 each
    for values in [(2, 2, 2, 2, 2)] * 6:
        make_response(other, values, respondent=make_user(), when=this_week - timedelta(weeks=12))  # outside the window
    ids = [project.id, other.id, empty.id]
    with count_queries(db) as statements:
        trend = services.feedback_trend_by_project(ids, weeks=8, today=today)
        latest = services.latest_feedback_by_project(ids, weeks=4, today=today)
    assert len(statements) == 2
    assert trend == {ids[0]: [(date(2026, 5, 25), pytest.approx(4.6)), (date(2026, 6, 8), pytest.approx(3.4))],
                     ids[1]: [], ids[2]: []}
    snapshot = latest[ids[0]]
    assert snapshot.respondents == 13
    # 5 answers of 4.6, 3 of 1, and 17 points over the five dimensions of the five this week: (23 + 3 + 17) / 13
    assert snapshot.average == pytest.approx((5 * 4.6 + 3 * 1 + 17) / 13)
    assert snapshot.averages[Dimension.AWARENESS] == pytest.approx((25 + 3 + 18) / 13)
    assert latest[ids[1]] is None and latest[ids[2]] is None


# --------------------------------------------------------------------------- rules


@pytest.mark.no_app
def test_the_weakest_dimension_breaks_ties_in_adkar_order():
    assert services.weakest_dimension({A: 3.0, D: 2.5, K: 2.5, AB: 4, R: 2.7}) == D
    assert services.weakest_dimension({}) is None


@pytest.mark.no_app
def test_a_barrier_point_is_an_average_of_three_or_less():
    averages = {A: 3.01, D: 3.0, K: 2.999999999, AB: 4.2, R: 1.0}
    assert services.barrier_points(averages) == [D, K, R]


@pytest.mark.no_app
@pytest.mark.parametrize("day, monday", [
    (date(2026, 6, 8), date(2026, 6, 8)), (date(2026, 6, 14), date(2026, 6, 8)), (date(2026, 6, 15), date(2026, 6, 15)),
])
def test_answers_are_grouped_by_the_monday_of_their_week(day, monday):
    assert week_start(day) == monday
    assert week_start(datetime(day.year, day.month, day.day, 23, 59, tzinfo=UTC)) == monday


def test_the_results_page_runs_the_same_queries_whatever_the_number_of_answers(client, team, db):
    project = team["project"]
    stage = make_stage(project)
    login(client, team["manager"])

    def queries_for_page():
        with count_queries(db) as statements:
            assert client.get(f"/projects/{project.id}/feedback/results").status_code == 200
        return len(statements)

    for n in range(6):
        make_response(project, stage=stage, team=f"团队{n % 2}", comment=f"意见{n}")
    few = queries_for_page()
    for n in range(60):
        make_response(project, stage=stage, team=f"团队{n % 7}", language=("zh", "es", "en")[n % 3],
                      comment=f"意见{n}", when=datetime.now(UTC) - timedelta(weeks=n % 9))
    assert queries_for_page() == few


# --------------------------------------------------------------------------- padding cannot reveal anyone


def _numbers(page: str) -> set[str]:
    """Every decimal figure on the results page (averages are shown with one decimal)."""
    import re

    from tests.helpers import visible_text

    return set(re.findall(r"\b\d[.,]\d\b", visible_text(page)))


def test_padding_a_group_of_one_through_a_link_reveals_nothing(client, make_client, team, db, make_user,
                                                                add_member):
    """The attack: one real person answers; whoever holds a survey link adds four neutral answers
    and reads the person's ratings back from the averages. Nothing of that person may show."""
    project = team["project"]
    stage = make_stage(project, name="试点")
    link = make_link(project, stage=stage)
    staff_client = make_client()
    login(staff_client, team["staff"])
    victim = ratings(awareness=1, desire=5, knowledge=1, ability=5, reinforcement=1, stage_id=str(stage.id))
    assert staff_client.post(f"/projects/{project.id}/feedback/give", data=victim).status_code == 302

    attacker = make_client()  # the manager, holding the link, signed out or not
    for _ in range(4):
        assert attacker.post(f"/s/{link.token}", data=ratings(3, 3, 3, 3, 3)).status_code == 302
    found = services.results(project)
    assert (found.overall.respondents, found.overall.shown) == (1, False)
    assert all(not g.shown for g in found.by_stage + found.by_team + found.by_language + found.trend)
    [link_group] = found.by_link
    assert (link_group.respondents, link_group.shown) == (4, False)  # the four padded answers alone

    login(client, team["manager"])
    page = client.get(f"/projects/{project.id}/feedback/results?lang=en").get_data(as_text=True)
    assert _numbers(page) == set(), _numbers(page)  # no average anywhere
    assert "Not enough answers to show results yet." in page

    # A fifth padded answer makes the link's own group visible: it holds only the padding.
    attacker.post(f"/s/{link.token}", data=ratings(3, 3, 3, 3, 3))
    found = services.results(project)
    assert not found.overall.shown
    [link_group] = found.by_link
    assert link_group.shown and link_group.overall == pytest.approx(3.0)
    page = client.get(f"/projects/{project.id}/feedback/results?lang=en").get_data(as_text=True)
    assert _numbers(page) == {"3.0"}  # the padding's own figures, nothing of the member's 1s and 5s

    # Nor do the exports, the report or the dashboard reveal the member.
    for path in (f"/projects/{project.id}/report", "/dashboard"):
        figures = _numbers(client.get(path + "?lang=en").get_data(as_text=True))
        assert "1.0" not in figures and "5.0" not in figures, (path, figures)
    assert services.latest_feedback_by_project([project.id])[project.id] is None
    assert services.feedback_trend_by_project([project.id])[project.id] == []


def test_padding_with_several_links_is_never_merged(team, db):
    project = team["project"]
    first, second = make_link(project), make_link(project)
    for link in (first, second):
        for _ in range(3):
            make_response(project, (2, 2, 2, 2, 2), link=link)
    found = services.results(project)
    assert sorted((g.respondents, g.shown) for g in found.by_link) == [(3, False), (3, False)]
    assert not found.overall.shown and found.overall.respondents == 0


def test_the_rule_is_stated_on_the_results_page(client, team):
    login(client, team["manager"])
    for language, words in (("en", "How anonymity is kept"), ("es", None), ("zh", None)):
        page = client.get(f"/projects/{team['project'].id}/feedback/results?lang={language}").get_data(as_text=True)
        assert 'id="anonymity-rule"' in page
        if words:
            assert words in page and "open survey link" in page


def test_a_member_answers_only_about_stages_of_their_team(client, team, db):
    project = team["project"]
    theirs = make_stage(project, name="售后阶段")
    theirs.teams = ["售后服务"]
    elsewhere = make_stage(project, name="销售阶段")
    elsewhere.teams = ["销售"]
    everyone = make_stage(project, name="全员阶段")
    db.session.commit()
    login(client, team["staff"])
    form = client.get(f"/projects/{project.id}/feedback/give").get_data(as_text=True)
    assert "售后阶段" in form and "全员阶段" in form and "销售阶段" not in form
    response = client.post(f"/projects/{project.id}/feedback/give", data=ratings(stage_id=str(elsewhere.id)))
    assert response.status_code == 200
    assert answers(db) == []
    for stage in (theirs, everyone):
        assert client.post(f"/projects/{project.id}/feedback/give",
                            data=ratings(stage_id=str(stage.id))).status_code == 302
    assert len(answers(db)) == 2


def test_the_service_refuses_an_answer_about_another_teams_stage(team, db):
    from planner.errors import DomainError

    stage = make_stage(team["project"], name="销售阶段")
    stage.teams = ["销售"]
    db.session.commit()
    with pytest.raises(DomainError):
        services.submit_member_feedback(team["project"], team["staff_member"], dict.fromkeys(Dimension, 3), "",
                                        stage.id, "zh")
    db.session.rollback()


def test_a_link_limited_to_some_answers_closes_itself(client, make_client, team, db):
    project = team["project"]
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/feedback/links",
                           data={"stage_id": "", "label": "仓库", "max_answers": "2"})
    assert response.status_code == 302
    link = db.session.scalar(select(SurveyLink))
    assert link.max_answers == 2
    visitor = make_client()
    for _ in range(2):
        assert visitor.post(f"/s/{link.token}", data=ratings()).status_code == 302
    third = visitor.post(f"/s/{link.token}", data=ratings())
    assert third.status_code == 410
    assert len(answers(db)) == 2
    links_page = client.get(f"/projects/{project.id}/feedback/links?lang=en").get_data(as_text=True)
    assert "at most 2" in links_page


@pytest.mark.parametrize("limit", ["0", "-1", "100001", "1e3", "99999999999999999999", "二"])
def test_a_link_limit_must_be_sensible(client, team, db, limit):
    login(client, team["manager"])
    response = client.post(f"/projects/{team['project'].id}/feedback/links",
                           data={"stage_id": "", "max_answers": limit})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SurveyLink)) == 0
