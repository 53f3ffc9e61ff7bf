"""One attempt of one delivery (the worker's work), its outcome, and what follows from it.

- A 2xx answer delivers it; the endpoint's failures in a row start over.
- 410 Gone: the receiver says it wants no more events. The delivery fails at once and the endpoint is
  turned off, its owner notified.
- Anything else (another status, no answer in ``WEBHOOKS_TIMEOUT`` seconds, a refused connection, an
  address that may not be called): the next attempt waits ``RETRY_DELAYS`` — 5 s, 5 min, 30 min, 2 h,
  5 h, 10 h and 10 h, eight attempts over about 28 hours. After the last one the delivery has failed;
  when ``WEBHOOKS_DISABLE_AFTER`` deliveries in a row have failed so, the endpoint is turned off and its
  owner notified.

A delivery is claimed with a conditional UPDATE (pending and due → sending), so two workers never send
it twice; one a lost worker left sending is taken back by ``due_ids``.
"""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from planner import logs
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import lazy_gettext as _l
from planner.webhooks import addresses, sending, signing
from planner.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("planner.webhooks")

RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)  # seconds, after attempt 1, 2, …
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EARLY = timedelta(seconds=2)  # a job the queue starts a moment before the row's time still runs


def errors() -> dict:
    """Why an attempt got no usable answer, by ``error_code`` (the refusals of ``addresses`` besides)."""
    return {
        "timeout": _l("The receiver did not answer in time."),
        "connection": _l("No connection could be made to the receiver."),
        "tls": _l("The secure connection failed (the certificate or the TLS handshake)."),
        "status": _l("The receiver answered with an error status."),
        "gone": _l("The receiver answered 410 Gone: it wants no more events, so the endpoint was turned off."),
        "disabled": _l("The endpoint was turned off before this could be sent."),
    }


def error_text(delivery: WebhookDelivery) -> str:
    """The reason of the last failed attempt, in the reader's language ('' when there is none)."""
    code = delivery.error_code
    if not code:
        return ""
    known = errors()
    if code in known:
        return str(known[code])
    if code.startswith("refused_"):
        return str(addresses.message(code.removeprefix("refused_"), _detail_values(delivery.error_detail)))
    return code


def _detail_values(detail: str) -> dict:
    host, _, address = (detail or "").partition(" ")
    return {"host": host, "address": address}


def claim(delivery_id: int) -> WebhookDelivery | None:
    now = utcnow()
    result = db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.state == DeliveryState.PENDING,
        WebhookDelivery.next_attempt_at <= now + EARLY).values(state=DeliveryState.SENDING, claimed_at=now))
    db.session.commit()
    if not result.rowcount:
        return None
    return db.session.get(WebhookDelivery, delivery_id)


def attempt(delivery_id: int) -> DeliveryState | None:
    """Sends the delivery once if it is due and nobody else has it; records the outcome (committed) and,
    when another attempt follows, returns with the row pending and its ``next_attempt_at`` set."""
    row = claim(delivery_id)
    if row is None:
        return None
    endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
    row.last_attempt_at = utcnow()
    if endpoint is None or not endpoint.active:
        _close(row, DeliveryState.FAILED, error_code="disabled")
        db.session.commit()
        return row.state
    row.attempts += 1
    config = current_app.config
    try:
        target = addresses.check(endpoint.url)
        timestamp = int(row.last_attempt_at.timestamp())
        answer = sending.post(target, row.payload.encode("utf-8"),
                              signing.headers(endpoint.secret, row.message_id, timestamp, row.payload),
                              timeout=float(config["WEBHOOKS_TIMEOUT"]))
    except addresses.Refused as refused:
        detail = " ".join(filter(None, (refused.detail.get("host", ""), refused.detail.get("address", ""))))
        _failed(row, endpoint, f"refused_{refused.code}", detail)
    except sending.SendError as error:
        row.duration_ms = error.duration_ms
        _failed(row, endpoint, error.code, error.detail)
    else:
        row.response_status, row.response_excerpt, row.duration_ms = answer.status, answer.excerpt, answer.duration_ms
        if 200 <= answer.status < 300:
            _close(row, DeliveryState.SUCCEEDED)
            endpoint.failed_in_a_row = 0
            endpoint.last_success_at = row.last_attempt_at
        elif answer.status == 410:
            _close(row, DeliveryState.FAILED, error_code="gone")
            _turn_off(endpoint, DisabledReason.GONE)
        else:
            _failed(row, endpoint, "status", f"HTTP {answer.status}", keep_answer=True)
    db.session.commit()
    logs.event("webhook.attempt", logging.INFO, log, delivery_id=row.id, endpoint_id=endpoint.id, event=row.event,
               attempt=row.attempts, state=row.state.value, status=row.response_status or "", error=row.error_code)
    return row.state


def _close(row: WebhookDelivery, state: DeliveryState, error_code: str = "", error_detail: str = "") -> None:
    row.state = state
    row.next_attempt_at = None
    row.claimed_at = None
    row.error_code, row.error_detail = error_code, error_detail[:300]


def _failed(row: WebhookDelivery, endpoint: WebhookEndpoint, code: str, detail: str, keep_answer=False) -> None:
    if not keep_answer:
        row.response_status, row.response_excerpt = None, ""
    if row.attempts < MAX_ATTEMPTS:
        row.state = DeliveryState.PENDING
        row.next_attempt_at = row.last_attempt_at + timedelta(seconds=RETRY_DELAYS[row.attempts - 1])
        row.claimed_at = None
        row.error_code, row.error_detail = code, detail[:300]
        return
    _close(row, DeliveryState.FAILED, code, detail)
    db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(
        failed_in_a_row=WebhookEndpoint.failed_in_a_row + 1))
    db.session.refresh(endpoint, ["failed_in_a_row"])
    if endpoint.failed_in_a_row >= current_app.config["WEBHOOKS_DISABLE_AFTER"]:
        _turn_off(endpoint, DisabledReason.FAILING)


def _turn_off(endpoint: WebhookEndpoint, reason: DisabledReason) -> None:
    from planner.webhooks import notices, services

    if services.disable(endpoint, reason):
        notices.turned_off(endpoint)
        logs.event("webhook.disabled", logging.WARNING, log, endpoint_id=endpoint.id, reason=reason.value)


def due_ids(limit: int = 200) -> list[int]:
    """Pending deliveries whose attempt is due, after taking back those a lost worker left sending."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.claimed_at < stale).values(
        state=DeliveryState.PENDING, next_attempt_at=now))
    db.session.commit()
    return list(db.session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.state == DeliveryState.PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
