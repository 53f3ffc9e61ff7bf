"""Extension points that let each feature add itself to the project pages without editing them.

- ``tab(order, endpoint, label, roles=(), icon="", section=None)``: a tab in the project
  navigation. ``section`` is one of ``SECTIONS`` (plan, rollout, data, people, settings): the
  navigation shows the sections, and the tabs of the current section as a second level; a tab
  without a section stands on its own (the overview). ``roles`` hides the tab from members who
  hold none of them — the view must refuse them too (``project_view(*roles)``): hiding a tab is
  not access control.
- ``panel(order, template, context)``: a card on the project overview; ``context(project)``
  returns the template's variables, or None to hide the card. The overview commits once after
  rendering, so a card may keep what it computed (cached KPI values) without committing itself.
  Panels ordered below ``TOP_PANELS`` open the page, above the vision (setup checklist, health,
  next sign-off).
  ``staff_first=N`` puts the card first (in that order) for a member who is neither manager nor
  sponsor, above everything else: on a phone, a staff member sees the survey and their tasks on the
  first screen instead of below the cost and KPI cards.
- ``navigation(roles, active=None, endpoint=None, blueprint=None)``: the sections and tabs one
  reader sees, with the current one marked.
"""

from dataclasses import dataclass, field

from planner.i18n import lazy_pgettext
from planner.projects.models import ProjectRole

# The project's managers and sponsors: who reads the pages staff do not need (seven sins, TCO,
# report, audit log).
LEADS = (ProjectRole.MANAGER, ProjectRole.SPONSOR)

TOP_PANELS = 50


@dataclass(frozen=True)
class Section:
    order: int
    key: str
    label: object
    icon: str


SECTIONS = {
    section.key: section for section in (
        Section(100, "plan", lazy_pgettext("navigation section", "Plan"), "compass"),
        Section(200, "rollout", lazy_pgettext("navigation section", "Rollout"), "signpost-2"),
        Section(300, "data", lazy_pgettext("navigation section", "Data"), "database"),
        Section(400, "people", lazy_pgettext("navigation section", "People"), "people"),
        Section(900, "settings", lazy_pgettext("navigation section", "Settings"), "gear"),
    )
}


@dataclass(frozen=True)
class Tab:
    order: int
    endpoint: str
    label: object
    roles: tuple[ProjectRole, ...] = field(default_factory=tuple)
    icon: str = ""
    section: str | None = None


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    context: object
    staff_first: int = 0


@dataclass
class Group:
    """One entry of the first level: a section with its tabs, or a tab of its own."""

    key: str
    label: object
    icon: str
    tabs: list
    active: bool = False

    @property
    def endpoint(self) -> str:
        return self.tabs[0].endpoint


@dataclass
class Navigation:
    groups: list
    current_tab: Tab | None
    current_group: Group | None


_TABS: dict[str, Tab] = {}
_PANELS: dict[str, Panel] = {}


def tab(order: int, endpoint: str, label, roles=(), icon: str = "", section: str | None = None) -> None:
    if section is not None and section not in SECTIONS:
        raise ValueError(f"unknown navigation section {section!r} for {endpoint}")
    _TABS[endpoint] = Tab(order, endpoint, label, tuple(roles), icon, section)


def panel(order: int, template: str, context, staff_first: int = 0) -> None:
    _PANELS[template] = Panel(order, template, context, staff_first)


def tabs() -> list[Tab]:
    return sorted(_TABS.values(), key=lambda item: item.order)


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda item: item.order)


def visible_tabs(roles, everything: bool = False) -> list[Tab]:
    """The tabs a member with ``roles`` may use (``everything``: an administrator who is not a member)."""
    return [t for t in tabs() if everything or not t.roles or set(roles) & set(t.roles)]


def _current(shown: list[Tab], active, endpoint, blueprint) -> Tab | None:
    if active:
        return next((t for t in shown if t.endpoint == active), None)
    exact = next((t for t in shown if t.endpoint == endpoint), None)
    if exact or blueprint in (None, "projects"):
        return exact
    return next((t for t in shown if t.endpoint.split(".")[0] == blueprint), None)


def navigation(roles, active=None, endpoint=None, blueprint=None, everything: bool = False) -> Navigation:
    shown = visible_tabs(roles, everything)
    current = _current(shown, active, endpoint, blueprint)
    groups: dict[str, Group] = {}
    for item in shown:
        if item.section is None:
            groups[item.endpoint] = Group(item.endpoint, item.label, item.icon, [item])
            continue
        if item.section not in groups:
            section = SECTIONS[item.section]
            groups[item.section] = Group(section.key, section.label, section.icon, [])
        groups[item.section].tabs.append(item)
    ordered = sorted(groups.values(), key=lambda g: SECTIONS[g.key].order if g.key in SECTIONS else g.tabs[0].order)
    current_group = None
    for group in ordered:
        if current is not None and current in group.tabs:
            group.active, current_group = True, group
    return Navigation(ordered, current, current_group)
