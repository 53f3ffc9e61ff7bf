"""The walk-through, the checklist, the seven-sins self-assessment and the key problems, through HTTP."""

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import event, func, select

from planner.audit.models import AuditEvent
from planner.audit.services import describe
from planner.auth.models import GlobalRole
from planner.methodology import links, services
from planner.methodology.catalogue import get_catalogue, load_catalogue
from planner.methodology.models import Adoption, ChecklistItem, ItemStatus, KeyProblem, SinAssessment
from planner.projects.models import Project
from tests.helpers import login, visible_text

SINS = load_catalogue().get("seven_sins")


def page(response) -> str:
    return visible_text(response.get_data(as_text=True))


def items_of(db, project, key="twelve_steps"):
    db.session.expire_all()
    return db.session.scalars(select(ChecklistItem).where(ChecklistItem.project_id == project.id,
                                                          ChecklistItem.methodology_key == key)
                              .order_by(ChecklistItem.position)).all()


def adopt(client, project, key="twelve_steps"):
    return client.post(f"/projects/{project.id}/methodology/adopt", data={"methodology": key})


def edit(client, item, **data):
    fields = {"owner": "", "due_date": "", "status": "not_started", "notes": "", "evidence": ""}
    return client.post(f"/projects/{item.project_id}/checklist/{item.id}", data={**fields, **data})


@pytest.fixture
def team(make_user, make_project, add_member):
    manager = make_user(name="María Gómez", role=GlobalRole.MANAGER)
    project = make_project(manager=manager)
    staff_user = make_user(name="Juan Pérez")
    staff = add_member(project, staff_user, team="Ventas")
    sponsor = make_user(name="Lucía Sánchez")
    add_member(project, sponsor, sponsor=True)
    return {"manager": manager, "project": project, "staff": staff_user, "staff_member": staff, "sponsor": sponsor}


# --------------------------------------------------------------------------- checklist and walk-through


