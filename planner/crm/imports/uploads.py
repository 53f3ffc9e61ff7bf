"""Receiving an uploaded file for import: size limit, format, encoding and header checked at once (a
bad file is refused before anything is kept), the first rows kept for the mapping page, the file put in
upload storage, and the import job created with a proposed column mapping."""

from flask_babel import gettext as _
from sqlalchemy import select

from planner.crm.fields import propose_mapping
from planner.crm.imports.checks import Problem, describe
from planner.crm.imports.reading import FILE_ERRORS, FileRefused, detect_reading, inspect_file, preview
from planner.crm.models import ImportJob, ImportMapping, RecordKind
from planner.errors import DomainError
from planner.extensions import db
from planner.uploads import storage


def too_large(limit_mb: int, size: str | None = None) -> str:
    return str(FILE_ERRORS["too_large"]) % {"size": size or _("more than %(limit)s", limit=limit_mb),
                                            "limit": limit_mb}


def accept(project, kind: RecordKind, stream, filename: str, user, limit_mb: int) -> ImportJob:
    """Stores the upload and creates its job (flushed, in the caller's transaction); raises DomainError."""
    kind = RecordKind(kind)
    suffix = ".xlsx" if (filename or "").lower().endswith(".xlsx") else ".csv"
    try:
        path, size = storage.receive(stream, limit_mb * 1024 * 1024, suffix)
    except storage.TooLarge:
        raise DomainError(too_large(limit_mb)) from None
    try:
        info = inspect_file(path)
        try:
            first_rows = preview(path, info)
            detected = detect_reading(path, info)
        except FileRefused as refused:
            raise DomainError(_("Line %(line)s: %(reason)s", line=refused.line, reason=describe(
                Problem(refused.line, refused.code, value=str(refused.limit)), kind))) from None
        if not first_rows:
            raise DomainError(FILE_ERRORS["no_rows"])
        key = storage.keep(path, suffix)
    finally:
        path.unlink(missing_ok=True)
    job = ImportJob(project_id=project.id, kind=kind, filename=(filename or key)[-255:], stored_name=key,
                    size=size, file_format=info.file_format, encoding=info.encoding, delimiter=info.delimiter,
                    headers=info.headers, created_by_id=user.id, preview=first_rows)
    remembered = db.session.scalar(select(ImportMapping.mapping).where(ImportMapping.project_id == project.id,
                                                                       ImportMapping.kind == kind))
    job.mapping = dict(propose_mapping(kind, info.headers, remembered))
    job.mapping["_day_first"] = "1" if detected.day_first else "0"
    job.mapping["_decimal_comma"] = "1" if detected.decimal_comma else "0"
    db.session.add(job)
    db.session.flush()
    return job


def remember_mapping(project, job: ImportJob) -> None:
    """Keeps the job's mapping (by column name) to propose it for the next file of this kind."""
    saved = db.session.scalar(select(ImportMapping).where(ImportMapping.project_id == project.id,
                                                          ImportMapping.kind == job.kind))
    if saved is None:
        saved = ImportMapping(project_id=project.id, kind=job.kind)
        db.session.add(saved)
    mapping = {name: int(index) for name, index in job.mapping.items() if not name.startswith("_")}
    saved.mapping = {name: job.headers[index] for name, index in mapping.items() if index < len(job.headers)}


def discard(job: ImportJob) -> None:
    storage.remove(job.stored_name)
    db.session.delete(job)
