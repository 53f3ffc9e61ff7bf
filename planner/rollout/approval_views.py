"""The pages of approval rules and stand-ins: the project's rule and its stages' overrides (project
managers), a sponsor's stand-ins (the sponsor names and ends them; project managers see them). The
rules live in ``services.approvals``; ``views`` adds these functions to the rollout blueprint."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from planner.dates import date_in_zone
from planner.db import utcnow
from planner.errors import render_error
from planner.extensions import db
from planner.i18n import timezone_label
from planner.projects.access import get_in_project, project_view
from planner.projects.models import ProjectRole
from planner.rollout.approval_forms import INHERIT, MAX_CHAIN, RuleForm, StandInForm
from planner.rollout.forms import ConfirmForm
from planner.rollout.models import ApprovalRule, ApprovalSetting, Stage, StandIn
from planner.rollout.services import approvals
from planner.rollout.services.stages import project_stages
from planner.transactions import saving


def _stage_rules(project) -> dict:
    return {row.stage_id: row for row in db.session.scalars(select(ApprovalSetting).where(
        ApprovalSetting.project_id == project.id, ApprovalSetting.stage_id.is_not(None)))}


@project_view(ProjectRole.MANAGER)
def approval_rule(project):
    """The project's approval rule, and each stage's rule (its own or the project's)."""
    sponsors = approvals.active_sponsors(project.id)
    form = RuleForm(sponsors)
    if request.method == "GET":
        row = approvals.setting_of(project.id, None)
        form.show(row.rule.value if row else ApprovalRule.ANY.value, row.chain if row else [])
    if form.validate_on_submit():
        with saving(error_to=form.rule) as saved:
            approvals.set_rule(project, None, form.rule.data, form.chosen(), by=current_user)
        if saved:
            flash(_("The approval rule is saved. Requests already waiting keep the rule they were opened with."),
                  "success")
            return redirect(url_for("rollout.approval_rule", project_id=project.id))
    names = {user.id: user.name for user in sponsors}
    stage_rules = _stage_rules(project)
    chains = {stage_id: " → ".join(names.get(i, "—") for i in row.chain or [])
              for stage_id, row in stage_rules.items()}
    return render_template("rollout/approval_rule.html", project=project, form=form, stage=None,
                           stages=project_stages(project), stage_rules=stage_rules, chains=chains, names=names,
                           rules=list(ApprovalRule), max_chain=MAX_CHAIN)


@project_view(ProjectRole.MANAGER)
def stage_approval_rule(project, stage_id):
    """A stage's own approval rule, or the project's."""
    stage = get_in_project(Stage, stage_id, project)
    sponsors = approvals.active_sponsors(project.id)
    form = RuleForm(sponsors, for_stage=True)
    if request.method == "GET":
        row = approvals.setting_of(project.id, stage.id)
        form.show(row.rule.value if row else INHERIT, row.chain if row else [])
    if form.validate_on_submit():
        with saving(error_to=form.rule) as saved:
            if form.rule.data == INHERIT:
                approvals.clear_stage_rule(project, stage, by=current_user)
            else:
                approvals.set_rule(project, stage, form.rule.data, form.chosen(), by=current_user)
        if saved:
            flash(_("The stage's approval rule is saved. A request already waiting keeps the rule it was opened "
                    "with."), "success")
            return redirect(url_for("rollout.gate", project_id=project.id, stage_id=stage.id))
    project_row = approvals.setting_of(project.id, None)
    return render_template("rollout/approval_rule.html", project=project, form=form, stage=stage,
                           project_rule=project_row.rule if project_row else ApprovalRule.ANY,
                           names={user.id: user.name for user in sponsors},
                           project_chain=project_row.chain if project_row else [], rules=list(ApprovalRule),
                           max_chain=MAX_CHAIN)


@project_view(ProjectRole.SPONSOR, ProjectRole.MANAGER)
def stand_ins(project):
    """A sponsor's stand-ins (their own, with the form to name one); a project manager sees everyone's."""
    membership = g.membership
    sponsor = membership.is_sponsor
    form = StandInForm(approvals.stand_in_candidates(project, current_user.id)) if sponsor else None
    if request.method == "POST":
        if not sponsor:
            return render_error(403, _("Only an executive sponsor of the project can name a stand-in for themselves."))
        if form.validate_on_submit():
            with saving(error_to=form.stand_in_id) as saved:
                approvals.add_stand_in(project, current_user, membership, form.stand_in_id.data, form.starts_on.data,
                                       form.ends_on.data)
            if saved:
                flash(_("The stand-in is named. Within the dates they may decide sign-offs in your name."), "success")
                return redirect(url_for("rollout.stand_ins", project_id=project.id))
    elif form is not None:
        form.starts_on.data = form.starts_on.data or date_in_zone(utcnow(), current_user.timezone)
    mine = approvals.stand_ins_of(project, current_user.id) if sponsor else []
    everyone = approvals.stand_ins_of(project) if membership.is_manager else []
    now = utcnow()
    active = {row.id for row in {*mine, *everyone} if approvals.stand_in_active(row, now)}
    standing_in = [row for row in approvals.stand_ins_of_user(project.id, current_user.id) if row.ended_at is None]
    return render_template("rollout/stand_ins.html", project=project, form=form, mine=mine, everyone=everyone,
                           active=active, standing_in=standing_in, confirm=ConfirmForm(),
                           today=date_in_zone(now, current_user.timezone),
                           zone_label=timezone_label(current_user.timezone))


@project_view(ProjectRole.SPONSOR)
def stand_in_end(project, stand_in_id):
    row = get_in_project(StandIn, stand_in_id, project)
    if row.sponsor_id != current_user.id:
        abort(403)
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            approvals.end_stand_in(project, row, current_user)
        if saved:
            flash(_("The stand-in is ended: from now on they cannot decide in your name."), "success")
    return redirect(url_for("rollout.stand_ins", project_id=project.id))


def register(bp) -> None:
    bp.add_url_rule("/projects/<int:project_id>/rollout/approvals", view_func=approval_rule,
                    methods=["GET", "POST"])
    bp.add_url_rule("/projects/<int:project_id>/rollout/stages/<int:stage_id>/approvals",
                    view_func=stage_approval_rule, methods=["GET", "POST"])
    bp.add_url_rule("/projects/<int:project_id>/rollout/stand-ins", view_func=stand_ins, methods=["GET", "POST"])
    bp.add_url_rule("/projects/<int:project_id>/rollout/stand-ins/<int:stand_in_id>/end", view_func=stand_in_end,
                    methods=["POST"])
