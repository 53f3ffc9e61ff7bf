"""What the worker tells people by the clock, run every hour (``tasks.hourly``) with the moment as
an argument, so tests can say "now". Each person is reminded on *their* calendar (their time zone),
at the hour they chose for their digest, and never twice for the same thing on the same day: a
``ReminderSent`` row (unique per kind, subject, person and day) is written with the reminder, in
the same transaction.

- A pending sign-off is recalled to its approvers (those it waits for under its approval rule, and
  their stand-ins in force) and its requester after N days (the project's setting, default 3) and
  again every N days.
- A stand-in whose dates begin while a request waits for their sponsor is told of it, once.
- A task due tomorrow is announced to its owner; a task that has just become overdue too. The same
  for a condition of a sign-off that is not closed (``condition_reminders``).
- The daily digest: the notifications a person chose to receive that way, their overdue tasks and
  their overdue conditions of a sign-off.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.auth.models import User
from planner.change.models import ChangeTask, TaskStatus
from planner.conditions.models import UNCLOSED as CONDITION_UNCLOSED
from planner.conditions.models import Condition
from planner.extensions import db
from planner.notifications import outbox, services
from planner.notifications.kinds import delivery_for
from planner.notifications.models import (
    DEFAULT_DIGEST_HOUR,
    DEFAULT_SIGNOFF_REMINDER_DAYS,
    Delivery,
    DigestSetting,
    Notification,
    ProjectReminders,
    ReminderSent,
)
from planner.notifications.reader import timezone_of
from planner.projects.models import Project, ProjectMember
from planner.rollout.models import RequestStatus, SignoffRequest, Stage

ACTIVE_TASK_STATUSES = [s for s in TaskStatus if s.is_active]


def local_now(user, now: datetime) -> datetime:
    return now.astimezone(timezone_of(user))


def _due_hour(user, now: datetime, hours: dict) -> bool:
    """Whether the person's reminder hour has come today (their time zone)."""
    return local_now(user, now).hour >= hours.get(user.id, DEFAULT_DIGEST_HOUR)


def _hours(user_ids) -> dict[int, int]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {row.user_id: row.hour for row in db.session.scalars(select(DigestSetting).where(
        DigestSetting.user_id.in_(ids)))}


def _once(kind: str, subject_id: int, user_id: int, day: date) -> bool:
    """Claims the reminder (kind, subject, person, day); False when it was given already."""
    exists = db.session.scalar(select(ReminderSent.id).where(
        ReminderSent.kind == kind, ReminderSent.subject_id == subject_id, ReminderSent.user_id == user_id,
        ReminderSent.day == day))
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(kind=kind, subject_id=subject_id, user_id=user_id, day=day))
    except IntegrityError:  # another worker claimed it at the same moment
        return False
    return True


# --------------------------------------------------------------------------- sign-offs


def reminder_days(project_ids) -> dict[int, int]:
    found = {row.project_id: row.signoff_days for row in db.session.scalars(
        select(ProjectReminders).where(ProjectReminders.project_id.in_(list(project_ids))))}
    return {pid: found.get(pid, DEFAULT_SIGNOFF_REMINDER_DAYS) for pid in project_ids}


def signoff_reminders(now: datetime) -> int:
    """Reminds the approvers and the requester of each sign-off pending for N, 2N, 3N… days."""
    from planner.notifications.listeners import approvers

    pending = db.session.execute(
        select(SignoffRequest, Project.name).join(Project, Project.id == SignoffRequest.project_id)
        .where(SignoffRequest.status == RequestStatus.PENDING, Project.archived_at.is_(None))).all()
    if not pending:
        return 0
    days = reminder_days({request_.project_id for request_, _name in pending})
    sent = 0
    for request_, project_name in pending:
        every = days[request_.project_id]
        people = approvers(request_)
        requester = db.session.get(User, request_.requested_by_id) if request_.requested_by_id else None
        if requester is not None and requester.active and requester.id not in {p.id for p in people}:
            still_member = db.session.scalar(select(ProjectMember.id).where(
                ProjectMember.project_id == request_.project_id, ProjectMember.user_id == requester.id))
            if still_member is not None:
                people.append(requester)
        hours = _hours(p.id for p in people)
        for person in people:
            if not _due_hour(person, now, hours):
                continue
            today = local_now(person, now).date()
            waited = (today - request_.requested_at.astimezone(timezone_of(person)).date()).days
            if waited < every or waited % every:
                continue
            if not _once("signoff_reminder", request_.id, person.id, today):
                continue
            stage = request_.stage
            services.notify([person], "signoff_reminder", {
                "project_id": request_.project_id, "project": project_name, "stage_id": stage.id,
                "stage": stage.name, "request_id": request_.id, "days": waited}, request_.project_id)
            sent += 1
    return sent


