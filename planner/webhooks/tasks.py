"""The worker's side of webhooks: one attempt per job, the retries planned on the queue, and a sweep
every minute for what is due (a retry the queue lost, a row the queue never got); the nightly purge
keeps the delivery log to KEEP_DAYS."""

import logging

from planner import jobs, logs
from planner.jobs import purge
from planner.webhooks import delivery
from planner.webhooks.models import DeliveryState


@jobs.task()  # never retried by the queue: the back-off is the delivery's own (delivery.RETRY_DELAYS)
def deliver(delivery_id: int) -> str | None:
    """Sends one delivery (queued after the commit that wrote it, or when its next attempt is due)."""
    state = delivery.attempt(delivery_id)
    if state == DeliveryState.PENDING:
        from planner.extensions import db
        from planner.webhooks.models import WebhookDelivery

        row = db.session.get(WebhookDelivery, delivery_id)
        wait = max(0.0, (row.next_attempt_at - row.last_attempt_at).total_seconds())
        try:
            deliver.schedule_in(wait, delivery_id)
        except Exception as exc:  # the queue is down: the minute's sweep finds the row
            logs.event("webhook.schedule_failed", logging.WARNING, logging.getLogger("planner.webhooks"),
                       delivery_id=delivery_id, error=type(exc).__name__)
    return state.value if state is not None else None


@jobs.periodic(hour="*", minute="*")
def deliver_due() -> int:
    """Every minute: the deliveries whose next attempt is due."""
    ids = delivery.due_ids()
    for delivery_id in ids:
        deliver.enqueue(delivery_id)
    return len(ids)


KEEP_DAYS = 90  # the delivery log keeps what was delivered or failed for this long


@purge.purges
def old_deliveries() -> dict:
    """Deliveries finished (delivered or failed) more than KEEP_DAYS ago leave the log."""
    from datetime import timedelta

    from sqlalchemy import delete

    from planner.db import utcnow
    from planner.extensions import db
    from planner.webhooks.models import WebhookDelivery

    result = db.session.execute(delete(WebhookDelivery).where(
        WebhookDelivery.state.in_([DeliveryState.SUCCEEDED, DeliveryState.FAILED]),
        WebhookDelivery.created_at < utcnow() - timedelta(days=KEEP_DAYS)))
    return {"webhook_deliveries": result.rowcount or 0}
