"""Locale formatting for pages with many values: the reader's locale, time zone and translations are
looked up once per request, not once per value.

Flask-Babel's helpers (``format_datetime``, ``gettext`` …) find the locale, the time zone and the
translations through context-local proxies on every call and Babel parses the locale's pattern each
time; a page with fifty rows and a dashboard with fifty cards paid that hundreds of times. Here:

- ``formats()`` returns the request's ``Formats`` (made on first use, kept beside Flask-Babel's own
  per-request values, and remade when the locale changes, e.g. inside ``force_locale``);
- ``LocaleData`` keeps per process and locale what does not change: parsed date, time and number
  patterns, and bounded memos of results whose inputs repeat (a day, a time of day, an amount).
  A memo is keyed by what Babel reads of the value (a number's ``str``, as Babel converts it), so
  each entry is exactly what Babel returned for the same input.

The output is Babel's, character for character (tests/test_formatting.py compares them).
"""

from datetime import UTC, date, datetime

from babel import Locale
from babel.dates import get_datetime_format, get_time_format, parse_pattern
from babel.numbers import format_compact_currency
from babel.numbers import parse_pattern as parse_number_pattern
from flask import current_app, g, has_app_context
from flask_babel import get_locale, get_timezone, get_translations

DEFAULT_LANGUAGE = "en"
NAMED = ("short", "medium", "long", "full")
# A moment to the minute: CLDR's medium date (four-digit year) with its short time (no seconds), joined
# the locale's medium way: "Nov 23, 2026, 4:00 PM", "23 nov 2026, 16:00", "2026年11月23日 16:00".
MINUTES = "minutes"
MEMO_SIZE = 20_000  # entries per memo and locale; a full memo starts again empty
TIME_OF_DAY_FIELDS = set("hHKkmsabB")  # a time pattern made only of these depends on the time of day alone


class _Memo(dict):
    def put(self, key, value):
        if len(self) >= MEMO_SIZE:
            self.clear()
        self[key] = value
        return value


class LocaleData:
    """What formatting needs from one locale, prepared once per process."""

    _by_locale: dict[str, "LocaleData"] = {}

    def __init__(self, locale: Locale):
        self.locale = locale
        self.decimal = locale.decimal_formats[None]
        self.currency = locale.currency_formats["standard"]
        self.number_patterns: dict[str, object] = {}
        self.date_patterns: dict[str, object] = {}
        self.time_patterns: dict[str, tuple[object, bool]] = {}
        self.datetime_glue: dict[str, str] = {}
        self.dates, self.times, self.numbers = _Memo(), _Memo(), _Memo()

    @classmethod
    def of(cls, locale: Locale) -> "LocaleData":
        key = str(locale)
        found = cls._by_locale.get(key)
        if found is None:
            found = cls._by_locale[key] = cls(locale)
        return found

    def number_pattern(self, fmt: str):
        pattern = self.number_patterns.get(fmt)
        if pattern is None:
            pattern = self.number_patterns[fmt] = parse_number_pattern(fmt)
        return pattern

    def date_pattern(self, fmt: str):
        pattern = self.date_patterns.get(fmt)
        if pattern is None:
            text = self.locale.date_formats[fmt].pattern if fmt in NAMED else fmt
            pattern = self.date_patterns[fmt] = parse_pattern(text)
        return pattern

    def time_pattern(self, fmt: str) -> tuple[object, bool]:
        """The parsed time pattern of a named format, and whether it depends on the time of day alone."""
        found = self.time_patterns.get(fmt)
        if found is None:
            pattern = parse_pattern(get_time_format(fmt, locale=self.locale))
            fields = set(_fields(pattern.pattern))
            found = self.time_patterns[fmt] = (pattern, fields <= TIME_OF_DAY_FIELDS)
        return found

    def glue(self, fmt: str) -> str:
        found = self.datetime_glue.get(fmt)
        if found is None:
            found = self.datetime_glue[fmt] = get_datetime_format(fmt, locale=self.locale).replace("'", "")
        return found


def _fields(pattern: str):
    """The field letters of a date/time pattern (quoted text skipped)."""
    quoted = False
    for char in pattern:
        if char == "'":
            quoted = not quoted
        elif not quoted and char.isalpha():
            yield char


