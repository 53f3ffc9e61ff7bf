"""URLs of many rows: ``id_url(endpoint, name, value, **values)`` is ``url_for(endpoint, **values,
name=value)`` for an integer ``value``, with the rest of the URL built once per request.

A list of fifty accounts or a dashboard of fifty projects links each row to the same endpoint with
only an id changing; ``url_for`` would match the rule and encode every argument fifty times. The
first call builds the URL with a placeholder id and keeps the text around it for the request.
"""

from flask import has_request_context, request, url_for

try:  # the request context straight from its context variable: no proxy in the hot path
    from flask.globals import _cv_request

    def _request_context():
        return _cv_request.get(None)
except ImportError:  # pragma: no cover - another Flask version: through the public proxy
    def _request_context():
        return request._get_current_object() if has_request_context() else None

PLACEHOLDER = 918_273_645_546_372_819


def id_url(endpoint: str, name: str, value, **values) -> str:
    if type(value) is not int:
        return url_for(endpoint, **values, **{name: value})
    context = _request_context()  # kept with the request (its host and scheme are the URL's)
    store = context.__dict__.setdefault("planner_id_urls", {}) if context is not None else {}
    key = (endpoint, name, *sorted(values.items()))
    around = store.get(key)
    if around is None:
        built = url_for(endpoint, **values, **{name: PLACEHOLDER})
        parts = built.split(str(PLACEHOLDER))
        around = store[key] = tuple(parts) if len(parts) == 2 else ()
    if not around:
        return url_for(endpoint, **values, **{name: value})
    return f"{around[0]}{value}{around[1]}"
