"""Pages of the methodology feature: the catalogue library, the walk-through and its checklist,
the seven-sins self-assessment, and the key problems.

Who may do what:
- every member (and an administrator) reads everything;
- project managers adopt methodologies, edit every checklist item, record assessments and keep
  the key problems;
- the owner of a checklist item (any member a manager assigned it to) may update its status,
  notes and evidence, but not who owns it or its due date: the person doing the work reports
  its progress, the project manager keeps the plan.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner import nav
from planner.dates import local_today
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.methodology import charts, links, services
from planner.methodology.catalogue import get_catalogue
from planner.methodology.forms import (
    AdoptForm,
    FocusForm,
    ItemForm,
    MoveForm,
    OwnerItemForm,
    ProblemEditForm,
    ProblemForm,
    assessment_form,
    field_name,
)
from planner.methodology.models import Answer, ChecklistItem, ItemStatus, KeyProblem, SinAssessment
from planner.methodology.scoring import GREEN_BELOW, RED_FROM, level_of
from planner.projects import registry
from planner.projects.access import get_in_project, is_lead, is_manager, project_view
from planner.projects.forms import ConfirmForm
from planner.projects.models import ProjectMember, ProjectRole
from planner.transactions import saving

bp = Blueprint("methodology", __name__)

registry.tab(100, "methodology.index", _l("Walk-through"), icon="signpost", section="plan")
registry.tab(120, "methodology.risk", _l("Seven sins"), roles=registry.LEADS, icon="shield-exclamation",
             section="plan")
registry.tab(110, "methodology.problems", _l("Key problems"), icon="bullseye", section="plan")
nav.item(60, "methodology.library", _l("Methodologies"), icon="book")


@bp.record_once
def _load_catalogue(state):
    from planner.methodology.catalogue import init_app

    init_app(state.app)


# --------------------------------------------------------------------------- catalogue library


@bp.route("/methodology")
@login_required
def library():
    return render_template("methodology/library.html", catalogue=get_catalogue())


@bp.route("/methodology/<key>")
@login_required
def library_detail(key):
    methodology = get_catalogue().get(key)
    if methodology is None:
        abort(404)
    return render_template("methodology/library_detail.html", methodology=methodology)


# --------------------------------------------------------------------------- walk-through and checklist


@bp.route("/projects/<int:project_id>/methodology")
@project_view()
def index(project):
    adopted = services.adoptions(project)
    catalogue = get_catalogue()
    adopted_keys = {a.methodology_key for a in adopted}
    rows = []
    for adoption in adopted:
        methodology = catalogue.get(adoption.methodology_key)
        items = adoption.items
        progress = services.progress_of(items)
        first_open = next((n for n, item in enumerate(items, start=1)
                           if item.status in (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS)), 1)
        missing = len({i.key for i in methodology.items} - {i.item_key for i in items})
        rows.append((methodology, _by_section(methodology, items), progress, first_open, missing))
    available = [m for m in catalogue.adoptable if m.key not in adopted_keys]
    return render_template("methodology/index.html", project=project, rows=rows, available=available,
                           can_manage=is_manager() and not project.archived, today=local_today(),
                           adopt_form=AdoptForm())


def _by_section(methodology, items):
    """``[(section or None, [(number, item), …]), …]``: the checklist under its section titles."""
    groups = []
    for number, item in enumerate(items, start=1):
        step = item.catalogue_item
        section = methodology.section(step.section_key) if step else None
        if not groups or groups[-1][0] is not section:
            groups.append((section, []))
        groups[-1][1].append((number, item))
    return groups


@bp.route("/projects/<int:project_id>/methodology/adopt", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def adopt(project):
    form = AdoptForm()
    if form.validate_on_submit():
        methodology = get_catalogue().get(form.methodology.data)
        already = methodology is not None and services.adoption_for(project, methodology.key) is not None
        with saving() as saved:
            adoption, added = services.adopt(project, form.methodology.data, actor=g.membership.user)
        if saved:
            if not already:
                flash(ngettext("“%(methodology)s” is adopted: %(num)s step is on the checklist.",
                               "“%(methodology)s” is adopted: %(num)s steps are on the checklist.",
                               added, methodology=methodology.title), "success")
            elif added:
                flash(ngettext("%(num)s new step of “%(methodology)s” is added to the checklist.",
                               "%(num)s new steps of “%(methodology)s” are added to the checklist.",
                               added, methodology=methodology.title), "success")
            else:
                flash(_("“%(methodology)s” was already adopted; nothing changed.", methodology=methodology.title),
                      "info")
            return redirect(url_for("methodology.walk", project_id=project.id, key=adoption.methodology_key,
                                    number=1))
    else:
        flash(_("Choose a methodology to adopt."), "danger")
    return redirect(url_for("methodology.index", project_id=project.id))


def _walk_context(project, key: str, number: int):
    methodology = get_catalogue().get(key)
    if methodology is None or not methodology.adoptable:
        abort(404)
    adoption = services.adoption_for(project, key)
    if adoption is None or not adoption.items:
        abort(404)
    items = adoption.items
    if number < 1 or number > len(items):
        abort(404)
    return methodology, items, items[number - 1]


def _item_form(item, formdata=None):
    """The form the current member may use on this item, or None when they may only read it."""
    membership = g.membership
    if membership is None or g.project.archived:
        return None
    if membership.is_manager:
        form = ItemForm(formdata=formdata, obj=item) if formdata is not None else ItemForm(obj=item)
        members = db.session.scalars(
            select(ProjectMember).options(selectinload(ProjectMember.user))
            .where(ProjectMember.project_id == item.project_id)
        ).all()
        form.set_owner_choices(sorted(members, key=lambda m: m.user.name.lower()))
        if formdata is None:
            form.owner.data = str(item.owner_id) if item.owner_id else ""
        return form
    if item.owner_id == membership.id:
        return OwnerItemForm(formdata=formdata, obj=item) if formdata is not None else OwnerItemForm(obj=item)
    return None


def _render_walk(project, methodology, items, item, form, status=200):
    number = items.index(item) + 1
    step = item.catalogue_item
    section = methodology.section(step.section_key) if step else None
    return render_template(
        "methodology/walk.html", project=project, methodology=methodology, items=items, item=item,
        number=number, step=step, section=section, progress=services.progress_of(items), form=form,
        links=links.available(step.links, project) if step else [], today=local_today(),
        is_owner=g.membership is not None and item.owner_id == g.membership.id,
    ), status


@bp.route("/projects/<int:project_id>/methodology/<key>/steps/<int:number>")
@project_view()
def walk(project, key, number):
    methodology, items, item = _walk_context(project, key, number)
    return _render_walk(project, methodology, items, item, _item_form(item))


@bp.route("/projects/<int:project_id>/checklist/<int:item_id>", methods=["POST"])
@project_view()
def update_item(project, item_id):
    item = get_in_project(ChecklistItem, item_id, project)
    form = _item_form(item, formdata=request.form)
    if form is None:
        abort(403)
    methodology = get_catalogue().get(item.methodology_key)
    if methodology is None:
        abort(404)
    if form.validate():
        changes = {"status": ItemStatus(form.status.data), "notes": form.notes.data or "",
                   "evidence": form.evidence.data or ""}
        if isinstance(form, ItemForm):
            changes["owner_id"] = int(form.owner.data) if form.owner.data else None
            changes["due_date"] = form.due_date.data
        with saving(error_to=getattr(form, "owner", None)) as saved:
            changed = services.update_item(item, methodology, **changes)
        if saved:
            if changed:
                flash(_("The step is saved."), "success")
            adoption = services.adoption_for(project, item.methodology_key)
            number = next(n for n, other in enumerate(adoption.items, start=1) if other.id == item.id)
            if form.save_next.data and number < len(adoption.items):
                number += 1
            return redirect(url_for("methodology.walk", project_id=project.id, key=item.methodology_key,
                                    number=number))
    adoption = services.adoption_for(project, item.methodology_key)
    items = adoption.items
    current = next(other for other in items if other.id == item.id)
    return _render_walk(project, methodology, items, current, form)


# --------------------------------------------------------------------------- seven-sins self-assessment


@bp.route("/projects/<int:project_id>/risk")
@project_view(*registry.LEADS, admin_ok=True)
def risk(project):
    methodology = services.sins_methodology()
    rounds = services.assessments(project, limit=50)
    latest = rounds[0] if rounds else None
    previous = rounds[1] if len(rounds) > 1 else None
    figure = charts.radar(methodology, latest, previous) if latest else None
    return render_template("methodology/risk.html", project=project, methodology=methodology, rounds=rounds,
                           latest=latest, previous=previous, figure=figure, can_manage=is_manager()
                           and not project.archived, **_scoring_context())


def _scoring_context() -> dict:
    return {"green_below": GREEN_BELOW, "red_from": RED_FROM, "level_of": level_of,
            "answer_labels": {answer.value: answer.label for answer in Answer}}


@bp.route("/projects/<int:project_id>/risk/new", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def assess(project):
    methodology = services.sins_methodology()
    draft = services.assessment_draft(project)
    if request.method == "POST":
        saving_draft = "save_draft" in request.form
        form = assessment_form(methodology, draft=saving_draft)
        if form.validate_on_submit():
            answers = {f"{sin.key}.{sign.key}": form[field_name(sin.key, sign.key)].data
                       for sin in methodology.items for sign in sin.warning_signs}
            with saving() as saved:
                if saving_draft:
                    services.save_draft(project, answers, form.note.data or "", actor=g.membership.user)
                else:
                    services.record_assessment(project, answers, form.note.data or "", actor=g.membership.user)
            if saved and saving_draft:
                flash(_("The draft is saved. Come back to it whenever you like."), "success")
                return redirect(url_for("methodology.assess", project_id=project.id))
            if saved:
                flash(_("The self-assessment is saved."), "success")
                return redirect(url_for("methodology.risk", project_id=project.id))
    elif draft is not None:
        form = assessment_form(methodology, previous=draft.answers, note=draft.note)
    else:
        latest = services.assessments(project, limit=1)
        form = assessment_form(methodology, previous=latest[0].answers if latest else None)
    sections = _sections(methodology, form)
    missing = [question for section in sections for question in section["questions"] if question["missing"]]
    return render_template("methodology/assess.html", project=project, methodology=methodology, form=form,
                           field_name=field_name, sections=sections, missing=missing, draft=draft,
                           answered=sum(section["answered"] for section in sections),
                           total=sum(len(section["questions"]) for section in sections), **_scoring_context())


def _sections(methodology, form) -> list[dict]:
    """One section per sin: its questions, how many are answered, and which the last submit missed."""
    sections = []
    for number, sin in enumerate(methodology.items, start=1):
        questions = []
        for sign in sin.warning_signs:
            field = form[field_name(sin.key, sign.key)]
            questions.append({"field": field, "sign": sign, "answered": bool(field.data),
                              "missing": bool(field.errors) and not field.data})
        sections.append({"number": number, "sin": sin, "questions": questions,
                         "answered": sum(1 for q in questions if q["answered"])})
    return sections


@bp.route("/projects/<int:project_id>/risk/draft/discard", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def discard_draft(project):
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            discarded = services.discard_draft(project)
        if saved and discarded:
            flash(_("The draft is discarded."), "success")
    return redirect(url_for("methodology.assess", project_id=project.id))


@bp.route("/projects/<int:project_id>/risk/<int:assessment_id>")
@project_view(*registry.LEADS, admin_ok=True)
def assessment(project, assessment_id):
    current = get_in_project(SinAssessment, assessment_id, project)
    methodology = services.sins_methodology()
    previous = services.previous_assessment(current)
    return render_template("methodology/assessment.html", project=project, methodology=methodology,
                           current=current, previous=previous, figure=charts.radar(methodology, current, previous),
                           **_scoring_context())


# --------------------------------------------------------------------------- key problems


@bp.route("/projects/<int:project_id>/problems", methods=["GET", "POST"])
@project_view()
def problems(project):
    form = ProblemForm()
    if request.method == "POST":
        if not is_manager():
            abort(403)
        if form.validate_on_submit():
            services.add_problem(project, form.title.data, form.description.data or "", form.in_focus.data,
                                 actor=g.membership.user)
            db.session.commit()
            flash(_("The problem is added."), "success")
            return redirect(url_for("methodology.problems", project_id=project.id))
    ranked = services.problems(project)
    in_focus = sum(1 for p in ranked if p.in_focus)
    return render_template("methodology/problems.html", project=project, problems=ranked, form=form,
                           in_focus=in_focus, focus_limit=services.FOCUS_LIMIT,
                           can_manage=is_manager() and not project.archived)


@bp.route("/projects/<int:project_id>/problems/<int:problem_id>/edit", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def edit_problem(project, problem_id):
    problem = get_in_project(KeyProblem, problem_id, project)
    form = ProblemEditForm(obj=problem)
    if form.validate_on_submit():
        services.update_problem(problem, form.title.data, form.description.data or "", form.in_focus.data)
        db.session.commit()
        flash(_("The problem is saved."), "success")
        return redirect(url_for("methodology.problems", project_id=project.id))
    return render_template("methodology/problem_form.html", project=project, problem=problem, form=form)


@bp.route("/projects/<int:project_id>/problems/<int:problem_id>/move", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def move_problem(project, problem_id):
    problem = get_in_project(KeyProblem, problem_id, project)
    form = MoveForm()
    if form.validate_on_submit():
        services.move_problem(project, problem, form.direction.data)
        db.session.commit()
    return redirect(url_for("methodology.problems", project_id=project.id) + f"#problem-{problem.id}")


@bp.route("/projects/<int:project_id>/problems/<int:problem_id>/focus", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def focus_problem(project, problem_id):
    problem = get_in_project(KeyProblem, problem_id, project)
    form = FocusForm()
    if form.validate_on_submit():
        services.set_focus(problem, form.in_focus.data == "1")
        db.session.commit()
    return redirect(url_for("methodology.problems", project_id=project.id) + f"#problem-{problem.id}")


@bp.route("/projects/<int:project_id>/problems/<int:problem_id>/delete", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def delete_problem(project, problem_id):
    problem = get_in_project(KeyProblem, problem_id, project)  # the CSRF token is checked for every POST
    services.delete_problem(project, problem)
    db.session.commit()
    flash(_("The problem is removed."), "success")
    return redirect(url_for("methodology.problems", project_id=project.id))


# --------------------------------------------------------------------------- project overview


def _overview_progress(project):
    adopted = services.progress_by_methodology(project)
    catalogue = get_catalogue()
    rows = [(m, adopted[m.key]) for m in catalogue.adoptable if m.key in adopted]
    focus = db.session.scalars(
        select(KeyProblem).where(KeyProblem.project_id == project.id, KeyProblem.in_focus.is_(True))
        .order_by(KeyProblem.position).limit(services.FOCUS_LIMIT + 1)).all()
    return {"rows": rows, "focus": focus}


def _overview_risk(project):
    if not is_lead():
        return None
    latest = services.assessments(project, limit=1)
    if not latest:
        return {"latest": None}
    latest = latest[0]
    sins = services.sins_methodology().items
    worst = max(sins, key=lambda sin: latest.scores.get(sin.key, 0))
    return {"latest": latest, "worst": worst, "worst_score": latest.scores.get(worst.key, 0)}


registry.panel(100, "methodology/_panel_progress.html", _overview_progress)
registry.panel(110, "methodology/_panel_risk.html", _overview_risk)


@bp.cli.command("check")
def check_catalogue():
    """Loads every methodology file and lists the texts not available in every language."""
    import click

    from planner.methodology.catalogue import untranslated

    catalogue = get_catalogue()  # a malformed file has already stopped the application with its name and entry
    problems = untranslated(catalogue)
    for methodology in catalogue:
        click.echo(f"{methodology.key}: {len(methodology.items)} entries ({methodology.path})")
    for where, language in problems:
        click.echo(f"missing {language}: {where}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Every text exists in English, Spanish and Chinese.")
