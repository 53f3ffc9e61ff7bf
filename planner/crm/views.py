"""CRM record lists, forms, CSV exports and file imports.

Every project member (staff included) reads and captures records; project managers change any
record and import files; other members change the records they captured. Endpoints other
features link to: ``crm.accounts``, ``crm.contacts``, ``crm.interactions``, ``crm.cases``,
``crm.opportunities`` (each takes ``project_id``).
"""

import logging
from functools import cache
from pathlib import Path

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import selectinload

from planner import logs
from planner.audit.services import record
from planner.crm import export, listing, services, tasks
from planner.crm.fields import FIELDS, propose_mapping
from planner.crm.forms import FORMS, UploadForm, mapping_form
from planner.crm.imports import jobs as job_state
from planner.crm.imports import service as import_service
from planner.crm.imports import uploads
from planner.crm.imports.checks import describe, other_columns
from planner.crm.imports.reading import inspect_file
from planner.crm.imports.values import ReadOptions
from planner.crm.models import (
    Account,
    Channel,
    Contact,
    ImportJob,
    ImportMapping,
    ImportProblem,
    ImportStatus,
    Interaction,
    JobState,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    RecordKind,
    ServiceCase,
)
from planner.crm.tasks import check_import, run_import
from planner.dates import local_today
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.forms import id_arg
from planner.i18n import lazy_gettext as _l
from planner.projects import registry
from planner.projects.access import get_in_project, is_manager, project_view
from planner.projects.models import ProjectMember, ProjectRole
from planner.transactions import report, saving
from planner.uploads import storage

bp = Blueprint("crm", __name__, cli_group="crm")

registry.tab(300, "crm.accounts", _l("Customer records"), icon="person-vcard", section="data")

NEW_TITLES = {
    RecordKind.ACCOUNTS: _l("New account"),
    RecordKind.CONTACTS: _l("New contact"),
    RecordKind.INTERACTIONS: _l("Record an interaction"),
    RecordKind.CASES: _l("Open a service case"),
    RecordKind.OPPORTUNITIES: _l("New opportunity"),
}
EDIT_TITLES = {
    RecordKind.ACCOUNTS: _l("Account"),
    RecordKind.CONTACTS: _l("Contact"),
    RecordKind.INTERACTIONS: _l("Interaction"),
    RecordKind.CASES: _l("Service case"),
    RecordKind.OPPORTUNITIES: _l("Opportunity"),
}
EMPTY = {
    RecordKind.ACCOUNTS: _l("No accounts yet. Add one, or import them from your current CRM."),
    RecordKind.CONTACTS: _l("No contacts yet."),
    RecordKind.INTERACTIONS: _l("No interactions recorded yet. Every call, e-mail or visit belongs here."),
    RecordKind.CASES: _l("No service cases yet."),
    RecordKind.OPPORTUNITIES: _l("No opportunities yet."),
}
LOADS = {
    RecordKind.CONTACTS: (Contact.account,),
    RecordKind.INTERACTIONS: (Interaction.account, Interaction.contact),
    RecordKind.CASES: (ServiceCase.account, ServiceCase.contact),
    RecordKind.OPPORTUNITIES: (Opportunity.account,),
}


def _members(project) -> dict[int, str]:
    """``{user id: name}`` of the project's members, by name: the interactions list's "captured by"."""
    names = dict(db.session.execute(_members_statement(), {"project_id": project.id}).all())
    return dict(sorted(names.items(), key=lambda item: item[1].lower()))


@cache
def _members_statement():
    """``_members``' query, built once per process (the interactions list runs it on every visit)."""
    from planner.auth.models import User

    return (select(User.id, User.name).join(ProjectMember, ProjectMember.user_id == User.id)
            .where(ProjectMember.project_id == bindparam("project_id", type_=ProjectMember.project_id.type)))


# --------------------------------------------------------------------------- lists