class Formats:
    """The reader's locale, time zone and translations, and formatting with them."""

    __slots__ = ("locale", "format_locale", "tzinfo", "translations", "language", "data", "date_formats")

    def __init__(self, locale: Locale, tzinfo, translations, date_formats=None, format_locale: Locale | None = None):
        self.locale = locale  # the language: words
        self.format_locale = format_locale or locale  # the language in the reader's region: numbers and dates
        self.tzinfo = tzinfo
        self.translations = translations
        self.language = str(locale).split("_")[0]
        self.data = LocaleData.of(self.format_locale)
        self.date_formats = date_formats or {}

    # ------------------------------------------------------------------ translations

    def gettext(self, message: str) -> str:
        return self.translations.ugettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ungettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.upgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        return self.translations.unpgettext(context, singular, plural, count)

    # ------------------------------------------------------------------ dates

    def _configured(self, kind: str, fmt: str) -> str:
        """Flask-Babel's ``date_formats`` override of a named format (none by default)."""
        if fmt in NAMED and self.date_formats.get(f"{kind}.{fmt}"):
            return self.date_formats[f"{kind}.{fmt}"]
        return fmt

    def date(self, value: date, fmt: str = "medium") -> str:
        """A date; for a datetime, its date in the reader's time zone."""
        fmt = self._configured("date", fmt)
        if isinstance(value, datetime):
            value = self.local(value)
        day = value.date() if isinstance(value, datetime) else value
        key = (fmt, day)
        found = self.data.dates.get(key)
        if found is None:
            found = self.data.dates.put(key, self.data.date_pattern(fmt).apply(day, self.format_locale))
        return found

    def local(self, value: datetime) -> datetime:
        """``value`` in the reader's time zone (a naive value is taken as UTC, as Flask-Babel does)."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        tzinfo = self.tzinfo
        local = value.astimezone(tzinfo)
        return tzinfo.normalize(local) if hasattr(tzinfo, "normalize") else local

    def datetime(self, value: datetime, fmt: str = "medium") -> str:
        local = self.local(value)
        if fmt == MINUTES:
            date_fmt, time_fmt = "medium", "short"
        else:
            fmt = self._configured("datetime", fmt)
            if fmt not in NAMED:
                return parse_pattern(fmt).apply(local, self.format_locale)
            date_fmt = time_fmt = fmt
        pattern, time_of_day = self.data.time_pattern(time_fmt)
        if time_of_day:
            key = (time_fmt, local.hour, local.minute, local.second)
            time_text = self.data.times.get(key)
            if time_text is None:
                time_text = self.data.times.put(key, pattern.apply(local.timetz(), self.format_locale,
                                                                   reference_date=local.date()))
        else:
            time_text = pattern.apply(local.timetz(), self.format_locale, reference_date=local.date())
        date_key = (date_fmt, local.date())
        date_text = self.data.dates.get(date_key)
        if date_text is None:
            date_text = self.data.dates.put(date_key,
                                            self.data.date_pattern(date_fmt).apply(local.date(), self.format_locale))
        return self.data.glue(date_fmt).replace("{0}", time_text).replace("{1}", date_text)

    # ------------------------------------------------------------------ numbers

    def decimal(self, value, fmt: str | None = None) -> str:
        key = ("d", fmt, type(value), str(value))
        found = self.data.numbers.get(key)
        if found is None:
            pattern = self.data.decimal if fmt is None else self.data.number_pattern(fmt)
            found = self.data.numbers.put(key, pattern.apply(value, self.format_locale))
        return found

    def percent(self, value, fmt: str) -> str:
        key = ("p", fmt, type(value), str(value))
        found = self.data.numbers.get(key)
        if found is None:
            found = self.data.numbers.put(key, self.data.number_pattern(fmt).apply(value, self.format_locale))
        return found

    def currency(self, value, currency: str) -> str:
        key = ("c", currency, type(value), str(value))
        found = self.data.numbers.get(key)
        if found is None:
            found = self.data.numbers.put(key, self.data.currency.apply(value, self.format_locale, currency=currency))
        return found

    def compact_currency(self, value, currency: str) -> str:
        key = ("k", currency, type(value), str(value))
        found = self.data.numbers.get(key)
        if found is None:
            found = self.data.numbers.put(key, format_compact_currency(value, currency, locale=self.format_locale,
                                                                       fraction_digits=1))
        return found


def formats() -> Formats:
    """The current request's ``Formats`` (outside an application context: the default language, UTC)."""
    context = _app_context()
    if context is None:
        return _outside()
    namespace = context.g.__dict__.get("_flask_babel")
    made = getattr(namespace, "planner_formats", None)
    if made is not None and made.locale is getattr(namespace, "babel_locale", None) \
            and made.tzinfo is getattr(namespace, "babel_tzinfo", None):
        return made
    locale = get_locale() or Locale.parse(DEFAULT_LANGUAGE)
    babel = current_app.extensions.get("babel")
    made = Formats(locale, get_timezone(), get_translations(),
                   babel.instance.date_formats if babel is not None else None, _format_locale(locale))
    g._flask_babel.planner_formats = made
    return made


def _format_locale(locale: Locale) -> Locale:
    """The language in the reader's region (planner.regions)."""
    from planner.i18n import select_region
    from planner.regions import formatting_locale

    return formatting_locale(locale.language, select_region(locale.language))


try:  # the application context straight from its context variable: no proxy in the hot path
    from flask.globals import _cv_app

    def _app_context():
        return _cv_app.get(None)
except ImportError:  # pragma: no cover - another Flask version: through the public proxy
    from flask.globals import app_ctx

    def _app_context():
        return app_ctx._get_current_object() if has_app_context() else None


_OUTSIDE: list[Formats] = []


def _outside() -> Formats:
    if not _OUTSIDE:
        from babel.support import NullTranslations
        from pytz import UTC

        _OUTSIDE.append(Formats(Locale.parse(DEFAULT_LANGUAGE), UTC, NullTranslations()))
    return _OUTSIDE[0]
