"""The seven-sins radar: the latest round against the one before, every label translated."""

from flask_babel import format_date
from flask_babel import gettext as _

from planner.charts import PALETTE, figure


def _closed(values: list) -> list:
    return values + values[:1]


def radar(methodology, current, previous=None) -> dict:
    sins = methodology.items
    labels = [str(sin.short_title or sin.title) for sin in sins]
    traces = []
    if previous is not None:
        traces.append({
            "type": "scatterpolar", "mode": "lines+markers", "name": _(
                "Previous round (%(date)s)", date=format_date(previous.created_at, "medium")),
            "r": _closed([previous.scores.get(sin.key, 0) for sin in sins]), "theta": _closed(labels),
            "line": {"color": "#6c757d", "dash": "dash", "width": 2}, "marker": {"size": 5},
            "hovertemplate": "%{theta}: %{r}<extra></extra>",
        })
    traces.append({
        "type": "scatterpolar", "mode": "lines+markers", "fill": "toself", "name": _(
            "This round (%(date)s)", date=format_date(current.created_at, "medium")),
        "r": _closed([current.scores.get(sin.key, 0) for sin in sins]), "theta": _closed(labels),
        "line": {"color": PALETTE[9], "width": 2}, "fillcolor": "rgba(220, 53, 69, 0.18)", "marker": {"size": 6},
        "hovertemplate": "%{theta}: %{r}<extra></extra>",
    })
    return figure(
        traces, title=_("Risk by sin (0 = no warning sign, 100 = every sign present)"), height=420,
        polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 90,
                              "tickfont": {"size": 10}},
               "angularaxis": {"direction": "clockwise", "rotation": 90}},
        showlegend=True, margin={"l": 40, "r": 40, "t": 64, "b": 32},
    )
