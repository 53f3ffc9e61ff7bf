"""The worker's side of notifications: sending the outbox, and the periodic sweeps."""

from planner import jobs
from planner.notifications import outbox


@jobs.task(retries=4, retry_delay=60)  # sending twice is prevented by the claim; a retry is harmless
def send_mail(mail_id: int) -> str | None:
    """Sends one mail of the outbox (queued after the commit that wrote it)."""
    state = outbox.send(mail_id)
    return state.value if state is not None else None


@jobs.periodic(hour="*", minute="*")
def send_due_mail() -> int:
    """Every minute: mail whose next attempt is due (after a failure, or a queue that was down)."""
    ids = outbox.due_ids()
    for mail_id in ids:
        send_mail.enqueue(mail_id)
    return len(ids)


@jobs.periodic(hour="*", minute=5)
def hourly() -> dict:
    """Every hour: sign-off and task reminders and the daily digests whose hour has come (each
    person's time zone); nothing twice for the same day."""
    from planner.db import utcnow
    from planner.extensions import db
    from planner.notifications import reminders

    counts = reminders.run(utcnow())
    db.session.commit()
    return counts