def list_view(kind: RecordKind):
    @project_view()
    def view(project):
        members = _members(project) if kind is RecordKind.INTERACTIONS else None
        found = listing.listing(kind, project, members)
        account = None
        if found.filters.get("account"):
            account = db.session.scalar(select(Account).where(Account.project_id == project.id,
                                                              Account.id == found.filters["account"]))
        return render_template(f"crm/{kind.value}.html", project=project, kind=kind, found=found,
                               page=found.page, account=account, can_capture=g.membership is not None,
                               can_import=is_manager(), empty_message=EMPTY[kind],
                               export_args={key: value for key, value in request.args.items()
                                            if key not in ("after", "before", "lang", "sort")})

    view.__name__ = kind.value
    return view


def export_view(kind: RecordKind):
    @project_view()
    def view(project):
        found = listing.build(kind, project, _members(project) if kind is RecordKind.INTERACTIONS else None)
        body = export.rows(current_app._get_current_object(), kind, found, get_timezone())
        record(f"crm.{kind.value}.exported", project=project)
        db.session.commit()
        filename = f"{kind.value}-{project.id}-{utcnow():%Y%m%d}.csv"
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    view.__name__ = f"{kind.value}_export"
    return view


# --------------------------------------------------------------------------- forms


def _references(form, project) -> dict:
    """The account and contact typed in the form, as ids; what matches nothing becomes a field error."""
    found = {}
    if hasattr(form, "account_ref"):
        found["account_id"] = _reference(form.account_ref, services.resolve_account, project,
                                         _("No account of this project matches what you typed."))
    if hasattr(form, "contact_ref"):
        found["contact_id"] = _reference(form.contact_ref, services.resolve_contact, project,
                                         _("No contact of this project matches what you typed."))
    return found


def _form_fields(kind: RecordKind, form) -> dict:
    """The record's values from a valid form."""
    fields = {name: getattr(form, name).data for name in form.FIELDS}
    if kind is RecordKind.INTERACTIONS:
        fields["channel"] = Channel(fields["channel"])
    if kind is RecordKind.OPPORTUNITIES:
        fields["opportunity_kind"] = OpportunityKind(fields["opportunity_kind"])
        fields["stage"] = OpportunityStage(fields["stage"])
    if kind is RecordKind.CASES:
        fields["satisfaction"] = int(form.satisfaction.data) if form.satisfaction.data else None
    return fields


def _reference(field, resolve, project, not_found):
    if not field.data or field.errors:  # a value the field refused (a NUL, too long) is never looked up
        return None
    try:
        found = resolve(project, field.data)
    except DomainError as error:
        field.errors.append(str(error.message))
        return None
    if found is None:
        field.errors.append(not_found)
        return None
    return found.id


def _fill_references(form, obj) -> None:
    if hasattr(form, "account_ref") and getattr(obj, "account", None) is not None:
        form.account_ref.data = services.reference_text(obj.account)
    if hasattr(form, "contact_ref") and getattr(obj, "contact", None) is not None:
        form.contact_ref.data = services.reference_text(obj.contact)
    if hasattr(form, "satisfaction") and obj.satisfaction is not None:
        form.satisfaction.data = str(obj.satisfaction)


def _save(kind, form, project, obj=None):
    """Validates and saves; returns the record, or None when the form shows errors."""
    valid = form.validate_on_submit()
    references = _references(form, project)  # checked even when other fields are wrong: every error at once
    if not valid or any(getattr(form, name).errors for name in ("account_ref", "contact_ref") if hasattr(form, name)):
        return None
    fields = _form_fields(kind, form) | references
    with saving(quiet=True) as saved:
        if obj is None:
            obj = services.create(project, kind, fields, current_user)
        else:
            services.update_record(obj, fields)
    if not saved:
        taken = isinstance(saved.error, services.ExternalIdTaken)
        report(saved.error.message, form.external_id if taken else None)
        return None
    return obj


