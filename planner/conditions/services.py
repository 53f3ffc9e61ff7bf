"""The follow-up of a sign-off's conditions: recorded from the decision, listed, closed, carried over.

Rules (stated on the conditions page from the same constants):

- Each non-empty line of the comment of a decision "approved with conditions" is one condition
  (a leading "-", "*", "•" or "1." is dropped). Its owner is the person who requested the sign-off
  while they are an active member of the project, else the project's first project manager; it is
  due ``DEFAULT_DUE_DAYS`` days after the decision (the day of the decision in the decider's time
  zone). A project manager changes either afterwards (audited).
- The owner or a project manager closes a condition with a note (required). A project manager may
  carry an open condition over with a reason: it stays listed as carried over and no longer holds
  back the next sign-off; it can still be closed later.
- With the project's setting on, the sign-off of a stage can be requested only when no condition of
  an earlier stage is open (``check_request``, called through the rollout's ``signoff_requesting``
  signal, for the pages and the API alike).

Every change adds an audit event; the calling view commits (or rolls back).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from planner.audit.services import record, register
from planner.auth.models import User
from planner.conditions.models import UNCLOSED, Condition, ConditionSettings, ConditionStatus
from planner.conditions.signals import condition_assigned, condition_closed
from planner.dates import local_date
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import date_format
from planner.i18n import lazy_gettext as _l
from planner.projects.models import Project, ProjectMember, ProjectRole
from planner.rollout.models import Outcome, Stage

DEFAULT_DUE_DAYS = 14  # a condition is due this many days after the decision, unless a manager changes it
LISTED_IN_REFUSAL = 5  # open conditions named in the refusal of a sign-off request; the rest are counted
MAX_TEXT = 2000

_MARKER = re.compile(r"^\s*(?:[-*•·‣–—]+\s*|\(?\d{1,3}[.)]\s+|\d{1,3}、\s*)")


def _due_day(data) -> dict:
    try:
        return {"due": date_format(date.fromisoformat(data.get("due") or ""))}
    except (TypeError, ValueError):
        return {}


register("conditions.changed", _l("Changed the condition “%(text)s”: owner %(owner)s, due on %(due)s."), _due_day)
register("conditions.closed", _l("Closed the condition “%(text)s”: %(note)s"))
register("conditions.carried_over", _l("Carried the open condition “%(text)s” over: %(reason)s"))
register("conditions.setting_on", _l("Made the next stage's sign-off wait until the conditions are closed or "
                                     "carried over."))
register("conditions.setting_off", _l("Let the next stage's sign-off be requested while conditions are open."))


def condition_lines(comment: str) -> list[str]:
    """One condition per non-empty line of ``comment``, without a leading list marker."""
    found = []
    for line in (comment or "").splitlines():
        text = line.strip()
        if not text:
            continue
        bare = _MARKER.sub("", text, count=1).strip()
        found.append((bare or text)[:MAX_TEXT])
    return found


def default_owner(project_id: int, requester_id: int | None) -> ProjectMember | None:
    """The requester while they are an active member of the project, else its first project manager."""
    active = (select(ProjectMember).join(User, User.id == ProjectMember.user_id)
              .where(ProjectMember.project_id == project_id, User.active.is_(True)))
    if requester_id is not None:
        member = db.session.scalar(active.where(ProjectMember.user_id == requester_id))
        if member is not None:
            return member
    return db.session.scalar(active.where(ProjectMember.is_manager.is_(True)).order_by(ProjectMember.id).limit(1))


def default_due(decision) -> date:
    return local_date(decision.decided_at) + timedelta(days=DEFAULT_DUE_DAYS)


def record_conditions(decision, actor=None) -> list[Condition]:
    """The decision's conditions as items to follow up (once per decision; nothing for another outcome)."""
    if Outcome(decision.outcome) != Outcome.APPROVED_WITH_CONDITIONS:
        return []
    if db.session.scalar(select(Condition.id).where(Condition.decision_id == decision.id).limit(1)) is not None:
        return []
    lines = condition_lines(decision.comment)
    if not lines:
        return []
    request_ = decision.request
    owner = default_owner(decision.project_id, request_.requested_by_id if request_ is not None else None)
    due = default_due(decision)
    made = [Condition(project_id=decision.project_id, stage_id=decision.stage_id, decision_id=decision.id,
                      position=position, text=text, owner_id=owner.id if owner else None, due_date=due,
                      created_at=decision.decided_at)
            for position, text in enumerate(lines, start=1)]
    db.session.add_all(made)
    db.session.flush()  # the decision's own audit event ("signoff.approved_with_conditions") holds the comment
    for condition in made:
        if condition.owner_id is not None:
            condition_assigned.send(condition, actor=actor)
    return made


