"""The JSON API under ``/api/v1/`` (flask-smorest; OpenAPI 3.1 at ``/api/v1/openapi.json``).

- ``spec``: the Api object, its OpenAPI settings and the problem-details error responses.
- ``auth``: personal access tokens (``Authorization: Bearer``), scopes and the per-token rate limit.
- ``access``: the same per-project roles as the web pages (``in_project``).
- ``locking``: versions as ETags, If-Match (428 without, 412 when stale).
- ``resources/``: one module per area (projects, CRM records…), each a smorest Blueprint.
- ``events``: the names of the events integrations can follow (for the webhooks to come).
- ``views``: the documentation page, rendered from the OpenAPI document.
"""