def _back(kind, project, obj=None):
    target = request.args.get("next", "")
    if target.startswith(f"/projects/{project.id}/") and "//" not in target and "\\" not in target:
        return redirect(target)
    return redirect(url_for(f"crm.{kind.value}", project_id=project.id))


def new_view(kind: RecordKind):
    @project_view(ProjectRole.STAFF)
    def view(project):
        form = FORMS[kind]()
        if request.method == "GET":
            _defaults(kind, form, project)
        obj = _save(kind, form, project) if request.method == "POST" else None
        if obj is not None:
            flash(_("Saved."), "success")
            return _back(kind, project, obj)
        return render_template("crm/form.html", project=project, kind=kind, form=form, obj=None, can_edit=True,
                               title=NEW_TITLES[kind])

    view.__name__ = f"{kind.value}_new"
    return view


def _defaults(kind, form, project) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    if hasattr(form, "occurred_at"):
        form.occurred_at.data = now
    if hasattr(form, "opened_at"):
        form.opened_at.data = now
    if hasattr(form, "opened_on"):
        form.opened_on.data = local_today()
    account_id = id_arg("account")
    if account_id and hasattr(form, "account_ref"):
        account = db.session.scalar(select(Account).where(Account.project_id == project.id, Account.id == account_id))
        if account is not None:
            form.account_ref.data = services.reference_text(account)


def _load(kind, project, record_id):
    """The record with what its form shows; an id from another project is a 404."""
    model = kind.model
    obj = db.session.scalar(select(model).where(model.id == record_id, model.project_id == project.id)
                            .options(selectinload(model.captured_by),
                                     *(selectinload(rel) for rel in LOADS.get(kind, ()))))
    if obj is None:
        abort(404)
    return obj


def edit_view(kind: RecordKind):
    @project_view()
    def view(project, record_id):
        obj = _load(kind, project, record_id)
        allowed = services.can_edit(obj, current_user, g.membership)
        if request.method == "POST" and not allowed:
            abort(403)
        form = FORMS[kind](obj=obj)
        if request.method == "GET":
            _fill_references(form, obj)
        saved = _save(kind, form, project, obj) if request.method == "POST" else None
        if saved is not None:
            flash(_("Saved."), "success")
            return _back(kind, project, saved)
        return render_template("crm/form.html", project=project, kind=kind, form=form, obj=obj, can_edit=allowed,
                               title=EDIT_TITLES[kind])

    view.__name__ = f"{kind.value}_edit"
    return view


def delete_view(kind: RecordKind):
    @project_view(ProjectRole.STAFF)
    def view(project, record_id):
        obj = get_in_project(kind.model, record_id, project)
        if not services.can_edit(obj, current_user, g.membership):
            abort(403)
        with saving() as saved:
            services.delete_record(obj)
        if not saved:
            return redirect(url_for(f"crm.{kind.value}_edit", project_id=project.id, record_id=record_id))
        flash(_("Deleted."), "success")
        return redirect(url_for(f"crm.{kind.value}", project_id=project.id))

    view.__name__ = f"{kind.value}_delete"
    return view


for _kind in RecordKind:
    base = f"/projects/<int:project_id>/crm/{_kind.value}"
    bp.add_url_rule(base, f"{_kind.value}", list_view(_kind))
    bp.add_url_rule(f"{base}.csv", f"{_kind.value}_export", export_view(_kind))
    bp.add_url_rule(f"{base}/new", f"{_kind.value}_new", new_view(_kind), methods=["GET", "POST"])
    bp.add_url_rule(f"{base}/<int:record_id>/edit", f"{_kind.value}_edit", edit_view(_kind), methods=["GET", "POST"])
    bp.add_url_rule(f"{base}/<int:record_id>/delete", f"{_kind.value}_delete", delete_view(_kind), methods=["POST"])


# --------------------------------------------------------------------------- one account, and the suggestions


