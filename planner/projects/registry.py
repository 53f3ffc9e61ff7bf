"""Extension points that let each feature add itself to the project pages without editing them.

- ``tab(order, endpoint, label, roles=())``: a tab in the project navigation.
- ``panel(order, template, context)``: a card on the project overview; ``context(project)``
  returns the template's variables, or None to hide the card. Panels ordered below
  ``TOP_PANELS`` open the page, above the vision (setup checklist, health, next sign-off).
"""

from dataclasses import dataclass, field

from planner.projects.models import ProjectRole


@dataclass(frozen=True)
class Tab:
    order: int
    endpoint: str
    label: object
    roles: tuple[ProjectRole, ...] = field(default_factory=tuple)
    icon: str = ""


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: object


TOP_PANELS = 50

_TABS: dict[str, Tab] = {}
_PANELS: dict[str, Panel] = {}


def tab(order: int, endpoint: str, label, roles=(), icon: str = "") -> None:
    _TABS[endpoint] = Tab(order, endpoint, label, tuple(roles), icon)


def panel(order: int, template: str, context) -> None:
    _PANELS[template] = Panel(order, template, context)


def tabs() -> list[Tab]:
    return sorted(_TABS.values(), key=lambda item: item.order)


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda item: item.order)
