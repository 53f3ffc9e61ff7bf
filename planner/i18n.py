"""Languages, regions, locale negotiation and locale-aware formatting.

Choice order for the interface language: an explicit switch in this request (``?lang=``), then
the signed-in user's preference, then a switch made earlier in this browser (remembered in the
session), then the language of the last person signed out here, then the browser's
Accept-Language, then English. An explicit choice is saved to the account: at once when signed
in, at sign-in when it was made on the sign-in page (``remember_choice_at_sign_in``). The
browser's language is used only when nobody chose.
All Chinese variants negotiate to Simplified Chinese, the only Chinese catalogue we ship.

Numbers, dates and amounts follow the reader's *region*, chosen apart from the language
(``planner.regions``): the user's preference, else the browser's, else the language's usual one.
Every formatting helper here writes with ``format_locale()``; words come from the language.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from babel import Locale, dates, numbers
from babel.numbers import NumberFormatError, parse_decimal
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_login import current_user

from planner.formatting import MINUTES, formats
from planner.regions import DEFAULT_REGION, browser_region, normalise_region

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
    for key in ("lang", "lang_hint"):
        chosen = normalise_language(session.get(key))
        if chosen:
            return chosen
    best = request.accept_languages.best_match(list(LANGUAGES)) if request else None
    return best or DEFAULT_LANGUAGE


def explicit_choice() -> str | None:
    """The language this browser chose with the switcher (``?lang=``), if any."""
    return normalise_language(request.args.get("lang")) or normalise_language(session.get("lang"))


def remember_choice_at_sign_in(user, chosen: str | None) -> None:
    """Keeps a language picked on the sign-in page through sign-in and saves it to the account."""
    if chosen:
        user.language = chosen
        session["lang"] = chosen


def keep_language_after_sign_out(language: str | None) -> None:
    """The sign-in page after sign-out stays in the language just used, without counting as a
    choice for whoever signs in next."""
    if language:
        session["lang_hint"] = language


def select_timezone() -> str:
    user = current_user
    if user and user.is_authenticated and user.timezone:
        return user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    return formats().language


def babel_locale() -> Locale:
    """The interface language's locale: for words (names of languages, currencies, time zones)."""
    return formats().locale


def select_region(language: str | None = None) -> str:
    """The reader's region for formats (``es_MX``): their preference, else their browser's, else the
    language's usual region."""
    language = language or current_language()
    forced = getattr(g, "forced_region", None) if has_app_context() else None
    if forced:
        return forced
    if not has_request_context():
        return DEFAULT_REGION.get(language, DEFAULT_REGION[DEFAULT_LANGUAGE])
    # The user Flask-Login has already loaded for this request (formatting never loads one itself:
    # it may run in a worker thread that must not open its own database connection).
    user = g.get("_login_user")
    preference = normalise_region(getattr(user, "region", None)) if user is not None else None
    return preference or browser_region(request.accept_languages, language)


def format_locale() -> Locale:
    """The locale that writes numbers, dates and amounts: the language in the reader's region."""
    return formats().format_locale


# gettext, ngettext and pgettext as Flask-Babel's (same arguments, same result) through the request's
# translations, for code that translates in a loop (the dashboard's fifty cards).


def gettext(message: str, **variables) -> str:
    text = formats().translations.ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return formats().translations.ungettext(singular, plural, num) % variables


def pgettext(context: str, message: str, **variables) -> str:
    text = formats().translations.upgettext(context, message)
    return text % variables if variables else text


# Lazy strings (labels made at import time: tabs, menu entries, choices) that resolve through the same
# per-request translations: Flask-Babel's own look the locale and the domain up again each time one is
# shown, about ten times the cost, and a page shows fifty to a hundred of them.


def lazy_gettext(message: str, **variables):
    """Flask-Babel's ``lazy_gettext``: same arguments, same text, same ``LazyString`` type."""
    from flask_babel.speaklater import LazyString

    return LazyString(gettext, message, **variables)


def lazy_pgettext(context: str, message: str, **variables):
    """Flask-Babel's ``lazy_pgettext``: same arguments, same text, same ``LazyString`` type."""
    from flask_babel.speaklater import LazyString

    return LazyString(pgettext, context, message, **variables)


# Dates and numbers go through the request's cached formatters (planner.formatting): the same
# output as Flask-Babel's format_* helpers, without looking the locale up for every value.