def test_a_manager_creates_a_project_adopts_the_twelve_steps_completes_steps_and_sees_progress(client, make_user,
                                                                                                 db):
    login(client, make_user(role=GlobalRole.MANAGER))
    client.post("/projects/new", data={"name": "CRM", "currency": "EUR", "business_areas": ["sales"]})
    project = db.session.scalar(select(Project))

    response = adopt(client, project)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{project.id}/methodology/twelve_steps/steps/1")
    items = items_of(db, project)
    assert [i.item_key for i in items] == [step.key for step in get_catalogue().get("twelve_steps").items]
    assert all(item.status == ItemStatus.NOT_STARTED for item in items)

    adopt(client, project)  # adopting again changes nothing
    assert len(items_of(db, project)) == 12
    assert db.session.scalar(select(func.count()).select_from(Adoption)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "methodology.adopted")) == 1

    walk = page(client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/1"))
    assert "Step 1 of 12" in walk and "Agree on a vision of integrated CRM" in walk and "0 of 12 done" in walk

    for item in items[:3]:
        assert edit(client, item, status="done", evidence="Signed off").status_code == 302
    items = items_of(db, project)
    assert [i.status for i in items[:4]] == [ItemStatus.DONE] * 3 + [ItemStatus.NOT_STARTED]
    assert items[0].completed_at is not None and items[0].evidence == "Signed off"
    assert "3 of 12 done" in page(client.get(f"/projects/{project.id}/methodology"))
    assert "3 of 12 done" in page(client.get(f"/projects/{project.id}"))  # the overview panel
    assert services.checklist_progress_by_project([project.id]) == {project.id: (3, 12)}

    edit(client, items[3], status="not_applicable")  # a step that does not apply leaves the count
    assert "3 of 11 done" in page(client.get(f"/projects/{project.id}/methodology"))
    assert services.checklist_progress_by_project([project.id]) == {project.id: (3, 11)}
    edit(client, items[0], status="in_progress")  # and a step reopened is no longer done
    assert items_of(db, project)[0].completed_at is None
    assert services.checklist_progress_by_project([project.id]) == {project.id: (2, 11)}


def test_the_wizard_moves_previous_next_and_save_and_next(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    adopt(client, project)
    items = items_of(db, project)
    html = client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/2").get_data(as_text=True)
    assert f'rel="prev" href="/projects/{project.id}/methodology/twelve_steps/steps/1"' in html
    assert f'rel="next" href="/projects/{project.id}/methodology/twelve_steps/steps/3"' in html
    response = edit(client, items[1], status="done", owner=str(team["staff_member"].id), due_date="2026-06-30",
                    save_next="y")
    assert response.headers["Location"].endswith("/methodology/twelve_steps/steps/3")
    item = items_of(db, project)[1]
    assert (item.owner_id, item.due_date) == (team["staff_member"].id, date(2026, 6, 30))
    last = page(client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/12"))
    assert "Step 12 of 12" in last and "Back to the checklist" in last
    assert client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/13").status_code == 404
    assert client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/0").status_code == 404
    assert client.get(f"/projects/{project.id}/methodology/five_principles/steps/1").status_code == 404  # not adopted
    assert client.get(f"/projects/{project.id}/methodology/seven_sins/steps/1").status_code == 404  # not a checklist


def test_the_guidance_is_shown_in_the_readers_language(client, team, make_user, add_member, db):
    project = team["project"]
    services.adopt(project, "twelve_steps")
    db.session.commit()
    reader = make_user(language="zh")
    add_member(project, reader)
    login(client, reader)
    text = page(client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/3"))
    assert "第 3 步，共 12 步" in text and "建立业务论证" in text and "需要回答的问题" in text
    assert "已完成 0 / 12" in text


def test_steps_link_to_the_features_where_the_work_happens(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    adopt(client, project)
    adopt(client, project, "focus_cycle")
    business_case = client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/3").get_data(as_text=True)
    assert "Where the work happens" in business_case and f'href="/projects/{project.id}/tco"' in business_case
    focus = client.get(f"/projects/{project.id}/methodology/focus_cycle/steps/1").get_data(as_text=True)
    assert "Where the work happens" in focus and f'href="/projects/{project.id}/problems"' in focus


def test_staff_are_not_sent_to_pages_they_may_not_open(client, team, db):
    project = team["project"]
    services.adopt(project, "twelve_steps")
    db.session.commit()
    login(client, team["staff"])
    business_case = client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/3").get_data(as_text=True)
    assert f'href="/projects/{project.id}/tco"' not in business_case  # the TCO model is for managers and sponsors
    assert client.get(f"/projects/{project.id}/tco").status_code == 403


def test_a_link_is_offered_when_its_endpoint_is_registered():
    app = Flask(__name__)
    app.add_url_rule("/projects/<int:project_id>/tco", "tco.index", lambda project_id: "")
    with app.test_request_context():
        found = links.available(["tco", "quick_wins", "kpis"], Project(id=7))
    assert [(url, icon) for _label, url, icon in found] == [("/projects/7/tco", "calculator")]


def test_staff_and_sponsors_cannot_adopt_or_edit_and_nothing_changes(client, team, db):
    project = team["project"]
    services.adopt(project, "twelve_steps")
    db.session.commit()
    item = items_of(db, project)[0]
    for user in (team["staff"], team["sponsor"]):
        client.post("/logout")
        login(client, user)
        assert adopt(client, project, "five_principles").status_code == 403
        assert edit(client, item, status="done", notes="改了").status_code == 403
        assert "Only project managers and the owner of this step can change it." in page(
            client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/1"))
    assert db.session.scalar(select(func.count()).select_from(Adoption)) == 1
    item = items_of(db, project)[0]
    assert (item.status, item.notes) == (ItemStatus.NOT_STARTED, "")


def test_the_owner_of_a_step_updates_its_status_notes_and_evidence_but_not_its_plan(client, team, db):
    project, staff = team["project"], team["staff_member"]
    services.adopt(project, "twelve_steps")
    db.session.commit()
    item = items_of(db, project)[1]
    item.owner_id, item.due_date = staff.id, date(2026, 5, 1)
    db.session.commit()
    login(client, team["staff"])
    html = client.get(f"/projects/{project.id}/methodology/twelve_steps/steps/2").get_data(as_text=True)
    assert 'name="status"' in html and 'name="owner"' not in html and 'name="due_date"' not in html
    response = edit(client, item, status="done", notes="Entrevistas hechas", evidence="Informe en la intranet",
                    owner="", due_date="2030-01-01")
    assert response.status_code == 302
    item = items_of(db, project)[1]
    assert (item.status, item.notes, item.evidence) == (ItemStatus.DONE, "Entrevistas hechas",
                                                        "Informe en la intranet")
    assert (item.owner_id, item.due_date) == (staff.id, date(2026, 5, 1))  # the plan is the manager's


def test_invalid_input_is_refused_with_a_translated_error_and_nothing_saved(client, team, make_user, make_project,
                                                                            add_member, db):
    project = team["project"]
    outsider_member = add_member(make_project(manager=make_user()), make_user())
    services.adopt(project, "twelve_steps")
    db.session.commit()
    item = items_of(db, project)[0]
    team["manager"].language = "es"
    db.session.commit()
    login(client, team["manager"])
    response = edit(client, item, status="finished", owner=str(outsider_member.id), due_date="2026-02-30",
                    notes="x" * 5000)
    text = page(response)
    assert response.status_code == 200
    assert "Elige una de las opciones disponibles." in text
    assert "Introduce una fecha válida." in text and "Introduce como máximo 4000 caracteres." in text
    item = items_of(db, project)[0]
    assert (item.status, item.owner_id, item.due_date, item.notes) == (ItemStatus.NOT_STARTED, None, None, "")


def test_an_item_of_another_project_is_not_found(client, team, make_user, make_project, db):
    other = make_project(manager=make_user())
    services.adopt(other, "twelve_steps")
    db.session.commit()
    foreign = items_of(db, other)[0]
    login(client, team["manager"])
    assert client.post(f"/projects/{team['project'].id}/checklist/{foreign.id}",
                       data={"status": "done"}).status_code == 404
    assert items_of(db, other)[0].status == ItemStatus.NOT_STARTED


def test_an_archived_project_refuses_adoption(client, team, db):
    project = team["project"]
    project.archived_at = datetime(2026, 6, 1, tzinfo=UTC)
    db.session.commit()
    login(client, team["manager"])
    assert adopt(client, project).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Adoption)) == 0


def test_the_adoption_is_audited_in_the_readers_language(client, team, db):
    login(client, team["manager"])
    adopt(client, team["project"])
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "methodology.adopted"))
    with force_locale("zh"):
        assert describe(event_) == "采用了方法论“构建 CRM 基础设施的十二个步骤”，共 12 个步骤。"
    with force_locale("es"):
        assert "«Doce pasos para construir la infraestructura del CRM»" in describe(event_)


def test_done_is_readable_for_stage_gates_one_by_one_and_in_bulk(team, db):
    services.adopt(team["project"], "twelve_steps")
    items = items_of(db, team["project"])
    items[0].status, items[1].status = ItemStatus.DONE, ItemStatus.NOT_APPLICABLE
    db.session.commit()
    assert services.item_is_done(items[0]) and not services.item_is_done(items[1])
    assert services.items_done([items[0].id, items[1].id, items[2].id, 99999]) == {
        items[0].id: True, items[1].id: False, items[2].id: False}
    assert db.session.scalar(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.is_done)) == 1


# --------------------------------------------------------------------------- seven-sins self-assessment


def answers(overrides: dict[str, str]) -> dict:
    """Form data: every warning sign "no" unless overridden by "<sin>": "letters" (y / p / n)."""
    data = {}
    letters = {"y": "yes", "p": "partly", "n": "no"}
    for sin in SINS.items:
        given = overrides.get(sin.key, "n" * len(sin.warning_signs))
        for sign, letter in zip(sin.warning_signs, given, strict=True):
            data[f"a-{sin.key}-{sign.key}"] = letters[letter]
    return data


def test_the_self_assessment_produces_the_scores_computed_by_hand(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    response = client.post(f"/projects/{project.id}/risk/new", data={
        **answers({"no_strategy": "ypn", "expectations": "pnn", "no_success_definition": "yyp"}), "note": "Taller"})
    assert response.status_code == 302
    first = db.session.scalar(select(SinAssessment))
    # By hand: 3 of 6 points = 50; 1 of 6 = 16.67 → 17; 5 of 6 = 83.33 → 83; the four others 0.
    assert first.scores == {"no_strategy": 50, "expectations": 17, "no_success_definition": 83, "no_backing": 0,
                            "dirty_data": 0, "over_customising": 0, "big_bang": 0}
    # Overall: (50 + 16.67 + 83.33) / 7 = 21.43 → 21, green by score but amber because two sins are red.
    assert (first.overall_score, first.level, first.note) == (21, "amber", "Taller")
    text = page(client.get(f"/projects/{project.id}/risk"))
    assert "Overall risk 21 / 100 Some risk" in text
    assert re.search(r"Not defining success.*83 / 100 High risk", text)
    assert services.sins_risk_by_project([project.id]) == {project.id: (21, "amber")}

    client.post(f"/projects/{project.id}/risk/new", data=answers({"dirty_data": "ppp"}))  # a second round
    assert services.sins_risk_by_project([project.id]) == {project.id: (7, "amber")}  # 50 / 7 = 7.14; one red
    text = page(client.get(f"/projects/{project.id}/risk"))
    assert "Since the previous round: 14 points better" in text
    assert re.search(r"Neglecting data hygiene.*50 / 100 High risk 50 points worse", text)
    assert re.search(r"No CRM strategy.*0 / 100 Low risk 50 points better", text)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="risk-flag" data-level="amber"' in html
    latest = db.session.scalars(select(SinAssessment).order_by(SinAssessment.id.desc())).first()
    detail = page(client.get(f"/projects/{project.id}/risk/{latest.id}"))
    assert "Partly (was: No)" in detail


def test_the_assessment_form_starts_from_the_previous_answers(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    client.post(f"/projects/{project.id}/risk/new", data=answers({"big_bang": "yyy"}))
    html = client.get(f"/projects/{project.id}/risk/new").get_data(as_text=True)
    assert re.search(r'id="a-big_bang-all_at_once-0"[^>]*value="yes"[^>]*checked|'
                     r'checked[^>]*id="a-big_bang-all_at_once-0"', html)


def test_an_incomplete_assessment_is_refused_and_nothing_is_saved(client, team, make_user, add_member, db):
    project = team["project"]
    team["manager"].language = "zh"
    db.session.commit()
    login(client, team["manager"])
    data = answers({})
    data.pop("a-dirty_data-no_data_owner")
    data["a-big_bang-all_at_once"] = "sometimes"
    text = page(client.post(f"/projects/{project.id}/risk/new", data=data))
    assert "还有 1 个问题未回答" in text and "请从给出的选项中选择一项。" in text
    assert db.session.scalar(select(func.count()).select_from(SinAssessment)) == 0


def test_staff_cannot_record_an_assessment(client, team, db):
    login(client, team["staff"])
    assert client.post(f"/projects/{team['project'].id}/risk/new", data=answers({})).status_code == 403
    assert client.get(f"/projects/{team['project'].id}/risk").status_code == 403  # a page for managers and sponsors
    assert db.session.scalar(select(func.count()).select_from(SinAssessment)) == 0


def test_an_assessment_of_another_project_is_not_found(client, team, make_user, make_project, db):
    other = make_project(manager=make_user())
    services.record_assessment(other, {k.removeprefix("a-").replace("-", ".", 1): v
                                       for k, v in answers({}).items()})
    db.session.commit()
    foreign = db.session.scalar(select(SinAssessment))
    login(client, team["manager"])
    assert client.get(f"/projects/{team['project'].id}/risk/{foreign.id}").status_code == 404


# --------------------------------------------------------------------------- key problems


def titles(db, project):
    db.session.expire_all()
    return [(p.title, p.in_focus) for p in db.session.scalars(
        select(KeyProblem).where(KeyProblem.project_id == project.id).order_by(KeyProblem.position))]


def test_a_manager_lists_ranks_and_focuses_the_key_problems(client, team, db):
    project = team["project"]
    login(client, team["manager"])
    url = f"/projects/{project.id}/problems"
    for title in ("客户资料分散", "报价太慢", "售后响应慢", "数据重复", "预测不准"):
        assert client.post(url, data={"title": title, "in_focus": "y"}).status_code == 302
    assert "5 problems are in focus" in page(client.get(url))  # the point is focus: it warns

    problems = db.session.scalars(select(KeyProblem).order_by(KeyProblem.position)).all()
    client.post(f"{url}/{problems[2].id}/move", data={"direction": "up"})
    client.post(f"{url}/{problems[0].id}/move", data={"direction": "up"})  # already first: nothing moves
    client.post(f"{url}/{problems[3].id}/focus", data={"in_focus": "0"})
    client.post(f"{url}/{problems[4].id}/focus", data={"in_focus": "0"})
    assert titles(db, project) == [("客户资料分散", True), ("售后响应慢", True), ("报价太慢", True),
                                   ("数据重复", False), ("预测不准", False)]
    assert "problems are in focus" not in page(client.get(url))

    client.post(f"{url}/{problems[1].id}/edit", data={"title": "报价要三天", "description": "靠邮件核价"})
    client.post(f"{url}/{problems[0].id}/delete")
    assert titles(db, project) == [("售后响应慢", True), ("报价要三天", False), ("数据重复", False),
                                   ("预测不准", False)]
    positions = db.session.scalars(select(KeyProblem.position).order_by(KeyProblem.position)).all()
    assert positions == [1, 2, 3, 4]
    overview = page(client.get(f"/projects/{project.id}"))
    assert "Key problems in focus 售后响应慢" in overview


def test_a_problem_needs_a_title(client, team, db):
    login(client, team["manager"])
    text = page(client.post(f"/projects/{team['project'].id}/problems", data={"title": "  "}))
    assert "This field is required." in text
    assert db.session.scalar(select(func.count()).select_from(KeyProblem)) == 0


def test_staff_read_the_key_problems_but_cannot_change_them(client, team, db):
    project = team["project"]
    services.add_problem(project, "客户资料分散")
    db.session.commit()
    problem = db.session.scalar(select(KeyProblem))
    login(client, team["staff"])
    url = f"/projects/{project.id}/problems"
    assert "客户资料分散" in page(client.get(url))
    assert client.post(url, data={"title": "新问题"}).status_code == 403
    for action, data in (("move", {"direction": "down"}), ("focus", {"in_focus": "1"}), ("delete", {}),
                         ("edit", {"title": "改名"})):
        assert client.post(f"{url}/{problem.id}/{action}", data=data).status_code == 403
    assert titles(db, project) == [("客户资料分散", False)]


def test_a_problem_of_another_project_is_not_found(client, team, make_user, make_project, db):
    other = make_project(manager=make_user())
    services.add_problem(other, "乙方问题")
    db.session.commit()
    problem = db.session.scalar(select(KeyProblem))
    login(client, team["manager"])
    url = f"/projects/{team['project'].id}/problems/{problem.id}"
    for action, data in (("move", {"direction": "down"}), ("focus", {"in_focus": "1"}), ("delete", {}),
                         ("edit", {"title": "改名"})):
        assert client.post(f"{url}/{action}", data=data).status_code == 404
    assert titles(db, other) == [("乙方问题", False)]


# --------------------------------------------------------------------------- for the executive dashboard


def count_queries(db):
    statements = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    return statements, lambda: event.remove(db.engine, "before_cursor_execute", before)


def test_the_bulk_functions_answer_many_projects_in_one_query_each(make_user, make_project, db):
    projects = [make_project(manager=make_user()) for _ in range(4)]
    for n, project in enumerate(projects[:3]):
        services.adopt(project, "twelve_steps")
        items = items_of(db, project)
        for item in items[:n]:
            item.status = ItemStatus.DONE
        data = {f"{sin.key}.{sign.key}": "yes" if n == 2 else "no" for sin in SINS.items for sign in sin.warning_signs}
        services.record_assessment(project, data)
    db.session.commit()
    ids = [p.id for p in projects]
    statements, stop = count_queries(db)
    try:
        progress = services.checklist_progress_by_project(ids)
        risk = services.sins_risk_by_project(ids)
    finally:
        stop()
    assert len(statements) == 2
    assert progress == {ids[0]: (0, 12), ids[1]: (1, 12), ids[2]: (2, 12), ids[3]: (0, 0)}
    assert risk == {ids[0]: (0, "green"), ids[1]: (0, "green"), ids[2]: (100, "red")}


def test_the_demo_data_loads_twice_without_adding_anything(app, db):
    from planner import demo

    demo.load()
    tables = (Adoption, ChecklistItem, SinAssessment, KeyProblem)
    counts = [db.session.scalar(select(func.count()).select_from(table)) for table in tables]
    demo.load()
    assert [db.session.scalar(select(func.count()).select_from(table)) for table in tables] == counts
    assert counts[0] == 6 and counts[2] == 6
    for project in db.session.scalars(select(Project)):
        rounds = services.assessments(project)
        assert len(rounds) == 2 and rounds[0].overall_score != rounds[1].overall_score
        done, total = services.checklist_progress_by_project([project.id])[project.id]
        assert 0 < done < total


def test_a_company_methodology_dropped_in_its_folder_is_offered_in_each_language(client, team, app, db,
                                                                                  tmp_path, monkeypatch):
    from planner.methodology.catalogue import configured_dirs, init_app

    (tmp_path / "acme.yaml").write_text("""
key: acme_onboarding
kind: checklist
title: {en: Acme onboarding, es: Incorporación Acme, zh: 艾克美上手指南}
summary: {en: How Acme rolls out a CRM., es: Cómo despliega Acme un CRM., zh: 艾克美推广客户关系管理系统的方法。}
sections:
  - key: steps
    items:
      - key: kickoff
        title: {en: Kick-off, es: Arranque, zh: 启动会}
        summary: {en: Meet the team., es: Conoce al equipo., zh: 与团队见面。}
        evidence: {en: Minutes., es: Acta., zh: 会议纪要。}
        links: [key_problems]
""", encoding="utf-8")
    monkeypatch.setitem(app.config, "METHODOLOGY_DIR", str(tmp_path))
    assert configured_dirs(app) == [tmp_path]
    monkeypatch.setitem(app.extensions, "methodology_catalogue", None)
    init_app(app)
    project = team["project"]
    login(client, team["manager"])
    assert "艾克美上手指南" in page(client.get("/methodology?lang=zh"))
    assert adopt(client, project, "acme_onboarding").status_code == 302
    text = page(client.get(f"/projects/{project.id}/methodology/acme_onboarding/steps/1?lang=es"))
    assert "Arranque" in text and "Conoce al equipo." in text and "Paso 1 de 1" in text


def test_the_pages_need_the_same_number_of_queries_however_many_steps_and_owners(client, team, make_user,
                                                                                 add_member, db):
    project = team["project"]
    login(client, team["manager"])
    urls = [f"/projects/{project.id}/methodology", f"/projects/{project.id}/methodology/twelve_steps/steps/1",
            f"/projects/{project.id}", f"/projects/{project.id}/risk"]
    adopt(client, project)
    client.post(f"/projects/{project.id}/risk/new", data=answers({}))
    items_of(db, project)[0].owner_id = team["staff_member"].id  # one owner: the owners' query runs
    db.session.commit()

    def counts():
        found = []
        for url in urls:
            statements, stop = count_queries(db)
            try:
                assert client.get(url).status_code == 200
            finally:
                stop()
            found.append(len(statements))
        return found

    counts()  # warm the caches (the overview's KPI card computes its values once)
    before = counts()
    for name in ("people_first", "five_principles", "focus_cycle"):
        adopt(client, project, name)
    members = [add_member(project, make_user()) for _ in range(5)]
    for n, item in enumerate(db.session.scalars(select(ChecklistItem))):
        item.owner_id = members[n % 5].id
        item.status = ItemStatus.DONE if n % 2 else ItemStatus.IN_PROGRESS
    db.session.commit()
    for _ in range(3):
        client.post(f"/projects/{project.id}/risk/new", data=answers({"big_bang": "yyy"}))
    counts()  # new members change adoption: its cached value is computed again once
    assert counts() == before
