"""Adoption feedback: recording answers, and the figures of the results page and the dashboard.

Anonymity rule: no figure is shown for a group (a stage, a team, a language, a week, the whole
selection) answered by fewer than ``MIN_GROUP`` distinct people who could have answered: signed-in
members, each counted once, who belong to the stage's teams (checked when they answer). Answers
through open survey links cannot be tied to a person (anyone holding the link could add some), so
they never count towards those groups: each link is reported as its own group, shown only from
``MIN_GROUP`` answers, and never merged with anything to reach it.
"""

import functools
import hashlib
import hmac
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, distinct, func, select

from planner import ratelimit
from planner.audit.services import record, register
from planner.change import services as change_services
from planner.change.models import ChangeTask, TaskCategory
from planner.dates import utc_today
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.feedback.models import DIMENSIONS, Channel, Dimension, FeedbackResponse, SurveyLink, week_start
from planner.feedback.signals import survey_opened
from planner.i18n import language_label
from planner.i18n import lazy_gettext as _l
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import Stage

MIN_GROUP = 5
MAX_LINK_ANSWERS = 100_000
BARRIER_THRESHOLD = 3.0

register("feedback.link_created", _l("Created an anonymous survey link (%(label)s)."))
register("feedback.link_closed", _l("Closed an anonymous survey link (%(label)s)."))
register("feedback.link_reopened", _l("Reopened an anonymous survey link (%(label)s)."))
register("feedback.task_from_comment", _l("Turned a feedback comment into the task “%(title)s”."))

R = FeedbackResponse


# --------------------------------------------------------------------------- recording answers


def submit_member_feedback(project: Project, membership: ProjectMember, ratings: dict, comment: str,
                           stage_id: int | None, language: str) -> tuple[FeedbackResponse, bool]:
    """Saves a signed-in member's answer. A second answer about the same stage in the same week
    replaces the first, so each person counts once per week. Only a member of one of the stage's
    teams (any member when the stage names none) answers about a stage. Returns (response, replaced)."""
    if stage_id is not None and stage_id not in {s.id for s in stages_open_to(project, membership)}:
        raise DomainError(_l("You can answer only about the stages that include your team."))
    now = utcnow()
    week = week_start(now)
    response = db.session.scalar(
        select(R).where(R.project_id == project.id, R.respondent_id == membership.user_id,
                        R.channel == Channel.MEMBER, R.week_start == week,
                        R.stage_id.is_(None) if stage_id is None else R.stage_id == stage_id)
    )
    replaced = response is not None
    if response is None:
        response = R(project_id=project.id, respondent_id=membership.user_id, channel=Channel.MEMBER,
                     stage_id=stage_id)
        db.session.add(response)
    _fill(response, ratings, comment, language, membership.team or "", now)
    db.session.flush()
    return response, replaced


def submit_survey_feedback(link: SurveyLink, ratings: dict, comment: str, language: str, team: str = "",
                           contact: str = "") -> FeedbackResponse:
    """Saves an anonymous answer given through a survey link: nothing identifies the person unless
    they wrote it in ``contact`` themselves."""
    if not link_accepts_answers(link):
        raise DomainError(_l("This survey is closed. Thank you for your interest."))
    if link.max_answers is not None:
        db.session.execute(select(SurveyLink.id).where(SurveyLink.id == link.id).with_for_update())
        if link_answer_count(link) >= link.max_answers:
            raise DomainError(_l("This survey has received all the answers it was meant for. Thank you."))
    response = R(project_id=link.project_id, stage_id=link.stage_id, link_id=link.id, channel=Channel.LINK,
                 contact=contact or "")
    db.session.add(response)
    _fill(response, ratings, comment, language, team or "", utcnow())
    db.session.flush()
    return response


def _fill(response: FeedbackResponse, ratings: dict, comment: str, language: str, team: str, now) -> None:
    for dimension in DIMENSIONS:
        value = int(ratings[dimension])
        if not 1 <= value <= 5:
            raise DomainError(_l("Choose a rating from 1 to 5 for this statement."))
        setattr(response, dimension.value, value)
    response.comment = (comment or "").strip()
    response.language = language
    response.team = team
    response.submitted_at = now
    response.week_start = week_start(now)


def link_accepts_answers(link: SurveyLink) -> bool:
    return link.is_open and not link.project.archived and not link_is_full(link)


def link_answer_count(link: SurveyLink) -> int:
    return db.session.scalar(select(func.count()).select_from(R).where(R.link_id == link.id)) or 0


