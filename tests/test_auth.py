"""Signing in and out, sessions, the rate limit and the account page, through HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner.auth.models import User, UserSession
from planner.db import utcnow
from tests.factories import PASSWORD
from tests.helpers import login


def test_sign_in_with_the_right_password_opens_the_projects_page(client, make_user):
    make_user(email="ana@example.com")
    response = client.post("/login", data={"email": "ANA@example.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/projects").status_code == 200


def test_sign_in_page_has_the_fields_named_email_and_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html
    assert 'name="csrf_token"' in html


@pytest.mark.parametrize(
    "language, message",
    [("en", "Wrong e-mail address or password."),
     ("es", "Correo electrónico o contraseña incorrectos."),
     ("zh", "电子邮件地址或密码错误。")],
)
def test_a_wrong_password_gets_a_translated_error(client, make_user, language, message):
    make_user(email="ana@example.com")
    response = client.post(f"/login?lang={language}",
                           data={"email": "ana@example.com", "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get("/projects").status_code == 302


def test_an_unknown_address_gets_the_same_error_as_a_wrong_password(client):
    response = client.post("/login", data={"email": "nobody@example.com", "password": "whatever-long"})
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)


def test_repeated_failures_are_rate_limited_even_with_the_right_password(client, make_user, app):
    make_user(email="ana@example.com")
    limit = app.config["LOGIN_MAX_FAILURES"]
    wrong = {"email": "ana@example.com", "password": "wrong-password!"}
    for _ in range(limit):
        assert client.post("/login", data=wrong).status_code == 200
    response = client.post("/login?lang=es", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in response.get_data(as_text=True)
    assert client.get("/projects").status_code == 302


def test_the_rate_limit_is_per_address(client, make_user, app):
    make_user(email="ana@example.com")
    other = make_user(email="ben@example.com")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "ana@example.com", "password": "wrong-password!"})
    login(client, other)


def test_the_rate_limit_window_expires(client, make_user, app, db):
    from planner.ratelimit import RateCounter

    make_user(email="ana@example.com")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "ana@example.com", "password": "wrong-password!"})
    window = app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    db.session.execute(update(RateCounter).values(window_start=utcnow() - timedelta(seconds=window + 1)))
    db.session.commit()
    assert client.post("/login", data={"email": "ana@example.com", "password": PASSWORD}).status_code == 302


def test_an_inactive_account_cannot_sign_in(client, make_user):
    make_user(email="ana@example.com", active=False)
    response = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/projects").status_code == 302


def test_sign_in_starts_a_new_session_and_drops_what_was_there(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("sid")


def test_a_cookie_saved_before_sign_out_is_refused_afterwards(client, make_client, make_user, db):
    user = make_user()
    login(client, user)
    saved_cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert client.get("/projects").status_code == 302
    replay = make_client()
    replay.set_cookie("session", saved_cookie)
    response = replay.get("/projects")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_sign_out_needs_a_post_with_csrf(client, make_user):
    login(client, make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/projects").status_code == 200


def test_an_idle_session_expires(client, make_user, db, app):
    login(client, make_user())
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - idle))
    db.session.commit()
    response = client.get("/projects")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session expired" in page


def test_only_relative_next_addresses_are_followed(client, make_user):
    make_user(email="ana@example.com")
    response = client.post("/login?next=https://evil.example/", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/account", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_change_password_ends_other_sessions(client, make_client, make_user, db):
    user = make_user(email="ana@example.com")
    other_browser = make_client()
    login(client, user)
    login(other_browser, user)
    new = "a much longer passphrase 2026"
    response = client.post("/account/password", data={
        "password-current_password": PASSWORD, "password-new_password": new, "password-confirm": new})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_browser.get("/account").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(new)


@pytest.mark.parametrize(
    "new_password, message",
    [("short1!", "Use at least 12 characters."),
     ("password1234", "This password is too common"),
     ("aaaaaaaaaaaaaaaa", "This password is too common"),
     ("ana.lopez-is-the-best", "must not contain your e-mail address")],
)
def test_weak_passwords_are_refused_and_nothing_changes(client, make_user, db, new_password, message):
    user = make_user(email="ana.lopez@example.com")
    login(client, user)
    response = client.post("/account/password", data={
        "password-current_password": PASSWORD, "password-new_password": new_password,
        "password-confirm": new_password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_current_password_is_checked(client, make_user, db):
    user = make_user()
    login(client, user)
    new = "a much longer passphrase 2026"
    response = client.post("/account/password?lang=zh", data={
        "password-current_password": "not it at all", "password-new_password": new, "password-confirm": new})
    assert "当前密码不正确" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_user_saves_a_preferred_language_and_time_zone(client, make_user, db):
    user = make_user(name="Ana")
    login(client, user)
    response = client.post("/account", data={
        "profile-name": "Ana López", "profile-language": "es", "profile-timezone": "Europe/Madrid",
        "profile-submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.language, saved.timezone) == ("Ana López", "es", "Europe/Madrid")
    assert '<html lang="es">' in client.get("/account").get_data(as_text=True)


def test_an_unknown_language_or_time_zone_is_refused(client, make_user, db):
    user = make_user(name="Ana")
    login(client, user)
    response = client.post("/account", data={
        "profile-name": "Ana", "profile-language": "fr", "profile-timezone": "Mars/Olympus", "profile-submit": "1"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).language is None


def test_sign_out_other_sessions(client, make_client, make_user):
    user = make_user()
    other = make_client()
    login(client, user)
    login(other, user)
    assert client.post("/account/sessions/end-others").status_code == 302
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