# --------------------------------------------------------------------------- tasks


def _open_tasks_with_owner(first: date, last: date):
    return db.session.execute(
        select(ChangeTask, User, Project.name)
        .join(ProjectMember, ProjectMember.id == ChangeTask.owner_id)
        .join(User, User.id == ProjectMember.user_id)
        .join(Project, Project.id == ChangeTask.project_id)
        .where(ChangeTask.status.in_(ACTIVE_TASK_STATUSES), ChangeTask.due_date.between(first, last),
               Project.archived_at.is_(None), User.active.is_(True))).all()


def _task_params(task, project_name) -> dict:
    return {"project_id": task.project_id, "project": project_name, "task_id": task.id, "task": task.title,
            "due": task.due_date.isoformat()}


def task_reminders(now: datetime) -> int:
    """Tomorrow's tasks and the tasks overdue since yesterday, told once to their owners (their calendar)."""
    utc_day = now.date()
    rows = _open_tasks_with_owner(utc_day - timedelta(days=2), utc_day + timedelta(days=2))
    hours = _hours(user.id for _task, user, _name in rows)
    sent = 0
    for task, user, project_name in rows:
        if not _due_hour(user, now, hours):
            continue
        today = local_now(user, now).date()
        if task.due_date == today + timedelta(days=1):
            kind = "task_due_soon"
        elif task.due_date == today - timedelta(days=1):
            kind = "task_overdue"
        else:
            continue
        if _once(kind, task.id, user.id, today):
            services.notify([user], kind, _task_params(task, project_name), task.project_id)
            sent += 1
    return sent


def overdue_tasks_of(user, today: date) -> list[dict]:
    rows = db.session.execute(
        select(ChangeTask, Project.name).join(ProjectMember, ProjectMember.id == ChangeTask.owner_id)
        .join(Project, Project.id == ChangeTask.project_id)
        .where(ProjectMember.user_id == user.id, ChangeTask.status.in_(ACTIVE_TASK_STATUSES),
               ChangeTask.due_date < today, Project.archived_at.is_(None))
        .order_by(ChangeTask.due_date, ChangeTask.id)).all()
    return [{"title": task.title, "project": name, "due": task.due_date,
             "url": outbox.external_url("change.task_edit", project_id=task.project_id, task_id=task.id)}
            for task, name in rows]


# --------------------------------------------------------------------------- conditions of a sign-off


def condition_reminders(now: datetime) -> int:
    """Conditions due tomorrow and the ones overdue since yesterday, told once to their owners (their
    calendar), as for tasks."""
    utc_day = now.date()
    rows = db.session.execute(
        select(Condition, User, Project.name, Stage.name)
        .join(ProjectMember, ProjectMember.id == Condition.owner_id)
        .join(User, User.id == ProjectMember.user_id)
        .join(Project, Project.id == Condition.project_id)
        .join(Stage, Stage.id == Condition.stage_id)
        .where(Condition.status.in_(CONDITION_UNCLOSED),
               Condition.due_date.between(utc_day - timedelta(days=2), utc_day + timedelta(days=2)),
               Project.archived_at.is_(None), User.active.is_(True))).all()
    hours = _hours(user.id for _condition, user, _project, _stage in rows)
    sent = 0
    for condition, user, project_name, stage_name in rows:
        if not _due_hour(user, now, hours):
            continue
        today = local_now(user, now).date()
        if condition.due_date == today + timedelta(days=1):
            kind = "condition_due_soon"
        elif condition.due_date == today - timedelta(days=1):
            kind = "condition_overdue"
        else:
            continue
        if _once(kind, condition.id, user.id, today):
            services.notify([user], kind, {
                "project_id": condition.project_id, "project": project_name, "condition_id": condition.id,
                "text": condition.text, "stage_id": condition.stage_id, "stage": stage_name,
                "due": condition.due_date.isoformat()}, condition.project_id)
            sent += 1
    return sent


