"""The KPIs every project tracks. Other features refer to a KPI by its key (a ``KpiKey`` value):
quick wins, TCO benefits derived from a KPI, and stage-gate criteria.

Values are ratios between 0 and 1 (shown as percentages), except satisfaction, an average
score from 1 to 5. Higher is better for every KPI.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from planner.i18n import lazy_gettext as _l


class KpiKey(StrEnum):
    ADOPTION = "adoption"
    CLOSED_LOOP = "closed_loop"
    FIRST_CONTACT_RESOLUTION = "first_contact_resolution"
    SATISFACTION = "satisfaction"
    CROSS_SELL_WIN_RATE = "cross_sell_win_rate"
    RETENTION = "retention"
    DATA_QUALITY = "data_quality"

    @property
    def label(self):
        return KPI_LABELS[self]

    @property
    def is_ratio(self) -> bool:
        return self is not KpiKey.SATISFACTION


KPI_LABELS = {
    KpiKey.ADOPTION: _l("Adoption"),
    KpiKey.CLOSED_LOOP: _l("Closed-loop capture"),
    KpiKey.FIRST_CONTACT_RESOLUTION: _l("First-contact resolution"),
    KpiKey.SATISFACTION: _l("Customer satisfaction"),
    KpiKey.CROSS_SELL_WIN_RATE: _l("Cross-sell and up-sell win rate"),
    KpiKey.RETENTION: _l("Retention"),
    KpiKey.DATA_QUALITY: _l("Data quality"),
}


def kpi_choices():
    from planner.forms import choices

    return choices((key.value, key.label) for key in KpiKey)


# --------------------------------------------------------------------------- how each KPI is computed


class KpiStatus(StrEnum):
    """Where a KPI stands against its target (see ``status_of``)."""

    ON_TARGET = "on_target"
    PROGRESSING = "progressing"
    OFF_TARGET = "off_target"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    @property
    def label(self):
        return {
            KpiStatus.ON_TARGET: _l("On target"),
            KpiStatus.PROGRESSING: _l("Progressing"),
            KpiStatus.OFF_TARGET: _l("Off target"),
            KpiStatus.NO_TARGET: _l("No target set"),
            KpiStatus.NO_DATA: _l("No data yet"),
        }[self]

    @property
    def rag(self) -> str:
        return {KpiStatus.ON_TARGET: "green", KpiStatus.PROGRESSING: "amber",
                KpiStatus.OFF_TARGET: "red"}.get(self, "grey")


# Without a baseline, a value within this share of the target counts as progressing.
NEAR_TARGET = Decimal("0.9")


def status_of(value: Decimal | None, target: Decimal | None, baseline: Decimal | None = None) -> KpiStatus:
    """On target when the value reaches the target; progressing when it has covered at least half
    of the way from the baseline to the target (without a usable baseline: when it is at least 90 %
    of the target); off target otherwise. Every KPI is "higher is better"."""
    if target is None:
        return KpiStatus.NO_TARGET
    if value is None:
        return KpiStatus.NO_DATA
    if value >= target:
        return KpiStatus.ON_TARGET
    if baseline is not None and baseline < target:
        halfway = baseline + (target - baseline) / 2
        return KpiStatus.PROGRESSING if value >= halfway else KpiStatus.OFF_TARGET
    return KpiStatus.PROGRESSING if value >= target * NEAR_TARGET else KpiStatus.OFF_TARGET


@dataclass(frozen=True)
class KpiDefinition:
    key: KpiKey
    window_days: int | None  # the period ending on the as-of date; None: everything up to that date
    definition: object  # what is counted, precisely (lazy string)
    numerator: object  # what the top of the ratio counts (for satisfaction: the sum of the scores)
    denominator: object  # what the bottom counts
    places: int = 4  # decimal places of the value (ratios 0.8125; satisfaction 4.25)

    def whole(self, count: int) -> str:
        """The bottom of the ratio with its count, e.g. "28 interactions"."""
        return counted(self.key, count)


def counted(key: KpiKey, count: int) -> str:
    """What a KPI's bottom counts, with the count: each language chooses its own plural and, in
    Chinese, the measure word that fits the noun (名 for people, 次 for interactions…)."""
    from flask_babel import ngettext

    from planner.i18n import number

    shown = number(count)
    if key is KpiKey.ADOPTION:
        return ngettext("%(count)s person in scope", "%(count)s people in scope", count, count=shown)
    if key is KpiKey.CLOSED_LOOP:
        return ngettext("%(count)s interaction", "%(count)s interactions", count, count=shown)
    if key is KpiKey.FIRST_CONTACT_RESOLUTION:
        return ngettext("%(count)s case opened", "%(count)s cases opened", count, count=shown)
    if key is KpiKey.SATISFACTION:
        return ngettext("%(count)s case with a score", "%(count)s cases with a score", count, count=shown)
    if key is KpiKey.CROSS_SELL_WIN_RATE:
        return ngettext("%(count)s opportunity won or lost", "%(count)s opportunities won or lost", count,
                        count=shown)
    if key is KpiKey.RETENTION:
        return ngettext("%(count)s account active in the previous period",
                        "%(count)s accounts active in the previous period", count, count=shown)
    return ngettext("%(count)s contact", "%(count)s contacts", count, count=shown)


DEFINITIONS: dict[KpiKey, KpiDefinition] = {
    KpiKey.ADOPTION: KpiDefinition(
        KpiKey.ADOPTION, 7,
        _l("The share of the staff in scope who captured at least one CRM record in the 7 days ending on "
           "the date. Staff in scope are the project's members who are neither project managers nor "
           "executive sponsors and who had joined the project by the end of those 7 days. A record counts on "
           "its own date: an account or a contact when it was created, an interaction when it took place, a "
           "service case or an opportunity when it was opened."),
        _l("staff who captured a record"), _l("staff in scope")),
    KpiKey.CLOSED_LOOP: KpiDefinition(
        KpiKey.CLOSED_LOOP, 28,
        _l("Of the interactions that took place in the 28 days ending on the date, the share with an "
           "outcome recorded. An interaction without an outcome is information that leaked: nobody can tell "
           "how the conversation ended."),
        _l("interactions with an outcome"), _l("interactions")),
    KpiKey.FIRST_CONTACT_RESOLUTION: KpiDefinition(
        KpiKey.FIRST_CONTACT_RESOLUTION, 28,
        _l("Of the service cases opened in the 28 days ending on the date, the share marked as resolved at "
           "the first contact."),
        _l("cases resolved at the first contact"), _l("cases opened")),
    KpiKey.SATISFACTION: KpiDefinition(
        KpiKey.SATISFACTION, 28,
        _l("The average satisfaction score, from 1 (very unhappy) to 5 (very happy), of the service cases "
           "opened in the 28 days ending on the date that have a score. Cases without a score are left out."),
        _l("sum of the scores"), _l("cases with a score"), places=2),
    KpiKey.CROSS_SELL_WIN_RATE: KpiDefinition(
        KpiKey.CROSS_SELL_WIN_RATE, 90,
        _l("Of the cross-sell and up-sell opportunities closed (won or lost) in the 90 days ending on the "
           "date, the share that were won. Opportunities for new business are not counted, nor are those "
           "still open."),
        _l("won"), _l("won or lost")),
    KpiKey.RETENTION: KpiDefinition(
        KpiKey.RETENTION, 90,
        _l("Of the accounts that had at least one interaction in the previous period (from 180 to 91 days "
           "before the date), the share that had at least one interaction again in the current period (the "
           "90 days ending on the date). Accounts first seen in the current period do not count."),
        _l("accounts still active"), _l("accounts active in the previous period")),
    KpiKey.DATA_QUALITY: KpiDefinition(
        KpiKey.DATA_QUALITY, None,
        _l("Of the contacts created up to the date, the share that can be reached (a valid e-mail address or "
           "a phone number of 7 to 15 digits) and are not a likely duplicate. A contact is a likely duplicate "
           "when an earlier contact of the project has the same e-mail address, or the same name at the same "
           "account, ignoring case and accents."),
        _l("reachable contacts that are not duplicates"), _l("contacts")),
}

GENERAL_NOTES = (
    _l("Each value is computed from the records in the planner dated on or before the date, as they are "
       "now: a record deleted since no longer counts and a corrected one counts as corrected. Days run from "
       "midnight to midnight in UTC."),
    _l("The weekly trend shows the value as of each Sunday, and as of today for the week in progress."),
    _l("A baseline is either computed from the records as of a date, and kept as it was computed, or "
       "entered by hand, for example from the old system's reports."),
    _l("Status: on target when the value has reached the target; progressing when it has covered at least "
       "half of the way from the baseline to the target (without a baseline: when it has reached nine tenths "
       "of the target); off target otherwise."),
)
