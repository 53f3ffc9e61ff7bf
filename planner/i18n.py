"""Languages, regions, locale negotiation and locale-aware formatting.

Choice order for the interface language: the signed-in user's preference, then an explicit
switch (``?lang=``, remembered in the session), then the browser's Accept-Language, then English.
All Chinese variants negotiate to Simplified Chinese, the only Chinese catalogue we ship.

Numbers, dates and amounts follow the reader's *region*, chosen apart from the language
(``planner.regions``): the user's preference, else the browser's, else the language's usual one.
Every formatting helper here writes with ``format_locale()``; words come from the language.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale, dates, numbers
from babel.numbers import NumberFormatError, format_compact_currency, parse_decimal
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from jinja2 import pass_context

from planner.regions import DEFAULT_REGION, browser_region, formatting_locale, normalise_region

LANGUAGES = {"en": "English", "es": "Español", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"

# Timezones offered in the account form; any valid IANA name is accepted by the model.
COMMON_TIMEZONES = [
    "UTC",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Buenos_Aires",
    "America/Sao_Paulo",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
]


def timezone_label(name: str) -> str:
    """The time zone's name in the reader's language, e.g. ``中国（上海）时间``."""
    from babel.dates import get_timezone_location
    from flask_babel import gettext

    if name == "UTC":
        return gettext("Coordinated Universal Time (UTC)")
    label = get_timezone_location(name, locale=babel_locale(), return_city=False)
    if "/" in label:  # CLDR lacks the city's name in this language: keep the country only
        label = re.sub(r"\s*[（(][^）)]*[）)]", "", label)
    return label


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().replace("_", "-")
    if value in LANGUAGES:
        return value
    base = value.split("-", 1)[0]
    return base if base in LANGUAGES else None


def select_locale() -> str:
    if getattr(g, "forced_locale", None):
        return g.forced_locale
    if not has_request_context():  # CLI commands and background work: the default language
        return DEFAULT_LANGUAGE
    # An explicit switch in this very request wins (it also becomes the user's preference).
    switched = normalise_language(request.args.get("lang")) if request else None
    if switched:
        return switched
    user = current_user
    if user and user.is_authenticated and user.language in LANGUAGES:
        return user.language
    chosen = normalise_language(session.get("lang"))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(list(LANGUAGES)) if request else None
    return best or DEFAULT_LANGUAGE


def select_timezone() -> str:
    user = current_user
    if user and user.is_authenticated and user.timezone:
        return user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE).split("_")[0]


def babel_locale() -> Locale:
    """The interface language's locale: for words (names of languages, currencies, time zones)."""
    return get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def select_region() -> str:
    """The reader's region for formats (``es_MX``): their preference, else their browser's, else the
    language's usual region."""
    language = current_language()
    forced = getattr(g, "forced_region", None) if has_app_context() else None
    if forced:
        return forced
    if not has_request_context():
        return DEFAULT_REGION.get(language, DEFAULT_REGION[DEFAULT_LANGUAGE])
    user = current_user
    preference = normalise_region(getattr(user, "region", None)) if user and user.is_authenticated else None
    return preference or browser_region(request.accept_languages, language)


def format_locale() -> Locale:
    """The locale that writes numbers, dates and amounts: the language in the reader's region."""
    return formatting_locale(current_language(), select_region())


def _with_places(pattern: str, digits: int | None):
    parsed = numbers.parse_pattern(pattern)
    if digits is not None:
        parsed.frac_prec = (digits, digits)
    return parsed


def money(amount, currency: str) -> str:
    """An amount in the reader's region, e.g. ``1.234,50 €`` (Spain), ``EUR 1,234.50`` (Mexico) or ``€1,234.50``."""
    if amount is None:
        return ""
    locale = format_locale()
    return currency_spacing(numbers.format_currency(Decimal(amount), currency, locale=locale), currency, locale)


def currency_spacing(text: str, currency: str, locale: Locale) -> str:
    """CLDR's currency spacing, which Babel leaves out: a symbol made of letters ("EUR", "US$" is not)
    is kept apart from the digits by a no-break space, "EUR 1,234.50" rather than "EUR1,234.50"."""
    symbol = numbers.get_currency_symbol(currency, locale=locale)
    if symbol and unicodedata.category(symbol[-1])[0] not in "SZ":
        text = re.sub(re.escape(symbol) + r"(?=[\d-])", symbol + "\u00a0", text)
    if symbol and unicodedata.category(symbol[0])[0] not in "SZ":
        text = re.sub(r"(?<=\d)" + re.escape(symbol), "\u00a0" + symbol, text)
    return text


