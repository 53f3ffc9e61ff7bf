"""Health check, configuration, security headers, cookies and CSRF."""

import pytest

from planner import create_app
from planner.config import ConfigError
from tests.helpers import login


def test_healthz_says_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "reachable"}


@pytest.mark.no_app
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    broken = create_app({"PLANNER_ENV": "testing",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


@pytest.mark.no_app
def test_a_missing_secret_key_outside_development_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PLANNER_ENV", "production")
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.no_app
def test_development_keeps_a_generated_secret_key_between_starts(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite")
    first = create_app({"PLANNER_ENV": "development"}).secret_key
    second = create_app({"PLANNER_ENV": "development"}).secret_key
    assert first == second and len(first) >= 32


@pytest.mark.no_app
def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path, monkeypatch):
    from sqlalchemy import text

    from planner.extensions import db

    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"PLANNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_pages_carry_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts(client, make_user):
    login(client, make_user())
    for path in ("/login", "/projects", "/account"):
        html = client.get(path).get_data(as_text=True)
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, f"inline script on {path}: {head}"


def test_the_session_cookie_is_httponly_and_samesite(client, make_user):
    response = login(client, make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(app, make_user):
    user = make_user()
    client = app.test_client()
    form = client.get("/login", base_url="https://planner.example").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery staple",
                                           "csrf_token": token},
                           base_url="https://planner.example", headers={"Referer": "https://planner.example/login"},
                           csrf=False)
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_a_form_post_without_csrf_token_is_refused(client, make_user):
    make_user(email="ana@example.com")
    response = client.post("/login", data={"email": "ana@example.com", "password": "correct horse battery staple"},
                           csrf=False)
    assert response.status_code == 400
    assert client.get("/projects").status_code == 302


def test_a_csrf_error_is_translated(client):
    response = client.post("/login?lang=es", data={"email": "a@example.com", "password": "x"}, csrf=False)
    assert response.status_code == 400
    assert "Este formulario ha vencido" in response.get_data(as_text=True)


def test_not_found_pages_are_translated(client):
    response = client.get("/nothing-here?lang=zh")
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_no_page_loads_anything_from_another_site(client, make_user):
    login(client, make_user())
    for path in ("/login", "/projects", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert "https://" not in html and "http://" not in html.replace('xmlns="http://www.w3.org', "")


def test_form_fields_without_help_text_carry_no_empty_aria_reference(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'aria-describedby="None"' not in html and 'aria-describedby=""' not in html
