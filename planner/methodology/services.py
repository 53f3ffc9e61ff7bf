"""Operations of the methodology feature. Each adds an audit event; the caller (the view) commits.

Functions other features call:

- ``checklist_progress_by_project(project_ids) -> {project_id: (done, total)}``
- ``sins_risk_by_project(project_ids) -> {project_id: (overall_score, level)}``
- ``item_is_done(item) -> bool`` and ``items_done(item_ids) -> {item_id: bool}``
- ``checklist_items(project) -> [ChecklistItem]`` (adopted steps, in walk-through order)
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import force_locale, ngettext
from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import selectinload

from planner.audit.services import count_of, placeholders, record, register
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.methodology import scoring
from planner.methodology.catalogue import LANGUAGES, Methodology, get_catalogue
from planner.methodology.models import (
    Adoption,
    Answer,
    ChecklistItem,
    ItemStatus,
    KeyProblem,
    SinAssessment,
    SinAssessmentDraft,
)
from planner.projects.models import Project, ProjectMember

SINS_KEY = "seven_sins"
FOCUS_LIMIT = 3  # more key problems in focus than this, and the page warns: focus means few

register("methodology.adopted", lambda data: ngettext(
    "Adopted the methodology “%(methodology)s” with %(count)s step.",
    "Adopted the methodology “%(methodology)s” with %(count)s steps.", count_of(data),
    **placeholders(data, "methodology", "count")))
register("checklist.status", _l("Set step %(number)s of “%(methodology)s” to “%(status)s”."))
register("checklist.updated", _l("Updated step %(number)s of “%(methodology)s”."))
register("sins.assessed", _l("Recorded a seven-sins self-assessment: overall risk %(score)s out of 100."))
register("problem.added", _l("Added the key problem “%(title)s”."))
register("problem.updated", _l("Changed the key problem “%(title)s”."))
register("problem.focus", _l("Put the key problem “%(title)s” in focus."))
register("problem.unfocus", _l("Took the key problem “%(title)s” out of focus."))
register("problem.moved", _l("Moved the key problem “%(title)s” to rank %(rank)s."))
register("problem.removed", _l("Removed the key problem “%(title)s”."))


def in_all_languages(text) -> dict[str, str]:
    """A text in every language, for audit events that each reader sees in their own language."""
    if hasattr(text, "all_languages"):
        return text.all_languages()
    values = {}
    for language in LANGUAGES:
        with force_locale(language):
            values[language] = str(text)
    return values


# --------------------------------------------------------------------------- checklist


def adoptions(project: Project) -> list[Adoption]:
    """The project's adoptions with their items (and owners) loaded, in catalogue order."""
    found = db.session.scalars(
        select(Adoption).where(Adoption.project_id == project.id)
        .options(selectinload(Adoption.items).selectinload(ChecklistItem.owner).selectinload(ProjectMember.user))
    ).all()
    catalogue = get_catalogue()
    known = [a for a in found if catalogue.get(a.methodology_key) is not None]
    order = {m.key: n for n, m in enumerate(catalogue)}
    return sorted(known, key=lambda a: order[a.methodology_key])


def adoption_for(project: Project, methodology_key: str) -> Adoption | None:
    return db.session.scalar(
        select(Adoption).where(Adoption.project_id == project.id, Adoption.methodology_key == methodology_key)
        .options(selectinload(Adoption.items).selectinload(ChecklistItem.owner).selectinload(ProjectMember.user))
    )


