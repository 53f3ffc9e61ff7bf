"""The request's cached formatters (planner.formatting) print exactly what Babel and Flask-Babel print."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import flask_babel
import pytest
import pytz
from babel import Locale, dates, numbers
from babel.support import NullTranslations
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import i18n
from planner.formatting import NAMED, Formats, formats

LOCALES = ["en", "es", "zh"]
ZONES = ["UTC", "Europe/Madrid", "Asia/Shanghai", "America/Los_Angeles", "Australia/Lord_Howe", "Asia/Kolkata"]
CURRENCIES = ["EUR", "USD", "CNY", "JPY", "GBP", "MXN"]

moments = st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC))
amounts = st.one_of(
    st.integers(min_value=-10**13, max_value=10**13),
    st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=2),
    st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, allow_infinity=False, places=6),
    st.floats(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("-0"), Decimal("0.00"), Decimal("-0.004"), 0.0, -0.0, Decimal("999999.95"),
                     Decimal("1E+3"), Decimal("0.5"), Decimal("2.5"), 999_950, 1_000_000]),
)


def make(language: str, zone: str = "UTC") -> Formats:
    return Formats(Locale.parse(language), pytz.timezone(zone), NullTranslations())


@pytest.mark.no_app
@settings(max_examples=300, deadline=None)
@given(moment=moments, language=st.sampled_from(LOCALES), zone=st.sampled_from(ZONES), fmt=st.sampled_from(NAMED))
def test_datetimes_match_babel_in_every_zone_and_format(moment, language, zone, fmt):
    expected = dates.format_datetime(moment, fmt, tzinfo=pytz.timezone(zone), locale=language)
    made = make(language, zone)
    assert made.datetime(moment, fmt) == expected
    assert made.datetime(moment, fmt) == expected  # the second time from the memo
    naive = moment.replace(tzinfo=None)  # naive values are UTC, as Flask-Babel takes them
    assert made.datetime(naive, fmt) == expected


@pytest.mark.no_app
@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31)), language=st.sampled_from(LOCALES),
       fmt=st.sampled_from([*NAMED, "d MMM", "EEEE d", "yyyy-MM-dd"]))
def test_dates_match_babel(day, language, fmt):
    expected = dates.format_date(day, fmt, locale=language)
    assert make(language).date(day, fmt) == expected
    assert make(language).date(day, fmt) == expected


@pytest.mark.no_app
@settings(max_examples=300, deadline=None)
@given(value=amounts, language=st.sampled_from(LOCALES), currency=st.sampled_from(CURRENCIES),
       fmt=st.sampled_from([None, "#,##0", "#,##0.0", "#,##0.00"]))
def test_numbers_and_amounts_match_babel(value, language, currency, fmt):
    made = make(language)
    for _ in range(2):  # the second time from the memo
        assert made.decimal(value, fmt) == numbers.format_decimal(value, fmt, locale=language)
        assert made.percent(value, "#,##0%") == numbers.format_percent(value, "#,##0%", locale=language)
        assert made.percent(value, "#,##0.0%") == numbers.format_percent(value, "#,##0.0%", locale=language)
        amount = Decimal(str(value))
        assert made.currency(amount, currency) == numbers.format_currency(amount, currency, locale=language)
        assert made.compact_currency(amount, currency) == numbers.format_compact_currency(
            amount, currency, locale=language, fraction_digits=1)


@pytest.mark.no_app
def test_values_equal_as_numbers_but_printed_differently_are_kept_apart():
    made = make("en")
    assert made.decimal(Decimal("-0")) == numbers.format_decimal(Decimal("-0"), locale="en")
    assert made.decimal(Decimal("0")) == "0"
    assert made.decimal(1.0) == numbers.format_decimal(1.0, locale="en")


@pytest.mark.parametrize("language, zone", [("en", "UTC"), ("es", "Europe/Madrid"), ("zh", "Asia/Shanghai")])
def test_the_filters_print_what_flask_babel_prints(app, language, zone):
    app.extensions["babel"].timezone_selector = lambda: zone
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night summer time starts in Madrid
    try:
        with app.test_request_context(f"/?lang={language}"):
            env = app.jinja_env
            assert env.filters["datetime"](moment) == flask_babel.format_datetime(moment, "medium")
            # CLDR's short has a two-digit year (3/29/26): "short" prints the medium date (issue 16) with
            # the short time (no seconds), joined the locale's medium way.
            locale = flask_babel.get_locale()
            glue = locale.datetime_formats["medium"].replace("'", "")
            expected = glue.format(flask_babel.format_time(moment, "short"), flask_babel.format_date(moment, "medium"))
            assert env.filters["datetime"](moment, "short") == expected
            assert not re.search(r"\d:\d\d:\d\d", expected)
            assert env.filters["datetime"](None) == ""
            assert env.filters["date"](moment) == flask_babel.format_datetime(moment, "medium")
            assert env.filters["date"](moment.date(), "long") == flask_babel.format_date(moment.date(), "long")
            assert env.filters["date"](None) == ""
            assert env.filters["number"](1234567) == flask_babel.format_decimal(1234567)
            assert env.filters["number"](3.14159, 2) == flask_babel.format_decimal(3.14159, "#,##0.00")
            assert env.filters["percent"](0.256) == flask_babel.format_percent(0.256)  # CLDR's own pattern
            assert env.filters["money"](Decimal("1234.5"), "EUR") == flask_babel.format_currency(Decimal("1234.5"),
                                                                                               "EUR")
            assert env.filters["money_compact"](Decimal("906789"), "CNY") == numbers.format_compact_currency(
                Decimal("906789"), "CNY", locale=language, fraction_digits=1)
            assert i18n.current_language() == language
            assert env.from_string("{{ _('Sign in') }}").render() == flask_babel.gettext("Sign in")
    finally:
        app.extensions["babel"].timezone_selector = i18n.select_timezone


def test_a_forced_locale_is_followed_and_then_left(app):
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    with app.test_request_context("/?lang=zh"):
        chinese = i18n.date_format(moment)
        assert chinese == dates.format_datetime(moment, "medium", tzinfo=pytz.UTC, locale="zh")
        with flask_babel.force_locale("es"):
            assert i18n.date_format(moment) == dates.format_datetime(moment, "medium", tzinfo=pytz.UTC, locale="es")
            assert i18n.current_language() == "es"
            assert formats().gettext("Sign in") == flask_babel.gettext("Sign in") != "Sign in"
        assert i18n.date_format(moment) == chinese
        assert i18n.current_language() == "zh"


def test_a_refresh_after_a_change_of_language_is_followed(app):
    with app.test_request_context("/?lang=es"):
        assert i18n.current_language() == "es"
        flask_babel.get_babel().locale_selector = lambda: "zh"
        try:
            flask_babel.refresh()
            assert i18n.current_language() == "zh"
        finally:
            flask_babel.get_babel().locale_selector = i18n.select_locale


@pytest.mark.parametrize("language", LOCALES)
def test_lazy_strings_read_what_flask_babel_lazy_strings_read(app, language):
    from flask_babel.speaklater import LazyString

    made = [(i18n.lazy_gettext("Sign in"), flask_babel.lazy_gettext("Sign in")),
            (i18n.lazy_gettext("Week of %(day)s", day="<b>"), flask_babel.lazy_gettext("Week of %(day)s", day="<b>")),
            (i18n.lazy_pgettext("project tab", "Stages"), flask_babel.lazy_pgettext("project tab", "Stages"))]
    with app.test_request_context(f"/?lang={language}"):
        for ours, theirs in made:
            assert isinstance(ours, LazyString)
            assert str(ours) == str(theirs) and ours.__html__() == theirs.__html__()
        if language != "en":
            assert str(made[0][0]) != "Sign in"
        with flask_babel.force_locale("es" if language != "es" else "zh"):
            assert str(made[2][0]) == str(made[2][1]) != str(made[2][0]._args[1])
        page = app.jinja_env.from_string("{% autoescape true %}{{ label }}{% endautoescape %}")
        assert page.render(label=made[1][0]) == page.render(label=made[1][1])  # escaped (or not) alike
    assert str(made[0][0]) == str(made[0][1])  # after the request, too


@pytest.mark.no_app
def test_lazy_strings_outside_an_application_read_the_source_text():
    assert str(i18n.lazy_gettext("Sign in")) == str(flask_babel.lazy_gettext("Sign in")) == "Sign in"
    assert str(i18n.lazy_pgettext("project tab", "Stages")) == "Stages"