def money_compact(amount, currency: str) -> str:
    """A rounded amount for at-a-glance figures, e.g. ``€906.8K``, ``906,8 mil €`` or ``€90.7万``."""
    if amount is None:
        return ""
    locale = format_locale()
    return currency_spacing(format_compact_currency(Decimal(amount), currency, locale=locale, fraction_digits=1),
                            currency, locale)


def number(value, digits: int | None = None) -> str:
    """A number with the region's decimal and group signs; ``digits`` fixes the decimal places."""
    if value is None:
        return ""
    if type(value) is int and 0 <= value < 1000 and not digits:
        return str(value)  # the same in every region we offer (Latin digits, no grouping below 1,000)
    locale = format_locale()
    if digits is None:
        return numbers.format_decimal(value, locale=locale)
    return _with_places(locale.decimal_formats[None].pattern, digits).apply(Decimal(str(value)), locale)


def percent(value, digits: int = 0) -> str:
    """``value`` is a ratio (0.25 → 25 %), written with the region's own CLDR percent pattern
    (``25 %`` in Spain, ``25%`` in Mexico and China)."""
    if value is None:
        return ""
    locale = format_locale()
    return _with_places(locale.percent_formats[None].pattern, digits).apply(Decimal(str(value)), locale)


def parse_amount(text: str, locale: Locale | str | None = None) -> Decimal:
    """Parses an amount typed in the reader's region format (``1.234,50`` in Spain, ``1,234.50`` in Mexico).

    Raises ValueError when the text is not a number in that locale.
    """
    locale = locale or format_locale()
    cleaned = (text or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    for symbol in ("€", "$", "¥", "£", "￥"):
        cleaned = cleaned.replace(symbol, "")
    cleaned = cleaned.strip()
    if not cleaned:
        raise ValueError("empty")
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation) as exc:
        raise ValueError(str(exc)) from exc
    if not value.is_finite():
        raise ValueError("not finite")
    return value


def date_format(value: date | datetime | None, fmt: str = "medium") -> str:
    """A date (or a moment, in the reader's time zone) as the reader's region writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return datetime_format(value, fmt)
    return dates.format_date(value, fmt, locale=format_locale())


def datetime_format(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, fmt, tzinfo=get_timezone(), locale=format_locale())


def date_skeleton(value: date | datetime | None, skeleton: str) -> str:
    """A date written by a CLDR skeleton (``MMMd`` → "Mar 5", "5 mar", "3月5日")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return dates.format_skeleton(skeleton, value, tzinfo=get_timezone(), locale=format_locale())
    return dates.format_skeleton(skeleton, datetime(value.year, value.month, value.day), locale=format_locale())


def region_choices_for_reader() -> list[tuple[str, str]]:
    """The regions offered in the settings, each named in the reader's language with a sample of its
    formats: "Español (México) — 1,234.50 · 31/12/2026"."""
    from planner.regions import REGIONS, region_label

    reader = babel_locale()
    options = []
    for code in REGIONS:
        locale = Locale.parse(code)
        sample = _with_places(locale.decimal_formats[None].pattern, 2).apply(Decimal("1234.5"), locale)
        day = dates.format_skeleton("yMd", datetime(2026, 12, 31), locale=locale)
        options.append((code, f"{region_label(code, reader)} — {sample} · {day}"))
    return options


def language_label(code: str | None) -> str:
    return LANGUAGES.get(code or "", "")


def _per_reader(function):
    """A Jinja filter evaluated for each reader: without ``pass_context`` Jinja folds a filter on a
    constant (``0.6|percent``) once, at compile time, in the locale of whoever came first."""

    @pass_context
    def per_reader(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return per_reader


def init_app(app) -> None:
    app.jinja_env.filters["money"] = _per_reader(money)
    app.jinja_env.filters["money_compact"] = _per_reader(money_compact)
    app.jinja_env.filters["number"] = _per_reader(number)
    app.jinja_env.filters["percent"] = _per_reader(percent)
    app.jinja_env.filters["date"] = _per_reader(date_format)
    app.jinja_env.filters["datetime"] = _per_reader(datetime_format)
    app.jinja_env.filters["date_skeleton"] = _per_reader(date_skeleton)
    app.jinja_env.filters["language_label"] = language_label
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["current_region"] = select_region

    @app.before_request
    def remember_language_switch():
        chosen = normalise_language(request.args.get("lang"))
        if not chosen:
            return
        session["lang"] = chosen
        if current_user.is_authenticated and current_user.language != chosen:
            from planner.extensions import db

            current_user.language = chosen
            db.session.commit()
