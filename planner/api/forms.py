"""Checking a JSON body with the web's own form (the same validators, the same translated messages):
the fields sent, over the resource's current values for a change."""

from decimal import Decimal, InvalidOperation

from flask import request
from werkzeug.datastructures import MultiDict

from planner.api.auth import refuse
from planner.api.resources.common import NOT_JSON
from planner.errors import problem


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        refuse(422, NOT_JSON)
    return data


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else ""
    return str(value)


def filled(form_cls, sent: dict, current: dict | None = None, *args, decimals=(), **kwargs):
    """The form, validated over ``current`` with ``sent`` on top; 422 with each field's error otherwise.
    ``decimals`` are given as JSON numbers (or strings) in the stored unit, not in the reader's format."""
    values = {**(current or {}), **sent}
    formdata = MultiDict({name: _text(value) for name, value in values.items()
                          if name not in decimals and not isinstance(value, (dict, list))})
    form = form_cls(*args, formdata=formdata, meta={"csrf": False}, **kwargs)
    unknown = sorted(name for name in sent if name not in form._fields or name in ("submit", "csrf_token"))
    errors = []
    for name in decimals:
        raw = values.get(name)
        try:
            number = None if raw in (None, "") or isinstance(raw, bool) else Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors.append(name)
            continue
        if number is not None and (not number.is_finite() or abs(number) >= 10**9):
            errors.append(name)
            continue
        getattr(form, name).data = number
    valid = form.validate()
    from flask_babel import gettext as _

    found = [{"field": name, "code": "unknown_field",
              "detail": _("“%(field)s” is not a field of this resource.", field=str(name)[:100])} for name in unknown]
    found += [{"field": name, "code": "not_a_value",
               "detail": _("“%(field)s” takes a single value: text, a number, true or false.", field=name)}
              for name, value in sent.items() if isinstance(value, (dict, list))]
    found += [{"field": name, "code": "bad_number", "detail": _("Enter a number.")} for name in errors]
    if not valid or found:
        for name, messages in form.errors.items():
            found += [{"field": name, "code": "invalid", "detail": str(message)} for message in messages]
        from flask import abort

        abort(problem(422, errors=found))
    return form
