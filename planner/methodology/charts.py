"""The seven-sins radar: the latest round against the one before, every label translated."""

from flask_babel import format_date
from flask_babel import gettext as _

from planner.charts import PALETTE, figure


def _closed(values: list) -> list:
    return values + values[:1]


def _wrapped(text: str, width: int = 13) -> str:
    """Breaks a label into lines of about ``width`` characters at spaces (Chinese has none and is
    short anyway), so the radar keeps its labels inside a phone screen."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(lines)


def radar(methodology, current, previous=None) -> dict:
    sins = methodology.items
    labels = [_wrapped(f"{n}. {sin.short_title or sin.title}") for n, sin in enumerate(sins, start=1)]
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
    return figure(
        traces, title=_("Risk by sin (0 = no warning sign, 100 = every sign present)"), height=420,
        polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 90 - 180 / len(sins),
                              "tickangle": 0, "tickfont": {"size": 9, "color": "#6c757d"}},
               "angularaxis": {"direction": "clockwise", "rotation": 90, "tickfont": {"size": 11}}},
        showlegend=True, margin={"l": 72, "r": 72, "t": 72, "b": 24},
    )
