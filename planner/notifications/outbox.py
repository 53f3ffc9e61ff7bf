"""The outbox: each e-mail is a row, written in its recipient's language and time zone when it is
queued, then sent by the worker (``tasks.send_mail``) through SMTP (Flask-Mailman).

States: queued → sending → sent; a failed attempt goes back to queued with its error and a later
``next_attempt_at`` (``tasks.send_due_mail`` picks it up again), until ``MAIL_MAX_ATTEMPTS`` attempts
have failed (failed, kept with the last error). Without ``MAIL_SERVER`` a mail is kept (not sent)
and an administrator reads it on the outbox page. A mail is claimed with a conditional UPDATE, so
two workers never send it twice.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from planner import logs
from planner.db import utcnow
from planner.extensions import db, mail
from planner.notifications import kinds, unsubscribe
from planner.notifications.models import MailState, Notification, OutboxMail
from planner.notifications.reader import language_of, reading_as

log = logging.getLogger("planner.notifications")
PENDING_KEY = "notifications.outbox"
ERROR_CHARS = 1000


# --------------------------------------------------------------------------- links


def base_url() -> str:
    """Where links in mail point: BASE_URL, else SERVER_NAME with PREFERRED_URL_SCHEME, else (in a
    request) the address this request came to."""
    config = current_app.config
    if config.get("BASE_URL"):
        return config["BASE_URL"].rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://localhost"


def external_url(endpoint: str, **values) -> str:
    """An absolute address of ``endpoint`` under ``base_url()``, inside a request or not."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


# --------------------------------------------------------------------------- queueing


def _new_row(user, kind: str) -> OutboxMail:
    row = OutboxMail(user_id=user.id, to_address=user.email, language=language_of(user), kind=kind, subject="",
                     text_body="", html_body="", state=MailState.QUEUED, created_at=utcnow(), next_attempt_at=utcnow())
    db.session.add(row)
    db.session.flush()  # the id goes into the unsubscribe link
    return row


def _fill(row: OutboxMail, subject: str, context: dict) -> OutboxMail:
    row.subject = " ".join(subject.split())[:300]
    row.text_body = render_template("notifications/mail/message.txt", **context)
    row.html_body = render_template("notifications/mail/message.html", **context)
    row.unsubscribe_url = context["unsubscribe_url"]
    db.session.info.setdefault(PENDING_KEY, []).append(row.id)
    return row


def _item(notification: Notification) -> dict:
    target = kinds.target(notification)
    return {"text": kinds.text(notification), "when": notification.created_at,
            "url": external_url(target[0], **target[1]) if target else external_url("notifications.index")}


def _context(user, row: OutboxMail, **extra) -> dict:
    return {"user": user, "unsubscribe_url": external_url("notifications.unsubscribe",
                                                          token=unsubscribe.token(user, row.kind, row.id)),
            "preferences_url": external_url("notifications.preferences"),
            "notifications_url": external_url("notifications.index"), **extra}


def queue_notification(user, notification: Notification) -> OutboxMail:
    """Queues the e-mail of one notification, written for ``user``."""
    row = _new_row(user, notification.kind)
    with reading_as(user):
        item = _item(notification)
        context = _context(user, row, items=[item], digest=False, overdue=[],
                           kind_label=kinds.KINDS[notification.kind].label)
        return _fill(row, item["text"], context)


def queue_digest(user, notifications: list[Notification], overdue: list[dict], day,
                 overdue_conditions: list[dict] = ()) -> OutboxMail:
    """Queues ``user``'s daily digest: the notifications they chose to get this way, their overdue
    tasks and their overdue conditions of a sign-off (each ``{"title", "project", "due", "url"}``)."""
    row = _new_row(user, unsubscribe.DIGEST)
    with reading_as(user):
        items = [_item(n) for n in notifications]
        context = _context(user, row, items=items, overdue=overdue, digest=True, day=day, kind_label=None,
                           overdue_conditions=list(overdue_conditions))
        return _fill(row, _("Your Rollout digest for %(day)s", day=_format_day(day)), context)


