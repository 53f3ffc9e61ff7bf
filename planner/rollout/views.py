"""The rollout pages: the stages with their timeline, a stage's gate (evidence, sign-off, history),
recorded decisions, and the sponsors' sign-off inbox. Endpoint other features link to:
``rollout.index`` (``project_id``)."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from planner import nav
from planner.dates import local_date, local_today
from planner.errors import render_error
from planner.extensions import db
from planner.forms import flash_errors
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext
from planner.projects import registry
from planner.projects.access import get_in_project, is_lead, is_manager, project_view
from planner.projects.models import ProjectRole
from planner.rollout import approval_views, figures, gate_panels, services
from planner.rollout.forms import (
    CRITERION_FORMS,
    ConfirmForm,
    DecisionForm,
    DeleteForm,
    PlanForm,
    RequestForm,
    StageForm,
    StartForm,
    WithdrawForm,
)
from planner.rollout.models import (
    CriterionKind,
    ExitCriterion,
    RequestStatus,
    SignoffDecision,
    SignoffRequest,
    Stage,
    StageStatus,
)
from planner.rollout.plans import PLANS
from planner.transactions import saving

bp = Blueprint("rollout", __name__)
approval_views.register(bp)  # approval rules and stand-ins

# --------------------------------------------------------------------------- registrations


def _inbox(user) -> tuple[bool, int]:
    """The sign-off inbox state of ``user``, computed once per request."""
    cached = g.get("rollout_inbox")
    if cached is None or cached[0] != user.id:
        cached = (user.id, services.inbox_state(user))
        g.rollout_inbox = cached
    return cached[1]


def _panel(project):
    stage = services.current_stage(project)
    if stage is None:
        return {"stage": None, "blockers": []} if is_lead() else None
    pending = services.pending_signoffs_by_project([project.id])[project.id]
    blockers = services.signoff_blockers(project, stage) if is_lead() else []
    return {"stage": stage, "days": stage.days_in_stage(local_today()), "pending": pending, "blockers": blockers}


registry.tab(200, "rollout.index", lazy_pgettext("project tab", "Stages"), icon="signpost-2", section="rollout")
registry.panel(20, "rollout/_panel.html", _panel)
registry.tab(922, "rollout.approval_rule", _l("Approval rule"), roles=(ProjectRole.MANAGER,), icon="person-check",
             section="settings")
registry.tab(615, "rollout.stand_ins", _l("Stand-ins"), roles=(ProjectRole.SPONSOR, ProjectRole.MANAGER),
             icon="person-badge", section="people")
nav.item(200, "rollout.inbox", _l("Sign-offs"), visible=lambda user: _inbox(user)[0],
         badge=lambda user: _inbox(user)[1], icon="pen")


# --------------------------------------------------------------------------- helpers


def _to_gate(project, stage):
    return redirect(url_for("rollout.gate", project_id=project.id, stage_id=stage.id))


# --------------------------------------------------------------------------- stages


@bp.route("/projects/<int:project_id>/rollout")
@project_view()
def index(project):
    stages = services.project_stages(project)
    running = [s for s in stages if s.status.in_progress]
    gates = services.evaluate_stages(project, running) if running else {}
    decisions = db.session.scalars(select(SignoffDecision).where(SignoffDecision.project_id == project.id)
                                   .order_by(SignoffDecision.decided_at)).all()
    pending = {p.stage_id: p for p in services.pending_signoffs_by_project([project.id])[project.id]}
    today = local_today()
    chart = figures.timeline_figure(stages, decisions, today)
    plan_form = PlanForm()
    plan_form.start.data = plan_form.start.data or today
    page = render_template("rollout/index.html", project=project, stages=stages, gates=gates, chart=chart,
                           pending=pending, today=today, can_manage=is_manager(), plan_form=plan_form,
                           movable=_movable(stages), plans=PLANS)
    db.session.commit()  # keeps the KPI values computed for this page (after rendering: nothing reloads)
    return page


def _movable(stages) -> dict[int, tuple[bool, bool]]:
    """(can move up, can move down) for each planned stage: only among planned stages."""
    found = {}
    for index, stage in enumerate(stages):
        if stage.status != StageStatus.PLANNED:
            continue
        up = index > 0 and stages[index - 1].status == StageStatus.PLANNED
        down = index + 1 < len(stages) and stages[index + 1].status == StageStatus.PLANNED
        found[stage.id] = (up, down)
    return found


@bp.route("/projects/<int:project_id>/rollout/plan", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def apply_plan(project):
    form = PlanForm()
    if form.validate_on_submit():
        with saving(conflicts=True) as saved:
            created = services.apply_plan(project, form.plan.data, form.start.data, form.waves.data or 2,
                                          form.with_criteria.data)
        if saved and created:
            flash(ngettext("%(num)d stage is added. Adjust the names, dates and scope to your plan.",
                           "%(num)d stages are added. Adjust the names, dates and scope to your plan.",
                           len(created)), "success")
    else:
        flash_errors(form)
    return redirect(url_for("rollout.index", project_id=project.id))


def _stage_fields(form: StageForm, stage: Stage | None) -> dict:
    fields = {"name": form.name.data, "description": form.description.data or "",
              "business_areas": list(form.business_areas.data or []), "teams": list(form.teams.data or []),
              "users_in_scope": form.users_in_scope.data, "planned_start": form.planned_start.data,
              "planned_end": form.planned_end.data}
    if stage is not None:
        if stage.actual_start is not None:
            fields["actual_start"] = form.actual_start.data
        if stage.actual_end is not None:
            fields["actual_end"] = form.actual_end.data
    return fields


@bp.route("/projects/<int:project_id>/rollout/stages/new", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def stage_new(project):
    form = StageForm(services.project_teams(project))
    if request.method == "GET":
        form.business_areas.data = list(project.business_areas or [])
    if form.validate_on_submit():
        with saving(error_to=form.planned_end) as saved:
            stage = services.create_stage(project, **_stage_fields(form, None))
        if saved:
            flash(_("The stage “%(name)s” is added. Now set its exit criteria.", name=stage.name), "success")
            return _to_gate(project, stage)
    return render_template("rollout/stage_form.html", project=project, form=form, stage=None)


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def stage_edit(project, stage_id):
    stage = get_in_project(Stage, stage_id, project)
    form = StageForm(services.project_teams(project), obj=stage)
    if request.method == "GET":
        form.version.data = stage.version
    if form.validate_on_submit():
        with saving(conflicts=True) as saved:
            services.update_stage(stage, form.version.data, **_stage_fields(form, stage))
        if saved:
            flash(_("The stage is saved."), "success")
            return _to_gate(project, stage)
        if saved.conflict or saved.error.message is services.STALE:
            return redirect(url_for("rollout.stage_edit", project_id=project.id, stage_id=stage.id))
    members = services.members_in_teams(project, stage.teams)
    return render_template("rollout/stage_form.html", project=project, form=form, stage=stage, members=members)


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>/delete", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def stage_delete(project, stage_id):
    stage = get_in_project(Stage, stage_id, project)
    form = DeleteForm()
    if form.validate_on_submit():
        name = stage.name
        with saving(conflicts=True) as saved:
            services.delete_stage(stage, form.version.data)
        if saved:
            flash(_("The stage “%(name)s” is deleted.", name=name), "success")
    else:
        flash_errors(form)
    return redirect(url_for("rollout.index", project_id=project.id))


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>/move/<direction>", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def stage_move(project, stage_id, direction):
    if direction not in ("up", "down"):
        abort(404)
    stage = get_in_project(Stage, stage_id, project)
    if ConfirmForm().validate_on_submit():
        with saving(conflicts=True):
            services.move_stage(stage, direction)
    return redirect(url_for("rollout.index", project_id=project.id))


# --------------------------------------------------------------------------- the gate


def _render_gate(project, stage, status=200, decision_form=None, start_form=None, request_form=None):
    """Renders the gate as ``services.gate_page`` decides; a posted form comes back with its errors."""
    page = services.gate_page(project, stage, current_user, g.membership)
    version = page.stage.version
    if page.offers_decision and decision_form is None:
        decision_form = DecisionForm(version=version, formdata=None)
    if decision_form is not None:
        decision_form.offer(page.acting_for)
    if page.offers_start and start_form is None:
        start_form = StartForm(version=version, formdata=None)
        start_form.actual_start.data = page.today
    if page.offers_request and request_form is None:
        request_form = RequestForm(version=version, formdata=None)
    withdraw_form = WithdrawForm(version=version, formdata=None) if page.offers_withdraw else None
    charts = {r.criterion.id: figures.kpi_figure(r) for r in page.gate.results if r.kpi is not None}
    html = render_template(
        "rollout/gate.html", project=project, stage=page.stage, gate=page.gate, requests=page.requests,
        pending=page.pending, previous=page.previous, today=page.today, charts=charts, can_manage=page.can_manage,
        decision_form=decision_form, refusal=page.refusal, start_form=start_form, request_form=request_form,
        withdraw_form=withdraw_form, kinds=list(CriterionKind), position=page.position, members=page.members,
        kpi_text=services.kpi_text, acting_for=page.acting_for, standing=page.standing,
        standings=page.standings, rule_in_force=page.rule_in_force,
        panels=gate_panels.shown(project, page.stage, page.stages),
    )
    db.session.commit()  # keeps the KPI values computed for this page (after rendering: nothing reloads)
    return html, status


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>")
@project_view()
def gate(project, stage_id):
    stage = get_in_project(Stage, stage_id, project)
    return _render_gate(project, stage)


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>/start", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def stage_start(project, stage_id):
    stage = get_in_project(Stage, stage_id, project)
    form = StartForm()
    if not form.validate_on_submit():
        return _render_gate(project, stage, 400, start_form=form)
    with saving(conflicts=True) as saved:
        overridden = services.start_stage(stage, form.version.data, form.actual_start.data,
                                          form.override_reason.data or "", current_user)
    if saved:
        if overridden:
            flash(_("The stage is started by override. The reason is kept in the audit log."), "warning")
        else:
            flash(_("The stage is started."), "success")
    return _to_gate(project, stage)


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>/request", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def request_signoff(project, stage_id):
    stage = get_in_project(Stage, stage_id, project)
    form = RequestForm()
    if not form.validate_on_submit():
        return _render_gate(project, stage, 400, request_form=form)
    with saving(conflicts=True) as saved:
        request_ = services.request_signoff(stage, form.version.data, current_user, form.note.data or "")
    if saved:
        approvers = services.approver_count(request_)
        flash(ngettext("Sign-off is requested. %(num)d executive sponsor is told and finds it in their inbox.",
                       "Sign-off is requested. %(num)d executive sponsors are told and find it in their inbox.",
                       approvers), "success")
    return _to_gate(project, stage)


@bp.route("/projects/<int:project_id>/rollout/requests/<int:request_id>/withdraw", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def withdraw(project, request_id):
    request_ = get_in_project(SignoffRequest, request_id, project)
    form = WithdrawForm()
    if form.validate_on_submit():
        with saving(conflicts=True) as saved:
            services.withdraw_signoff(request_, form.version.data, current_user)
        if saved:
            flash(_("The request is withdrawn."), "success")
    else:
        flash_errors(form)
    return _to_gate(project, request_.stage)


@bp.route("/projects/<int:project_id>/rollout/requests/<int:request_id>/decide", methods=["POST"])
@project_view()  # a sponsor, or a sponsor's stand-in within their dates: the approval rule decides
def decide(project, request_id):
    request_ = get_in_project(SignoffRequest, request_id, project)
    stage = request_.stage
    refusal = services.decision_refusal(request_, current_user, g.membership)
    if refusal is not None:
        return render_error(403, refusal)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_gate(project, stage, 400, decision_form=form)
    if request_.status == RequestStatus.PENDING:
        refusal = services.approvals.name_refusal(request_, current_user, g.membership, form.on_behalf_of.data)
        if refusal is not None:
            return render_error(403, refusal)
    with saving(conflicts=True, quiet=True) as saved:
        decision = services.decide(request_, current_user, g.membership, form.outcome.data, form.comment.data,
                                   form.version.data, on_behalf_of=form.on_behalf_of.data)
    if not saved:
        return _refused_decision(project, request_id, form, saved.error.message if saved.error else None)
    if decision is not None:
        flash(_("Your decision is recorded: %(outcome)s.", outcome=decision.outcome.stage_status.label), "success")
    else:
        waiting = ", ".join(a.name for a in services.approvals.waiting_for(request_))
        flash(_("Your decision is recorded. The sign-off now waits for %(names)s.", names=waiting), "success")
    return _to_gate(project, stage)


def _refused_decision(project, request_id, form, message):
    """The decision was refused: someone decided first, the stage changed, or a rule was not met. The
    gate is shown again as it stands now (409 for a conflict), keeping what the sponsor wrote."""
    request_ = get_in_project(SignoffRequest, request_id, project)
    stage = request_.stage
    if message is None:
        message = services.closed_request_message(request_) if request_.status != RequestStatus.PENDING \
            else services.STALE_DECISION
    conflict = request_.status != RequestStatus.PENDING or str(message) == str(services.STALE_DECISION)
    flash(str(message), "danger")
    if request_.status != RequestStatus.PENDING:
        return _render_gate(project, stage, 409)
    fresh = DecisionForm(formdata=None, version=stage.version, outcome=form.outcome.data, comment=form.comment.data,
                         on_behalf_of=form.on_behalf_of.data)
    return _render_gate(project, stage, 409 if conflict else 400, decision_form=fresh)


@bp.route("/projects/<int:project_id>/rollout/decisions/<int:decision_id>")
@project_view()
def decision(project, decision_id):
    decision_ = get_in_project(SignoffDecision, decision_id, project)
    stage = db.session.get(Stage, decision_.stage_id)
    return render_template("rollout/decision.html", project=project, decision=decision_, stage=stage,
                           request_=decision_.request, rows=services.snapshot_rows(decision_.evidence))


# --------------------------------------------------------------------------- exit criteria


def _criterion_form(kind: str, project, stage, **kwargs):
    form_class = CRITERION_FORMS[kind]
    if kind == "checklist":
        return form_class(project, **kwargs)
    if kind == "tasks":
        return form_class(project, stage, **kwargs)
    return form_class(**kwargs)


@bp.route("/projects/<int:project_id>/rollout/stages/<int:stage_id>/criteria/new/<kind>", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def criterion_new(project, stage_id, kind):
    if kind not in CRITERION_FORMS:
        abort(404)
    stage = get_in_project(Stage, stage_id, project)
    form = _criterion_form(kind, project, stage)
    if request.method == "GET":
        form.version.data = stage.version
    if form.validate_on_submit():
        task_ids = getattr(form, "task_ids", None)
        with saving(conflicts=True) as saved:
            services.add_criterion(stage, form.version.data, kind, task_ids.data if task_ids else (), **form.values())
        if saved:
            flash(_("The exit criterion is added."), "success")
        if saved or _stale(form, stage):
            return _to_gate(project, stage)
    return render_template("rollout/criterion_form.html", project=project, stage=stage, form=form, kind=kind,
                           criterion=None)


def _stale(form, stage) -> bool:
    return str(form.version.data) != str(stage.version)


@bp.route("/projects/<int:project_id>/rollout/criteria/<int:criterion_id>", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def criterion_edit(project, criterion_id):
    criterion = get_in_project(ExitCriterion, criterion_id, project)
    stage = criterion.stage
    kind = criterion.kind.value
    form = _criterion_form(kind, project, stage)
    if request.method == "GET":
        form.version.data = stage.version
        form.show(criterion)
    if form.validate_on_submit():
        task_ids = getattr(form, "task_ids", None)
        with saving(conflicts=True) as saved:
            services.update_criterion(criterion, form.version.data, task_ids.data if task_ids else (),
                                      **form.values())
        if saved:
            flash(_("The exit criterion is saved."), "success")
        if saved or _stale(form, stage):
            return _to_gate(project, stage)
    return render_template("rollout/criterion_form.html", project=project, stage=stage, form=form, kind=kind,
                           criterion=criterion)


@bp.route("/projects/<int:project_id>/rollout/criteria/<int:criterion_id>/delete", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def criterion_delete(project, criterion_id):
    criterion = get_in_project(ExitCriterion, criterion_id, project)
    stage = criterion.stage
    form = DeleteForm()
    if form.validate_on_submit():
        with saving(conflicts=True) as saved:
            services.delete_criterion(criterion, form.version.data)
        if saved:
            flash(_("The exit criterion is removed."), "success")
    else:
        flash_errors(form)
    return _to_gate(project, stage)


# --------------------------------------------------------------------------- the sponsors' inbox


@bp.route("/rollout/sign-offs")
@login_required
def inbox():
    items = services.pending_signoffs_for(current_user)
    today = local_today()
    waiting = {item.request_id: (today - local_date(item.requested_at)).days for item in items}
    standing_for = {}  # project id → the sponsors the reader stands in for there now
    for row in services.approvals.active_stand_ins({item.project_id for item in items}, stand_in_id=current_user.id):
        standing_for.setdefault(row.project_id, []).append(row.sponsor.name)
    return render_template("rollout/inbox.html", items=items, waiting=waiting, standing_for=standing_for)