def adopt(project: Project, methodology_key: str, actor=None) -> tuple[Adoption, int]:
    """Adopts a methodology: each of its steps becomes a checklist item. Idempotent: adopting it
    again only adds steps the catalogue gained since. Returns the adoption and the items added."""
    methodology = get_catalogue().get(methodology_key)
    if methodology is None or not methodology.adoptable:
        raise DomainError(_l("This methodology cannot be adopted as a checklist."))
    adoption = adoption_for(project, methodology_key)
    created = adoption is None
    if created:
        adoption = Adoption(project_id=project.id, methodology_key=methodology_key,
                            adopted_by_id=getattr(actor, "id", None))
        db.session.add(adoption)
        db.session.flush()
    existing = {item.item_key: item for item in adoption.items}
    added = 0
    for position, step in enumerate(methodology.items, start=1):
        item = existing.get(step.key)
        if item is None:
            db.session.add(ChecklistItem(project_id=project.id, adoption_id=adoption.id,
                                         methodology_key=methodology_key, item_key=step.key, position=position))
            added += 1
        elif item.position != position:
            item.position = position
    if created:
        record("methodology.adopted", project=project, target=adoption, actor=actor,
               methodology=in_all_languages(methodology.title), count=added)
    db.session.flush()
    db.session.expire(adoption, ["items"])
    return adoption, added


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # steps that count: not-applicable ones are left out
    not_applicable: int = 0

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def progress_of(items: Iterable[ChecklistItem]) -> Progress:
    items = list(items)
    not_applicable = sum(1 for item in items if item.status == ItemStatus.NOT_APPLICABLE)
    done = sum(1 for item in items if item.is_done)
    return Progress(done, len(items) - not_applicable, not_applicable)


def checklist_items(project: Project) -> list[ChecklistItem]:
    """Every checklist item of the project, grouped by methodology in catalogue order."""
    return [item for adoption in adoptions(project) for item in adoption.items]


def item_is_done(item: ChecklistItem) -> bool:
    """Whether a checklist item is done (for stage-gate criteria). Not applicable is not done."""
    return item.is_done


