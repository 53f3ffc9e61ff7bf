"""Regions: how numbers, dates and amounts are written, chosen apart from the language.

A person reads the interface in a language (en, es, zh) and writes and reads figures the way
their region does: a Mexican reads Spanish with ``1,234.50`` and a Spaniard with ``1.234,50``.
The region is the user's preference, else the browser's (Accept-Language), else the language's
usual one. Formats follow CLDR through Babel: the locale that formats is the interface language
in the region's territory when CLDR knows that pair (``es_US``), else the region's own locale.
"""

import re
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import match_skeleton

# The regions offered in the settings; the browser may bring any other CLDR locale of our languages.
REGIONS = ("en_US", "en_GB", "es_ES", "es_MX", "es_AR", "es_CO", "es_CL", "es_US", "zh_CN", "zh_TW")
DEFAULT_REGION = {"en": "en_US", "es": "es_ES", "zh": "zh_CN"}


def parse_region(value: str | None) -> Locale | None:
    """``es-MX``, ``es_mx`` or ``zh-Hant-TW`` → a Babel locale with a territory, or None."""
    if not value:
        return None
    text = value.strip().replace("-", "_")
    if not re.fullmatch(r"[A-Za-z]{2,3}(_[A-Za-z]{4})?_[A-Za-z]{2}|[A-Za-z]{2,3}_\d{3}", text):
        return None
    parts = text.split("_")
    parts[0] = parts[0].lower()
    parts[-1] = parts[-1].upper()
    if len(parts) == 3:
        parts[1] = parts[1].title()
    try:
        locale = Locale.parse("_".join(parts))
    except (UnknownLocaleError, ValueError):
        return None
    return locale if locale.territory else None


def region_code(locale: Locale) -> str:
    """The stored form: language and territory, ``es_MX`` (``zh_Hant_TW`` is kept as ``zh_TW``)."""
    return f"{locale.language}_{locale.territory}"


def normalise_region(value: str | None) -> str | None:
    """A region we offer, in its stored form, or None."""
    locale = parse_region(value)
    code = region_code(locale) if locale else None
    return code if code in REGIONS else None


def browser_region(accept_languages, language: str) -> str:
    """The first region-qualified tag of the browser in the interface language, e.g. ``es-MX``
    for a Spanish reader whose browser sends ``es-MX,es;q=0.9,en;q=0.5``; else the language's usual
    region."""
    for tag, _quality in accept_languages or ():
        locale = parse_region(tag)
        if locale is not None and locale.language == language:
            return region_code(locale)
    return DEFAULT_REGION.get(language, DEFAULT_REGION["en"])


@cache
def formatting_locale(language: str, region: str) -> Locale:
    """The locale whose CLDR data writes numbers, dates and amounts: the language in the region's
    territory (Spanish in the United States is ``es_US``, English in Spain ``en_ES``). When CLDR has
    no such pair, the language's usual region: month names never come in another language."""
    usual = Locale.parse(DEFAULT_REGION.get(language, "en_US"))
    region_locale = parse_region(region) or usual
    if region_locale.language == language:
        return region_locale
    try:
        return Locale.parse(f"{language}_{region_locale.territory}")
    except (UnknownLocaleError, ValueError):
        return usual


def region_label(code: str, reader: Locale) -> str:
    """``español (México)`` in the reader's language, from CLDR."""
    locale = parse_region(code)
    if locale is None:
        return code
    name = Locale.parse(f"{locale.language}_{locale.territory}").get_display_name(reader) or code
    return name[:1].upper() + name[1:]


# --------------------------------------------------------------------------- charts (d3 formats)

# CLDR skeletons for the date formats a Plotly axis needs (the keys are Plotly's locale keys).
CHART_SKELETONS = {
    "date": "yMd",
    "dayMonth": "MMMd",
    "dayMonthYear": "yMMMd",
    "month": "yMMM",
    "year": "y",
    "time": "Hms",
}

_D3 = {
    "y": "%Y", "yy": "%y", "yyyy": "%Y", "u": "%Y",
    "M": "%-m", "MM": "%m", "MMM": "%b", "MMMM": "%B",
    "L": "%-m", "LL": "%m", "LLL": "%b", "LLLL": "%B",
    "d": "%-d", "dd": "%d",
    "E": "%a", "EE": "%a", "EEE": "%a", "EEEE": "%A", "c": "%a", "ccc": "%a", "cccc": "%A",
    "H": "%-H", "HH": "%H", "h": "%-I", "hh": "%I", "m": "%M", "mm": "%M", "s": "%S", "ss": "%S",
    "a": "%p",
}


def d3_from_cldr(pattern: str) -> str:
    """A CLDR date pattern (``d 'de' MMM 'de' y``) as a d3 time format (``%-d de %b de %Y``)."""
    out = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "'":
            if pattern.startswith("''", position):  # an apostrophe
                out.append("'")
                position += 2
                continue
            text, position = [], position + 1
            while position < len(pattern):
                if pattern.startswith("''", position):
                    text.append("'")
                    position += 2
                elif pattern[position] == "'":
                    position += 1
                    break
                else:
                    text.append(pattern[position])
                    position += 1
            out.append("".join(text).replace("%", "%%"))
        elif char.isascii() and char.isalpha():
            end = position
            while end < len(pattern) and pattern[end] == char:
                end += 1
            token = pattern[position:end]
            if token not in _D3:
                raise ValueError(f"no d3 equivalent for the CLDR field {token!r} in {pattern!r}")
            out.append(_D3[token])
            position = end
        else:
            out.append(char.replace("%", "%%"))
            position += 1
    return "".join(out)


def cldr_pattern(skeleton: str, locale: Locale) -> str:
    """The locale's CLDR pattern for a skeleton (``MMMd`` → ``d MMM`` in Spanish, ``M月d日`` in Chinese)."""
    skeletons = locale.datetime_skeletons
    best = match_skeleton(skeleton, skeletons.keys())
    if best is None:
        raise ValueError(f"CLDR has no pattern for the skeleton {skeleton!r} in {locale}")
    return skeletons[best].pattern


@cache
def chart_date_format(skeleton: str, locale: Locale) -> str:
    """The d3 time format Plotly needs, derived from the locale's CLDR skeleton."""
    return d3_from_cldr(cldr_pattern(skeleton, locale))


@cache
def chart_date_formats(locale: Locale) -> dict[str, str]:
    """Plotly's locale date formats (``dayMonth``, ``month``…), each derived from CLDR."""
    formats = {key: chart_date_format(skeleton, locale) for key, skeleton in CHART_SKELETONS.items()}
    # A date and a time together, glued the way CLDR glues them ("{1}, {0}", "{1} {0}").
    glue = str(locale.datetime_formats["medium"])
    date_part, time_part = cldr_pattern("yMMMEd", locale), cldr_pattern("Hms", locale)
    formats["dateTime"] = d3_from_cldr(glue.replace("{1}", date_part).replace("{0}", time_part))
    return formats


def chart_separators(locale: Locale) -> str:
    """Plotly's ``separators`` layout value: the decimal sign then the group sign (``,.`` in Spain)."""
    symbols = locale.number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]
