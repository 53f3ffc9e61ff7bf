"""Every page of the permission matrix renders in each language, and a Chinese page shows no
stray English: every Latin word left on it must be an allowed acronym or user data."""

import re

import pytest

from tests.access.matrix import OK, all_rules
from tests.helpers import visible_text

# Words a Chinese page may show in Latin letters: product name, acronyms, units, language names.
ALLOWED = {
    "rollout", "crm", "kpi", "kpis", "tco", "roi", "npv", "csv", "xlsx", "pdf", "ics", "api", "json",
    "utc", "id", "url", "adkar", "english", "español", "usd", "eur", "cny", "gbp", "hkd", "twd", "jpy",
    "sgd", "inr", "aud", "cad", "chf", "mxn", "cop", "pen", "clp", "ars", "brl", "sek", "nok", "dkk", "pln",
    "zar", "aed", "openapi", "it", "pm", "am", "gb", "mb", "kb", "ok", "faq", "sla", "https", "http",
    "webhook", "webhooks",  # the technical term, written so in Chinese products too (like API)
}
GET_PAGES = [r for r in all_rules() if r.method == "GET" and r.expect["manager"] == OK
             and not r.path.startswith(("/vendor", "/i18n", "/healthz", "/api/"))
             and not r.endpoint.endswith((".export", "_export", ".ics", "_csv", "_xlsx", ".csv", ".xlsx"))]
LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]+")
# User data and technical values are marked translate="no" in the templates; they are not UI text.
UNTRANSLATED = re.compile(r'<(\w+)[^>]*\btranslate="no"[^>]*>.*?</\1>', re.S)
EMAIL = re.compile(r"\S+@\S+")


def stray_english(text: str) -> list[str]:
    text = EMAIL.sub(" ", text)
    return sorted({w for w in LATIN_WORD.findall(text) if w.lower().strip("'’-") not in ALLOWED})


@pytest.fixture
def world(matrix_world):
    return matrix_world  # built once for the module; each test runs in a savepoint on it


@pytest.mark.parametrize("rule", GET_PAGES, ids=lambda r: r.path)
def test_chinese_pages_show_no_stray_english(rule, world, app):
    client = world.client(app, "manager")
    response = client.get(rule.url(world) + ("&" if "?" in rule.path else "?") + "lang=zh", follow_redirects=True)
    assert response.status_code == 200
    if response.mimetype != "text/html":
        return
    words = stray_english(visible_text(UNTRANSLATED.sub(" ", response.get_data(as_text=True))))
    assert not words, f"{rule.path} shows English words on a Chinese page: {words}"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("rule", GET_PAGES, ids=lambda r: r.path)
def test_every_page_renders_in_the_language(rule, language, world, app):
    client = world.client(app, "manager")
    response = client.get(rule.url(world) + ("&" if "?" in rule.path else "?") + f"lang={language}",
                          follow_redirects=True)
    assert response.status_code == 200
    if response.mimetype == "text/html":
        assert f'<html lang="{language}">' in response.get_data(as_text=True)
