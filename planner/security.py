"""Security headers and the session cookie's Secure flag."""

from flask import request
from flask.sessions import SecureCookieSessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Plotly sets inline styles on the SVG it draws; scripts stay strictly same-origin.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Static files and vendor bundles: the same for everyone, cacheable even when someone is signed in.
PUBLIC_ASSETS = {"static", "bootstrap.static", "main.plotly_js", "main.plotly_locale", "main.healthz"}


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        try:
            return request.is_secure
        except RuntimeError:  # outside a request
            return False


def init_app(app) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint not in PUBLIC_ASSETS and (_signed_in() or response.is_json):
            # Whatever a signed-in person is shown (pages, exports, JSON) stays out of every cache.
            headers["Cache-Control"] = "no-store"
        elif response.mimetype == "text/html" or response.is_json:
            headers.setdefault("Cache-Control", "no-store")
        return response


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(current_user.is_authenticated)
