"""The rollout's charts as Plotly dicts, every label translated on the server: the timeline (Gantt)
of planned against actual dates, and the weekly trend behind a KPI criterion."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from markupsafe import escape

from planner.charts import PALETTE, RAG, figure
from planner.dates import local_date
from planner.i18n import date_format as format_date
from planner.rollout.models import Outcome
from planner.rollout.services import kpi_text

DAY_MS = 24 * 60 * 60 * 1000
PLANNED_COLOUR = "#b6c8dc"
STATUS_COLOURS = {
    "planned": "#adb5bd",
    "active": PALETTE[0],
    "awaiting_signoff": "#f0ad00",
    "approved": RAG["green"],
    "approved_with_conditions": "#5cab7d",
    "rejected": RAG["red"],
}


def _safe(text) -> str:
    """User text for Plotly's labels, which understand a few HTML tags: shown as typed, never as markup."""
    return str(escape(text or ""))


def _label(position: int, name: str, limit: int = 34) -> str:
    text = f"{position}. {name}"
    return _safe(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")


def _span(start: date, end: date) -> int:
    """A bar from the start of ``start`` to the end of ``end``, in milliseconds."""
    return ((end - start).days + 1) * DAY_MS


def _dates(start: date | None, end: date | None) -> str:
    if start is None:
        return "—"
    if end is None:
        return _("from %(start)s", start=format_date(start, "medium"))
    return _("%(start)s to %(end)s", start=format_date(start, "medium"), end=format_date(end, "medium"))


def timeline_figure(stages, decisions, today: date) -> dict | None:
    """Horizontal bars on a date axis: each stage's planned dates (wide, light) with its actual dates
    on top (narrow, in the colour of its status); diamonds mark sign-off decisions, triangles a start
    by override, a line marks today. The page explains the marks above the chart (no legend, which
    would crowd a phone's screen). None when no stage has any date."""
    dated = [s for s in stages if s.planned_start or s.actual_start]
    if not dated:
        return None
    labels = {s.id: _label(n, s.name) for n, s in enumerate(stages, start=1)}
    order = [labels[s.id] for s in stages]
    planned = [s for s in stages if s.planned_start]
    data = [{
        "type": "bar", "orientation": "h", "name": _("Planned dates"),
        "y": [labels[s.id] for s in planned],
        "base": [s.planned_start.isoformat() for s in planned],
        "x": [_span(s.planned_start, s.planned_end or s.planned_start) for s in planned],
        "width": 0.7, "marker": {"color": PLANNED_COLOUR},
        "customdata": [[_safe(s.name), _("Planned dates: %(dates)s", dates=_dates(s.planned_start, s.planned_end))]
                       for s in planned],
        "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
    }]
    started = [s for s in stages if s.actual_start]
    if started:
        data.append({
            "type": "bar", "orientation": "h", "name": _("Actual dates"),
            "y": [labels[s.id] for s in started],
            "base": [s.actual_start.isoformat() for s in started],
            "x": [_span(s.actual_start, s.actual_end or max(today, s.actual_start)) for s in started],
            "width": 0.32, "marker": {"color": [STATUS_COLOURS[s.status.value] for s in started]},
            "customdata": [[_safe(s.name), _("Actual dates: %(dates)s", dates=_dates(s.actual_start, s.actual_end)),
                            str(s.status.label)] for s in started],
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        })
    if decisions:
        names = {s.id: s.name for s in stages}
        data.append({
            "type": "scatter", "mode": "markers", "name": _("Sign-off decision"),
            "y": [labels[d.stage_id] for d in decisions if d.stage_id in labels],
            "x": [_day(d.decided_at).isoformat() for d in decisions if d.stage_id in labels],
            "marker": {"symbol": "diamond", "size": 12, "line": {"width": 1, "color": "#fff"},
                       "color": [RAG["red"] if d.outcome == Outcome.REJECTED else RAG["green"]
                                 for d in decisions if d.stage_id in labels]},
            "customdata": [[_safe(names[d.stage_id]), str(d.outcome.stage_status.label), _safe(d.decided_by_name),
                            format_date(_day(d.decided_at), "medium")] for d in decisions if d.stage_id in labels],
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<br>%{customdata[3]}"
                             "<extra></extra>",
        })
    overridden = [s for s in started if s.overridden]
    if overridden:
        data.append({
            "type": "scatter", "mode": "markers", "name": _("Started by override"),
            "y": [labels[s.id] for s in overridden], "x": [s.actual_start.isoformat() for s in overridden],
            "marker": {"symbol": "triangle-right", "size": 13, "color": "#6f42c1"},
            "customdata": [[_safe(s.name), _("Started by override: %(reason)s", reason=_safe(s.override_reason[:200]))]
                           for s in overridden],
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        })
    first = min(min(filter(None, (s.planned_start, s.actual_start))) for s in dated)
    last = max(max(filter(None, (s.planned_end, s.actual_end, s.planned_start, s.actual_start))) for s in dated)
    last = max(last, today)
    return figure(
        data, height=110 + 46 * len(stages), barmode="overlay",
        margin={"l": 12, "r": 16, "t": 26, "b": 36}, showlegend=False,
        xaxis={"type": "date", "gridcolor": "#e9ecef",
               "range": [(first - timedelta(days=7)).isoformat(), (last + timedelta(days=7)).isoformat()]},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": order, "autorange": "reversed",
               "automargin": True},
        shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": today.isoformat(), "x1": today.isoformat(),
                 "y0": 0, "y1": 1, "line": {"color": "#dc3545", "width": 1.5, "dash": "dot"}}],
        annotations=[{"xref": "x", "yref": "paper", "x": today.isoformat(), "y": 1, "yanchor": "bottom",
                      "text": _("Today"), "showarrow": False, "font": {"size": 11, "color": "#dc3545"}}],
    )