def overdue_conditions_of(user, today: date) -> list[dict]:
    rows = db.session.execute(
        select(Condition, Project.name).join(ProjectMember, ProjectMember.id == Condition.owner_id)
        .join(Project, Project.id == Condition.project_id)
        .where(ProjectMember.user_id == user.id, Condition.status.in_(CONDITION_UNCLOSED),
               Condition.due_date < today, Project.archived_at.is_(None))
        .order_by(Condition.due_date, Condition.id)).all()
    return [{"title": condition.text, "project": name, "due": condition.due_date,
             "url": outbox.external_url("conditions.index", project_id=condition.project_id)}
            for condition, name in rows]


# --------------------------------------------------------------------------- the adoption survey

SURVEY_REMINDER_DAYS = 3  # after the survey of a stage opened


def survey_reminders(now: datetime) -> int:
    """Members who have not answered the survey of their running stage (signed in) since its link opened,
    reminded once, SURVEY_REMINDER_DAYS after it opened, in the app only: the reminder says nothing
    about who answered, and no list of the people reminded is shown anywhere."""
    from planner.feedback.models import FeedbackResponse, SurveyLink
    from planner.notifications.listeners import survey_audience
    from planner.rollout.models import IN_PROGRESS_STATUSES

    links = db.session.execute(
        select(SurveyLink, Stage, Project.name).join(Stage, Stage.id == SurveyLink.stage_id)
        .join(Project, Project.id == SurveyLink.project_id)
        .where(SurveyLink.closed_at.is_(None), Stage.status.in_(IN_PROGRESS_STATUSES),
               Project.archived_at.is_(None), SurveyLink.created_at <= now - timedelta(days=SURVEY_REMINDER_DAYS - 1))
    ).all()
    sent = 0
    for link, stage, project_name in links:
        audience = survey_audience(link.project_id, stage)
        answered = set(db.session.scalars(select(FeedbackResponse.respondent_id).where(
            FeedbackResponse.stage_id == stage.id, FeedbackResponse.respondent_id.is_not(None),
            FeedbackResponse.submitted_at >= link.created_at)))
        hours = _hours(user.id for user in audience)
        for user in audience:
            if user.id in answered or not _due_hour(user, now, hours):
                continue
            today = local_now(user, now).date()
            opened = link.created_at.astimezone(timezone_of(user)).date()
            if (today - opened).days < SURVEY_REMINDER_DAYS:
                continue
            given = db.session.scalar(select(ReminderSent.id).where(
                ReminderSent.kind == "survey_reminder", ReminderSent.subject_id == link.id,
                ReminderSent.user_id == user.id))
            if given is not None or not _once("survey_reminder", link.id, user.id, today):
                continue
            services.notify([user], "survey_reminder", {
                "project_id": link.project_id, "project": project_name, "stage_id": stage.id,
                "stage": stage.name}, link.project_id)
            sent += 1
    return sent


# --------------------------------------------------------------------------- the daily digest


