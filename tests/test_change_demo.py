"""The demo data for tasks, quick wins and feedback: realistic, in each project's language, and
loaded only once however often `flask demo load` runs."""

from datetime import date

from sqlalchemy import func, select

from planner import demo
from planner.change.models import ChangeTask, QuickWin, QuickWinStatus, TaskCategory
from planner.change.services import overdue_tasks_by_project, quick_wins_by_project
from planner.feedback import services as feedback
from planner.feedback.models import FeedbackResponse, SurveyLink
from planner.rollout.models import Stage


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Stage, ChangeTask, QuickWin, FeedbackResponse, SurveyLink))


def test_the_demo_loads_once_and_gives_every_project_something_to_show(app, db):
    ctx = demo.load()
    first = counts(db)
    demo.load()
    assert counts(db) == first
    ids = {language: project.id for language, project in ctx.projects.items()}
    overdue = overdue_tasks_by_project(ids.values(), date.today())
    wins = quick_wins_by_project(ids.values())
    for language, project_id in ids.items():
        assert overdue[project_id] >= 2
        achieved, planned = wins[project_id]
        assert 0 < achieved < planned
        categories = set(db.session.scalars(select(ChangeTask.category).where(ChangeTask.project_id == project_id)))
        assert len(categories) >= 6
        assert db.session.scalar(select(func.count()).select_from(QuickWin).where(
            QuickWin.project_id == project_id, QuickWin.celebrated_on.is_not(None),
            QuickWin.status == QuickWinStatus.ACHIEVED)) >= 1
        assert db.session.scalar(select(func.count()).select_from(SurveyLink).where(
            SurveyLink.project_id == project_id, SurveyLink.closed_at.is_(None))) == 1
        with app.test_request_context(f"/?lang={language}"):
            found = feedback.results(db.session.get(type(ctx.projects[language]), project_id))
        assert found.overall.shown
        by_language = {g.key: g for g in found.by_language}
        assert by_language[language].shown  # answers in the project's own language are shown
        # Teams of the demo are smaller than five members: only stages, languages and links show figures.
        assert any(g.shown for g in found.by_stage) and any(g.shown for g in found.by_link)
        comments = db.session.scalars(select(FeedbackResponse).where(
            FeedbackResponse.project_id == project_id, FeedbackResponse.comment != "")).all()
        assert sum(c.language == language for c in comments) >= 4
        assert db.session.scalar(select(func.count()).select_from(ChangeTask).where(
            ChangeTask.project_id == project_id, ChangeTask.category == TaskCategory.FEEDBACK,
            ChangeTask.source_response_id.is_not(None))) == 1
    trend = feedback.feedback_trend_by_project(ids.values(), weeks=8)
    assert all(len(points) >= 4 for points in trend.values())
