"""What the Exports page offers: one table per data set, in the reader's language.

Each data set says who may download it, mirroring the page that shows the same data: tasks, quick
wins, KPIs and sign-off decisions are open to every member (and to administrators, who can read
every project); the feedback figures and comments follow the feedback results page (project
managers, executive sponsors and administrators who are not members) and its anonymity rules: no
name is ever exported with an answer, a group answered by fewer than five people shows no figure,
and comments are exported only once the project has five people's answers.

The TCO model and the CRM record lists have exports of their own; the page links to them.

Public functions: ``datasets_for(project)`` (what the reader may download), ``dataset(key)``,
``build(key, project)`` → ``tables.Table``, ``filename(project, key, extension)``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import g
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.change import services as change_services
from planner.change.models import ChangeTask, QuickWin
from planner.dates import local_today
from planner.exports.tables import Cell, Column, Kind, Table, as_local
from planner.extensions import db
from planner.feedback import services as feedback_services
from planner.feedback.models import DIMENSIONS
from planner.feedback.services import MIN_GROUP
from planner.i18n import language_label
from planner.i18n import lazy_gettext as _l
from planner.kpis import services as kpi_services
from planner.projects.access import has_role
from planner.projects.models import ProjectMember, ProjectRole
from planner.rollout.models import SignoffDecision, Stage
from planner.tco import actuals
from planner.tco.models import TcoActualCost


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _member_name(member) -> str:
    return member.user.name if member is not None and member.user is not None else ""


# --------------------------------------------------------------------------- the tables


def tasks_table(project) -> Table:
    tasks = change_services.project_tasks(project)
    today = local_today()
    table = Table(_("Tasks"), [
        Column(_("Task")), Column(_("Description"), Kind.LONG_TEXT), Column(_("Category")),
        Column(_("Status")), Column(_("Owner")), Column(_("Team")), Column(_("Due date"), Kind.DATE),
        Column(_("Days overdue"), Kind.INTEGER), Column(_("Stage")),
        Column(_("Completed on"), Kind.DATETIME), Column(_("Notes"), Kind.LONG_TEXT),
    ])
    timezone = get_timezone()
    for task in tasks:
        table.rows.append([
            task.title, task.description, str(task.category.label), str(task.status.label),
            _member_name(task.owner), task.owner.team if task.owner else "", task.due_date,
            task.days_overdue(today) or None, task.stage.name if task.stage else "",
            as_local(task.completed_at, timezone), task.notes,
        ])
    return table


def quick_wins_table(project) -> Table:
    wins = db.session.scalars(
        select(QuickWin).options(selectinload(QuickWin.owner).selectinload(ProjectMember.user))
        .where(QuickWin.project_id == project.id)
        .order_by(QuickWin.target_date.is_(None), QuickWin.target_date, QuickWin.id))
    table = Table(_("Quick wins"), [
        Column(_("Quick win")), Column(_("Measurable benefit"), Kind.LONG_TEXT), Column(_("KPI")),
        Column(_("KPI target"), Kind.PERCENT), Column(_("Owner")), Column(_("Target date"), Kind.DATE),
        Column(_("Status")), Column(_("Achieved on"), Kind.DATE), Column(_("Result"), Kind.LONG_TEXT),
        Column(_("Celebrated on"), Kind.DATE), Column(_("Celebration note"), Kind.LONG_TEXT),
    ])
    for win in wins:
        target = win.kpi_target
        if target is not None and win.kpi is not None and not win.kpi.is_ratio:
            target = Cell(target, Kind.NUMBER)
        table.rows.append([
            win.title, win.benefit, str(win.kpi.label) if win.kpi else "", target, _member_name(win.owner),
            win.target_date, str(win.status.label), win.achieved_on, win.result, win.celebrated_on,
            win.celebration_note,
        ])
    return table


def kpis_table(project) -> Table:
    rows = kpi_services.kpi_overview(project)
    table = Table(_("KPIs"), [
        Column(_("KPI")), Column(_("Current value"), Kind.PERCENT), Column(_("As of"), Kind.DATE),
        Column(_("Counted"), Kind.INTEGER), Column(_("Out of"), Kind.INTEGER),
        Column(_("Baseline"), Kind.PERCENT), Column(_("Baseline as of"), Kind.DATE),
        Column(_("Baseline source")), Column(_("Target"), Kind.PERCENT), Column(_("Status")),
    ])

    def typed(key, value):
        return value if key.is_ratio or value is None else Cell(value, Kind.NUMBER)

    for row in rows:
        table.rows.append([
            str(row.key.label), typed(row.key, row.value), row.as_of, row.numerator, row.denominator,
            typed(row.key, row.baseline), row.baseline_as_of,
            str(row.baseline_source.label) if row.baseline_source else "", typed(row.key, row.target),
            str(row.status.label),
        ])
    return table


def decisions_table(project) -> Table:
    decisions = db.session.scalars(
        select(SignoffDecision).options(selectinload(SignoffDecision.request), selectinload(SignoffDecision.stage))
        .where(SignoffDecision.project_id == project.id)
        .order_by(SignoffDecision.decided_at, SignoffDecision.id))
    table = Table(_("Sign-off decisions"), [
        Column(_("Stage")), Column(_("Decision")), Column(_("Decided by")),
        Column(_("Decided at"), Kind.DATETIME), Column(_("Comment"), Kind.LONG_TEXT),
        Column(_("Exit criteria met at the time")), Column(_("Requested by")),
        Column(_("Requested at"), Kind.DATETIME), Column(_("Request note"), Kind.LONG_TEXT),
    ])
    timezone = get_timezone()
    for decision in decisions:
        request_ = decision.request
        table.rows.append([
            decision.stage_name, str(decision.outcome.label), decision.decided_by_name,
            as_local(decision.decided_at, timezone), decision.comment, _yes_no(decision.go),
            request_.requested_by_name if request_ else "",
            as_local(request_.requested_at, timezone) if request_ else None, request_.note if request_ else "",
        ])
    return table


def _stage_names(project) -> dict[int, str]:
    return dict(db.session.execute(select(Stage.id, Stage.name).where(Stage.project_id == project.id)).all())


def feedback_table(project) -> Table:
    """The figures of the results page, group by group; a group of fewer than five people shows none."""
    found = feedback_services.results(project)
    table = Table(_("Feedback by group"), [
        Column(_("Grouped by")), Column(_("Group")), Column(_("People"), Kind.INTEGER),
        *(Column(str(d.label), Kind.NUMBER) for d in DIMENSIONS), Column(_("All five"), Kind.NUMBER),
        Column(_("Note")),
    ])
    groups = [(_("All answers"), found.overall, _("All answers"))]
    groups += [(_("Stage"), grp, grp.label or "") for grp in found.by_stage]
    groups += [(_("Team"), grp, grp.label) for grp in found.by_team]
    groups += [(_("Language answered in"), grp, grp.label) for grp in found.by_language]
    groups += [(_("Week"), grp, Cell(grp.key, Kind.DATE)) for grp in found.trend]
    for grouped_by, grp, label in groups:
        if grp.shown:
            figures = [grp.respondents, *(grp.averages.get(d) for d in DIMENSIONS), grp.overall, ""]
        else:
            hidden = _("Hidden: fewer than %(num)s people answered", num=MIN_GROUP)
            figures = [None, *(None for _d in DIMENSIONS), None, hidden]
        table.rows.append([grouped_by, label, *figures])
    return table


def feedback_comments_table(project) -> Table:
    """Every comment, as on the results page: no name, no team; empty below five people overall."""
    table = Table(_("Feedback comments"), [
        Column(_("Comment"), Kind.LONG_TEXT), Column(_("Language answered in")), Column(_("Week"), Kind.DATE),
        Column(_("Stage")), Column(_("Contact given")),
        Column(_("Follow-up task")),
    ])
    if not feedback_services.results(project).overall.shown:
        return table
    rows, tasks = feedback_services.comments(project, limit=None)
    stages = _stage_names(project)
    titles = {}
    if tasks:
        titles = dict(db.session.execute(
            select(ChangeTask.id, ChangeTask.title).where(ChangeTask.id.in_(list(tasks.values())))).all())
    for response in rows:
        table.rows.append([
            response.comment, language_label(response.language) or response.language, response.week_start,
            stages.get(response.stage_id, "") if response.stage_id else _("Not tied to a stage"),
            response.contact, titles.get(tasks.get(response.id), ""),
        ])
    return table


# --------------------------------------------------------------------------- the catalogue


def can_read_feedback() -> bool:
    """Who may read the feedback results page (see planner.feedback.views)."""
    return has_role(ProjectRole.MANAGER) or has_role(ProjectRole.SPONSOR) or (
        g.get("membership") is None and current_user.is_authenticated and current_user.is_admin)


can_read_tco = can_read_feedback  # the TCO pages' readers: managers, sponsors and administrators


def actual_costs_table(project) -> Table:
    start = actuals.plan_start(actuals.plan_scenario(project), project)
    table = Table(_("Actual costs"), [
        Column(_("Month"), Kind.DATE), Column(_("Month of the plan"), Kind.INTEGER), Column(_("Category")),
        Column(_("Amount"), Kind.NUMBER), Column(_("Currency")), Column(_("Description"), Kind.LONG_TEXT),
        Column(_("Reference")), Column(_("Source")),
    ])
    for entry in db.session.scalars(select(TcoActualCost).where(TcoActualCost.project_id == project.id)
                                    .order_by(TcoActualCost.month, TcoActualCost.id)):
        number = actuals.month_number(start, entry.month) if start else None
        table.rows.append([entry.month, number if number and 1 <= number <= 36 else None,
                           str(entry.category.label), entry.amount, project.currency, entry.description,
                           entry.reference, str(entry.source.label)])
    return table


def benefit_actuals_table(project) -> Table:
    table = Table(_("Benefits, plan and actual"), [
        Column(_("Benefit"), Kind.LONG_TEXT), Column(_("Kind of benefit")), Column(_("Derived from a KPI")),
        Column(_("Year"), Kind.INTEGER), Column(_("Planned"), Kind.NUMBER), Column(_("Actual"), Kind.NUMBER),
        Column(_("Forecast"), Kind.NUMBER), Column(_("Currency")),
    ])
    scenario = actuals.plan_scenario(project)
    if scenario is None:
        return table
    track = actuals.tracking(project, scenario)
    db.session.commit()  # keeps the KPI values computed for the table
    for benefit in track.benefits:
        line = benefit.line
        for year in range(1, 4):
            table.rows.append([line.description, str(line.kind.label),
                               str(line.kpi_key.label) if line.kpi_key else "", year, benefit.plan[year - 1],
                               benefit.actual_by_year.get(year), benefit.forecast[year - 1], project.currency])
    return table


def _everyone() -> bool:
    return True


@dataclass(frozen=True)
class Dataset:
    key: str
    label: object
    description: object
    build: Callable
    allowed: Callable[[], bool] = _everyone
    icon: str = "table"


DATASETS = {item.key: item for item in (
    Dataset("tasks", _l("Change-management tasks"),
            _l("Every task with its category, status, owner, due date and stage."), tasks_table, icon="list-check"),
    Dataset("quick-wins", _l("Quick wins"),
            _l("Each quick win with the benefit it must show, its KPI target and when it was celebrated."),
            quick_wins_table, icon="trophy"),
    Dataset("kpis", _l("KPIs"),
            _l("Today's value of every KPI beside its baseline, target and status."), kpis_table,
            icon="graph-up-arrow"),
    Dataset("decisions", _l("Sign-off decisions"),
            _l("Every executive decision on a stage, with who decided, when and the comment."), decisions_table,
            icon="patch-check"),
    Dataset("feedback", _l("Adoption feedback figures"),
            _l("Average ratings by stage, team, language and week; groups of fewer than %(num)s people stay hidden.",
               num=MIN_GROUP),
            feedback_table, allowed=can_read_feedback, icon="chat-heart"),
    Dataset("feedback-comments", _l("Feedback comments"),
            _l("The comments people wrote, without names, once at least %(num)s people have answered.", num=MIN_GROUP),
            feedback_comments_table, allowed=can_read_feedback, icon="chat-quote"),
    Dataset("actual-costs", _l("Actual costs"),
            _l("Every actual cost recorded or imported, with its month, category, amount and reference."),
            actual_costs_table, allowed=can_read_tco, icon="receipt"),
    Dataset("benefit-actuals", _l("Benefits, plan and actual"),
            _l("Each benefit of the plan scenario per year: planned, actual (measured from its KPI or entered by "
               "hand) and forecast."), benefit_actuals_table, allowed=can_read_tco, icon="cash-coin"),
)}


ALL = "all"  # every data set the reader may download, one sheet each, in a single workbook


def dataset(key: str) -> Dataset | None:
    return DATASETS.get(key)


def datasets_for(_project) -> list[Dataset]:
    return [item for item in DATASETS.values() if item.allowed()]


def build(key: str, project) -> Table:
    return DATASETS[key].build(project)


def slug(name: str) -> str:
    """The project's name for a file name: letters and digits of any script, joined by hyphens."""
    return re.sub(r"[\W_]+", "-", name.lower()).strip("-")[:60] or "project"


def filename(project, key: str, extension: str, today: date | None = None) -> str:
    day = today or local_today()
    return f"{slug(project.name)}-{key}-{day.isoformat()}.{extension}"