def link_is_full(link: SurveyLink) -> bool:
    return link.max_answers is not None and link_answer_count(link) >= link.max_answers


def stages_open_to(project: Project, membership: ProjectMember) -> list:
    """The stages a member may answer about: those naming the member's team, and those naming none."""
    from planner.rollout.models import Stage

    stages = db.session.scalars(select(Stage).where(Stage.project_id == project.id)
                                .order_by(Stage.position, Stage.id)).all()
    return [stage for stage in stages if not stage.teams or (membership.team and membership.team in stage.teams)]


def _client_key(link: SurveyLink, address: str | None) -> str:
    """A rate-limit key that does not keep the address itself: a keyed hash of it."""
    secret = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    digest = hmac.new(secret, (address or "-").encode(), hashlib.sha256).hexdigest()[:32]
    return f"survey:{link.id}:{digest}"


def survey_limits() -> tuple[int, int]:
    config = current_app.config
    return config.get("SURVEY_MAX_ANSWERS_PER_ADDRESS", 20), config.get("SURVEY_WINDOW_SECONDS", 3600)


def survey_rate_limited(link: SurveyLink, address: str | None) -> bool:
    limit, window = survey_limits()
    return ratelimit.count(_client_key(link, address), window) >= limit


def count_survey_answer(link: SurveyLink, address: str | None) -> None:
    _limit, window = survey_limits()
    ratelimit.hit(_client_key(link, address), window)


# --------------------------------------------------------------------------- survey links


def create_link(project: Project, stage_id: int | None, label: str, creator,
                max_answers: int | None = None) -> SurveyLink:
    if max_answers is not None and not 1 <= max_answers <= MAX_LINK_ANSWERS:
        raise DomainError(_l("Enter a number from %(min)s to %(max)s.", min=1, max=MAX_LINK_ANSWERS))
    link = SurveyLink(project_id=project.id, stage_id=stage_id, label=label or "", token=SurveyLink.new_token(),
                      created_by_id=getattr(creator, "id", None), max_answers=max_answers)
    db.session.add(link)
    db.session.flush()
    record("feedback.link_created", project=project, target=link, label=link.label or link.token[:6])
    survey_opened.send(link, actor=creator)
    return link


def close_link(link: SurveyLink) -> None:
    link.close()
    record("feedback.link_closed", project=link.project_id, target=link, label=link.label or link.token[:6])


def reopen_link(link: SurveyLink) -> None:
    link.reopen()
    record("feedback.link_reopened", project=link.project_id, target=link, label=link.label or link.token[:6])


def project_teams(project: Project) -> list[str]:
    teams = db.session.scalars(
        select(ProjectMember.team).distinct()
        .where(ProjectMember.project_id == project.id, ProjectMember.team != "")
    ).all()
    return sorted(teams, key=str.lower)


# --------------------------------------------------------------------------- comments into tasks


def task_from_comment(project: Project, response: FeedbackResponse) -> tuple[ChangeTask, bool]:
    """Creates a feedback follow-up task from a comment, once. Returns (task, created)."""
    if not response.comment:
        raise DomainError(_l("This answer has no comment to turn into a task."))
    existing = db.session.scalar(
        select(ChangeTask).where(ChangeTask.project_id == project.id, ChangeTask.source_response_id == response.id))
    if existing is not None:
        return existing, False
    excerpt = textwrap.shorten(" ".join(response.comment.split()), width=120, placeholder="…")
    if len(excerpt) < 2:  # text without spaces (Chinese) is cut by characters instead
        excerpt = response.comment[:60] + ("…" if len(response.comment) > 60 else "")
    task = change_services.create_task(
        project, title=_("Follow up on feedback: %(excerpt)s", excerpt=excerpt)[:200],
        description=response.comment, category=TaskCategory.FEEDBACK, stage_id=response.stage_id,
        source_response_id=response.id)
    record("feedback.task_from_comment", project=project, target=task, title=task.title)
    return task, True


# --------------------------------------------------------------------------- results


COUNTED = R.channel == Channel.MEMBER  # answers from people who could have answered, each known once


def _respondents():
    """People behind a set of counted answers: distinct signed-in members."""
    return func.count(distinct(R.respondent_id))


def _overall_expr():
    return (R.awareness + R.desire + R.knowledge + R.ability + R.reinforcement) / 5.0


def _averages():
    return [func.avg(getattr(R, d.value) * 1.0) for d in DIMENSIONS] + [func.avg(_overall_expr())]


def _as_float(value) -> float | None:
    return None if value is None else float(value)


