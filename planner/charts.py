"""Plotly figures as plain JSON-ready dicts.

Views build figures with these helpers, translating every title and label on the server; the
page carries the figure in a ``<script type="application/json">`` block and ``static/js/charts.js``
draws it with the Plotly bundle served by the app.
"""

# The page's own font stack (Bootstrap's), then Chinese fonts for the glyphs the first ones lack.
FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Noto Sans CJK SC", '
        '"Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif')
TEXT, MUTED, GRID, LINE = "#212529", "#495057", "#e9ecef", "#ced4da"  # the app's colour tokens (static/css/app.css)

PALETTE = ["#0a58ca", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#0dcaf0", "#6c757d", "#198754",
           "#ffc107", "#dc3545", "#6610f2"]
RAG = {"red": "#dc3545", "amber": "#f0ad00", "green": "#198754", "grey": "#adb5bd"}


def figure(data: list[dict], title=None, height: int | None = None, **layout) -> dict:
    base = {
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "margin": {"l": 56, "r": 16, "t": 48 if title else 16, "b": 48},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "colorway": PALETTE,
        "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"font": {"family": FONT}},
        "separators": _separators(),
        "xaxis": {"gridcolor": GRID, "linecolor": LINE, "zerolinecolor": LINE, "tickfont": {"color": MUTED}},
        "yaxis": {"gridcolor": GRID, "linecolor": LINE, "zerolinecolor": LINE, "tickfont": {"color": MUTED}},
    }
    if title:
        base["title"] = {"text": str(title), "x": 0, "xanchor": "left", "font": {"size": 15}}
    if height:
        base["height"] = height
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return {"data": [_plain(trace) for trace in data], "layout": _plain(base)}


def _separators() -> str:
    """The reader's region's decimal and group signs, for the axes and the hover labels."""
    from planner.i18n import format_locale
    from planner.regions import chart_separators

    return chart_separators(format_locale())


def date_format(skeleton: str) -> str:
    """A d3 date format for an axis or a hover label, derived from the CLDR skeleton in the reader's
    region (``MMMd`` → ``%b %-d`` in the US, ``%-d %b`` in Spain and Mexico, ``%-m月%-d日`` in China)."""
    from planner.i18n import format_locale
    from planner.regions import chart_date_format

    return chart_date_format(skeleton, format_locale())


def _plain(value):
    """Lazy strings and other objects become JSON-ready values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:
        from decimal import Decimal

        if isinstance(value, Decimal):
            return float(value)
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
