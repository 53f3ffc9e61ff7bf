
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from planner.errors import render_error
from planner.extensions import db
from planner.feedback import charts, services
from planner.feedback.forms import RATING_LABELS, LinkForm, MemberFeedbackForm, SurveyForm
from planner.feedback.models import DIMENSIONS, FeedbackResponse, SurveyLink
from planner.forms import id_arg
from planner.i18n import current_language
from planner.i18n import lazy_gettext as _l
from planner.projects import registry
from planner.projects.access import get_in_project, has_role, project_view
from planner.projects.forms import ConfirmForm
from planner.projects.models import ProjectRole
from planner.rollout.models import Stage, StageStatus
from planner.transactions import saving

bp = Blueprint("feedback", __name__)

PERIODS = {"4": 4, "12": 12, "26": 26}


def _can_read_results() -> bool:
    return has_role(ProjectRole.MANAGER) or has_role(ProjectRole.SPONSOR) or (
        g.get("membership") is None and current_user.is_admin)


def _panel(project):
    if not _can_read_results():
        return {"give_only": True} if g.get("membership") is not None else None
    snapshot = services.latest_feedback_by_project([project.id])[project.id]
    return {"give_only": False, "snapshot": snapshot, "min_group": services.MIN_GROUP,
            "threshold": services.BARRIER_THRESHOLD}


registry.tab(600, "feedback.index", _l("Feedback"), icon="chat-heart", section="people")
registry.panel(600, "feedback/_panel.html", _panel, staff_first=1)


@bp.route("/projects/<int:project_id>/feedback")
@project_view()
def index(project):
    endpoint = "feedback.results" if _can_read_results() else "feedback.give"
    return redirect(url_for(endpoint, project_id=project.id))


@bp.route("/projects/<int:project_id>/feedback/give", methods=["GET", "POST"])
@project_view(ProjectRole.STAFF)
def give(project):
    form = MemberFeedbackForm(project, g.membership)
    if request.method == "GET":
        active = [s.id for s in services.stages_open_to(project, g.membership) if s.status == StageStatus.ACTIVE]
        asked = request.args.get("stage", type=int)  # "My work" links to the member's own stage
        offered = {str(choice.value) for choice in form.stage_id.choices}
        form.stage_id.data = asked if asked is not None and str(asked) in offered else (active[0] if active else None)
    if form.validate_on_submit():
        outcome = {}
        with saving(error_to=form.stage_id) as saved:
            _response, outcome["replaced"] = services.submit_member_feedback(
                project, g.membership, form.ratings(), form.comment.data or "", form.stage_id.data,
                current_language())
        if not saved:
            return _render_give(project, form)
        replaced = outcome["replaced"]
        flash(_("Thank you. Your answer for this week is updated.") if replaced
              else _("Thank you. The project team will see your answer together with your colleagues'."), "success")
        return redirect(url_for("feedback.give", project_id=project.id))
    return _render_give(project, form)


def _render_give(project, form):
    return render_template(
        "feedback/give.html", project=project, form=form, rating_labels=RATING_LABELS,
        history=services.member_history(project, current_user.id), follow_ups=services.follow_up_tasks(project),
        can_read_results=_can_read_results(), min_group=services.MIN_GROUP,
    )


def _stage_filter(stages):
    if request.args.get("stage", "") == "none":
        return "none"
    value = id_arg("stage")
    return value if value in {s.id for s in stages} else None


@bp.route("/projects/<int:project_id>/feedback/results")
@project_view(ProjectRole.MANAGER, ProjectRole.SPONSOR, admin_ok=True)
def results(project):
    stages = db.session.scalars(select(Stage).where(Stage.project_id == project.id)
                                .order_by(Stage.position, Stage.id)).all()
    stage_filter = _stage_filter(stages)
    period = request.args.get("period", "")
    if period not in PERIODS:
        period = ""
    since = services.period_start(PERIODS[period]) if period else None
    found = services.results(project, stage_filter, since, stages)
    stage_names = {s.id: s.name for s in stages}
    shown = found.overall.shown or any(group.shown for group in found.by_link)
    comment_rows, comment_tasks = services.comments(project, stage_filter, since) if shown else ([], {})
    return render_template(
        "feedback/results.html", project=project, results=found, stages=stages, stage_filter=stage_filter,
        period=period, periods=PERIODS, dimensions=DIMENSIONS, min_group=services.MIN_GROUP,
        threshold=services.BARRIER_THRESHOLD, stage_names=stage_names,
        dimensions_figure=charts.dimensions_figure(found.overall) if found.overall.shown else None,
        trend_figure=charts.trend_figure(found.trend) if found.overall.shown and any(
            w.shown for w in found.trend) else None,
        hidden_weeks=sum(1 for w in found.trend if not w.shown),
        comments=comment_rows, comment_tasks=comment_tasks, can_manage=has_role(ProjectRole.MANAGER),
        open_links=db.session.scalar(select(func.count()).select_from(SurveyLink).where(
            SurveyLink.project_id == project.id, SurveyLink.closed_at.is_(None))),
    )


