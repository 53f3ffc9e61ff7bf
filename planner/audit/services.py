"""Recording audit events and describing them in the reader's language.

Each feature registers its actions with ``register(code, message)``, where the message is a
lazy string whose named placeholders are filled from the event's data.
"""

import logging
from collections import defaultdict
from inspect import isfunction

from flask_login import current_user

from planner import logs
from planner.audit.models import AuditEvent
from planner.extensions import db
from planner.i18n import lazy_gettext as _l

_log = logging.getLogger("planner.audit")
_ACTIONS: dict[str, object] = {}
_FORMATTERS: dict[str, object] = {}


def register(code: str, message, formatter=None) -> None:
    """``formatter(data) -> dict`` may turn stored values (keys, codes) into display text. A message
    that shows a count is a function ``(data) -> str`` calling ``ngettext``, so that each language
    chooses its singular or plural."""
    _ACTIONS[code] = message
    if formatter is not None:
        _FORMATTERS[code] = formatter


def record(action: str, *, project=None, target=None, actor=None, **data) -> AuditEvent:
    """Adds an event to the current transaction: it is saved with the change it describes."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        action=action,
        project_id=getattr(project, "id", project),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or "",
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        data={key: _plain(value) for key, value in data.items()},
    )
    db.session.add(event)
    # Logged once the transaction commits (see ``init_logging``): the action and ids, never the data,
    # which may hold a comment someone wrote.
    db.session.info.setdefault("audit_log", []).append(
        {"action": action, "actor_id": event.actor_id, "project_id": event.project_id,
         "target_type": event.target_type, "target_id": event.target_id})
    return event


def _log_committed(session) -> None:
    pending = session.info.pop("audit_log", None)
    for fields in pending or ():
        logs.event(f"audit.{fields['action']}", logger=_log, **{k: v for k, v in fields.items() if k != "action"})


def _forget(session, *_args) -> None:
    session.info.pop("audit_log", None)


def init_logging() -> None:
    """Every audit event (admin actions, sign-off decisions, imports…) also becomes a log line."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm import Session

    if not sa_event.contains(Session, "after_commit", _log_committed):
        sa_event.listen(Session, "after_commit", _log_committed)
        sa_event.listen(Session, "after_soft_rollback", _forget)


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def describe(event: AuditEvent) -> str:
    message = _ACTIONS.get(event.action)
    if message is None:
        return event.action
    data = {key: _in_reader_language(value) for key, value in (event.data or {}).items()}
    formatter = _FORMATTERS.get(event.action)
    if formatter is not None:
        data.update(formatter(data))
    if isfunction(message):
        return message(defaultdict(str, data))
    return str(message) % defaultdict(str, data)


def count_of(data, key: str = "count") -> int:
    """The count an audit message shows, as stored with the event (0 when missing)."""
    try:
        return int(data.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def placeholders(data, *names: str) -> dict:
    """The event's data with every placeholder the message names (empty when not recorded), for
    ``ngettext(…, **placeholders(data, "name", "count"))``."""
    return {**dict.fromkeys(names, ""), **data}


def _in_reader_language(value):
    """A value recorded in every language (``{"en": …, "es": …, "zh": …}``, e.g. a catalogue title)
    is shown in the reader's language."""
    if isinstance(value, dict) and "en" in value and set(value) <= {"en", "es", "zh"}:
        from planner.i18n import current_language

        return value.get(current_language()) or value["en"]
    return value


register("user.created", _l("Created the account %(email)s with the role %(role)s."))
register("user.updated", _l("Changed the account %(email)s."))
register("user.password_changed", _l("Changed their password."))
register("user.password_reset", _l("Set a new password for %(email)s."))
