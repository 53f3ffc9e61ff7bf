"""Webhooks: a project's managers register endpoints (a URL, the events it follows, a secret), and
every such event of the project is delivered there as a signed JSON POST by the worker.

- ``models``: endpoints and deliveries (one row per event and endpoint: the body as sent, the
  attempts, the last answer, the next retry).
- ``listeners``: other features' blinker signals turned into deliveries, in the transaction of the
  change (no feature imports this one); ``payloads`` writes what each event carries.
- ``signing``: the Standard Webhooks signature (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature: v1,<base64 HMAC-SHA256>``) and the ``whsec_`` secrets.
- ``addresses``: which URLs may be called (http/https, not the app itself, no private address unless
  ``WEBHOOKS_ALLOW_PRIVATE``), checked when an endpoint is saved and again, on the resolved
  addresses, at each delivery; ``sending``: the POST to the address that was checked.
- ``delivery``: one attempt, its outcome, the back-off (``RETRY_DELAYS``), disabling an endpoint
  that keeps failing or answers 410 (its owner is notified).
- ``services``: what the pages do (register, change, delete, enable, send a test, send again);
  ``tasks``: the worker's jobs.
"""
