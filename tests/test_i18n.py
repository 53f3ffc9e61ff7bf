"""Language negotiation and locale formatting, through HTTP."""

from datetime import date

import pytest

from tests.helpers import login


def html_lang(response) -> str:
    text = response.get_data(as_text=True)
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_english_is_the_default(client):
    assert html_lang(client.get("/login")) == "en"


@pytest.mark.parametrize("header, expected", [
    ("es-ES,es;q=0.9,en;q=0.5", "es"),
    ("zh-CN,zh;q=0.9", "zh"),
    ("zh-TW", "zh"),
    ("fr-FR,de;q=0.8", "en"),
    ("de;q=0.9,es;q=0.5", "es"),
])
def test_the_browser_language_is_used_when_nothing_else_is_set(client, header, expected):
    assert html_lang(client.get("/login", headers={"Accept-Language": header})) == expected


def test_an_explicit_switch_beats_the_browser_and_is_remembered(client):
    assert html_lang(client.get("/login?lang=zh", headers={"Accept-Language": "es"})) == "zh"
    assert html_lang(client.get("/login", headers={"Accept-Language": "es"})) == "zh"
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page


def test_an_unknown_switch_is_ignored(client):
    assert html_lang(client.get("/login?lang=xx", headers={"Accept-Language": "es"})) == "es"


def test_the_users_preference_beats_the_session_and_the_browser(client, make_user):
    user = make_user(language="es")
    login(client, user)
    assert html_lang(client.get("/projects", headers={"Accept-Language": "zh-CN"})) == "es"


def test_switching_while_signed_in_updates_the_preference(client, make_client, make_user, db):
    from planner.auth.models import User

    user = make_user(language="es")
    login(client, user)
    assert html_lang(client.get("/projects?lang=zh")) == "zh"
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "zh"
    other_browser = make_client()
    login(other_browser, user)
    assert html_lang(other_browser.get("/projects", headers={"Accept-Language": "en"})) == "zh"


def _sign_in(client, user, query=""):
    from tests.factories import PASSWORD

    response = client.post(f"/login{query}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("how", ["query", "earlier-visit"])
def test_the_language_chosen_on_the_sign_in_page_wins_and_is_saved(client, make_user, db, how):
    from planner.auth.models import User

    user = make_user(language="en")
    if how == "query":
        _sign_in(client, user, "?lang=zh")
    else:  # picked with the switcher, then the form posted to a plain /login
        client.get("/login?lang=zh")
        _sign_in(client, user)
    assert html_lang(client.get("/projects", headers={"Accept-Language": "en"})) == "zh"
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "zh"


def test_without_a_choice_the_accounts_language_beats_the_browser(client, make_user, db):
    from planner.auth.models import User

    user = make_user(language="es")
    client.get("/login", headers={"Accept-Language": "zh-CN"})
    _sign_in(client, user)
    assert html_lang(client.get("/projects", headers={"Accept-Language": "zh-CN"})) == "es"
    db.session.expire_all()
    assert db.session.get(User, user.id).language == "es"


def test_the_browser_decides_only_when_nobody_chose(client, make_user, db):
    from planner.auth.models import User

    user = make_user(language=None)
    _sign_in(client, user)
    assert html_lang(client.get("/projects", headers={"Accept-Language": "zh-CN"})) == "zh"
    assert html_lang(client.get("/projects", headers={"Accept-Language": "es"})) == "es"
    db.session.expire_all()
    assert db.session.get(User, user.id).language is None  # nothing chosen, nothing saved


def test_signing_out_keeps_the_page_language_without_choosing_for_the_next_person(client, make_user, db):
    from planner.auth.models import User

    first, second = make_user(language="zh"), make_user(language="es")
    _sign_in(client, first)
    client.post("/logout")
    assert html_lang(client.get("/login", headers={"Accept-Language": "en"})) == "zh"
    _sign_in(client, second)
    assert html_lang(client.get("/projects")) == "es"
    db.session.expire_all()
    assert db.session.get(User, second.id).language == "es"


def test_every_language_is_offered_in_its_own_name(client):
    page = client.get("/login").get_data(as_text=True)
    for name in ("English", "Español", "简体中文"):
        assert name in page


@pytest.mark.parametrize("language, expected", [
    ("en", "Mar 5, 2026"), ("es", "5 mar 2026"), ("zh", "2026年3月5日"),
])
def test_dates_are_formatted_for_the_locale(client, make_user, make_project, language, expected):
    user = make_user(language=language)
    project = make_project(manager=user, start_date=date(2026, 3, 5))
    login(client, user)
    assert expected in client.get(f"/projects/{project.id}").get_data(as_text=True)


@pytest.mark.parametrize("language, amount, number", [
    ("en", "$1,234.50", "1,234,567.89"),
    ("es", "1.234,50\xa0€", "1.234.567,89"),
    ("zh", "¥1,234.50", "1,234,567.89"),
])
def test_numbers_and_amounts_are_formatted_for_the_locale(client, make_user, language, amount, number):
    login(client, make_user(language=language))
    page = client.get("/account").get_data(as_text=True)
    assert f'data-sample="money">{amount}<' in page
    assert f'data-sample="number">{number}<' in page


def test_the_plotly_locale_carries_the_languages_month_names(client):
    assert "marzo" in client.get("/i18n/plotly-es.js").get_data(as_text=True)
    assert "三月" in client.get("/i18n/plotly-zh.js").get_data(as_text=True)
    assert client.get("/i18n/plotly-fr.js").status_code == 404


def test_wtforms_own_messages_are_translated(client, make_user):
    from planner.auth.models import User

    user = make_user(name="Ana")
    login(client, user)
    response = client.post("/account?lang=zh", data={
        "profile-name": "Ana", "profile-language": "klingon", "profile-timezone": "UTC", "profile-submit": "1"})
    page = response.get_data(as_text=True)
    assert "请从列表中选择一项。" in page
    assert "Not a valid choice" not in page
    assert User.by_email(user.email).language == "zh"  # from the ?lang switch, not "klingon"
