"""The gate: exit criteria evaluated live against KPIs, methodology steps and tasks, and the snapshot
of that evidence a decision keeps."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planner.change.models import TaskStatus
from planner.dates import utc_today
from planner.kpis import services as kpis
from planner.kpis.definitions import KpiKey
from planner.methodology.models import ChecklistItem, ItemStatus
from planner.projects.models import Project
from planner.rollout.models import (
    Comparison,
    CriterionKind,
    ExitCriterion,
    Stage,
)
from planner.rollout.services.criteria import criterion_data, describe_criterion, kpi_text

TREND_WEEKS = 8  # weeks of KPI trend shown as evidence (more when a criterion asks for more)


@dataclass(frozen=True)
class KpiEvidence:
    trend: list  # WeekValue, oldest first; the last may be the week in progress
    window: list  # the complete weeks the criterion is judged on, oldest first
    window_met: list  # one bool per week of the window
    current: object  # the latest WeekValue (the week in progress, or the last complete one)
    since: date | None = None  # the stage's start: weeks that began earlier are not judged


@dataclass
class CriterionResult:
    criterion: ExitCriterion
    met: bool
    title: str
    kpi: KpiEvidence | None = None
    item: ChecklistItem | None = None
    tasks: list = field(default_factory=list)

    @property
    def tasks_done(self) -> int:
        return sum(1 for task in self.tasks if task.status == TaskStatus.DONE)


@dataclass
class Gate:
    stage: Stage
    as_of: date
    results: list[CriterionResult]

    @property
    def met(self) -> int:
        return sum(1 for result in self.results if result.met)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def go(self) -> bool:
        """Go when the stage has exit criteria and every one is met."""
        return bool(self.results) and all(result.met for result in self.results)


def kpi_window(series, comparison: Comparison, threshold: Decimal, weeks: int,
               since: date | None = None) -> tuple[list, list[bool], bool]:
    """Judges a KPI criterion on a weekly series: the last ``weeks`` complete weeks must each satisfy
    ``comparison`` against ``threshold``. Only weeks inside the stage count: with ``since`` (the
    stage's start) a week that began earlier is never judged, so a stage that has run for fewer
    complete weeks than asked is not met yet. A week without a value fails. Returns the weeks judged,
    whether each passed, and whether the criterion is met."""
    complete = [week for week in series if week.complete and (since is None or week.week_start >= since)]
    window = complete[-weeks:] if weeks > 0 else []
    passed = [comparison.holds(week.value, threshold) for week in window]
    return window, passed, len(window) == weeks and all(passed)


def stage_start(stage: Stage) -> date | None:
    """The day a stage began, or is planned to begin: its exit criteria are judged from then on."""
    return stage.actual_start or stage.planned_start


def evaluate_stages(project: Project | int, stages: list[Stage], until: date | None = None) -> dict[int, Gate]:
    """Evaluates the exit criteria of several stages of one project in a bounded number of queries:
    one KPI read for every KPI used, and the criteria, items and tasks already loaded."""
    pid = project if isinstance(project, int) else project.id
    until = until or utc_today()
    criteria = [c for stage in stages for c in stage.criteria]
    kpi_criteria = [c for c in criteria if c.kind == CriterionKind.KPI and c.kpi is not None]
    keys = sorted({c.kpi for c in kpi_criteria})
    trend_weeks = max([TREND_WEEKS] + [(c.weeks or 1) + 1 for c in kpi_criteria])
    trends = kpis.kpi_trends_by_project([pid], keys, trend_weeks, until)[pid] if keys else {}
    gates = {}
    for stage in stages:
        results = []
        for criterion in stage.criteria:
            title = describe_criterion(criterion_data(criterion))
            if criterion.kind == CriterionKind.KPI:
                series = trends.get(criterion.kpi, []) if criterion.kpi else []
                if criterion.comparison is None or criterion.threshold is None:
                    results.append(CriterionResult(criterion, False, title))
                    continue
                since = stage_start(stage)
                window, passed, met = kpi_window(series, criterion.comparison, criterion.threshold,
                                                 criterion.weeks or 1, since)
                evidence = KpiEvidence(series, window, passed, series[-1] if series else None, since)
                results.append(CriterionResult(criterion, met, title, kpi=evidence))
            elif criterion.kind == CriterionKind.CHECKLIST:
                item = criterion.checklist_item
                results.append(CriterionResult(criterion, item is not None and item.is_done, title, item=item))
            else:
                tasks = list(criterion.tasks)
                met = bool(tasks) and all(task.status == TaskStatus.DONE for task in tasks)
                results.append(CriterionResult(criterion, met, title, tasks=tasks))
        gates[stage.id] = Gate(stage, until, results)
    return gates


def evaluate_stage(stage: Stage, until: date | None = None) -> Gate:
    return evaluate_stages(stage.project_id, [stage], until)[stage.id]


def _value(value) -> str | None:
    return str(value) if value is not None else None


def snapshot(gate: Gate) -> dict:
    """The evidence as it stands, as plain data kept with a decision for good."""
    rows = []
    for result in gate.results:
        row = {**criterion_data(result.criterion), "met": result.met}
        if result.kpi is not None:
            row["window"] = [{"week_start": w.week_start.isoformat(), "as_of": w.as_of.isoformat(),
                              "value": _value(w.value), "met": ok}
                             for w, ok in zip(result.kpi.window, result.kpi.window_met, strict=True)]
            row["since"] = result.kpi.since.isoformat() if result.kpi.since else None
            current = result.kpi.current
            row["current"] = ({"as_of": current.as_of.isoformat(), "value": _value(current.value),
                               "complete": current.complete} if current is not None else None)
        if result.criterion.kind == CriterionKind.CHECKLIST:
            item = result.item
            row["status"] = item.status.value if item is not None else None
        if result.criterion.kind == CriterionKind.TASKS:
            row["tasks"] = [{"id": t.id, "title": t.title, "status": t.status.value} for t in result.tasks]
        rows.append(row)
    return {"as_of": gate.as_of.isoformat(), "go": gate.go, "met": gate.met, "total": gate.total, "criteria": rows}


@dataclass(frozen=True)
class SnapshotRow:
    """One criterion of a recorded decision, ready to show in the reader's language."""

    title: str
    met: bool
    kind: str
    kpi: KpiKey | None
    weeks: list  # (week start, value text, met)
    current: tuple | None  # (as of, value text, complete)
    status_label: object | None
    tasks: list  # (title, status label, done)


def snapshot_rows(evidence: dict) -> list[SnapshotRow]:
    rows = []
    for data in (evidence or {}).get("criteria", []):
        key = KpiKey(data["kpi"]) if data.get("kpi") in KpiKey._value2member_map_ else None
        weeks = [(date.fromisoformat(w["week_start"]), kpi_text(key, w["value"]) if key else "—", bool(w["met"]))
                 for w in data.get("window") or []]
        current = data.get("current")
        current_row = ((date.fromisoformat(current["as_of"]), kpi_text(key, current["value"]) if key else "—",
                        bool(current.get("complete"))) if current and key else None)
        status = data.get("status")
        status_label = ItemStatus(status).label if status in ItemStatus._value2member_map_ else None
        tasks = [(t["title"], TaskStatus(t["status"]).label if t.get("status") in TaskStatus._value2member_map_
                  else "—", t.get("status") == TaskStatus.DONE.value) for t in data.get("tasks") or []]
        rows.append(SnapshotRow(describe_criterion(data), bool(data.get("met")), data.get("kind", ""), key, weeks,
                                current_row, status_label, tasks if data.get("kind") == "tasks" else []))
    return rows
