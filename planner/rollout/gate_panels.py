"""Cards other features add to a stage's gate without the rollout knowing them (as
``projects.registry.panel`` does for the overview).

``panel(order, template, context)``: ``context(project, stage, stages)`` returns the template's
variables (exposed as ``ctx``), or None to leave the card out. Register at import time.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class GatePanel:
    order: int
    template: str
    context: object


_PANELS: list[GatePanel] = []


def panel(order: int, template: str, context) -> None:
    if not any(p.template == template for p in _PANELS):
        _PANELS.append(GatePanel(order, template, context))
        _PANELS.sort(key=lambda p: p.order)


def shown(project, stage, stages) -> list[tuple[str, dict]]:
    """(template, context) of each card the gate of ``stage`` shows, in order."""
    found = []
    for item in _PANELS:
        context = item.context(project, stage, stages)
        if context is not None:
            found.append((item.template, context))
    return found
