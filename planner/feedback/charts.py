"""The results page's figures, every label translated on the server."""

from flask_babel import gettext as _

from planner.charts import PALETTE, RAG, date_format, figure
from planner.feedback.models import DIMENSIONS
from planner.feedback.services import BARRIER_THRESHOLD
from planner.i18n import number


def _threshold_line(axis: str) -> dict:
    line = {"type": "line", "line": {"color": RAG["red"], "width": 1, "dash": "dash"}}
    if axis == "x":
        return {**line, "xref": "x", "yref": "paper", "x0": BARRIER_THRESHOLD, "x1": BARRIER_THRESHOLD,
                "y0": 0, "y1": 1}
    return {**line, "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": BARRIER_THRESHOLD,
            "y1": BARRIER_THRESHOLD}


def dimensions_figure(group) -> dict:
    labels = [str(d.label) for d in DIMENSIONS]
    values = [round(group.averages[d], 2) for d in DIMENSIONS]
    colours = [RAG["red"] if d in group.barriers else PALETTE[0] for d in DIMENSIONS]
    return figure(
        [{"type": "bar", "orientation": "h", "x": values, "y": labels, "marker": {"color": colours},
          "text": [number(v, 1) for v in values], "textposition": "auto",
          "hovertemplate": "%{y}: %{x:.2f}<extra></extra>"}],
        title=_("Average rating per dimension (1 to 5)"),
        height=300,
        xaxis={"range": [0, 5], "dtick": 1, "title": {"text": _("Average rating")}},
        yaxis={"autorange": "reversed", "automargin": True},
        shapes=[_threshold_line("x")],
        margin={"l": 110},
        showlegend=False,
    )


def trend_figure(weeks) -> dict:
    shown = [w for w in weeks if w.shown]
    short, long = date_format("MMMd"), date_format("yMMMd")  # CLDR skeletons, in the reader's region
    data = [{"type": "scatter", "mode": "lines+markers", "name": str(d.label),
             "x": [w.key for w in shown], "y": [round(w.averages[d], 2) for w in shown],
             "hovertemplate": "%{x|" + long + "}: %{y:.2f}<extra>" + str(d.label) + "</extra>"} for d in DIMENSIONS]
    data.append({"type": "scatter", "mode": "lines", "name": _("All five together"),
                 "x": [w.key for w in shown], "y": [round(w.overall, 2) for w in shown],
                 "line": {"color": "#212529", "width": 3, "dash": "dot"}})
    return figure(
        data,
        title=_("Weekly average per dimension"),
        height=360,
        xaxis={"type": "date", "tickvals": [w.key for w in shown], "tickformat": short},
        yaxis={"range": [1, 5.1], "dtick": 1, "title": {"text": _("Average rating")}},
        shapes=[_threshold_line("y")],
    )
