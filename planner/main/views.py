import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from planner import nav
from planner.extensions import csrf, db
from planner.i18n import LANGUAGES
from planner.regions import DEFAULT_REGION, chart_date_formats, chart_separators, formatting_locale, normalise_region

bp = Blueprint("main", __name__)

DATA = Path(__file__).resolve().parent / "data"


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    default = current_app.config.get("HOME_ENDPOINT", "projects.index")
    return redirect(url_for(nav.landing_for(current_user, default)))


@bp.route("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "unreachable"
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="reachable")


def plotly_url() -> str:
    """Plotly's browser bundle (core, bar and polar charts; see scripts/plotly-bundle), a static file."""
    return url_for("static", filename="vendor/plotly/plotly.min.js")


@cache
def _plotly_dictionary(language: str) -> dict:
    """Plotly's own interface strings in a language, from plotly.js-locales (English needs none)."""
    path = DATA / f"plotly-{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@cache
def _plotly_locale_source(language: str, region: str) -> dict:
    """Plotly's locale: month and day names from the language, numbers and date formats from the
    region, each date format derived from a CLDR skeleton (``planner.regions.CHART_SKELETONS``)."""
    locale = formatting_locale(language, region)
    months = locale.months["format"]
    days = locale.days["format"]
    order = [6, 0, 1, 2, 3, 4, 5]  # d3 weeks start on Sunday; Babel's on Monday
    separators = chart_separators(locale)
    spec = {
        "moduleType": "locale",
        "name": language,
        "dictionary": {},
        "format": {
            "days": [days["wide"][i] for i in order],
            "shortDays": [days["abbreviated"][i] for i in order],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
            "periods": [locale.day_periods["format"]["abbreviated"].get("am", "AM"),
                        locale.day_periods["format"]["abbreviated"].get("pm", "PM")],
            "decimal": separators[0],
            "thousands": separators[1],
            "grouping": [3],
            "currency": ["", ""],
            **chart_date_formats(locale),
        },
    }
    return spec


@bp.route("/i18n/plotly-<language>.js")
def plotly_locale(language):
    if language not in LANGUAGES:
        return Response("", status=404)
    region = normalise_region(request.args.get("region")) or DEFAULT_REGION[language]
    spec = dict(_plotly_locale_source(language, region))
    spec["dictionary"] = {
        **_plotly_dictionary(language),
        # Our own wording wins where the app has it.
        "Download plot as a PNG": _("Download the chart as an image"),
        "Download plot": _("Download the chart"),
        "Autoscale": _("Fit to data"),
        "Reset axes": _("Reset the axes"),
        "Zoom in": _("Zoom in"),
        "Zoom out": _("Zoom out"),
        "Double-click to zoom back out": _("Double-click to zoom back out"),
    }
    body = (
        "window.PlotlyLocales = window.PlotlyLocales || {};\n"
        f"window.PlotlyLocales[{json.dumps(language)}] = {json.dumps(spec, ensure_ascii=False)};\n"
    )
    response = Response(body, mimetype="text/javascript")
    response.cache_control.max_age = 3600
    return response
