"""Writing for someone else: their language and their time zone, whoever is signed in."""

from contextlib import contextmanager

import pytz
from flask import g, has_app_context
from flask_babel import force_locale, get_timezone

from planner.i18n import DEFAULT_LANGUAGE, LANGUAGES


def language_of(user) -> str:
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def timezone_of(user):
    try:
        return pytz.timezone(user.timezone or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.UTC


@contextmanager
def reading_as(user):
    """Inside: gettext, ``|date``/``|datetime`` and the formatting helpers write in ``user``'s
    language and time zone (Flask-Babel's ``force_locale``, and its cached time zone likewise)."""
    if not has_app_context():
        yield
        return
    get_timezone()  # makes Flask-Babel's per-context namespace, where it caches the time zone
    babel = g._flask_babel
    saved = getattr(babel, "babel_tzinfo", None)
    with force_locale(language_of(user)):
        babel.babel_tzinfo = timezone_of(user)
        try:
            yield
        finally:
            babel.babel_tzinfo = saved
