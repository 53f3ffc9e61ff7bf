"""What each event carries in ``data``: ids, and the resource as the API represents it (the API's own
schemas), so a receiver can use what it got or read more with the same ids. The documentation page
describes them (``planner.api.events.DOCS``).

Every body is ``{"type": "<event>", "timestamp": "<UTC, ISO 8601>", "data": {...}}``.
"""

import json
from datetime import UTC, datetime

from planner.api import events


def _schemas():
    from planner.api.resources.change import QuickWinSchema, TaskSchema
    from planner.api.resources.rollout import DecisionSchema, RequestSchema, StageSchema

    return {"task": TaskSchema(), "quick_win": QuickWinSchema(), "request": RequestSchema(),
            "decision": DecisionSchema(),
            "stage": StageSchema(exclude=("gate",))}


TEST = events.TEST


def body(event: str, moment: datetime, data: dict) -> str:
    """The request body exactly as sent (and signed): compact JSON, UTF-8 text as it is."""
    stamp = moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return json.dumps({"type": event, "timestamp": stamp, "data": data}, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def actor(user) -> dict | None:
    return {"id": user.id, "name": user.name or ""} if getattr(user, "id", None) else None


def stage(stage_, user=None, **extra) -> dict:
    return {"project_id": stage_.project_id, "stage": _schemas()["stage"].dump(stage_), "actor": actor(user), **extra}


def signoff(request_, user=None, decision=None) -> dict:
    """A sign-off request with its stage; ``decision``, when given, is the one just taken (the request's
    relationship may have been read before it existed)."""
    schemas = _schemas()
    data = {"project_id": request_.project_id, "stage": schemas["stage"].dump(request_.stage),
            "signoff_request": schemas["request"].dump(request_), "actor": actor(user)}
    if decision is not None:
        data["signoff_request"]["decision"] = schemas["decision"].dump(decision)
    return data


def task(task_, user=None, **extra) -> dict:
    return {"project_id": task_.project_id, "task": _schemas()["task"].dump(task_), "actor": actor(user), **extra}


def quick_win(win, user=None) -> dict:
    return {"project_id": win.project_id, "quick_win": _schemas()["quick_win"].dump(win), "actor": actor(user)}


def import_finished(project_id: int, kind, job_id, filename: str, rows: int, inserted: int, updated: int,
                    unchanged: int, user=None) -> dict:
    return {"project_id": project_id, "import": {
        "id": job_id, "kind": getattr(kind, "value", kind), "filename": filename, "rows": rows,
        "inserted": inserted, "updated": updated, "unchanged": unchanged}, "actor": actor(user)}


def kpi_crossed(setting, value, as_of, reached: bool) -> dict:
    return {"project_id": setting.project_id, "kpi": {
        "key": getattr(setting.key, "value", setting.key), "value": str(value), "target": str(setting.target),
        "as_of": as_of.isoformat(), "reached": reached}}


def test(endpoint) -> dict:
    return {"project_id": endpoint.project_id, "endpoint_id": endpoint.id,
            "note": "A test event sent from the project's webhook page. It changes nothing."}
