"""Top navigation entries added by features: ``item(order, endpoint, label, visible=None, badge=None,
icon="", section="", compact=False)``.

``visible(user)`` decides whether the signed-in user sees the entry; ``badge(user)`` returns a
number shown beside it (for example, sign-offs waiting), or 0 for none. ``section`` (a blueprint
name) marks the entry current on every page of that blueprint, not only on ``endpoint``. A
``compact`` entry shows only its icon and count on a wide screen (the bell), its name in the phone menu.

``landing(order, endpoint, applies)`` offers a start page after sign-in: the first entry (lowest
order) whose ``applies(user)`` is true wins; without one, ``HOME_ENDPOINT`` from the configuration.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: object
    visible: object = None
    badge: object = None
    icon: str = ""
    section: str = ""  # a blueprint: the entry is marked current on all its pages
    compact: bool = False  # on a wide screen only its icon and count (the name stays for screen readers)

    def is_current(self, request) -> bool:
        return request.endpoint == self.endpoint or bool(self.section and request.blueprint == self.section)


_ITEMS: dict[str, NavItem] = {}


def item(order: int, endpoint: str, label, visible=None, badge=None, icon: str = "", section: str = "",
         compact: bool = False) -> None:
    _ITEMS[endpoint] = NavItem(order, endpoint, label, visible, badge, icon, section, compact)


def items_for(user) -> list[tuple[NavItem, int]]:
    shown = []
    for entry in sorted(_ITEMS.values(), key=lambda e: e.order):
        if entry.visible is not None and not entry.visible(user):
            continue
        count = entry.badge(user) if entry.badge is not None else 0
        shown.append((entry, count))
    return shown


_LANDINGS: dict[str, tuple[int, object]] = {}


def landing(order: int, endpoint: str, applies) -> None:
    _LANDINGS[endpoint] = (order, applies)


def landing_for(user, default: str) -> str:
    for endpoint, (_order, applies) in sorted(_LANDINGS.items(), key=lambda entry: entry[1][0]):
        if applies(user):
            return endpoint
    return default