@dataclass
class Group:
    """The figures of one group of answers; ``shown`` is False below the anonymity threshold."""

    key: object
    respondents: int
    responses: int
    averages: dict = field(default_factory=dict)
    overall: float | None = None
    label: object = None

    @property
    def shown(self) -> bool:
        return self.respondents >= MIN_GROUP

    @property
    def weakest(self) -> Dimension | None:
        return weakest_dimension(self.averages) if self.shown else None

    @property
    def barriers(self) -> list[Dimension]:
        return barrier_points(self.averages) if self.shown else []


def _group_from_row(key, row) -> Group:
    respondents, responses, *values = row
    group = Group(key=key, respondents=int(respondents or 0), responses=int(responses or 0))
    if group.shown:
        group.averages = {d: _as_float(v) for d, v in zip(DIMENSIONS, values[:-1], strict=True)}
        group.overall = _as_float(values[-1])
    return group


def weakest_dimension(averages: dict) -> Dimension | None:
    """The dimension with the lowest average; on a tie, the earlier one in ADKAR order."""
    present = [(value, DIMENSIONS.index(d), d) for d, value in averages.items() if value is not None]
    return min(present)[2] if present else None


def barrier_points(averages: dict, threshold: float = BARRIER_THRESHOLD) -> list[Dimension]:
    """Dimensions averaging ``threshold`` or less, in ADKAR order: the first is where the change stalls."""
    return [d for d in DIMENSIONS if averages.get(d) is not None and round(averages[d], 6) <= threshold]


@dataclass
class Results:
    overall: Group
    by_stage: list[Group]
    by_team: list[Group]
    by_language: list[Group]
    trend: list[Group]
    by_link: list[Group] = field(default_factory=list)  # open survey links, each on its own, by answers


def _filters(project_id: int, stage_filter, since: date | None) -> list:
    """The answers chosen on the page, from every channel (comments); figures add ``COUNTED``."""
    conditions = [R.project_id == project_id]
    if stage_filter == "none":
        conditions.append(R.stage_id.is_(None))
    elif stage_filter is not None:
        conditions.append(R.stage_id == stage_filter)
    if since is not None:
        conditions.append(R.week_start >= since)
    return conditions


def _grouped(conditions, column) -> list[Group]:
    rows = db.session.execute(
        select(column, _respondents(), func.count(), *_averages()).where(*conditions).group_by(column)
    ).all()
    return [_group_from_row(row[0], row[1:]) for row in rows]


def results(project: Project, stage_filter=None, since: date | None = None, stages=None) -> Results:
    """Every figure of the results page, each group labelled and in reading order: five aggregate
    queries whatever the number of answers, and one for the stages unless ``stages`` (the project's,
    in rollout order) are given.

    ``stage_filter`` is a stage id, "none" for answers not tied to a stage, or None for all.
    Stages come in rollout order (answers not tied to a stage last), teams A to Z (no team given
    last), languages by code, weeks oldest first; open links on their own, by label."""
    chosen = _filters(project.id, stage_filter, since)
    conditions = [*chosen, COUNTED]
    row = db.session.execute(select(_respondents(), func.count(), *_averages()).where(*conditions)).one()
    overall = _group_from_row(None, row)
    by_stage = _grouped(conditions, R.stage_id)
    by_team = _grouped(conditions, R.team)
    by_language = _grouped(conditions, R.language)
    trend = sorted(_grouped(conditions, R.week_start), key=lambda g: g.key)
    # Each open link alone, counted by answers (one person may have sent several): never merged.
    link_rows = db.session.execute(
        select(R.link_id, func.count(), func.count(), *_averages())
        .where(*chosen, R.channel == Channel.LINK, R.link_id.isnot(None)).group_by(R.link_id)).all()
    by_link = [_group_from_row(row[0], row[1:]) for row in link_rows]
    if stages is None:
        stages = db.session.execute(select(Stage.id, Stage.name).where(Stage.project_id == project.id)
                                    .order_by(Stage.position, Stage.id)).all()
    names = {stage.id: stage.name for stage in stages}
    order = {stage.id: position for position, stage in enumerate(stages)}
    for group in by_stage:
        group.label = names.get(group.key) if group.key is not None else _("Not tied to a stage")
    by_stage.sort(key=lambda group: order.get(group.key, len(order)))
    for group in by_team:
        group.label = group.key or _("Team not given")
    by_team.sort(key=lambda group: (not group.key, (group.key or "").lower()))
    for group in by_language:
        group.label = language_label(group.key) or group.key
    by_language.sort(key=lambda group: group.key)
    if by_link:
        link_labels = dict(db.session.execute(select(SurveyLink.id, SurveyLink.label)
                                              .where(SurveyLink.project_id == project.id)).all())
        for group in by_link:
            group.label = link_labels.get(group.key) or _("Survey link without a label")
        by_link.sort(key=lambda group: (str(group.label).lower(), group.key))
    return Results(overall=overall, by_stage=by_stage, by_team=by_team, by_language=by_language, trend=trend,
                   by_link=by_link)


