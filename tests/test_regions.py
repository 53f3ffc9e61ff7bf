"""Language and region apart: a person reads the interface in a language and writes numbers, dates
and amounts the way their region does (es-ES, es-MX, es-AR, zh-CN, zh-TW, en-US, en-GB…)."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from sqlalchemy import select

from tests.helpers import login, visible_text
from tests.tco_factories import make_scenario

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- choosing the region


@pytest.mark.no_app
@pytest.mark.parametrize("header, language, expected", [
    ([("es-MX", 1), ("es", 0.9)], "es", "es_MX"),
    ([("es", 1)], "es", "es_ES"),
    ([("es-AR", 1)], "es", "es_AR"),
    ([("en-GB", 1), ("es-MX", 0.5)], "es", "es_MX"),  # the first tag in the interface language
    ([("zh-TW", 1)], "zh", "zh_TW"),
    ([("zh-Hant-TW", 1)], "zh", "zh_TW"),
    ([("fr-FR", 1)], "en", "en_US"),
    ([("es-PE", 1)], "es", "es_PE"),  # any CLDR region of the language, even one the settings do not list
])
def test_the_region_defaults_from_the_browser(header, language, expected):
    from planner.regions import browser_region

    assert browser_region(header, language) == expected


@pytest.mark.no_app
@pytest.mark.parametrize("language, region, expected", [
    ("es", "es_MX", "es_MX"),
    ("zh", "zh_TW", "zh_Hant_TW"),
    ("es", "en_US", "es_US"),  # Spanish words, United States formats
    ("en", "es_ES", "en_ES"),
    ("zh", "es_MX", "zh_Hans_CN"),  # CLDR has no Chinese for Mexico: never Spanish month names on a Chinese page
])
def test_the_formatting_locale_is_the_language_in_the_region(language, region, expected):
    from planner.regions import formatting_locale

    assert str(formatting_locale(language, region)) == expected


@pytest.mark.parametrize("header, number, money", [
    ("es-ES,es;q=0.9", "1.234.567,89", "1.234,50\xa0€"),
    ("es-MX,es;q=0.9", "1,234,567.89", "$1,234.50"),
    ("es-AR,es;q=0.9", "1.234.567,89", "$1.234,50"),
    ("zh-CN,zh;q=0.9", "1,234,567.89", "¥1,234.50"),
    ("en-GB,en;q=0.9", "1,234,567.89", "£1,234.50"),
])
def test_the_browsers_region_sets_the_formats_and_the_sample_currency(client, make_user, header, number, money):
    login(client, make_user(language=None))
    page = client.get("/account", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'data-sample="number">{number}<' in page
    assert f'data-sample="money">{money}<' in page


def test_a_region_chosen_in_the_settings_beats_the_browser(client, make_user, db):
    from planner.auth.models import User

    user = make_user(language="es", name="Lucía")
    login(client, user)
    response = client.post("/account", data={
        "profile-name": "Lucía", "profile-language": "es", "profile-region": "es_MX",
        "profile-timezone": "America/Mexico_City", "profile-submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.language, saved.region) == ("es", "es_MX")
    page = client.get("/account", headers={"Accept-Language": "es-ES"}).get_data(as_text=True)
    assert 'data-sample="number">1,234,567.89<' in page
    assert '<html lang="es">' in page and 'data-region="es-MX"' in page
    assert re.search(r'<option [^>]*selected[^>]*value="es_MX"|<option value="es_MX" selected', page)


def test_an_unknown_region_is_refused_in_the_readers_language_and_nothing_changes(client, make_user, db):
    from planner.auth.models import User

    user = make_user(language="zh", name="王芳")
    login(client, user)
    response = client.post("/account", data={
        "profile-name": "王芳", "profile-language": "zh", "profile-region": "xx_YY",
        "profile-timezone": "UTC", "profile-submit": "1"})
    assert response.status_code == 200
    assert "请从列表中选择一项。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).region is None


def test_the_settings_name_each_region_in_the_readers_language_with_a_sample(client, make_user):
    login(client, make_user(language="zh"))
    page = client.get("/account").get_data(as_text=True)
    assert "西班牙语 (墨西哥) — 1,234.50 · 31/12/2026" in page
    assert "西班牙语 (西班牙) — 1.234,50 · 31/12/2026" in page


# --------------------------------------------------------------------------- the percent pattern


@pytest.mark.parametrize("region, expected", [
    ("es_ES", "33,9\xa0%"), ("es_MX", "33.9%"), ("es_AR", "33,9%"), ("zh_CN", "33.9%"), ("en_US", "33.9%"),
])
def test_percentages_use_the_regions_own_cldr_pattern(app, region, expected):
    from flask import g
    from flask_babel import force_locale

    from planner.i18n import percent

    pattern = Locale.parse(region).percent_formats[None].pattern
    with app.test_request_context(), force_locale(region.split("_")[0]):
        g.forced_region = region
        assert percent(Decimal("0.339"), 1) == expected
        assert percent(Decimal("0.9")) == expected.replace("33,9", "90").replace("33.9", "90")
    assert ("\xa0%" in expected) == ("\xa0%" in pattern)


@pytest.mark.parametrize("header, share, reference, mixed", [
    ("es-ES", "33,3 %", "90 %", r"\d%"),  # visible_text turns the no-break space into a space
    ("es-MX", "33.3%", "90%", r"\d %"),
])
def test_a_spanish_page_writes_every_percentage_the_same_way(client, make_user, make_project, db, header, share,
                                                            reference, mixed):
    """The old forced #,##0% gave "33,9%" next to the catalogue's "90 %" on one line; the reference
    figures are now placeholders written with the reader's region's CLDR percent pattern too."""
    manager = make_user(language="es")
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project, costs=[("licences", ("100000", "100000", "100000"))])
    login(client, manager)
    page = visible_text(client.get(f"/projects/{project.id}/tco/scenarios/{scenario.id}",
                                   headers={"Accept-Language": header}).get_data(as_text=True))

    assert share in page and reference in page
    assert not re.search(mixed, page), re.findall(r".{30}" + mixed, page)


# --------------------------------------------------------------------------- amounts typed and shown


@pytest.mark.parametrize("region, typed, shown, refused", [
    ("es_ES", "1.234,50", "1.234,50\xa0€", "1,234.50"),
    ("es_MX", "1,234.50", "EUR\xa01,234.50", "1.234,50"),
    ("es_MX", "1234.50", "EUR\xa01,234.50", "1234,50"),
    ("zh_CN", "1,234.50", "€1,234.50", "1.234,50"),
])
def test_amounts_are_typed_and_shown_in_the_regions_format(client, make_user, make_project, db, region, typed,
                                                           shown, refused):
    from planner.tco.models import TcoCostLine

    manager = make_user(language=region[:2])
    manager.region = region
    db.session.commit()
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project)
    login(client, manager)
    base = f"/projects/{project.id}/tco/scenarios/{scenario.id}"
    form = {"category": "licences", "description": "许可", "year1": typed, "year2": "0", "year3": "100"}
    bad = client.post(f"{base}/costs/new", data={**form, "year1": refused})
    assert bad.status_code == 200 and db.session.scalar(select(TcoCostLine)) is None
    assert client.post(f"{base}/costs/new", data=form).status_code == 302
    line = db.session.scalar(select(TcoCostLine))
    assert line.year1 == Decimal("1234.50")
    assert shown in client.get(base).get_data(as_text=True)
    edit = client.get(f"/projects/{project.id}/tco/costs/{line.id}/edit").get_data(as_text=True)
    expected_back = {"es_ES": "1.234,50", "es_MX": "1,234.50", "zh_CN": "1,234.50"}[region]
    assert f'value="{expected_back}"' in edit


def test_a_mexican_reader_sees_no_other_currency_than_the_projects(client, make_user, make_project, db):
    manager = make_user(language="es")
    manager.region = "es_MX"
    db.session.commit()
    project = make_project(manager=manager, currency="EUR")
    scenario = make_scenario(db, project, costs=[("licences", ("60000", "0", "0"))], benefits=[("0", "50000", "50000")])
    login(client, manager)
    for path in (f"/projects/{project.id}/tco", f"/projects/{project.id}/tco/scenarios/{scenario.id}"):
        page = visible_text(client.get(path).get_data(as_text=True))
        assert "EUR" in page
        assert not re.search(r"[$¥£元€]|MXN|US\$", page), path


@pytest.mark.parametrize("language, currency, own, others", [
    ("zh", "EUR", "€", r"[$¥£元]|CNY|人民币"),
    ("zh", "USD", "US$", r"[€¥£元]|CNY"),
    ("es", "CNY", "CNY", r"[$€£元¥]"),
])
def test_no_currency_symbol_but_the_projects_on_the_tco_pages(client, make_user, make_project, db, language, currency,
                                                             own, others):
    """The ratio of services to licences once said 元 on a euro project."""
    manager = make_user(language=language)
    project = make_project(manager=manager, currency=currency)
    scenario = make_scenario(db, project, costs=[("licences", ("10000", "0", "0")),
                                                 ("implementation", ("30000", "5000", "5000"))],
                             benefits=[("0", "40000", "40000")])
    login(client, manager)
    for path in (f"/projects/{project.id}/tco", f"/projects/{project.id}/tco/scenarios/{scenario.id}",
                 f"/projects/{project.id}"):
        page = visible_text(client.get(path).get_data(as_text=True))
        assert own in page, path
        assert not re.search(others, page), (path, re.findall(r".{20}(?:" + others + ").{20}", page))


# --------------------------------------------------------------------------- chart date formats


@pytest.mark.no_app
@pytest.mark.parametrize("pattern, expected", [
    ("MMM d, y", "%b %-d, %Y"),
    ("d 'de' MMM 'de' y", "%-d de %b de %Y"),
    ("y年M月d日", "%Y年%-m月%-d日"),
    ("dd/MM/y", "%d/%m/%Y"),
    ("E d MMM", "%a %-d %b"),
    ("h 'o''clock'", "%-I o'clock"),
])
def test_cldr_patterns_become_d3_formats(pattern, expected):
    from planner.regions import d3_from_cldr

    assert d3_from_cldr(pattern) == expected


@pytest.mark.no_app
@pytest.mark.parametrize("region, day_month, month", [
    ("en_US", "%b %-d", "%b %Y"),
    ("en_GB", "%-d %b", "%b %Y"),
    ("es_MX", "%-d %b", "%b %Y"),
    ("es_CO", "%-d de %b", "%b de %Y"),
    ("zh_CN", "%-m月%-d日", "%Y年%-m月"),
])
def test_chart_date_formats_come_from_cldr_skeletons(region, day_month, month):
    from planner.regions import chart_date_formats

    formats = chart_date_formats(Locale.parse(region))
    assert (formats["dayMonth"], formats["month"]) == (day_month, month)


@pytest.mark.no_app
def test_no_chart_date_format_is_written_by_hand():
    """d3 date patterns come from planner.regions (CLDR skeletons), never from a literal in the code."""
    literal = re.compile(r"""["'][^"'\n]*%-?[bBdmYy][^"'\n]*["']""")
    offenders = []
    for path in (ROOT / "planner").rglob("*.py"):
        if path.name == "regions.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.search(line) and "strftime" not in line and "%Y-%m-%d" not in line and "%Y%m%d" not in line \
                    and ":%Y" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("language, region, day_month, decimal", [
    ("es", "es_MX", "%-d %b", "."),
    ("es", "es_ES", "%-d %b", ","),
    ("zh", "zh_CN", "%-m月%-d日", "."),
    ("en", "en_US", "%b %-d", "."),
])
def test_the_plotly_locale_follows_the_region(client, language, region, day_month, decimal):
    body = client.get(f"/i18n/plotly-{language}.js?region={region}").get_data(as_text=True)
    assert f'"dayMonth": "{day_month}"' in body
    assert f'"decimal": "{decimal}"' in body


def test_a_chart_carries_the_regions_separators(client, make_user, make_project, db):
    manager = make_user(language="es")
    manager.region = "es_MX"
    db.session.commit()
    project = make_project(manager=manager, currency="MXN", start_date=date(2026, 3, 5))
    make_scenario(db, project, costs=[("licences", ("100", "0", "0"))])
    login(client, manager)
    page = client.get(f"/projects/{project.id}/tco").get_data(as_text=True)
    assert '"separators": ".,"' in page or '"separators":".,"' in page
    assert "region=es_MX" in page
