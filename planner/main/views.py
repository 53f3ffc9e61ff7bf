import gzip
import json
from functools import cache
from pathlib import Path

import plotly
from flask import Blueprint, Response, current_app, jsonify, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from planner import nav
from planner.extensions import csrf, db
from planner.i18n import LANGUAGES
from planner.regions import DEFAULT_REGION, chart_date_formats, chart_separators, formatting_locale, normalise_region

bp = Blueprint("main", __name__)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ONE_YEAR = 365 * 24 * 3600


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


@cache
def _plotly_gzipped() -> bytes:
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=6)


@bp.route("/vendor/plotly.min.js")
def plotly_js():
    """Plotly's browser bundle, served from the installed Python package (no CDN)."""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(_plotly_gzipped(), mimetype="text/javascript")
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
    else:
        response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR)
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


def plotly_url() -> str:
    return url_for("main.plotly_js", v=plotly.__version__)


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
        "Download plot as a png": _("Download the chart as an image"),
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
