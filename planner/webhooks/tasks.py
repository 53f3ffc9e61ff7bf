"""The worker's side of webhooks: one attempt per job, the retries planned on the queue, and a sweep
every minute for what is due (a retry the queue lost, a row the queue never got)."""

import logging

from planner import jobs, logs
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
