"""What the webhook pages do, and ``emit``: an event of a project becomes one delivery row per endpoint
that follows it, in the transaction of the change; the rows go to the worker once it commits.

Endpoints are changed by the project's managers only (the views check it); every change is in the
project's audit log, never with the secret.
"""

import logging

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import logs
from planner.api import events
from planner.audit.services import record, register
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.webhooks import addresses, payloads, signing
from planner.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("planner.webhooks")
PENDING_KEY = "webhooks.pending"  # delivery ids to hand to the worker after the commit
CACHE_KEY = "webhooks.endpoints"  # {project_id: [(endpoint id, events)]} of this transaction

register("webhook.created", _l("Added the webhook endpoint %(url)s."))
register("webhook.updated", _l("Changed the webhook endpoint %(url)s."))
register("webhook.deleted", _l("Deleted the webhook endpoint %(url)s."))
register("webhook.enabled", _l("Turned on the webhook endpoint %(url)s."))
register("webhook.disabled", _l("Turned off the webhook endpoint %(url)s."))
register("webhook.secret_revealed", _l("Looked at the secret of the webhook endpoint %(url)s."))
register("webhook.secret_rotated", _l("Gave the webhook endpoint %(url)s a new secret."))


# --------------------------------------------------------------------------- events → deliveries


def _followers(project_id: int) -> list[tuple[int, list]]:
    cache = db.session.info.setdefault(CACHE_KEY, {})
    if project_id not in cache:
        cache[project_id] = [(row.id, list(row.events or [])) for row in db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.project_id == project_id,
                                          WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id))]
    return cache[project_id]


def _forget_endpoints() -> None:
    db.session.info.pop(CACHE_KEY, None)


def emit(project_id: int, event: str, data) -> list[WebhookDelivery]:
    """One delivery per active endpoint of the project that follows ``event`` (none: nothing is written).
    ``data`` is the event's data, or a function giving it (called only when an endpoint follows the
    event). The endpoints share the message's id; each gets the same body, signed with its own secret."""
    targets = [endpoint_id for endpoint_id, chosen in _followers(project_id) if event in chosen]
    if not targets:
        return []
    now = utcnow()
    body = payloads.body(event, now, data() if callable(data) else data)
    message_id = signing.new_message_id()
    rows = [WebhookDelivery(project_id=project_id, endpoint_id=endpoint_id, event=event, message_id=message_id,
                            payload=body, state=DeliveryState.PENDING, created_at=now, next_attempt_at=now)
            for endpoint_id in targets]
    return _queued(rows)


def _queued(rows: list[WebhookDelivery]) -> list[WebhookDelivery]:
    db.session.add_all(rows)
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).extend(row.id for row in rows)
    return rows


@sa_event.listens_for(Session, "after_commit")
def _hand_over(session):
    session.info.pop(CACHE_KEY, None)
    ids = session.info.pop(PENDING_KEY, None)
    if not ids:
        return
    from planner.webhooks.tasks import deliver

    for delivery_id in ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception as exc:  # the queue is down: the row stays pending, deliver_due finds it
            logs.event("webhook.enqueue_failed", logging.WARNING, log, delivery_id=delivery_id,
                       error=type(exc).__name__)


@sa_event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(PENDING_KEY, None)
    session.info.pop(CACHE_KEY, None)


# --------------------------------------------------------------------------- endpoints


def endpoints_of(project) -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.project_id == project.id)
                                   .order_by(WebhookEndpoint.id)))


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    try:
        addresses.check(url)
    except addresses.Refused as refused:
        raise DomainError(refused.message) from refused
    return url


def _checked_events(chosen) -> list[str]:
    chosen = [name for name in events.ALL if name in set(chosen or [])]
    if not chosen:
        raise DomainError(_l("Choose at least one event to send."))
    return chosen