def items_done(item_ids: Iterable[int]) -> dict[int, bool]:
    """``{item_id: done}`` for many items in one query; unknown ids are absent."""
    ids = list(set(item_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(ChecklistItem.id, ChecklistItem.is_done).where(ChecklistItem.id.in_(ids)))
    return {item_id: bool(done) for item_id, done in rows}


def checklist_progress_by_project(project_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """``{project_id: (done, total)}`` over every adopted methodology, in one query. ``total``
    leaves out steps marked not applicable; a project with no adoption gets ``(0, 0)``."""
    ids = list(set(project_ids))
    if not ids:
        return {}
    counted = ChecklistItem.status != ItemStatus.NOT_APPLICABLE
    rows = db.session.execute(
        select(ChecklistItem.project_id,
               func.sum(case((ChecklistItem.status == ItemStatus.DONE, 1), else_=0)),
               func.sum(case((counted, 1), else_=0)))
        .where(ChecklistItem.project_id.in_(ids))
        .group_by(ChecklistItem.project_id)
    ).all()
    found = {project_id: (int(done or 0), int(total or 0)) for project_id, done, total in rows}
    return {project_id: found.get(project_id, (0, 0)) for project_id in ids}


def progress_by_methodology(project: Project) -> dict[str, Progress]:
    rows = db.session.execute(
        select(ChecklistItem.methodology_key, ChecklistItem.status, func.count())
        .where(ChecklistItem.project_id == project.id)
        .group_by(ChecklistItem.methodology_key, ChecklistItem.status)
    ).all()
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for key, status, count in rows:
        counts[key][status] += count
    result = {}
    for key, by_status in counts.items():
        total = sum(by_status.values())
        not_applicable = by_status[ItemStatus.NOT_APPLICABLE]
        result[key] = Progress(by_status[ItemStatus.DONE], total - not_applicable, not_applicable)
    return result


ITEM_FIELDS = ("owner_id", "due_date", "status", "notes", "evidence")


def update_item(item: ChecklistItem, methodology: Methodology, **changes) -> list[str]:
    """Changes the given fields of a checklist item; returns the names of those that changed."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not checklist fields: {sorted(unknown)}")
    if changes.get("owner_id") is not None:
        member = db.session.get(ProjectMember, changes["owner_id"])
        if member is None or member.project_id != item.project_id:
            raise DomainError(_l("The owner must be a member of this project."))
    changed = []
    old_status = item.status
    for name, value in changes.items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed.append(name)
    if not changed:
        return changed
    item.updated_at = utcnow()
    number = methodology.position(item.item_key) or item.position
    title = in_all_languages(methodology.title)
    if item.status != old_status:
        item.completed_at = utcnow() if item.status == ItemStatus.DONE else None
        record("checklist.status", project=item.project_id, target=item, number=number, methodology=title,
               status=in_all_languages(item.status.label))
    if set(changed) - {"status"}:
        record("checklist.updated", project=item.project_id, target=item, number=number, methodology=title)
    return changed


# --------------------------------------------------------------------------- seven-sins assessment


def sins_methodology() -> Methodology:
    methodology = get_catalogue().get(SINS_KEY)
    if methodology is None:  # pragma: no cover - the built-in file is always there
        raise LookupError("the seven-sins catalogue is missing")
    return methodology


def answer_key(sin_key: str, sign_key: str) -> str:
    return f"{sin_key}.{sign_key}"


def record_assessment(project: Project, answers: Mapping[str, str], note: str = "", actor=None) -> SinAssessment:
    """Saves a complete round of answers (``{"sin.sign": "yes" | "partly" | "no" | "unknown"}``)
    with its scores, and removes the project's draft. Every warning sign must be answered."""
    methodology = sins_methodology()
    by_sin: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for sin in methodology.items:
        for sign in sin.warning_signs:
            key = answer_key(sin.key, sign.key)
            value = answers.get(key)
            if value not in Answer._value2member_map_:
                raise DomainError(_l("Answer every warning-sign question before saving."))
            clean[key] = value
            by_sin.setdefault(sin.key, []).append(value)
    result = scoring.assess(by_sin)
    assessment = SinAssessment(project_id=project.id, methodology_key=methodology.key,
                               created_by_id=getattr(actor, "id", None), note=note or "", answers=clean,
                               scores=result.scores, overall_score=result.overall, level=result.level)
    db.session.add(assessment)
    db.session.flush()
    record("sins.assessed", project=project, target=assessment, actor=actor, score=result.overall)
    discard_draft(project)
    return assessment


def assessment_draft(project: Project) -> SinAssessmentDraft | None:
    return db.session.scalar(select(SinAssessmentDraft).where(SinAssessmentDraft.project_id == project.id)
                             .options(selectinload(SinAssessmentDraft.updated_by)))


def save_draft(project: Project, answers: Mapping[str, str | None], note: str = "", actor=None) -> SinAssessmentDraft:
    """Keeps the answers given so far (any subset of the questions) and the note, for later."""
    known = {answer_key(sin.key, sign.key) for sin in sins_methodology().items for sign in sin.warning_signs}
    clean = {key: value for key, value in answers.items()
             if key in known and value in Answer._value2member_map_}
    draft = assessment_draft(project) or SinAssessmentDraft(project_id=project.id)
    draft.answers = clean
    draft.note = note or ""
    draft.updated_by_id = getattr(actor, "id", None)
    draft.updated_at = utcnow()
    db.session.add(draft)
    db.session.flush()
    return draft


def discard_draft(project: Project) -> bool:
    draft = assessment_draft(project)
    if draft is None:
        return False
    db.session.delete(draft)
    db.session.flush()
    return True


def assessments(project: Project, limit: int | None = None) -> list[SinAssessment]:
    """The project's rounds, newest first."""
    query = (select(SinAssessment).where(SinAssessment.project_id == project.id)
             .options(selectinload(SinAssessment.created_by))
             .order_by(SinAssessment.created_at.desc(), SinAssessment.id.desc()))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def previous_assessment(assessment: SinAssessment) -> SinAssessment | None:
    return db.session.scalar(
        select(SinAssessment).where(
            SinAssessment.project_id == assessment.project_id,
            (SinAssessment.created_at < assessment.created_at)
            | ((SinAssessment.created_at == assessment.created_at) & (SinAssessment.id < assessment.id)),
        ).order_by(SinAssessment.created_at.desc(), SinAssessment.id.desc()).limit(1)
    )


def sins_risk_by_project(project_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """``{project_id: (overall_score, level)}`` from each project's latest assessment, in one
    query. Projects never assessed are absent. Score 0–100, level "green", "amber" or "red"."""
    ids = list(set(project_ids))
    if not ids:
        return {}
    rows = db.session.execute(_sins_risk_statement(), {"ids": ids}).all()
    return {project_id: (int(score), level) for project_id, score, level in rows}


@functools.cache
def _sins_risk_statement():
    """``sins_risk_by_project``'s query, built once per process: the project ids are a parameter."""
    ranked = (
        select(SinAssessment.project_id, SinAssessment.overall_score, SinAssessment.level,
               func.row_number().over(partition_by=SinAssessment.project_id,
                                      order_by=(SinAssessment.created_at.desc(), SinAssessment.id.desc()))
               .label("rank"))
        .where(SinAssessment.project_id.in_(bindparam("ids", expanding=True)))
        .subquery()
    )
    return select(ranked.c.project_id, ranked.c.overall_score, ranked.c.level).where(ranked.c.rank == 1)


# --------------------------------------------------------------------------- key problems


def problems(project: Project) -> list[KeyProblem]:
    return list(db.session.scalars(
        select(KeyProblem).where(KeyProblem.project_id == project.id)
        .order_by(KeyProblem.position, KeyProblem.id)))


def add_problem(project: Project, title: str, description: str = "", in_focus: bool = False,
                actor=None) -> KeyProblem:
    last = db.session.scalar(select(func.max(KeyProblem.position)).where(KeyProblem.project_id == project.id))
    problem = KeyProblem(project_id=project.id, title=title, description=description or "",
                         in_focus=bool(in_focus), position=(last or 0) + 1, created_by_id=getattr(actor, "id", None))
    db.session.add(problem)
    db.session.flush()
    record("problem.added", project=project, target=problem, actor=actor, title=title)
    return problem


def update_problem(problem: KeyProblem, title: str, description: str, in_focus: bool) -> bool:
    changed = (problem.title, problem.description, problem.in_focus) != (title, description or "", bool(in_focus))
    if changed:
        focus_changed = problem.in_focus != bool(in_focus)
        problem.title, problem.description, problem.in_focus = title, description or "", bool(in_focus)
        record("problem.updated", project=problem.project_id, target=problem, title=title)
        if focus_changed:
            record("problem.focus" if in_focus else "problem.unfocus", project=problem.project_id,
                   target=problem, title=title)
    return changed


def set_focus(problem: KeyProblem, in_focus: bool) -> None:
    if problem.in_focus != in_focus:
        problem.in_focus = in_focus
        record("problem.focus" if in_focus else "problem.unfocus", project=problem.project_id, target=problem,
               title=problem.title)


def move_problem(project: Project, problem: KeyProblem, direction: str) -> bool:
    """Swaps the problem with its neighbour above ("up") or below ("down"); False at either end."""
    ranked = problems(project)
    index = next(i for i, p in enumerate(ranked) if p.id == problem.id)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ranked):
        return False
    ranked[index], ranked[other] = ranked[other], ranked[index]
    for position, item in enumerate(ranked, start=1):
        item.position = position
    record("problem.moved", project=project, target=problem, title=problem.title, rank=other + 1)
    return True


def delete_problem(project: Project, problem: KeyProblem) -> None:
    record("problem.removed", project=project, target=problem, title=problem.title)
    db.session.delete(problem)
    db.session.flush()
    for position, item in enumerate(problems(project), start=1):
        item.position = position
