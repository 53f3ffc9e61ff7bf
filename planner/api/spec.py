"""The flask-smorest ``Api`` of the app: OpenAPI 3.1 at ``/api/v1/openapi.json``, bearer tokens as
the security scheme, every error documented and answered as RFC 9457 problem details."""

import http

from flask import g, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from planner.api.resources.common import N_, PROBLEM_TYPE, ProblemSchema
from planner.errors import problem
from planner.extensions import csrf
from planner.i18n import DEFAULT_LANGUAGE, LANGUAGES

PREFIX = "/api/v1"
DESCRIPTION = """The Rollout API: projects, their stages and sign-offs, tasks, KPIs and CRM records.

Authenticate with a personal access token (account page, or `flask tokens create EMAIL --scope read`)
sent as `Authorization: Bearer <token>`. A token acts with its user's roles in each project.
Errors are RFC 9457 problem details, in the language of `Accept-Language` (en, es, zh).
Changes need the ETag of the version they start from in `If-Match` (428 without it, 412 when stale).
"""


class RolloutApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """``planner.errors`` answers every error (problem details under /api/)."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE if status >= 400 else "application/json")
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": N_("An error, as RFC 9457 problem details"), "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app) -> Api:
    from planner.api import auth, locking
    from planner.api.resources import BLUEPRINTS

    app.config.setdefault("API_TITLE", "Rollout API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = RolloutApi(app, spec_kwargs={
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)  # only bearer tokens authenticate: a cookie alone is refused (401)
        api.register_blueprint(blueprint, url_prefix=PREFIX)
        # Hooks kept by this app (not on the shared blueprint), so several apps can live in one process.
        app.before_request_funcs.setdefault(blueprint.name, []).append(auth.authenticate)
        app.after_request_funcs.setdefault(blueprint.name, []).append(auth.note_use)
    app.extensions["rollout_api"] = api
    from planner.api.cli import tokens_cli

    app.cli.add_command(tokens_cli)

    @app.before_request
    def api_language():
        """Under /api/ the answer's language is the request's Accept-Language (English by default); the
        documentation page is a page like the others."""
        if request.path.startswith("/api/") and request.endpoint != "api_docs.docs":
            g.forced_locale = request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE

    @app.before_request
    def api_unknown_ids_are_not_found():
        """An id beyond what the database holds matches no route: a 404, even where another method of
        the same address exists (Werkzeug would answer 405, having matched the path for that method)."""
        error = request.routing_exception
        if isinstance(error, MethodNotAllowed) and request.path.startswith("/api/") and error.valid_methods:
            adapter = app.url_map.bind_to_environ(request.environ)
            try:
                adapter.match(method=sorted(error.valid_methods)[0])
            except NotFound:
                request.routing_exception = NotFound()
            except HTTPException:
                pass

    for code in (401, 412, 422, 428):
        app.register_error_handler(code, _api_only(code))
    app.register_error_handler(auth.ApiRefusal, lambda error: _api_only(error.code)(error))
    app.register_error_handler(locking.StaleVersion, locking.stale_response)
    return api


def _api_only(code: int):
    """These codes have no page of their own: problem details under /api/, Werkzeug's answer elsewhere."""

    def handle(error):
        if not request.path.startswith("/api/"):
            return error
        members = {}
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:
            members["errors"] = _field_errors(messages)
        detail = error.description if getattr(error, "translated", False) else None
        response = problem(code, detail, **members)
        for name, value in getattr(error, "extra_headers", {}).items():
            response.headers[name] = value
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    return handle


def _field_errors(messages) -> list[dict]:
    """webargs' messages ({location: {field: [English text]}}) as translated per-field errors."""
    from flask_babel import gettext as _

    found = []
    for location, by_field in messages.items():
        if not isinstance(by_field, dict):
            continue
        for name in by_field:
            found.append({"location": location, "field": str(name),
                          "detail": _("This value is not accepted here. The API documentation describes what "
                                      "the parameter takes.")})
    return found
