"""The API's documentation page (rendered by the app from the OpenAPI document: no CDN, no script)
and the wiring of the API itself (``planner.api.spec``) when this blueprint is registered."""

from flask import Blueprint, current_app, render_template

from planner.api import events, spec

bp = Blueprint("api_docs", __name__)
bp.record_once(lambda state: spec.init_app(state.app))

METHODS = ("get", "post", "put", "patch", "delete")


@bp.route("/api/v1/docs")
def docs():
    document = current_app.extensions["rollout_api"].spec.to_dict()
    groups = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["api"])[0]
            groups.setdefault(tag, []).append({"method": method.upper(), "path": path, **operation})
    tags = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    writes = any(op["method"] in ("PATCH", "PUT", "DELETE") for ops in groups.values() for op in ops)
    return render_template("api/docs.html", groups=groups, writes=writes, tags=tags, events=events.ALL,
                           event_docs=events.DOCS,
                           schemas=document.get("components", {}).get("schemas", {}))