RECENT = 10


@bp.route("/projects/<int:project_id>/crm/accounts/<int:account_id>")
@project_view()
def account(project, account_id):
    """The customer's view: the account with its latest contacts, interactions, cases and opportunities."""
    obj = get_in_project(Account, account_id, project)

    def latest(model, column, *loads):
        query = (select(model).where(model.project_id == project.id, model.account_id == obj.id)
                 .order_by(column.desc(), model.id.desc()).limit(RECENT))
        if loads:
            query = query.options(*(selectinload(rel) for rel in loads))
        return db.session.scalars(query).all()

    return render_template(
        "crm/account.html", project=project, obj=obj,
        contacts=latest(Contact, Contact.created_at),
        interactions=latest(Interaction, Interaction.occurred_at, Interaction.contact, Interaction.captured_by),
        cases=latest(ServiceCase, ServiceCase.opened_at),
        opportunities=latest(Opportunity, Opportunity.opened_on),
        can_edit=services.can_edit(obj, current_user, g.membership), can_capture=g.membership is not None,
        recent=RECENT)


@bp.route("/projects/<int:project_id>/crm/lookup/<kind>")
@project_view()
def lookup(project, kind):
    """Up to 15 accounts or contacts whose name starts with ``q`` (for the form suggestions)."""
    model = {"accounts": Account, "contacts": Contact}.get(kind)
    if model is None:
        abort(404)
    term = listing.search_key(request.args.get("q", ""))[:100]
    if not term:
        return jsonify([])
    rows = db.session.scalars(select(model).where(model.project_id == project.id,
                                                  listing.prefix(model.name_key, term))
                              .order_by(model.name_key, model.id).limit(15))
    return jsonify([{"value": services.reference_text(row), "label": row.external_id or ""} for row in rows])


# --------------------------------------------------------------------------- import
# The page only queues work: the check and the import run in the worker (planner/crm/tasks.py) and
# the page follows them through the job's state and progress, read from the database.


def _limit_mb() -> int:
    return int(current_app.config.get("CRM_IMPORT_MAX_MB", 40))


def _jobs(project):
    return db.session.scalars(select(ImportJob).where(ImportJob.project_id == project.id)
                              .order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(10)).all()


