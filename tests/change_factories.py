"""Factories for stages, change-management tasks, quick wins, survey links and feedback answers.
Text defaults to Chinese so the Chinese page crawl can tell user data from interface text."""

import itertools
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event

from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskCategory, TaskStatus
from planner.extensions import db
from planner.feedback.models import DIMENSIONS, Channel, FeedbackResponse, SurveyLink, week_start
from planner.rollout.models import Stage, StageStatus

_counter = itertools.count(1)


def make_stage(project, name=None, position=None, status=StageStatus.PLANNED) -> Stage:
    n = next(_counter)
    stage = Stage(project_id=project.id, name=name or f"阶段{n}", position=n if position is None else position,
                  status=status)
    db.session.add(stage)
    db.session.commit()
    return stage


def make_task(project, title=None, owner=None, status=TaskStatus.OPEN, category=TaskCategory.TRAINING,
              due_date=None, stage=None, **fields) -> ChangeTask:
    task = ChangeTask(project_id=project.id, title=title or f"任务{next(_counter)}", category=category,
                      owner_id=getattr(owner, "id", owner), status=status, due_date=due_date,
                      stage_id=getattr(stage, "id", stage), description=fields.pop("description", "任务说明"),
                      **fields)
    db.session.add(task)
    db.session.commit()
    return task


def make_quick_win(project, title=None, status=QuickWinStatus.PLANNED, **fields) -> QuickWin:
    win = QuickWin(project_id=project.id, title=title or f"速赢{next(_counter)}", status=status,
                   benefit=fields.pop("benefit", "首次解决率提高十个百分点"), **fields)
    if status == QuickWinStatus.ACHIEVED and win.achieved_on is None:
        win.achieved_on = date(2026, 1, 5)
    db.session.add(win)
    db.session.commit()
    return win


def make_link(project, stage=None, closed=False) -> SurveyLink:
    link = SurveyLink(project_id=project.id, stage_id=getattr(stage, "id", stage), token=SurveyLink.new_token(),
                      label="仓库团队")
    if closed:
        link.closed_at = datetime.now(UTC)
    db.session.add(link)
    db.session.commit()
    return link


def make_response(project, ratings=(4, 4, 4, 4, 4), respondent=None, stage=None, language="zh", team="",
                  comment="", when=None, link=None) -> FeedbackResponse:
    when = when or datetime.now(UTC)
    response = FeedbackResponse(
        project_id=project.id, respondent_id=getattr(respondent, "id", respondent),
        channel=Channel.MEMBER if respondent is not None else Channel.LINK, stage_id=getattr(stage, "id", stage),
        link_id=getattr(link, "id", link), language=language, team=team, comment=comment,
        submitted_at=when, week_start=week_start(when),
        **{d.value: r for d, r in zip(DIMENSIONS, ratings, strict=True)})
    db.session.add(response)
    db.session.commit()
    return response


def make_member_answer(project, ratings=(4, 4, 4, 4, 4), **fields) -> FeedbackResponse:
    """An answer from a new signed-in person (each call one more person counted by the anonymity rule)."""
    from tests.factories import make_user

    return make_response(project, ratings, respondent=make_user(), **fields)


@contextmanager
def count_queries(db):
    """Collects the SQL statements run inside the block."""
    statements = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