@bp.route("/projects/<int:project_id>/feedback/responses/<int:response_id>/task", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def comment_to_task(project, response_id):
    response = get_in_project(FeedbackResponse, response_id, project)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("feedback.results", project_id=project.id))
    with saving() as saved:
        task, created = services.task_from_comment(project, response)
    if not saved:
        return redirect(url_for("feedback.results", project_id=project.id))
    if created:
        flash(_("The comment is now a task. Choose its owner and due date."), "success")
    else:
        flash(_("This comment already has a task."), "info")
    return redirect(url_for("change.task_edit", project_id=project.id, task_id=task.id))


# --------------------------------------------------------------------------- survey links


@bp.route("/projects/<int:project_id>/feedback/links", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def links(project):
    form = LinkForm(project)
    if form.validate_on_submit():
        services.create_link(project, form.stage_id.data, form.label.data or "", current_user,
                             form.max_answers.data)
        db.session.commit()
        flash(_("The survey link is ready. Share it with the people of that stage."), "success")
        return redirect(url_for("feedback.links", project_id=project.id))
    rows = db.session.scalars(select(SurveyLink).where(SurveyLink.project_id == project.id)
                              .order_by(SurveyLink.closed_at.isnot(None), SurveyLink.created_at.desc())).all()
    counts = dict(db.session.execute(
        select(FeedbackResponse.link_id, func.count()).where(FeedbackResponse.project_id == project.id,
                                                             FeedbackResponse.link_id.isnot(None))
        .group_by(FeedbackResponse.link_id)).all())
    stage_names = dict(db.session.execute(select(Stage.id, Stage.name).where(Stage.project_id == project.id)).all())
    return render_template("feedback/links.html", project=project, form=form, links=rows, counts=counts,
                           stage_names=stage_names, confirm=ConfirmForm())


@bp.route("/projects/<int:project_id>/feedback/links/<int:link_id>/close", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def close_link(project, link_id):
    return _change_link(project, link_id, services.close_link, _("The survey link is closed. It accepts no more "
                                                                    "answers."))


@bp.route("/projects/<int:project_id>/feedback/links/<int:link_id>/reopen", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def reopen_link(project, link_id):
    return _change_link(project, link_id, services.reopen_link, _("The survey link is open again."))


def _change_link(project, link_id, operation, message):
    link = get_in_project(SurveyLink, link_id, project)
    if ConfirmForm().validate_on_submit():
        with saving(category="warning") as saved:
            operation(link)
        if saved:
            flash(message, "success")
    return redirect(url_for("feedback.links", project_id=project.id))


# --------------------------------------------------------------------------- the anonymous survey


@bp.route("/s/<token>", methods=["GET", "POST"])
def survey(token):
    link = db.session.scalar(select(SurveyLink).where(SurveyLink.token == token[:64]))
    if link is None:
        abort(404)
    project = link.project
    if not services.link_accepts_answers(link):
        return render_template("feedback/survey_closed.html", link=link, project=project), 410
    if request.args.get("sent") == "1" and request.method == "GET":
        return render_template("feedback/survey_thanks.html", link=link, project=project)
    form = SurveyForm(services.project_teams(project))
    if form.validate_on_submit():
        address = request.remote_addr
        if services.survey_rate_limited(link, address):
            return render_error(429)
        services.submit_survey_feedback(link, form.ratings(), form.comment.data or "", current_language(),
                                        form.team.data or "", form.contact.data or "")
        db.session.commit()
        services.count_survey_answer(link, address)
        return redirect(url_for("feedback.survey", token=link.token, sent=1))
    return render_template("feedback/survey.html", link=link, project=project, form=form,
                           rating_labels=RATING_LABELS, min_group=services.MIN_GROUP)