def _format_day(day) -> str:
    from planner.formatting import formats

    return formats().date(day, "long")


# Mail queued in a transaction goes to the worker once that transaction commits (never before:
# the worker would not find the row; never for a transaction rolled back).
@event.listens_for(Session, "after_commit")
def _hand_over(session):
    ids = session.info.pop(PENDING_KEY, None)
    if not ids:
        return
    from planner.notifications.tasks import send_mail

    for mail_id in ids:
        try:
            send_mail.enqueue(mail_id)
        except Exception as exc:  # the queue is down: the row stays queued, send_due_mail finds it
            logs.event("mail.enqueue_failed", logging.WARNING, log, mail_id=mail_id, error=type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(PENDING_KEY, None)


# --------------------------------------------------------------------------- sending


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def server_label() -> str:
    config = current_app.config
    return f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}" if config.get("MAIL_SERVER") else ""


def claim(mail_id: int) -> OutboxMail | None:
    """Takes a queued mail for sending (committed), or None when another worker has it or it is done."""
    result = db.session.execute(update(OutboxMail).where(
        OutboxMail.id == mail_id, OutboxMail.state == MailState.QUEUED).values(
        state=MailState.SENDING, claimed_at=utcnow()))
    db.session.commit()
    if not result.rowcount:
        return None
    return db.session.get(OutboxMail, mail_id)


def deliver(row: OutboxMail) -> None:
    """Sends one mail through SMTP: plain text with an HTML alternative."""
    config = current_app.config
    connection = mail.get_connection(
        backend="smtp", host=config["MAIL_SERVER"], port=config["MAIL_PORT"], username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"], use_tls=config["MAIL_USE_TLS"], use_ssl=config["MAIL_USE_SSL"],
        timeout=config["MAIL_TIMEOUT"])
    headers = {"Auto-Submitted": "auto-generated"}
    if row.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
    message = EmailMultiAlternatives(row.subject, row.text_body, config["MAIL_DEFAULT_SENDER"], [row.to_address],
                                     headers=headers, connection=connection)
    message.attach_alternative(row.html_body, "text/html")
    message.send()


def send(mail_id: int) -> MailState | None:
    """Sends a queued mail (the job's work). On failure the error is recorded and the mail waits for
    its next attempt (or is failed after the last one); the exception is raised again."""
    row = claim(mail_id)
    if row is None:
        return None
    if not configured():
        row.state = MailState.KEPT
        db.session.commit()
        return row.state
    try:
        deliver(row)
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(OutboxMail, mail_id)
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        last = row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
        row.state = MailState.FAILED if last else MailState.QUEUED
        delay = current_app.config["MAIL_RETRY_SECONDS"] * row.attempts
        row.next_attempt_at = None if last else utcnow() + timedelta(seconds=delay)
        db.session.commit()
        logs.event("mail.failed", logging.WARNING, log, mail_id=mail_id, attempts=row.attempts,
                   error=type(exc).__name__, final=last)
        raise
    row.attempts += 1
    row.state = MailState.SENT
    row.sent_at = utcnow()
    row.last_error = ""
    db.session.commit()
    logs.event("mail.sent", logging.INFO, log, mail_id=mail_id, kind=row.kind)
    return row.state


def due_ids(limit: int = 200) -> list[int]:
    """Queued mail whose (next) attempt is due, and mail a lost worker left half-sent."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    db.session.execute(update(OutboxMail).where(OutboxMail.state == MailState.SENDING,
                                                OutboxMail.claimed_at < stale).values(state=MailState.QUEUED))
    db.session.commit()
    return list(db.session.scalars(select(OutboxMail.id).where(
        OutboxMail.state == MailState.QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id).limit(limit)))


def retry(row: OutboxMail) -> None:
    """An administrator sends a failed mail again (a fresh round of attempts)."""
    row.state = MailState.QUEUED
    row.attempts = 0
    row.next_attempt_at = utcnow()
    db.session.info.setdefault(PENDING_KEY, []).append(row.id)


def listing_query():
    return select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