@bp.route("/projects/<int:project_id>/crm/import", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def import_upload(project):
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with saving(error_to=form.file) as saved:
            job = uploads.accept(project, RecordKind(form.kind.data), upload.stream, upload.filename,
                                 current_user, _limit_mb())
        if saved:
            return redirect(url_for("crm.import_job", project_id=project.id, job_id=job.id))
    return render_template("crm/import.html", project=project, form=form, jobs=_jobs(project),
                           limit_mb=_limit_mb())


def _job(project, job_id) -> ImportJob:
    job = get_in_project(ImportJob, job_id, project)
    if job_state.lost(job):
        logs.event("crm.import_job.lost", logging.WARNING, job_id=job.id, work=job.work)
    return job


def _mapping_of(job) -> dict[str, int]:
    return {name: int(index) for name, index in job.mapping.items() if not name.startswith("_")}


def _busy(job) -> bool:
    return job.state in (JobState.QUEUED, JobState.RUNNING)


@bp.route("/projects/<int:project_id>/crm/import/<int:job_id>", methods=["GET", "POST"])
@project_view(ProjectRole.MANAGER)
def import_job(project, job_id):
    job = _job(project, job_id)
    available = job.status is not ImportStatus.IMPORTED and (_busy(job) or storage.exists(job.stored_name))
    if not available:
        return render_template("crm/import_done.html", project=project, job=job, missing=job.status is not
                               ImportStatus.IMPORTED)
    initial = {f"col_{name}": str(index) for name, index in _mapping_of(job).items()}
    initial.update(day_first=job.mapping.get("_day_first", "1"), decimal_comma=job.mapping.get("_decimal_comma", "0"))
    posted = request.method == "POST"
    form = mapping_form(job.kind, job.headers, formdata=request.form if posted else None,
                        data=None if posted else initial)
    if posted and _busy(job):
        flash(_("This file is already being checked or imported. Wait for it to finish."), "warning")
        return redirect(url_for("crm.import_job", project_id=project.id, job_id=job.id))
    if posted and form.validate():
        chosen = [getattr(form, f"col_{spec.name}").data for spec in FIELDS[job.kind]]
        used = [value for value in chosen if value]
        if len(used) != len(set(used)):
            flash(_("Each column of the file can feed only one field."), "danger")
        else:
            shown = {int(v) for v in request.form.getlist("shown") if v.isdigit()}
            kept = {int(v) for v in request.form.getlist("keep") if v.isdigit()}
            job.mapping = {spec.name: int(getattr(form, f"col_{spec.name}").data) for spec in FIELDS[job.kind]
                           if getattr(form, f"col_{spec.name}").data} | {
                "_day_first": form.day_first.data, "_decimal_comma": form.decimal_comma.data,
                "_timezone": current_user.timezone or "UTC",
                "_drop": ",".join(str(index) for index in sorted(shown - kept) if index < len(job.headers))}
            job.status = ImportStatus.UPLOADED
            uploads.remember_mapping(project, job)
            db.session.commit()
            _start(job, job_state.CHECK)
            return redirect(url_for("crm.import_job", project_id=project.id, job_id=job.id, _anchor="result"))
    problems = _problems_page(job)
    dropped = set(tasks.dropped_of(job))
    unmapped = [(index, name, index not in dropped) for index, name in other_columns(job.headers, _mapping_of(job))]
    return render_template("crm/import_job.html", project=project, job=job, form=form, busy=_busy(job),
                           unmapped=unmapped,
                           progress=job_state.progress(job), preview=job.preview, problems=problems,
                           errors=job_state.ERRORS,
                           describe=lambda p: describe(p, job.kind), fields=FIELDS[job.kind],
                           encoding_label=Markup('<span translate="no">{}</span>').format(job.encoding.upper()),
                           timezone=current_user.timezone or "UTC")


def _start(job, work: str) -> bool:
    """Queues the check or the import (after the caller committed); says so when it already runs."""
    if not job_state.queue(job, work):
        if _busy(job):
            flash(_("This file is already being checked or imported. Wait for it to finish."), "warning")
        else:
            flash(_("Check the file first: only a file without problems can be imported."), "warning")
        return False
    logs.event("crm.import_job.queued", job_id=job.id, work=work, project_id=job.project_id)
    (check_import if work == job_state.CHECK else run_import).enqueue(job.id)
    return True


PROBLEMS_PER_PAGE = 200


def _problems_page(job) -> dict:
    """A page of the check's problems in line order, after the (line, id) given in the URL."""
    after = (id_arg("after_line") or 0, id_arg("after_id") or 0)
    p = ImportProblem
    rows = db.session.scalars(select(p).where(p.job_id == job.id, tuple_(p.line, p.id) > tuple_(*after))
                              .order_by(p.line, p.id).limit(PROBLEMS_PER_PAGE + 1)).all()
    more = len(rows) > PROBLEMS_PER_PAGE
    rows = rows[:PROBLEMS_PER_PAGE]
    return {"items": rows, "next": (rows[-1].line, rows[-1].id) if more else None, "first": after == (0, 0)}


@bp.route("/projects/<int:project_id>/crm/import/<int:job_id>/run", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def import_run(project, job_id):
    job = _job(project, job_id)
    if job.status is not ImportStatus.IMPORTED and not _busy(job) and not storage.exists(job.stored_name):
        flash(str(job_state.ERRORS["missing"]), "warning")
    else:
        _start(job, job_state.IMPORT)
    return redirect(url_for("crm.import_job", project_id=project.id, job_id=job.id, _anchor="result"))


@bp.route("/projects/<int:project_id>/crm/import/<int:job_id>/progress")
@project_view(ProjectRole.MANAGER)
def import_progress(project, job_id):
    """Polled by the page every second: reads only."""
    job = _job(project, job_id)
    response = jsonify(job_state.progress(job))
    response.headers["Cache-Control"] = "no-store"
    return response


import_progress.quiet_session = True  # polled every second: no session touch, no write


@bp.route("/projects/<int:project_id>/crm/import/<int:job_id>/discard", methods=["POST"])
@project_view(ProjectRole.MANAGER)
def import_discard(project, job_id):
    job = _job(project, job_id)
    if _busy(job):
        flash(_("This file is already being checked or imported. Wait for it to finish."), "warning")
        return redirect(url_for("crm.import_job", project_id=project.id, job_id=job.id))
    uploads.discard(job)
    db.session.commit()
    flash(_("The uploaded file is discarded."), "success")
    return redirect(url_for("crm.import_upload", project_id=project.id))


# --------------------------------------------------------------------------- the same import from the shell


@bp.cli.command("import")
@click.argument("project_id", type=int)
@click.argument("kind", type=click.Choice([k.value for k in RecordKind]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file and list its bad rows.")
@click.option("--day-first/--month-first", default=None,
              help="Read 05/03/2026 as 5 March or as 3 May (default: told from the file, as the import page does).")
@click.option("--decimal-comma/--decimal-point", default=None,
              help="Amounts written 1.234,50 or 1,234.50 (default: a comma in a file separated by semicolons).")
@click.option("--timezone", default=None,
              help="Time zone of times without an offset (default: that of --user, else of the project's creator).")
@click.option("--user", "user_email", default=None, help="E-mail of the member who imports (audit, zone, language).")
@click.option("--lang", default=None, type=click.Choice(["en", "es", "zh"]),
              help="Language of the messages (default: that of --user, else English).")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help="Map a field to a column name (repeatable); the rest is proposed from the headers.")
@click.option("--drop", "drops", multiple=True, metavar="COLUMN",
              help="Leave out a column that feeds no field (repeatable); by default such columns are kept as "
                   "other fields.")
def import_command(project_id, kind, path, dry_run, day_first, decimal_comma, timezone, user_email, lang, mappings,
                   drops):
    """Imports a CSV or XLSX file of KIND records into project PROJECT_ID (all or nothing), with the import
    page's reading, checks and messages."""
    from flask_babel import force_locale

    from planner.auth.models import User
    from planner.projects.models import Project

    project = db.session.get(Project, project_id)
    if project is None:
        raise click.ClickException(f"No project has the id {project_id}.")
    user = None
    if user_email:
        user = db.session.scalar(select(User).where(User.email == user_email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user has the e-mail address {user_email}.")
    creator = db.session.get(User, project.created_by_id) if project.created_by_id else None
    with force_locale(lang or (user.language if user else None) or "en"):
        _import_from_shell(project, RecordKind(kind), path, user=user, creator=creator, dry_run=dry_run,
                           day_first=day_first, decimal_comma=decimal_comma, timezone=timezone,
                           mappings=mappings, drops=drops)


def _import_from_shell(project, kind, path, *, user, creator, dry_run, day_first, decimal_comma, timezone,
                       mappings, drops):
    from planner.crm.imports.checks import Problem
    from planner.crm.imports.reading import FILE_ERRORS, FileRefused, detect_reading, preview

    limit = _limit_mb()
    if path.stat().st_size > limit * 1024 * 1024:
        raise click.ClickException(uploads.too_large(limit, str(round(path.stat().st_size / 1024 / 1024, 1))))
    try:
        info = inspect_file(path)
        if not preview(path, info, limit=1):
            raise DomainError(FILE_ERRORS["no_rows"])
        detected = detect_reading(path, info)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    except FileRefused as refused:
        raise click.ClickException(_("Line %(line)s: %(reason)s", line=refused.line, reason=describe(
            Problem(refused.line, refused.code, value=str(refused.limit)), kind))) from None
    remembered = db.session.scalar(select(ImportMapping.mapping).where(ImportMapping.project_id == project.id,
                                                                       ImportMapping.kind == kind))
    mapping = propose_mapping(kind, info.headers, remembered)
    for item in mappings:
        name, _sep, header = item.partition("=")
        if header not in info.headers or name not in {spec.name for spec in FIELDS[kind]}:
            raise click.ClickException(_("Cannot map “%(item)s”: the columns are %(columns)s.", item=item,
                                         columns=", ".join(info.headers)))
        mapping = {field: index for field, index in mapping.items() if index != info.headers.index(header)}
        mapping[name] = info.headers.index(header)
    names = {spec.name for spec in FIELDS[kind] if spec.required and spec.name not in mapping}
    if "name" in names and any(part in mapping for part in ("first_name", "last_name")):
        names.discard("name")
    if names:
        raise click.ClickException(_("No column for the required field(s) %(fields)s; use --map FIELD=COLUMN.",
                                     fields=", ".join(sorted(names))))
    unknown = [column for column in drops if column not in info.headers]
    if unknown:
        raise click.ClickException(_("Cannot leave out “%(item)s”: the columns are %(columns)s.", item=unknown[0],
                                     columns=", ".join(info.headers)))
    others = other_columns(info.headers, mapping, [info.headers.index(column) for column in drops])
    zone = timezone or (user.timezone if user else None) or (creator.timezone if creator else None) or "UTC"
    options = ReadOptions(day_first=detected.day_first if day_first is None else day_first,
                          decimal_comma=detected.decimal_comma if decimal_comma is None else decimal_comma,
                          timezone=zone)
    click.echo(_("%(file)s: %(format)s, %(encoding)s, separator “%(separator)s”.", file=path.name,
                 format=info.file_format, encoding=info.encoding or "xlsx", separator=info.delimiter))
    click.echo(_("Columns: %(mapping)s.", mapping=", ".join(f"{name} ← {info.headers[index]}"
                                                            for name, index in mapping.items())))
    if others:
        click.echo(_("Kept as other fields: %(columns)s.", columns=", ".join(name for _index, name in others)))
    click.echo(_("Dates are read day first (05/03/2026 is 5 March).") if options.day_first
               else _("Dates are read month first (05/03/2026 is 3 May)."))
    click.echo(_("Amounts are read with a decimal comma (1.234,50).") if options.decimal_comma
               else _("Amounts are read with a decimal point (1,234.50)."))
    click.echo(_("Times without a time zone are read in %(zone)s.", zone=zone))

    def show(problem):
        click.echo(_("Line %(line)s: %(reason)s", line=problem.line, reason=describe(problem, kind)), err=True)

    source = import_service.Source(project, kind, path, info, mapping, options, path.name, user, others)
    outcome = import_service.check(source, on_problem=show)
    if outcome.bad_rows:
        db.session.rollback()
        raise click.ClickException(_("%(bad)s of %(rows)s rows have problems; nothing was imported.",
                                     bad=outcome.bad_rows, rows=outcome.rows))
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: the %(rows)s rows are fine (%(inserted)s to add, %(updated)s to update, "
                     "%(unchanged)s unchanged). Nothing was written.", rows=outcome.rows, inserted=outcome.inserted,
                     updated=outcome.updated, unchanged=outcome.unchanged))
        return
    outcome = import_service.run(source, checked=True, actor=user)
    db.session.commit()
    click.echo(_("Imported %(rows)s rows: %(inserted)s added, %(updated)s updated, %(unchanged)s unchanged.",
                 rows=outcome.rows, inserted=outcome.inserted, updated=outcome.updated, unchanged=outcome.unchanged))
