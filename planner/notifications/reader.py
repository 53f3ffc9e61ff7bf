"""Writing for someone else: their language, their region's formats and their time zone, whoever is
signed in (an e-mail queued while a manager acts is written the recipient's way, not the manager's)."""

from contextlib import contextmanager

import pytz
from flask import g, has_app_context
from flask_babel import force_locale, get_timezone

from planner.i18n import DEFAULT_LANGUAGE, LANGUAGES
from planner.regions import DEFAULT_REGION, normalise_region


def language_of(user) -> str:
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def region_of(user) -> str:
    """The region whose formats the person chose in their settings, else their language's usual one
    (a mail has no browser to ask, and the browser of whoever caused it is not theirs)."""
    return normalise_region(getattr(user, "region", None)) or DEFAULT_REGION[language_of(user)]


def timezone_of(user):
    try:
        return pytz.timezone(user.timezone or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.UTC


@contextmanager
def reading_as(user):
    """Inside: gettext, ``|date``/``|datetime`` and the formatting helpers write in ``user``'s
    language, with their region's formats (``4:05 p.m.`` in Mexico, ``16:05`` in Spain), and in their
    time zone (Flask-Babel's ``force_locale``, its cached time zone and planner.i18n's forced region)."""
    if not has_app_context():
        yield
        return
    get_timezone()  # makes Flask-Babel's per-context namespace, where it caches the time zone
    babel = g._flask_babel
    saved_zone = getattr(babel, "babel_tzinfo", None)
    saved_region = g.get("forced_region")
    with force_locale(language_of(user)):
        babel.babel_tzinfo = timezone_of(user)
        g.forced_region = region_of(user)
        babel.planner_formats = None  # planner.formatting's cached formatters: made again for this reader
        try:
            yield
        finally:
            babel.babel_tzinfo = saved_zone
            g.forced_region = saved_region
            babel.planner_formats = None
