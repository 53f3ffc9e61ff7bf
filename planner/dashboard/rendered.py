"""The dashboard's cards as HTML, rendered once and kept until the data behind them changes.

A card is a pure function of its project's data, the reader's language and the two "todays"
(``planner.dates``): it shows nothing about who reads it. Each process therefore keeps the HTML of
the cards it rendered, keyed by project, language, both dates and the data stamp
(``planner.datastamp``), which changes with every commit that changes data. A visit after a change
renders the cards afresh; every other visit reads one stamp and the list of followed projects.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from flask import current_app, get_template_attribute
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from planner import datastamp
from planner.dashboard import health, services
from planner.dates import local_today, utc_today
from planner.i18n import gettext as _
from planner.i18n import number, pgettext
from planner.rollout.models import StageStatus

# Words every card repeats, translated once per rendering rather than per card.
WORDS = {
    "cost_and_benefits": _l("Three years: cost and benefits"),
    "cost_model": _l("Cost model"),
    "cost": _l("Cost"),
    "benefits": _l("Benefits"),
    "no_cost_model": _l("No cost model yet."),
    "no_payback": _l("no payback within three years"),
    "no_warning": _l("No warning signs."),
    "unknown": _l("No warning signs so far, but too little data to call it on track."),
    "no_stages": _l("No rollout stages planned yet"),
    "feedback_title": _l("Staff feedback, 1–5"),
    "no_adoption": _l("No adoption figures yet."),
    "no_feedback": _l("Not enough staff feedback to show a trend."),
    "report": _l("Report"),
}


def words() -> dict:
    found = {name: str(text) for name, text in WORDS.items()}
    found["adoption_title"] = _("Adoption, %(weeks)s weeks", weeks=number(services.ADOPTION_WEEKS))
    found["colon"] = pgettext("after a label", ":")
    found["weeks"] = number(services.ADOPTION_WEEKS)
    found["level"] = {level: str(level.label) for level in health.Level}
    found["rule"] = {rule: str(rule.label) for rule in health.Rule}
    found["gap"] = {gap: str(gap.label) for gap in health.Gap}
    found["status"] = {status: str(status.label) for status in StageStatus}
    return found


@dataclass(frozen=True)
class RenderedCard:
    project_id: int
    level: health.Level
    html: Markup


class Kept:
    """The most recently used rendered cards of this process, at most ``size`` of them, none older than
    ``max_age`` seconds: a safety net for data changed outside the app (by hand in ``psql``), which no
    stamp sees."""

    def __init__(self, size: int, max_age: float = 300):
        self.size = size
        self.max_age = max_age
        self._cards: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> RenderedCard | None:
        with self._lock:
            found = self._cards.get(key)
            if found is None:
                return None
            kept_at, card = found
            if time.monotonic() - kept_at > self.max_age:
                del self._cards[key]
                return None
            self._cards.move_to_end(key)
            return card

    def put(self, key, card: RenderedCard) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._cards[key] = (time.monotonic(), card)
            self._cards.move_to_end(key)
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._cards.clear()

    def __len__(self) -> int:
        return len(self._cards)


def kept() -> Kept:
    found = current_app.extensions.get("dashboard_cards")
    if found is None:
        config = current_app.config
        found = Kept(config["DASHBOARD_CARDS_KEPT"], config["DASHBOARD_CARDS_MAX_AGE"])
        current_app.extensions["dashboard_cards"] = found
    return found


def cards(user, today: date | None = None) -> list[RenderedCard]:
    """The reader's cards, worst health first, then by name; rendered only where none is kept."""
    local = today or local_today()
    shared = today or utc_today()
    projects = services.followed(user)
    if not projects:
        return []
    stamp = datastamp.current()
    store = kept()
    context = (str(get_locale()), local, shared)
    found, missing = {}, []
    for project in projects:
        card = store.get((project.id, stamp, *context)) if stamp is not None else None
        if card is None:
            missing.append(project)
        else:
            found[project.id] = card
    if missing:
        macro = get_template_attribute("dashboard/_macros.html", "project_card")
        said = words()
        for card in services.cards_of(missing, local, shared):
            rendered = RenderedCard(card.id, card.health.level, macro(card, said))  # Markup: autoescaped
            found[card.id] = rendered
            if stamp is not None:
                store.put((card.id, stamp, *context), rendered)
    ordered = [found[project.id] for project in projects]
    ordered.sort(key=lambda card: -card.level.rank)
    return ordered
