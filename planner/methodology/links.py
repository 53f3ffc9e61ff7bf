"""Where the work of a step happens: links to other features, shown only once they exist.

A catalogue item names its links (``links: [tco, kpis]``); each name maps to an endpoint that
takes ``project_id``. Features are built by different people at different times, so a link is
shown only when its endpoint is registered in the running application.
"""

from dataclasses import dataclass

from flask import current_app, url_for

from planner.i18n import lazy_gettext as _l
from planner.methodology.catalogue import LINK_NAMES


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: object
    icon: str


LINKS = {
    "tco": Link("tco.index", _l("Build the business case in the TCO model"), "calculator"),
    "quick_wins": Link("change.quick_wins", _l("Open the quick-win register"), "lightning-charge"),
    "stages": Link("rollout.index", _l("Plan the rollout stages"), "signpost-2"),
    "kpis": Link("kpis.index", _l("Set baselines and targets for the KPIs"), "graph-up"),
    "interactions": Link("crm.interactions", _l("Check how interactions are captured"), "chat-left-text"),
    "change_tasks": Link("change.tasks", _l("Plan the change-management tasks"), "list-check"),
    "feedback": Link("feedback.results", _l("Read the staff feedback"), "megaphone"),
    "members": Link("projects.members", _l("See the project members and their roles"), "people"),
    "key_problems": Link("methodology.problems", _l("Rank the key problems"), "bullseye"),
    "risk": Link("methodology.risk", _l("Check the seven-sins risk"), "shield-exclamation"),
}
assert set(LINKS) == set(LINK_NAMES), "catalogue.LINK_NAMES and links.LINKS must name the same links"


def available(names, project) -> list[tuple[object, str, str]]:
    """``(label, url, icon)`` for each named link whose feature exists in this application and
    which the reader may open (staff get no link to the seven sins or the TCO model)."""
    from planner.projects.access import may_open

    found = []
    for name in names:
        link = LINKS[name]
        if link.endpoint in current_app.view_functions and may_open(link.endpoint):
            found.append((link.label, url_for(link.endpoint, project_id=project.id), link.icon))
    return found
