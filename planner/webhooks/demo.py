"""Demo webhooks: each demo project has one endpoint, registered by its project manager for the team
chat, with a short delivery log built from the project's real sign-off history: delivered at the
first attempt, delivered on the second after an error answer, a test event, and finally a test event
the chat answered 410 Gone — so Rollout turned the endpoint off and told the manager. Being off, it
sends nothing: the demo makes no network traffic (its addresses end in .example, which never resolves,
if someone turns one on). Loaded once per project."""

from datetime import timedelta

from sqlalchemy import exists, select

from planner.api import events
from planner.auth.models import User
from planner.db import utcnow
from planner.extensions import db
from planner.rollout.models import SignoffRequest
from planner.webhooks import notices, payloads, signing
from planner.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint

ORDER = 96  # after the notifications (95): the notice of the endpoint turned off is its own

SETUP = {
    "en": ("https://chat.meridian-freight.example/hooks/rollout", "Sign-offs to the #crm-rollout channel",
           "Channel archived", "ok"),
    "es": ("https://avisos.distribuciones-alba.example/rollout", "Aprobaciones al canal del equipo de ventas",
           "Canal archivado", "recibido"),
    "zh": ("https://im.huaxin-appliances.example/webhook/rollout", "签核消息推送到实施项目群",
           "群聊已解散", "已接收"),
}


def _row(endpoint, event, moment, data, message_id=None, **fields) -> WebhookDelivery:
    row = WebhookDelivery(project_id=endpoint.project_id, endpoint_id=endpoint.id, event=event,
                          message_id=message_id or signing.new_message_id(), payload=payloads.body(event, moment, data),
                          created_at=moment, last_attempt_at=moment, next_attempt_at=None, **fields)
    db.session.add(row)
    return row


def _user(user_id):
    return db.session.get(User, user_id) if user_id else None


def _as_requested(request_) -> dict:
    """The event's data as it was when the request was opened: pending, the stage awaiting its sign-off."""
    data = payloads.signoff(request_, _user(request_.requested_by_id))
    data["signoff_request"].update(status="pending", closed_at=None, decision=None)
    data["stage"].update(status="awaiting_signoff")
    return data


def _load(project, manager, language) -> None:
    url, description, gone, ok = SETUP[language]
    requests = db.session.scalars(select(SignoffRequest).where(SignoffRequest.project_id == project.id)
                                  .order_by(SignoffRequest.requested_at.desc(), SignoffRequest.id.desc())).all()
    # The latest request that was decided (both of its events are in the log), else the latest one.
    request_ = next((found for found in requests if found.decision is not None), requests[0] if requests else None)
    now = utcnow()
    start = (request_.requested_at if request_ else now - timedelta(days=10)) - timedelta(days=2)
    endpoint = WebhookEndpoint(project_id=project.id, url=url, description=description, secret=signing.new_secret(),
                               events=[events.SIGNOFF_REQUESTED, events.SIGNOFF_DECIDED],
                               active=True, created_by_id=manager.id, created_at=start, updated_at=start)
    db.session.add(endpoint)
    db.session.flush()
    done = {"state": DeliveryState.SUCCEEDED, "attempts": 1, "response_status": 200, "response_excerpt": ok,
            "duration_ms": 180}
    _row(endpoint, events.TEST, start + timedelta(minutes=3), payloads.test(endpoint), test=True,
         **{**done, "response_status": 204, "response_excerpt": ""})
    last = start + timedelta(minutes=3)
    if request_ is not None:
        _row(endpoint, events.SIGNOFF_REQUESTED, request_.requested_at, _as_requested(request_), **done)
        last = request_.requested_at
        if request_.decision is not None:
            decided = request_.decision.decided_at
            # The chat was briefly down: the first attempt got 503, the retry 5 seconds later went through.
            _row(endpoint, events.SIGNOFF_DECIDED, decided, payloads.signoff(
                request_, _user(request_.decision.decided_by_id), decision=request_.decision),
                 **{**done, "attempts": 2, "duration_ms": 240}).last_attempt_at = decided + timedelta(seconds=5)
            last = decided + timedelta(seconds=5)
    closed = max(last + timedelta(days=1), now - timedelta(days=2))
    _row(endpoint, events.TEST, closed, payloads.test(endpoint), test=True, state=DeliveryState.FAILED, attempts=1,
         response_status=410, response_excerpt=gone, error_code="gone", duration_ms=95)
    endpoint.active = False
    endpoint.disabled_reason = DisabledReason.GONE
    endpoint.disabled_at = closed
    endpoint.last_success_at = last
    db.session.flush()
    for notification in notices.turned_off(endpoint):
        notification.created_at = closed


def load(ctx) -> None:
    manager = ctx.users["pm@example.com"]
    for language, project in ctx.projects.items():
        if language not in SETUP or db.session.scalar(select(exists().where(WebhookEndpoint.project_id == project.id))):
            continue
        _load(project, manager, language)
        db.session.flush()
        ctx.note(f"webhooks {language}")

