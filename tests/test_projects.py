"""Projects, members and project roles, through HTTP."""

from datetime import date

from sqlalchemy import select

from planner.audit.models import AuditEvent
from planner.auth.models import GlobalRole
from planner.projects.models import Project, ProjectMember
from tests.helpers import login


def project_form(**overrides):
    data = {"name": "CRM para ventas", "description": "Unificar ventas", "vision": "Un solo cliente",
            "business_areas": ["sales", "service"], "currency": "EUR", "start_date": "2026-04-06"}
    data.update(overrides)
    return data


def test_a_project_creator_creates_a_project_and_becomes_its_manager(client, make_user, db):
    creator = make_user(role=GlobalRole.MANAGER)
    login(client, creator)
    response = client.post("/projects/new", data=project_form())
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    assert (project.name, project.currency, project.start_date) == ("CRM para ventas", "EUR", date(2026, 4, 6))
    assert project.business_areas == ["sales", "service"]
    member = db.session.scalar(select(ProjectMember))
    assert (member.user_id, member.is_manager) == (creator.id, True)
    assert db.session.scalar(select(AuditEvent.action)) == "project.created"


def test_a_plain_member_cannot_create_projects(client, make_user, db):
    login(client, make_user())
    assert client.post("/projects/new", data=project_form()).status_code == 403
    assert db.session.scalar(select(Project)) is None


def test_invalid_project_data_is_refused_with_translated_errors_and_nothing_saved(client, make_user, db):
    login(client, make_user(role=GlobalRole.MANAGER, language="es"))
    response = client.post("/projects/new", data=project_form(name="", currency="XXX", start_date="2026-13-40",
                                                              business_areas=["finance"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Este campo es obligatorio." in page
    assert "Introduce una fecha válida." in page
    assert db.session.scalar(select(Project)) is None


def test_project_list_shows_only_my_projects(client, make_user, make_project):
    me = make_user()
    mine = make_project(manager=me, name="我的项目")
    make_project(manager=make_user(), name="别人的项目")
    login(client, me)
    page = client.get("/projects").get_data(as_text=True)
    assert mine.name in page and "别人的项目" not in page


def test_administrators_see_every_project(client, make_user, make_project):
    make_project(manager=make_user(), name="别人的项目")
    login(client, make_user(role=GlobalRole.ADMIN))
    assert "别人的项目" in client.get("/projects").get_data(as_text=True)


def test_a_manager_edits_the_project_and_the_change_is_audited(client, make_user, make_project, db):
    manager = make_user()
    project = make_project(manager=manager)
    login(client, manager)
    response = client.post(f"/projects/{project.id}/settings", data=project_form(name="Nuevo nombre"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "Nuevo nombre"
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert "project.updated" in events


def test_staff_cannot_edit_and_nothing_changes(client, make_user, make_project, add_member, db):
    project = make_project(manager=make_user(), name="原名")
    staff = make_user()
    add_member(project, staff)
    login(client, staff)
    assert client.post(f"/projects/{project.id}/settings", data=project_form(name="改名")).status_code == 403
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "原名"


def test_a_manager_adds_a_member_with_roles(client, make_user, make_project, db):
    manager = make_user()
    project = make_project(manager=manager)
    newcomer = make_user(email="nuevo@example.com")
    login(client, manager)
    response = client.post(f"/projects/{project.id}/members",
                           data={"email": "NUEVO@example.com", "is_sponsor": "y", "team": "Ventas"})
    assert response.status_code == 302
    member = db.session.scalar(select(ProjectMember).where(ProjectMember.user_id == newcomer.id))
    assert (member.is_sponsor, member.is_manager, member.team) == (True, False, "Ventas")


def test_adding_an_unknown_address_or_a_member_twice_is_refused(client, make_user, make_project, db):
    manager = make_user(language="zh")
    project = make_project(manager=manager)
    login(client, manager)
    page = client.post(f"/projects/{project.id}/members", data={"email": "ghost@example.com"}).get_data(as_text=True)
    assert "ghost@example.com" in page and "没有使用该电子邮件" in page
    page = client.post(f"/projects/{project.id}/members", data={"email": manager.email}).get_data(as_text=True)
    assert "已经是该项目的成员" in page
    assert len(db.session.scalars(select(ProjectMember)).all()) == 1


def test_the_last_project_manager_cannot_be_removed_or_demoted(client, make_user, make_project, db):
    manager = make_user()
    project = make_project(manager=manager)
    member = db.session.scalar(select(ProjectMember))
    login(client, manager)
    client.post(f"/projects/{project.id}/members/{member.id}/remove")
    client.post(f"/projects/{project.id}/members/{member.id}", data={f"m{member.id}-team": "PMO"})
    db.session.expire_all()
    assert db.session.get(ProjectMember, member.id).is_manager is True


def test_a_member_of_another_project_cannot_be_changed_through_this_one(client, make_user, make_project,
                                                                         add_member, db):
    manager = make_user()
    mine = make_project(manager=manager)
    other = make_project(manager=make_user())
    victim = add_member(other, make_user(), team="原队")
    login(client, manager)
    assert client.post(f"/projects/{mine.id}/members/{victim.id}", data={f"m{victim.id}-team": "X"}).status_code == 404
    assert client.post(f"/projects/{mine.id}/members/{victim.id}/remove").status_code == 404
    db.session.expire_all()
    assert db.session.get(ProjectMember, victim.id).team == "原队"


def test_an_archived_project_is_read_only_until_restored(client, make_user, make_project, db):
    manager = make_user()
    project = make_project(manager=manager, name="原名")
    login(client, manager)
    assert client.post(f"/projects/{project.id}/archive").status_code == 302
    assert client.get("/projects").get_data(as_text=True).count("原名") == 0
    assert "原名" in client.get("/projects?archived=1").get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/settings", data=project_form(name="改名"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "原名"
    assert client.post(f"/projects/{project.id}/restore").status_code == 302
    client.post(f"/projects/{project.id}/settings", data=project_form(name="改名"))
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "改名"


def test_the_audit_log_shows_changes_in_the_readers_language(client, make_user, make_project):
    manager = make_user()
    project = make_project(manager=manager)
    login(client, manager)
    client.post(f"/projects/{project.id}/archive")
    page = client.get(f"/projects/{project.id}/audit?lang=es").get_data(as_text=True)
    assert "Archivó el proyecto." in page


def test_user_text_is_escaped(client, make_user, make_project):
    manager = make_user()
    project = make_project(manager=manager, name="<script>alert(1)</script>")
    login(client, manager)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_audit_log_names_changed_settings_in_the_readers_language(client, make_user, make_project):
    manager = make_user()
    project = make_project(manager=manager, name="原名")
    login(client, manager)
    client.post(f"/projects/{project.id}/settings", data=project_form(name="新名", vision="新的愿景"))
    page = client.get(f"/projects/{project.id}/audit?lang=zh").get_data(as_text=True)
    line = page.split("修改了项目设置：", 1)[1].split("。", 1)[0]
    assert "项目名称" in line and "愿景" in line
    assert "vision" not in line and "name" not in line