# --------------------------------------------------------------------------- reading


def _loaded(query):
    return query.options(selectinload(Condition.owner).selectinload(ProjectMember.user),
                         selectinload(Condition.stage))


def _unclosed_first():
    return (Condition.status == ConditionStatus.CLOSED, Condition.due_date, Condition.id)


def project_conditions(project) -> list[Condition]:
    """Every condition of the project: the ones still to do first (soonest due first), then the closed."""
    return list(db.session.scalars(_loaded(select(Condition).where(Condition.project_id == project.id))
                                   .order_by(*_unclosed_first())))


def unclosed_conditions(project) -> list[Condition]:
    return list(db.session.scalars(_loaded(select(Condition).where(
        Condition.project_id == project.id, Condition.status.in_(UNCLOSED))).order_by(Condition.due_date,
                                                                                     Condition.id)))


def _earlier(stage):
    """Stages before ``stage`` in the project's order (position, then id)."""
    return and_(Stage.project_id == stage.project_id,
                or_(Stage.position < stage.position, and_(Stage.position == stage.position, Stage.id < stage.id)))


def gate_conditions(stage, previous) -> list[Condition]:
    """What the gate of ``stage`` lists: every condition of the stage before it (``previous``), and
    the ones of earlier stages not closed yet."""
    query = (select(Condition).join(Stage, Stage.id == Condition.stage_id).where(_earlier(stage)))
    if previous is not None:
        query = query.where(or_(Condition.stage_id == previous.id, Condition.status.in_(UNCLOSED)))
    else:
        query = query.where(Condition.status.in_(UNCLOSED))
    return list(db.session.scalars(_loaded(query).order_by(*_unclosed_first())))


def open_before(stage) -> list[Condition]:
    """The open conditions (not closed, not carried over) of the stages before ``stage``."""
    return list(db.session.scalars(_loaded(
        select(Condition).join(Stage, Stage.id == Condition.stage_id)
        .where(_earlier(stage), Condition.status == ConditionStatus.OPEN)).order_by(Condition.due_date,
                                                                                    Condition.id)))


def conditions_of(user) -> list[Condition]:
    """The conditions ``user`` owns and has not closed, in projects that are not archived."""
    return list(db.session.scalars(_loaded(
        select(Condition).join(ProjectMember, ProjectMember.id == Condition.owner_id)
        .join(Project, Project.id == Condition.project_id)
        .where(ProjectMember.user_id == user.id, Condition.status.in_(UNCLOSED), Project.archived_at.is_(None)))
        .order_by(Condition.due_date, Condition.id)))


@dataclass(frozen=True)
class Counts:
    unclosed: int
    overdue: int


def counts(project, today: date) -> Counts:
    row = db.session.execute(select(
        func.count(Condition.id),
        func.count(Condition.id).filter(Condition.due_date < today)).where(
        Condition.project_id == project.id, Condition.status.in_(UNCLOSED))).one()
    return Counts(row[0] or 0, row[1] or 0)


def owner_name(condition) -> str:
    owner = condition.owner
    return owner.user.name if owner is not None and owner.user is not None else ""


# --------------------------------------------------------------------------- who may do what


def is_manager(membership) -> bool:
    return membership is not None and membership.has(ProjectRole.MANAGER)


def may_close(condition, membership) -> bool:
    """The condition's owner or a project manager, while it is not closed."""
    if condition.closed or membership is None or membership.project_id != condition.project_id:
        return False
    return is_manager(membership) or membership.id == condition.owner_id


# --------------------------------------------------------------------------- changes


