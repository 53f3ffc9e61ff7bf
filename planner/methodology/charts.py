"""The seven-sins radar: the latest round against the one before, every label translated."""

import re
import unicodedata

from flask_babel import gettext as _

from planner.charts import PALETTE, figure
from planner.i18n import date_format as format_date


def _closed(values: list) -> list:
    return values + values[:1]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrapped(text: str, width: int = 14) -> str:
    """Breaks a label into lines about ``width`` columns wide (a Chinese character counts two),
    at spaces, or between characters in Chinese, so the radar keeps its labels on a phone screen."""
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*", text)
    lines, line = [], ""
    for token in tokens:
        if line.strip() and _width((line + token).rstrip()) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    lines.append(line.rstrip())
    return "<br>".join(lines)


def radar(methodology, current, previous=None) -> dict:
    sins = methodology.items
    labels = [f"{n}. {_wrapped(str(sin.short_title or sin.title))}" for n, sin in enumerate(sins, start=1)]
    traces = []
    if previous is not None:
        traces.append({
            "type": "scatterpolar", "mode": "lines+markers", "name": _(
                "Previous round (%(date)s)", date=format_date(previous.local_date, "medium")),
            "r": _closed([previous.scores.get(sin.key, 0) for sin in sins]), "theta": _closed(labels),
            "line": {"color": "#6c757d", "dash": "dash", "width": 2}, "marker": {"size": 5},
            "hovertemplate": "%{theta}: %{r}<extra></extra>",
        })
    traces.append({
        "type": "scatterpolar", "mode": "lines+markers", "fill": "toself", "name": _(
            "This round (%(date)s)", date=format_date(current.local_date, "medium")),
        "r": _closed([current.scores.get(sin.key, 0) for sin in sins]), "theta": _closed(labels),
        "line": {"color": PALETTE[9], "width": 2}, "fillcolor": "rgba(220, 53, 69, 0.18)", "marker": {"size": 6},
        "hovertemplate": "%{theta}: %{r}<extra></extra>",
    })
    title = _("Risk by sin")
    scale = _("0 = no warning sign, 100 = every sign present")
    return figure(
        traces, title="<br>".join([title, f"<sup>{scale}</sup>"]), height=420,
        polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 90 - 180 / len(sins),
                              "tickangle": 0, "tickfont": {"size": 9, "color": "#6c757d"}},
               "angularaxis": {"direction": "clockwise", "rotation": 90, "tickfont": {"size": 11}}},
        showlegend=True, margin={"l": 72, "r": 72, "t": 72, "b": 24},
    )
