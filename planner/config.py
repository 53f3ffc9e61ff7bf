"""Configuration read from the environment.

PLANNER_ENV selects the profile: ``production`` (the default), ``development`` or ``testing``.
Outside development and testing a missing SECRET_KEY is a startup error.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(instance_path: Path) -> str:
    """A per-checkout key kept in instance/, so development sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path: Path, overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    env = overrides.pop("PLANNER_ENV", None) or os.environ.get("PLANNER_ENV", "production")
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"PLANNER_ENV must be production, development or testing, not {env!r}")

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'planner.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    secret = os.environ.get("SECRET_KEY") or overrides.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        secret = _development_secret(instance_path) if env == "development" else "testing-secret"

    config = {
        "PLANNER_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLALCHEMY_RECORD_QUERIES": False,
        # Sessions: server-side record per sign-in; the cookie only carries its id.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 60),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_MAX_HOURS", 12)),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        # Passwords: scrypt through Werkzeug.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:1"),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_FAILURE_WINDOW_SECONDS": _int("LOGIN_FAILURE_WINDOW_SECONDS", 900),
        "LOGIN_MAX_FAILURES_PER_IP": _int("LOGIN_MAX_FAILURES_PER_IP", 30),
        # Uploads (CSV/XLSX imports): a hard ceiling on the request body.
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 50) * 1024 * 1024,
        # CRM imports: the largest file accepted (at most MAX_UPLOAD_MB, which caps every request).
        "CRM_IMPORT_MAX_MB": _int("CRM_IMPORT_MAX_MB", 40),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_I18N_ENABLED": False,  # every validator message is ours, in our catalogue
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "SEND_FILE_MAX_AGE_DEFAULT": timedelta(hours=12),
        # Hashed, compressed copies of the static files (planner/assets.py); shared, content-addressed.
        "ASSET_CACHE": os.environ.get("ASSET_CACHE")
        or str(Path(__file__).resolve().parent.parent / "build" / "assets"),
        # Uploaded files: in the database unless UPLOAD_DIR names a (shared) folder; kept at most this long.
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", ""),
        "UPLOAD_MAX_AGE_HOURS": _int("UPLOAD_MAX_AGE_HOURS", 48),
        # A running job whose worker has not reported for this long is taken as lost (marked failed).
        "JOBS_STALE_SECONDS": _int("JOBS_STALE_SECONDS", 120),
        # Background jobs (planner.jobs): Redis when REDIS_URL is set, else SQLite in the instance folder.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "JOBS_IMMEDIATE": _bool("JOBS_IMMEDIATE", env == "testing"),
        "JOBS_WORKERS": _int("JOBS_WORKERS", 2),
        # The API (planner/api): requests per minute and per access token before a 429.
        "API_RATE_LIMIT": _int("API_RATE_LIMIT", 300),
        # Webhooks (planner/webhooks): events go only to public internet addresses unless an administrator
        # sets WEBHOOKS_ALLOW_PRIVATE (a receiver inside the company network, or a test on 127.0.0.1); each
        # attempt waits at most WEBHOOKS_TIMEOUT seconds per step; an endpoint is turned off after
        # WEBHOOKS_DISABLE_AFTER deliveries in a row failed every retry.
        "WEBHOOKS_ALLOW_PRIVATE": _bool("WEBHOOKS_ALLOW_PRIVATE", False),
        # How many rendered dashboard cards each process keeps (planner.dashboard.rendered; 0: none),
        # and for how many seconds at most (changes made outside the app show after that long).
        "DASHBOARD_CARDS_KEPT": _int("DASHBOARD_CARDS_KEPT", 5000),
        "DASHBOARD_CARDS_MAX_AGE": _int("DASHBOARD_CARDS_MAX_AGE", 300),
        "WEBHOOKS_TIMEOUT": _int("WEBHOOKS_TIMEOUT", 10),
        "WEBHOOKS_DISABLE_AFTER": _int("WEBHOOKS_DISABLE_AFTER", 5),
        # E-mail (Flask-Mailman's names). Without MAIL_SERVER nothing is sent: mail stays in the outbox,
        # where an administrator reads it. Links in mail start with BASE_URL (else SERVER_NAME and
        # PREFERRED_URL_SCHEME).
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Rollout <rollout@localhost>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 5),
        "MAIL_RETRY_SECONDS": _int("MAIL_RETRY_SECONDS", 60),
        "BASE_URL": os.environ.get("BASE_URL", "").rstrip("/")
        or ("http://127.0.0.1:5000" if env == "development" else ""),
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        # Logs: one line per event on stderr, "text" (readable) or "json" (one JSON object a line).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text").strip().lower(),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").strip().upper(),
    }
    if env == "production" and config["MAIL_SERVER"] and not (config["BASE_URL"] or config["SERVER_NAME"]):
        raise ConfigError("MAIL_SERVER is set but neither BASE_URL nor SERVER_NAME: e-mail could not link back "
                          "to the app. Set BASE_URL (for example https://rollout.example.com).")
    if config["LOG_FORMAT"] not in {"text", "json"}:
        raise ConfigError(f"LOG_FORMAT must be text or json, not {config['LOG_FORMAT']!r}")
    if env == "testing":
        config.update(
            TESTING=True,
            PASSWORD_HASH_METHOD="scrypt:1024:8:1",  # noqa: S106 - cheaper scrypt for tests
        )
    if database_url.startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    config.update(overrides)
    return config