def close(condition, note: str, by, membership) -> None:
    if condition.closed:
        raise DomainError(_l("This condition is closed already."))
    if not may_close(condition, membership):
        raise DomainError(_l("Only the condition's owner or a project manager can close it."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Write a closing note: what was done to meet the condition."))
    condition.status = ConditionStatus.CLOSED
    condition.closing_note = note
    condition.closed_by_id, condition.closed_by_name = getattr(by, "id", None), getattr(by, "name", "") or ""
    condition.closed_at = utcnow()
    db.session.flush()
    record("conditions.closed", project=condition.project_id, target=condition, actor=by, text=condition.text,
           note=note)
    condition_closed.send(condition, actor=by)


def carry_over(condition, reason: str, by, membership) -> None:
    if not is_manager(membership) or membership.project_id != condition.project_id:
        raise DomainError(_l("Only a project manager can carry a condition over."))
    if condition.status != ConditionStatus.OPEN:
        raise DomainError(_l("Only an open condition can be carried over; this one is “%(status)s”.",
                             status=condition.status.label))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write the reason for carrying the condition over."))
    condition.status = ConditionStatus.CARRIED_OVER
    condition.carry_reason = reason
    condition.carried_by_id, condition.carried_by_name = getattr(by, "id", None), getattr(by, "name", "") or ""
    condition.carried_at = utcnow()
    record("conditions.carried_over", project=condition.project_id, target=condition, actor=by,
           text=condition.text, reason=reason)


def change(condition, owner_id: int | None, due_date: date | None, by, membership) -> bool:
    """A project manager gives the condition another owner or due date. Returns True when it changed."""
    if not is_manager(membership) or membership.project_id != condition.project_id:
        raise DomainError(_l("Only a project manager can change a condition's owner or due date."))
    if condition.closed:
        raise DomainError(_l("This condition is closed; its owner and due date stay as they were."))
    if due_date is None:
        raise DomainError(_l("Choose the due date."))
    owner = db.session.scalar(select(ProjectMember).join(User, User.id == ProjectMember.user_id).where(
        ProjectMember.id == owner_id, ProjectMember.project_id == condition.project_id, User.active.is_(True))) \
        if owner_id is not None else None
    if owner is None:
        raise DomainError(_l("Choose a member of the project as the owner."))
    new_owner = owner.id != condition.owner_id
    if not new_owner and due_date == condition.due_date:
        return False
    condition.owner_id, condition.due_date = owner.id, due_date
    db.session.flush()
    record("conditions.changed", project=condition.project_id, target=condition, actor=by, text=condition.text,
           owner=owner.user.name, due=due_date.isoformat())
    if new_owner:
        db.session.refresh(condition, ["owner"])
        condition_assigned.send(condition, actor=by)
    return True


def owner_choices(project) -> list[tuple[int, str]]:
    """(member id, name) of the project's active members, by name."""
    rows = db.session.execute(
        select(ProjectMember.id, User.name).join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project.id, User.active.is_(True)).order_by(User.name, User.id)).all()
    return [(row.id, row.name) for row in rows]


# --------------------------------------------------------------------------- the project's setting


def blocks_next_signoff(project_id: int) -> bool:
    row = db.session.get(ConditionSettings, project_id)
    return bool(row and row.block_next_signoff)


def set_blocking(project, on: bool, by) -> bool:
    """Turns the setting on or off (audited). Returns True when it changed."""
    row = db.session.get(ConditionSettings, project.id)
    if bool(row and row.block_next_signoff) == bool(on):
        return False
    if row is None:
        row = ConditionSettings(project_id=project.id)
        db.session.add(row)
    row.block_next_signoff = bool(on)
    record("conditions.setting_on" if on else "conditions.setting_off", project=project, target=project, actor=by)
    return True


def describe(condition) -> str:
    """“text” (owner, due date), in the current language, for a refusal."""
    from planner.i18n import gettext

    owner = owner_name(condition)
    if owner:
        return gettext("“%(text)s” (%(owner)s, due on %(day)s)", text=_short(condition.text), owner=owner,
                       day=date_format(condition.due_date))
    return gettext("“%(text)s” (no owner, due on %(day)s)", text=_short(condition.text),
                   day=date_format(condition.due_date))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_request(stage) -> None:
    """Refuses the sign-off request of ``stage`` while the project's setting is on and a condition of
    an earlier stage is open, naming them."""
    if not blocks_next_signoff(stage.project_id):
        return
    waiting = open_before(stage)
    if not waiting:
        return
    named = [describe(c) for c in waiting[:LISTED_IN_REFUSAL]]
    more = len(waiting) - len(named)
    listed = format_list(named, locale=get_locale())
    if more:
        raise DomainError(_l(
            "The sign-off can be requested once the conditions of the earlier stages are closed, or each open "
            "one is carried over with a reason. Still open: %(conditions)s, and %(more)s more.",
            conditions=listed, more=more))
    raise DomainError(_l(
        "The sign-off can be requested once the conditions of the earlier stages are closed, or each open one "
        "is carried over with a reason. Still open: %(conditions)s.", conditions=listed))


def blockers(project, stage) -> list:
    """For the overview's "what blocks the sign-off": the open conditions the project's setting waits for."""
    from planner.rollout.services.blockers import Blocker

    if not blocks_next_signoff(project.id):
        return []
    waiting = open_before(stage)
    if not waiting:
        return []
    text = ngettext("%(num)d open condition of an earlier stage must be closed or carried over first.",
                    "%(num)d open conditions of earlier stages must be closed or carried over first.",
                    len(waiting))
    return [Blocker("condition", text, "conditions.index")]
