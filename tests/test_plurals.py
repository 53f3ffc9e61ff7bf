"""Counts are shown through ngettext: the singular and the plural read right in Spanish, and in
Chinese the measure word fits the noun it counts."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from tests.helpers import login, visible_text


@pytest.mark.parametrize("language, others, expected", [
    ("es", 1, "Se cerró 1 sesión más."),
    ("es", 2, "Se cerraron 2 sesiones más."),
    ("en", 1, "Signed out of 1 other session."),
    ("en", 3, "Signed out of 3 other sessions."),
    ("zh", 2, "已退出其他 2 个会话。"),
    ("es", 0, "No tenías otras sesiones abiertas."),
    ("zh", 0, "您没有其他需要退出的会话。"),
])
def test_signing_out_other_sessions_counts_them_in_the_readers_language(
        client, make_client, make_user, language, others, expected):
    user = make_user(language=language)
    login(client, user)
    for _ in range(others):
        login(make_client(), user)
    page = client.post("/account/sessions/end-others", follow_redirects=True).get_data(as_text=True)
    assert expected in visible_text(page)


@pytest.mark.parametrize("language, current, previous, expected", [
    ("es", 40, 39, "1 punto peor"),
    ("es", 40, 42, "2 puntos mejor"),
    ("en", 40, 39, "1 point worse"),
    ("en", 39, 40, "1 point better"),
    ("zh", 40, 30, "恶化 10 分"),
])
def test_a_risk_change_is_singular_or_plural(app, language, current, previous, expected):
    with app.test_request_context(), force_locale(language):
        macros = app.jinja_env.get_template("methodology/_macros.html").module
        assert expected in visible_text(str(macros.delta(current, previous)))


@pytest.mark.parametrize("language, key, count, expected", [
    ("zh", "adoption", 12, "12 名纳入范围的员工"),
    ("zh", "closed_loop", 28, "28 次互动"),
    ("zh", "data_quality", 5, "5 位联系人"),
    ("zh", "first_contact_resolution", 3, "3 个已受理的工单"),
    ("es", "data_quality", 1, "1 contacto"),
    ("es", "data_quality", 2, "2 contactos"),
    ("es", "closed_loop", 1, "1 interacción"),
    ("en", "closed_loop", 1, "1 interaction"),
    ("en", "retention", 2, "2 accounts active in the previous period"),
])
def test_what_a_kpi_counts_carries_its_own_plural_and_measure_word(app, language, key, count, expected):
    from planner.kpis.definitions import DEFINITIONS, KpiKey

    with app.test_request_context(), force_locale(language):
        assert DEFINITIONS[KpiKey(key)].whole(count) == expected


def test_no_kpi_phrase_hard_codes_a_measure_word_for_another_noun(app):
    """The old "%(total)s 个%(what)s" put 个 before people and interactions alike."""
    from planner.kpis.definitions import DEFINITIONS

    with app.test_request_context(), force_locale("zh"):
        people = DEFINITIONS["adoption"].whole(4)
        interactions = DEFINITIONS["closed_loop"].whole(4)
    assert "个" not in people and "个" not in interactions


def test_the_kpi_page_shows_the_counts_with_the_nouns_measure_word(client, make_user, make_project):
    from tests import crm_factories as crm

    user = make_user(language="zh")
    project = make_project(manager=user)
    account = crm.account(project)
    now = datetime.now(UTC) - timedelta(hours=1)
    crm.interaction(project, account, now, outcome="已处理")
    crm.interaction(project, account, now, outcome="")
    login(client, user)
    page = visible_text(client.get(f"/projects/{project.id}/kpis").get_data(as_text=True))
    assert "1 / 2 次互动" in page