def comments(project: Project, stage_filter=None, since: date | None = None, limit: int = 200):
    """The latest comments (newest first), with the id of the task each became, if any."""
    conditions = _filters(project.id, stage_filter, since) + [R.comment != ""]
    rows = db.session.scalars(
        select(R).where(*conditions).order_by(R.submitted_at.desc(), R.id.desc()).limit(limit)).all()
    tasks = {}
    if rows:
        tasks = dict(db.session.execute(
            select(ChangeTask.source_response_id, ChangeTask.id)
            .where(ChangeTask.project_id == project.id, ChangeTask.source_response_id.in_([r.id for r in rows]))
        ).all())
    return rows, tasks


def member_history(project: Project, user_id: int, limit: int = 5) -> list[FeedbackResponse]:
    return list(db.session.scalars(
        select(R).where(R.project_id == project.id, R.respondent_id == user_id, R.channel == Channel.MEMBER)
        .order_by(R.submitted_at.desc()).limit(limit)))


def follow_up_tasks(project: Project, limit: int = 8) -> list[ChangeTask]:
    """What the team is doing about the feedback: the latest feedback follow-up tasks."""
    return list(db.session.scalars(
        select(ChangeTask).where(ChangeTask.project_id == project.id, ChangeTask.category == TaskCategory.FEEDBACK)
        .order_by(ChangeTask.updated_at.desc(), ChangeTask.id.desc()).limit(limit)))


# --------------------------------------------------------------------------- for the executive dashboard


@dataclass(frozen=True)
class Snapshot:
    """A project's recent feedback: overall average (1–5), people counted, and the ADKAR reading."""

    average: float
    respondents: int
    averages: dict
    weakest: Dimension | None
    barriers: list


def period_start(weeks: int, today: date | None = None) -> date:
    """The Monday (UTC) that starts a period of the last ``weeks`` weeks, this one included."""
    return week_start(today or utc_today()) - timedelta(weeks=max(weeks, 1) - 1)


def feedback_trend_by_project(project_ids, weeks: int = 8, today: date | None = None) -> dict[int, list]:
    """``{project_id: [(week_start, average), …]}`` over the last ``weeks`` weeks (this one included),
    oldest first, in one query. Weeks answered by fewer than five people are left out."""
    ids = list(dict.fromkeys(project_ids))
    result = {project_id: [] for project_id in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(R.project_id, R.week_start, _respondents(), func.avg(_overall_expr()))
        .where(R.project_id.in_(ids), R.week_start >= period_start(weeks, today), COUNTED)
        .group_by(R.project_id, R.week_start).order_by(R.project_id, R.week_start)
    )
    for project_id, week, respondents, average in rows:
        if int(respondents) >= MIN_GROUP:
            result[project_id].append((week, float(average)))
    return result


@functools.cache
def _latest_statement():
    """``latest_feedback_by_project``'s query, built once per process (the overview shows the card on
    every visit): the project ids and the first week are parameters."""
    return (select(R.project_id, _respondents(), func.count(), *_averages())
            .where(R.project_id.in_(bindparam("ids", expanding=True)),
                   R.week_start >= bindparam("since", type_=R.week_start.type), COUNTED)
            .group_by(R.project_id))


def latest_feedback_by_project(project_ids, weeks: int = 4, today: date | None = None) -> dict:
    """``{project_id: Snapshot or None}`` over the last ``weeks`` weeks, in one query; None when
    fewer than five people answered."""
    ids = list(dict.fromkeys(project_ids))
    result = dict.fromkeys(ids)
    if not ids:
        return result
    rows = db.session.execute(_latest_statement(), {"ids": ids, "since": period_start(weeks, today)})
    for row in rows:
        group = _group_from_row(row[0], row[1:])
        if group.shown:
            result[row[0]] = Snapshot(average=group.overall, respondents=group.respondents,
                                      averages=group.averages, weakest=group.weakest, barriers=group.barriers)
    return result