def create_endpoint(project, url: str, chosen_events, description: str = "", user=None) -> WebhookEndpoint:
    """Registers an endpoint with a new secret; refused for an address that may not receive events."""
    endpoint = WebhookEndpoint(project_id=project.id, url=_checked_url(url), events=_checked_events(chosen_events),
                               description=(description or "").strip(), secret=signing.new_secret(), active=True,
                               created_by_id=getattr(user, "id", None), created_at=utcnow())
    db.session.add(endpoint)
    db.session.flush()
    record("webhook.created", project=project, target=endpoint, actor=user, url=endpoint.url,
           events=endpoint.events)
    _forget_endpoints()
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, url: str, chosen_events, description: str = "", user=None) -> list:
    url = url.strip()
    fields = {"url": _checked_url(url) if url != endpoint.url else url, "events": _checked_events(chosen_events),
              "description": (description or "").strip()}
    changed = [key for key, value in fields.items() if getattr(endpoint, key) != value]
    for key in changed:
        setattr(endpoint, key, fields[key])
    if changed:
        record("webhook.updated", project=endpoint.project_id, target=endpoint, actor=user, url=endpoint.url,
               fields=changed)
        _forget_endpoints()
    return changed


def delete_endpoint(endpoint: WebhookEndpoint, user=None) -> None:
    record("webhook.deleted", project=endpoint.project_id, target=endpoint, actor=user, url=endpoint.url)
    db.session.delete(endpoint)
    _forget_endpoints()


def enable(endpoint: WebhookEndpoint, user=None) -> bool:
    """Turns the endpoint on again (its failure count starts over); False when it was on."""
    if endpoint.active:
        return False
    endpoint.active = True
    endpoint.disabled_reason = None
    endpoint.disabled_at = None
    endpoint.failed_in_a_row = 0
    record("webhook.enabled", project=endpoint.project_id, target=endpoint, actor=user, url=endpoint.url)
    _forget_endpoints()
    return True


def disable(endpoint: WebhookEndpoint, reason: DisabledReason, user=None) -> bool:
    """Turns the endpoint off: no new deliveries, and those waiting fail at their turn. False when it was off."""
    if not endpoint.active:
        return False
    endpoint.active = False
    endpoint.disabled_reason = reason
    endpoint.disabled_at = utcnow()
    if reason == DisabledReason.MANUAL:
        record("webhook.disabled", project=endpoint.project_id, target=endpoint, actor=user, url=endpoint.url)
    _forget_endpoints()
    return True


def reveal_secret(endpoint: WebhookEndpoint, user=None) -> str:
    record("webhook.secret_revealed", project=endpoint.project_id, target=endpoint, actor=user, url=endpoint.url)
    return endpoint.secret


def rotate_secret(endpoint: WebhookEndpoint, user=None) -> str:
    """A new secret at once: deliveries from now on (retries included) are signed with it."""
    endpoint.secret = signing.new_secret()
    record("webhook.secret_rotated", project=endpoint.project_id, target=endpoint, actor=user, url=endpoint.url)
    return endpoint.secret


# --------------------------------------------------------------------------- the delivery log


def deliveries_query(endpoint: WebhookEndpoint):
    """The endpoint's deliveries, newest first (to paginate)."""
    return (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()))


def delivery_of(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    return db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                           WebhookDelivery.endpoint_id == endpoint.id))


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event for this endpoint alone, sent by the worker like any other."""
    if not endpoint.active:
        raise DomainError(_l("This endpoint is turned off. Turn it on to send it a test event."))
    now = utcnow()
    row = WebhookDelivery(project_id=endpoint.project_id, endpoint_id=endpoint.id, event=events.TEST, test=True,
                          message_id=signing.new_message_id(), payload=payloads.body(events.TEST, now,
                                                                                     payloads.test(endpoint)),
                          state=DeliveryState.PENDING, created_at=now, next_attempt_at=now)
    return _queued([row])[0]


def send_again(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
    """A new round of attempts for a delivered or failed event: the same body and webhook-id (a receiver
    that already handled it can tell), signed anew."""
    if not endpoint.active:
        raise DomainError(_l("This endpoint is turned off. Turn it on to send events to it again."))
    if delivery.state in (DeliveryState.PENDING, DeliveryState.SENDING):
        raise DomainError(_l("This event is still on its way: its next attempt is already planned."))
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.claimed_at = None
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).append(delivery.id)