def digests(now: datetime) -> int:
    """Sends each person's digest once a day, at their hour (their time zone), when it has something:
    the notifications they chose to get this way, and their overdue tasks (unless they chose not to
    have overdue tasks in the digest)."""
    waiting = db.session.execute(select(Notification.user_id).where(
        Notification.delivery == Delivery.DIGEST, Notification.digested_at.is_(None)).distinct()).scalars().all()
    owners = db.session.execute(
        select(ProjectMember.user_id).join(ChangeTask, ChangeTask.owner_id == ProjectMember.id)
        .where(ChangeTask.status.in_(ACTIVE_TASK_STATUSES), ChangeTask.due_date < now.date() + timedelta(days=1))
        .distinct()).scalars().all()
    condition_owners = db.session.execute(
        select(ProjectMember.user_id).join(Condition, Condition.owner_id == ProjectMember.id)
        .where(Condition.status.in_(CONDITION_UNCLOSED), Condition.due_date < now.date() + timedelta(days=1))
        .distinct()).scalars().all()
    candidates = set(waiting) | set(owners) | set(condition_owners)
    if not candidates:
        return 0
    users = db.session.scalars(select(User).where(User.id.in_(candidates), User.active.is_(True))).all()
    settings = {row.user_id: row for row in db.session.scalars(select(DigestSetting).where(
        DigestSetting.user_id.in_(candidates)))}
    choices = services.choices_of(candidates)
    sent = 0
    for user in users:
        setting = settings.get(user.id)
        local = local_now(user, now)
        hour = setting.hour if setting is not None else DEFAULT_DIGEST_HOUR
        today = local.date()
        if local.hour < hour or (setting is not None and setting.last_sent_on == today):
            continue
        notifications = db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.delivery == Delivery.DIGEST,
            Notification.digested_at.is_(None)).order_by(Notification.created_at)).all()
        overdue = overdue_tasks_of(user, today) \
            if delivery_for("task_overdue", choices[user.id]) == Delivery.DIGEST else []
        late_conditions = overdue_conditions_of(user, today) \
            if delivery_for("condition_overdue", choices[user.id]) == Delivery.DIGEST else []
        if not notifications and not overdue and not late_conditions:
            continue
        if setting is None:
            setting = DigestSetting(user_id=user.id, hour=hour)
            db.session.add(setting)
            settings[user.id] = setting
        setting.last_sent_on = today
        for notification in notifications:
            notification.digested_at = now
        shown = [n for n in notifications if not (overdue and n.kind == "task_overdue")
                 and not (late_conditions and n.kind == "condition_overdue")]  # listed below anyway
        outbox.queue_digest(user, shown, overdue, today, late_conditions)
        sent += 1
    return sent


def stand_in_notices(now: datetime) -> int:
    """A stand-in whose dates have begun (on their sponsor's calendar) while a request waits for that
    sponsor is told of it, as of a new request, once: unless they were told already (when the request
    was opened, when they were named, when a chain's turn came)."""
    from planner.rollout.services import approvals as rules

    pending = db.session.execute(
        select(SignoffRequest, Project.name).join(Project, Project.id == SignoffRequest.project_id)
        .where(SignoffRequest.status == RequestStatus.PENDING, Project.archived_at.is_(None))).all()
    if not pending:
        return 0
    in_force = rules.active_stand_ins({request_.project_id for request_, _name in pending}, now)
    if not in_force:
        return 0
    told = {(user_id, (params or {}).get("request_id")) for user_id, params in db.session.execute(
        select(Notification.user_id, Notification.params).where(
            Notification.kind == "signoff_requested", Notification.user_id.in_({r.stand_in_id for r in in_force})))}
    sent = 0
    for request_, project_name in pending:
        rows = [row for row in in_force if row.project_id == request_.project_id]
        if not rows:
            continue
        recipients = {user.id: user for user in rules.expected_recipients(request_, now)}
        for row in rows:
            user = recipients.get(row.stand_in_id)
            if user is None or (user.id, request_.id) in told:
                continue
            if not _once("stand_in_signoff", request_.id, user.id, row.starts_on):
                continue
            stage = request_.stage
            services.notify([user], "signoff_requested", {
                "project_id": request_.project_id, "project": project_name, "stage_id": stage.id,
                "stage": stage.name, "request_id": request_.id, "actor": request_.requested_by_name or ""},
                request_.project_id)
            told.add((user.id, request_.id))
            sent += 1
    return sent


def run(now: datetime) -> dict:
    counts = {"signoff_reminders": signoff_reminders(now), "stand_in_notices": stand_in_notices(now),
              "task_reminders": task_reminders(now),
              "condition_reminders": condition_reminders(now), "survey_reminders": survey_reminders(now)}
    db.session.flush()
    counts["digests"] = digests(now)
    return counts
