"""Rollout — the CRM implementation planner."""

import os
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BuildError, IntegerConverter

ROOT = Path(__file__).resolve().parent.parent
MAX_ID = 2**31 - 1  # the largest id an INTEGER key holds on PostgreSQL (SQLite's reach further)


def create_app(overrides: dict | None = None) -> Flask:
    from planner import assets, cli, compression, config, datastamp, errors, features, i18n, jobs, logs, once, security
    from planner.auth import sessions
    from planner.db import install_sqlite_pragmas
    from planner.extensions import babel, bootstrap, csrf, db, login_manager, mail, migrate

    app = Flask(
        __name__,
        instance_path=os.environ.get("PLANNER_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config.load(Path(app.instance_path), overrides))
    # Compression's after-request step is registered first so that it runs last, on the final body.
    compression.init_app(app)
    logs.init_app(app)  # first, so every line of a request carries its id
    app.url_map.converters["int"] = DatabaseIdConverter
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    features.import_models()
    db.init_app(app)
    with app.app_context():
        install_sqlite_pragmas(db.engine)
    datastamp.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)  # before CSRFProtect, so a refused form is answered in the chosen language
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    login_manager.user_loader(sessions.load_user)
    login_manager.unauthorized_handler(sessions.unauthorized)
    login_manager.session_protection = None  # sessions are server-side records, checked on every request

    errors.init_app(app)
    once.init_app(app)
    security.init_app(app)
    for module in features.modules("views"):
        app.register_blueprint(module.bp)
    cli.init_app(app)
    jobs.init_app(app)
    _template_helpers(app)
    assets.init_app(app)

    @app.before_request
    def load_signed_in_user():
        # Resolve the session first, so an expired one is noticed before the view runs.
        if request.endpoint not in ("static", "main.healthz", "bootstrap.static"):
            _ = current_user.is_authenticated

    return app


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: an id beyond what the database's integer keys can hold is simply
    not found (a 404), instead of overflowing in the driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def current_page_path() -> str | None:
    """The path of the page being shown, rebuilt from the matched route, never copied from the raw
    request path (which could be ``/%5Cevil.com/x``, read by browsers as another site). None when
    the request matched no route, or one that cannot be opened with GET."""
    rule = request.url_rule
    if rule is None or not request.endpoint or "GET" not in (rule.methods or ()):
        return None
    try:
        return url_for(request.endpoint, **(request.view_args or {}))
    except BuildError:
        return None


def url_with(**changes) -> str:
    """The current page's URL with some query arguments replaced (None removes one); the start
    page, keeping only the language, when there is no page to come back to."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    path = current_page_path()
    if path is None:
        path = url_for("main.home")
        args = {key: value for key, value in args.items() if key == "lang"}
    query = urlencode(args, doseq=True)
    return path + ("?" + query if query else "")


def switch_language_url(code: str) -> str:
    return url_with(lang=code)


def _template_helpers(app: Flask) -> None:
    # Globals, not context variables, so that imported macros see them too.
    app.jinja_env.globals["url_with"] = url_with
    from planner.urls import id_url

    app.jinja_env.globals["id_url"] = id_url
    app.jinja_env.globals["switch_language_url"] = switch_language_url
    from planner.forms import stated_limit

    app.jinja_env.globals["stated_limit"] = stated_limit

    from planner import nav
    from planner.main.views import plotly_url
    from planner.projects import registry
    from planner.projects.models import ProjectRole

    @app.context_processor
    def helpers():
        def _reader():
            membership = getattr(g, "membership", None)
            roles = membership.roles if membership else set()
            return roles, membership is None and current_user.is_authenticated and current_user.is_admin

        def project_tabs():
            roles, everything = _reader()
            return registry.visible_tabs(roles, everything)

        def project_nav(active=None):
            roles, everything = _reader()
            return registry.navigation(roles, active, request.endpoint, request.blueprint, everything)

        def has_project_role(role):
            membership = getattr(g, "membership", None)
            return membership is not None and membership.has(role)

        def nav_items():
            return nav.items_for(current_user) if current_user.is_authenticated else []

        return {
            "project_tabs": project_tabs,
            "project_nav": project_nav,
            "has_project_role": has_project_role,
            "ProjectRole": ProjectRole,
            "nav_items": nav_items,
            "plotly_url": plotly_url,
        }
