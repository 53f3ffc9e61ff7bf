"""User administration, through HTTP."""

from sqlalchemy import select

from planner.audit.models import AuditEvent
from planner.auth.models import GlobalRole, User
from tests.helpers import login

STRONG = "a sentence that is long enough"


def test_an_administrator_creates_a_user_with_a_global_role(client, make_user, db):
    login(client, make_user(role=GlobalRole.ADMIN))
    response = client.post("/admin/users/new", data={
        "email": "New.Person@Example.com", "name": "Nueva Persona", "role": "manager", "language": "es",
        "timezone": "Europe/Madrid", "password": STRONG})
    assert response.status_code == 302
    user = User.by_email("new.person@example.com")
    assert (user.email, user.role, user.language) == ("new.person@example.com", GlobalRole.MANAGER, "es")
    assert user.password_hash.startswith("scrypt:")
    assert "user.created" in db.session.scalars(select(AuditEvent.action)).all()


def test_the_new_user_can_sign_in(client, make_client, make_user):
    login(client, make_user(role=GlobalRole.ADMIN))
    client.post("/admin/users/new", data={"email": "new@example.com", "name": "N", "role": "user",
                                          "language": "", "timezone": "UTC", "password": STRONG})
    other = make_client()
    response = other.post("/login", data={"email": "new@example.com", "password": STRONG})
    assert response.status_code == 302


def test_a_duplicate_address_or_weak_password_is_refused(client, make_user, db):
    admin = make_user(role=GlobalRole.ADMIN)
    login(client, admin)
    page = client.post("/admin/users/new", data={"email": admin.email, "name": "X", "role": "user",
                                                 "language": "", "timezone": "UTC", "password": STRONG})
    assert "already exists" in page.get_data(as_text=True)
    page = client.post("/admin/users/new", data={"email": "x@example.com", "name": "X", "role": "user",
                                                 "language": "", "timezone": "UTC", "password": "qwertyuiop123"})
    assert "too common" in page.get_data(as_text=True)
    assert User.by_email("x@example.com") is None


def test_the_last_administrator_cannot_be_demoted(client, make_user, db):
    admin = make_user(role=GlobalRole.ADMIN, name="Admin")
    login(client, admin)
    client.post(f"/admin/users/{admin.id}", data={"name": "Admin", "role": "user", "language": "",
                                                   "timezone": "UTC", "active": "y"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == GlobalRole.ADMIN


def test_deactivating_a_user_ends_their_sessions(client, make_client, make_user, db):
    admin = make_user(role=GlobalRole.ADMIN)
    target = make_user(name="Target")
    theirs = make_client()
    login(theirs, target)
    login(client, admin)
    response = client.post(f"/admin/users/{target.id}", data={"name": "Target", "role": "user", "language": "",
                                                               "timezone": "UTC"})
    assert response.status_code == 302
    assert theirs.get("/projects").status_code == 302


def test_non_administrators_cannot_reach_administration(client, make_user):
    login(client, make_user(role=GlobalRole.MANAGER))
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data={"email": "x@example.com"}).status_code == 403


def test_the_administration_link_is_a_navigation_entry_for_administrators_only(make_client, make_user):
    admin = make_user(role=GlobalRole.ADMIN)
    member = make_user()
    as_admin, as_member = make_client(), make_client()
    login(as_admin, admin)
    login(as_member, member)
    link = 'href="/admin/users"'
    page = as_admin.get("/admin/users/new?lang=en").get_data(as_text=True)
    assert link in page and "Administration" in page
    current = page[page.index('<ul class="navbar-nav'):page.index(link)]
    assert current.rstrip().endswith('nav-link active"')  # every page of the administration marks it current
    assert link not in as_member.get("/projects?lang=en").get_data(as_text=True)
