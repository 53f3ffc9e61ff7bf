"""URLs of many rows and of the project navigation: ``id_url(endpoint, name, value, **values)`` is
``url_for(endpoint, **values, name=value)`` for an integer ``value``, with the rest of the URL built
once.

A list of fifty accounts or a dashboard of fifty projects links each row to the same endpoint with
only an id changing, and every project page links to its twenty-odd tabs; ``url_for`` would match
the rule and encode every argument each time. The first call builds the URL with a placeholder id
and keeps the text around it, per process, for the address the request came to (its scheme, host
and script root are the URL's when it is external).
"""

from flask import url_for

try:  # the request context straight from its context variable: no proxy in the hot path
    from flask.globals import _cv_request

    def _request_context():
        return _cv_request.get(None)
except ImportError:  # pragma: no cover - another Flask version: url_for every time
    def _request_context():
        return None

PLACEHOLDER = 918_273_645_546_372_819


STORE_SIZE = 5_000  # URL shapes kept per process; a full store starts again empty (the host is the client's)
_AROUND: dict[tuple, tuple[str, ...]] = {}


def id_url(endpoint: str, name: str, value, **values) -> str:
    context = _request_context()
    if type(value) is not int or context is None:
        return url_for(endpoint, **values, **{name: value})
    key = (id(context.app), context.request.root_url, endpoint, name, *sorted(values.items()))
    around = _AROUND.get(key)
    if around is None:
        built = url_for(endpoint, **values, **{name: PLACEHOLDER})
        parts = built.split(str(PLACEHOLDER))
        if len(_AROUND) >= STORE_SIZE:
            _AROUND.clear()
        around = _AROUND[key] = tuple(parts) if len(parts) == 2 else ()
    if not around:
        return url_for(endpoint, **values, **{name: value})
    return f"{around[0]}{value}{around[1]}"
