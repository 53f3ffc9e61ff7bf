"""The private calendar feed: stage dates and task due dates of one project, for one member.

Calendar apps cannot sign in, so the feed address carries a secret: ``secrets.token_urlsafe(32)``,
shown to the member once when it is made; the database keeps only its SHA-256 hash, looked up
through a unique index. Every request checks again that the owner is still an active account and
still a member (removing the member also deletes the token). Unknown or revoked tokens give 404, and
an address that keeps trying unknown tokens is slowed down (429).

Archived projects: the feed still answers, with the calendar's name but no events, so the project's
dates leave the members' calendars without the apps reporting errors; restoring the project brings
them back. The owner can still revoke the address; a new one is made only for a live project.

Public functions: ``issue_token(membership)`` → the token text, ``revoke_token(membership)``,
``token_of(membership)``, ``lookup(token)``, ``feed_text(project, user, host)``.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from planner import ratelimit
from planner.audit.services import record, register
from planner.auth.models import User
from planner.change.models import ACTIVE_STATUSES, ChangeTask
from planner.db import utcnow
from planner.exports import ical
from planner.exports.models import CalendarToken, hash_token
from planner.extensions import db
from planner.i18n import DEFAULT_LANGUAGE, LANGUAGES
from planner.i18n import lazy_gettext as _l
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import Stage

register("calendar.token_issued", _l("Made a new private calendar address (any earlier one stopped working)."))
register("calendar.token_revoked", _l("Revoked their private calendar address."))

PRODID = "-//Rollout//CRM implementation planner//EN"
MISSES_ALLOWED, MISS_WINDOW = 30, 600
USE_RECORDED_EVERY = timedelta(hours=1)


def token_of(membership: ProjectMember | None) -> CalendarToken | None:
    if membership is None:
        return None
    return db.session.scalar(select(CalendarToken).where(CalendarToken.member_id == membership.id))


def issue_token(membership: ProjectMember) -> str:
    """A new token for the member; the previous one, if any, stops working. Returns the token text,
    which is not kept anywhere: show it now or never."""
    db.session.execute(delete(CalendarToken).where(CalendarToken.member_id == membership.id))
    token = CalendarToken.new_token()
    db.session.add(CalendarToken(project_id=membership.project_id, member_id=membership.id,
                                 token_hash=hash_token(token)))
    db.session.flush()
    record("calendar.token_issued", project=membership.project_id)
    return token


def revoke_token(membership: ProjectMember) -> bool:
    removed = db.session.execute(delete(CalendarToken).where(CalendarToken.member_id == membership.id)).rowcount
    if removed:
        record("calendar.token_revoked", project=membership.project_id)
    return bool(removed)


@dataclass(frozen=True)
class Owner:
    token: CalendarToken
    member: ProjectMember
    user: User
    project: Project


def lookup(token: str) -> Owner | None:
    """The feed's owner, only while the token exists, the account is active and the membership stands."""
    if not token or len(token) > 128:
        return None
    row = db.session.execute(
        select(CalendarToken, ProjectMember, User, Project)
        .join(ProjectMember, ProjectMember.id == CalendarToken.member_id)
        .join(User, User.id == ProjectMember.user_id)
        .join(Project, Project.id == CalendarToken.project_id)
        .where(CalendarToken.token_hash == hash_token(token), ProjectMember.project_id == CalendarToken.project_id)
    ).first()
    if row is None:
        return None
    owner = Owner(*row)
    if not owner.user.active:
        return None
    return owner


def note_use(token: CalendarToken) -> None:
    """Records when a calendar app last fetched the feed (at most once an hour, to spare writes)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        token.last_used_at = now


def _client_key(address: str | None) -> str:
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    return "calendar-miss:" + hmac.new(secret, (address or "-").encode(), hashlib.sha256).hexdigest()[:32]


def too_many_misses(address: str | None) -> bool:
    return ratelimit.count(_client_key(address), MISS_WINDOW) >= MISSES_ALLOWED


def count_miss(address: str | None) -> None:
    ratelimit.hit(_client_key(address), MISS_WINDOW)


def owner_language(user: User) -> str:
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def _stage_event(stage: Stage, host: str) -> ical.Event | None:
    first, last = stage.planned_start, stage.planned_end
    if first is None and last is None:
        return None
    first = first or last
    last = last if last is not None and last >= first else first
    lines = [_("Status: %(status)s", status=stage.status.label)]
    if stage.description:
        lines.append(stage.description)
    return ical.Event(
        uid=f"stage-{stage.id}@{host}", first_day=first, last_day=last,
        summary=_("Rollout stage: %(name)s", name=stage.name), description="\n".join(lines),
        url=url_for("rollout.gate", project_id=stage.project_id, stage_id=stage.id, _external=True))


def _task_event(task: ChangeTask, host: str) -> ical.Event:
    lines = [_("Category: %(category)s", category=task.category.label),
             _("Status: %(status)s", status=task.status.label)]
    if task.owner is not None and task.owner.user is not None:
        lines.append(_("Owner: %(name)s", name=task.owner.user.name))
    if task.stage is not None:
        lines.append(_("Stage: %(name)s", name=task.stage.name))
    if task.description:
        lines.append(task.description)
    return ical.Event(
        uid=f"task-{task.id}@{host}", first_day=task.due_date, last_day=task.due_date,
        summary=_("Task due: %(title)s", title=task.title), description="\n".join(lines),
        url=url_for("change.task_edit", project_id=task.project_id, task_id=task.id, _external=True))


def feed_text(project: Project, user: User, host: str) -> str:
    """The project's calendar in the owner's language: planned stage dates, and the due dates of
    the tasks still open or in progress. Two queries."""
    host = host.split(":")[0] or "rollout"
    with force_locale(owner_language(user)):
        events: list[ical.Event] = []
        if not project.archived:
            stages = db.session.scalars(select(Stage).where(Stage.project_id == project.id)
                                        .order_by(Stage.position, Stage.id))
            events += [event for event in (_stage_event(stage, host) for stage in stages) if event]
            tasks = db.session.scalars(
                select(ChangeTask)
                .options(selectinload(ChangeTask.owner).selectinload(ProjectMember.user),
                         selectinload(ChangeTask.stage))
                .where(ChangeTask.project_id == project.id, ChangeTask.due_date.is_not(None),
                       ChangeTask.status.in_(ACTIVE_STATUSES))
                .order_by(ChangeTask.due_date, ChangeTask.id))
            events += [_task_event(task, host) for task in tasks]
        name = _("%(project)s · Rollout", project=project.name)
        return ical.calendar(name, events, utcnow(), PRODID, language=owner_language(user))
