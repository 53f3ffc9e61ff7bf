"""Application logging: one line per event, readable by default, JSON lines with ``LOG_FORMAT=json``.

Log an event with ``logs.event("auth.login.failed", user_id=7, ip="…")``: the name says what
happened, the fields are plain values. Never pass a password, a token, an e-mail body or a comment
someone wrote (tests/test_logs.py checks). Every line written while a request is served carries
that request's id (``X-Request-ID``, taken from a trusted proxy or made here, and sent back in the
response); every line written by a job carries the job's id.
"""

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

log = logging.getLogger("planner")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def event(name: str, level: int = logging.INFO, logger: logging.Logger | None = None, **fields) -> None:
    """Logs one event with its fields."""
    (logger or log).log(level, name, extra={"event": name, "fields": fields})


def _fields(record: logging.LogRecord) -> dict:
    fields = dict(getattr(record, "fields", None) or {})
    for key, value in vars(record).items():  # extra={...} given the standard way
        if key not in _STANDARD and key not in ("event", "fields", "request_id"):
            fields.setdefault(key, value)
    return fields


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _plain(value) -> str:
    text = str(value)
    if text == "" or any(ch.isspace() or ch in '"=' for ch in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class TextFormatter(logging.Formatter):
    """``2026-11-29T15:30:00Z INFO planner.auth [req 3f2a…] auth.login.failed user_id=7 ip=10.0.0.1``"""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rid = getattr(record, "request_id", "")
        parts = [when, record.levelname, record.name]
        if rid:
            parts.append(f"[{rid}]")
        parts.append(record.getMessage().replace("\n", " "))
        parts += [f"{key}={_plain(value)}" for key, value in _fields(record).items()]
        line = " ".join(parts)
        if record.exc_info:
            line += " exception=" + _plain(self.formatException(record.exc_info).replace("\n", " | "))
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name}
        if getattr(record, "event", None):
            data["event"] = record.event
        else:
            data["message"] = record.getMessage()
        if getattr(record, "request_id", ""):
            data["request_id"] = record.request_id
        data.update({key: value for key, value in _fields(record).items() if key not in data})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure(kind: str = "text", level: str = "INFO", stream=None) -> logging.Handler:
    """Sends the planner's and the queue's logs to stderr, one line per event (once per process)."""
    handler = next((h for h in log.handlers if getattr(h, "_planner", False)), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler._planner = True
        handler.addFilter(RequestIdFilter())
        for name in ("planner", "huey"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.propagate = False
    handler.setFormatter(formatter(kind))
    for name in ("planner", "huey"):
        logging.getLogger(name).setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    from planner.audit.services import init_logging

    init_logging()

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "") if app.config.get("TRUSTED_PROXIES") else ""
        g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex[:16]
        g._request_id_token = request_id.set(g.request_id)

    @app.after_request
    def _send_request_id(response):
        if getattr(g, "request_id", None):
            response.headers["X-Request-ID"] = g.request_id
        return response

    @app.teardown_request
    def _forget_request_id(_exc=None):
        token = g.pop("_request_id_token", None)
        if token is not None:
            try:
                request_id.reset(token)
            except ValueError:  # set in another context: nothing to undo
                request_id.set("")