def money(amount, currency: str) -> str:
    """An amount in the reader's locale, e.g. ``1.234,50 €`` or ``¥1,234.50``."""
    if amount is None:
        return ""
    return currency_spacing(formats().currency(Decimal(amount), currency), currency, format_locale())


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
    return currency_spacing(formats().compact_currency(Decimal(amount), currency), currency, format_locale())


def number(value, digits: int | None = None) -> str:
    if value is None:
        return ""
    if type(value) is int and 0 <= value < 1000 and not digits:
        return str(value)  # the same in every language we offer (Latin digits, no grouping below 1,000)
    if digits is None:
        return formats().decimal(value)
    return formats().decimal(value, "#,##0." + "0" * digits if digits else "#,##0")


def percent(value, digits: int = 0) -> str:
    """``value`` is a ratio (0.25 → 25 %), written with the region's own CLDR percent pattern
    (``25 %`` in Spain, ``25%`` in Mexico and China)."""
    if value is None:
        return ""
    pattern = format_locale().percent_formats[None].pattern
    fmt = pattern.replace("#,##0", "#,##0." + "0" * digits, 1) if digits else pattern
    return formats().percent(value, fmt)


def parse_amount(text: str, locale: Locale | str | None = None) -> Decimal:
    """Parses an amount typed in the reader's locale format (``1.234,50`` in Spanish).

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
    """A date with a four-digit year in the reader's language: ``Nov 29, 2026``, ``29 nov 2026``,
    ``2026年11月29日``. CLDR's short date has a two-digit year in English and Spanish (``11/29/26``),
    so ``short`` means medium here too: one style of date on every page."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats().datetime(value, MINUTES if fmt == "short" else fmt)
    # CLDR's short date has a two-digit year in English and Spanish (11/29/26): medium instead.
    return formats().date(value, "medium" if fmt == "short" else fmt)


def zone_label(moment: datetime) -> str:
    """The reader's UTC offset at ``moment``: ``UTC``, ``UTC+8``, ``UTC\u22126``, ``UTC+5:30``."""
    offset = formats().local(moment).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def datetime_format(value: datetime | None, fmt: str = "medium", zone: bool = False) -> str:
    """A moment with a four-digit year (``short``: to the minute, without seconds); with ``zone=True``
    the reader's UTC offset follows, for times that people in different zones compare (sign-offs, the
    audit log)."""
    if not value:
        return ""
    text = formats().datetime(value, MINUTES if fmt == "short" else fmt)
    return f"{text} {zone_label(value)}" if zone else text


def date_skeleton(value: date | datetime | None, skeleton: str) -> str:
    """A date written by a CLDR skeleton (``MMMd`` → "Mar 5", "5 mar", "3月5日")."""
    if value is None:
        return ""
    value = formats().local(value) if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return dates.format_skeleton(skeleton, value, locale=format_locale())


def region_choices_for_reader() -> list[tuple[str, str]]:
    """The regions offered in the settings, each named in the reader's language with a sample of its
    formats: "Español (México) — 1,234.50 · 31/12/2026"."""
    from planner.regions import REGIONS, region_label

    reader = babel_locale()
    options = []
    for code in REGIONS:
        locale = Locale.parse(code)
        sample = numbers.format_decimal(Decimal("1234.5"), format="#,##0.00", locale=locale)
        day = dates.format_skeleton("yMd", datetime(2026, 12, 31), locale=locale)
        options.append((code, f"{region_label(code, reader)} — {sample} · {day}"))
    return options


def language_label(code: str | None) -> str:
    return LANGUAGES.get(code or "", "")


def init_app(app) -> None:
    # Jinja's optimizer would fold a filter on a constant (``0.6|percent``) once, at compile time, in
    # the locale of whoever came first: formats are per reader, so nothing is folded.
    app.jinja_env.optimized = False
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["money_compact"] = money_compact
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["date"] = date_format
    app.jinja_env.filters["datetime"] = datetime_format
    app.jinja_env.filters["date_skeleton"] = date_skeleton
    app.jinja_env.filters["language_label"] = language_label
    # Templates translate through the request's translations, looked up once (Flask-Babel's own
    # callables look the locale and the domain up again for every string).
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: formats().translations.ugettext(message),
        ngettext=lambda singular, plural, n: formats().translations.ungettext(singular, plural, n),
        pgettext=lambda context, message: formats().translations.upgettext(context, message),
        npgettext=lambda context, singular, plural, n: formats().translations.unpgettext(context, singular, plural, n),
        newstyle=True)
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
