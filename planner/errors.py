"""Domain errors and the translated error pages."""

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from planner.i18n import lazy_gettext as _l


class DomainError(Exception):
    """A business rule refused the operation; ``message`` is a translatable, user-facing text."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role in this project does not allow this action.")),
    404: (_l("Not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("Someone changed this in the meantime. Reload the page and try again.")),
    413: (_l("File too large"), _l("The upload is larger than the limit of %(limit)s MB.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Wait a few minutes, then try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Try again in a moment.")),
}


# What only the API answers (planner/api), as problem details.
API_PROBLEMS = {
    401: (_l("Access token required"),
          _l("Send a valid personal access token: “Authorization: Bearer …”. Create one on your account page.")),
    412: (_l("Changed in the meantime"),
          _l("The resource changed since you read it. The current version is in “current”: apply your change "
             "to it and send its ETag in If-Match.")),
    422: (_l("Invalid request"), _l("Some values are missing or invalid; see “errors”.")),
    428: (_l("If-Match required"),
          _l("Send the ETag of the version you read in the If-Match header, so no one else's change is lost.")),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(code: int, detail=None, **members):
    """An RFC 9457 problem details answer (``application/problem+json``) in the reader's language."""
    title, message = API_PROBLEMS.get(code) or PAGES.get(code) or PAGES[500]
    if detail is None:
        from flask import current_app

        limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        detail = str(message) % {"limit": limit_mb}
    body = {"type": "about:blank", "title": str(title), "status": code, "detail": str(detail), **members}
    response = make_response(jsonify(body), code)
    response.mimetype = "application/problem+json"
    return response


def render_error(code: int, detail=None):
    if request.path.startswith("/api/"):
        return problem(code, str(detail) if detail else None)
    title, message = PAGES.get(code, PAGES[500])
    from flask import current_app

    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    text = str(detail) if detail else str(message) % {"limit": limit_mb}
    if _wants_json():
        return jsonify(error=str(title), message=text), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def init_app(app) -> None:
    for code in PAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda error, code=code: render_error(code, _description(error)))

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400, _("This form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(DomainError)
    def domain_error(error):
        """A refusal no view expected: nothing of the request is kept, and the reader sees why.
        Views that can answer better (a form error, a flash) use ``planner.transactions.saving``."""
        from planner.extensions import db

        db.session.rollback()
        return render_error(400, error.message)

    @app.errorhandler(500)
    def server_error(_error):
        from planner.extensions import db

        db.session.rollback()
        return render_error(500)


def _description(error):
    """Only our own translated descriptions are shown; Werkzeug's English defaults are not."""
    description = getattr(error, "description", None)
    if description is not None and getattr(error, "translated", False):
        return description
    return None
