"""Webhook endpoints and deliveries for tests, written directly (no address check, no job)."""

from datetime import timedelta

from planner.db import utcnow
from planner.extensions import db
from planner.webhooks import payloads, signing
from planner.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint


def make_endpoint(project, url="http://127.0.0.1:9/hook", events=("signoff.requested",), active=True,
                  created_by=None, secret=None) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(project_id=project.id, url=url, events=list(events), description="",
                               secret=secret or signing.new_secret(), active=active,
                               disabled_reason=None if active else DisabledReason.MANUAL,
                               disabled_at=None if active else utcnow(),
                               created_by_id=getattr(created_by, "id", None), created_at=utcnow())
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def make_delivery(endpoint, event="task.created", state=DeliveryState.FAILED, status=500) -> WebhookDelivery:
    moment = utcnow() - timedelta(hours=1)
    row = WebhookDelivery(project_id=endpoint.project_id, endpoint_id=endpoint.id, event=event,
                          message_id=signing.new_message_id(),
                          payload=payloads.body(event, moment, {"project_id": endpoint.project_id}),
                          state=state, attempts=1, created_at=moment, last_attempt_at=moment,
                          response_status=status, response_excerpt="服务器错误", error_code="status")
    db.session.add(row)
    db.session.flush()
    return row