def _day(moment: datetime) -> date:
    return local_date(moment)


def kpi_figure(result) -> dict | None:
    """The weekly trend of a KPI criterion: the threshold as a dashed line, the weeks judged marked
    green (passed) or red (failed)."""
    criterion, evidence = result.criterion, result.kpi
    if evidence is None or not any(w.value is not None for w in evidence.trend):
        return None
    key = criterion.kpi
    ratio = key.is_ratio
    xs = [w.as_of.isoformat() for w in evidence.trend]
    text = [(_("Week of %(day)s", day=format_date(w.week_start, "medium")) if w.complete
             else _("Last 7 days to %(day)s", day=format_date(w.as_of, "medium"))) + " · " + kpi_text(key, w.value)
            for w in evidence.trend]
    judged = {w.as_of: ok for w, ok in zip(evidence.window, evidence.window_met, strict=True)}
    colours = [RAG["green"] if judged.get(w.as_of) else RAG["red"] if w.as_of in judged else PALETTE[0]
               for w in evidence.trend]
    sizes = [11 if w.as_of in judged else 7 for w in evidence.trend]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": str(key.label), "x": xs,
         "y": [w.value for w in evidence.trend], "text": text, "hovertemplate": "%{text}<extra></extra>",
         "line": {"color": PALETTE[0], "width": 2}, "marker": {"color": colours, "size": sizes},
         "connectgaps": False},
        {"type": "scatter", "mode": "lines", "name": _("Threshold"), "x": [xs[0], xs[-1]],
         "y": [criterion.threshold, criterion.threshold], "hoverinfo": "skip",
         "line": {"color": "#6c757d", "dash": "dash", "width": 1.5}},
    ]
    yaxis = {"tickformat": ".0%", "range": [0, 1.05]} if ratio else {"range": [0.8, 5.2], "dtick": 1}
    extra = {}
    since = evidence.since
    if since is not None and evidence.trend[0].as_of < since <= evidence.trend[-1].as_of:
        # The weeks before the stage began are shaded: they are context, never judged.
        extra["shapes"] = [{"type": "rect", "xref": "x", "yref": "paper", "x0": xs[0], "x1": since.isoformat(),
                            "y0": 0, "y1": 1, "fillcolor": "rgba(108, 117, 125, 0.10)", "line": {"width": 0},
                            "layer": "below"}]
        extra["annotations"] = [{"x": since.isoformat(), "xref": "x", "y": 1, "yref": "paper", "yanchor": "top",
                                 "xanchor": "left", "showarrow": False, "text": str(_("Stage start")),
                                 "font": {"size": 11, "color": "#495057"}}]
    return figure(data, height=200, margin={"l": 44, "r": 8, "t": 8, "b": 32},
                  xaxis={"type": "date", "nticks": 5, "fixedrange": True},
                  yaxis={**yaxis, "fixedrange": True, "zeroline": False}, showlegend=False, **extra)
