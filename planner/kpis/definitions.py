"""The KPIs every project tracks. Other features refer to a KPI by its key (a ``KpiKey`` value):
quick wins, TCO benefits derived from a KPI, and stage-gate criteria.

Values are ratios between 0 and 1 (shown as percentages), except satisfaction, an average
score from 1 to 5. Higher is better for every KPI.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


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
        return {
            KpiKey.ADOPTION: _l("Adoption"),
            KpiKey.CLOSED_LOOP: _l("Closed-loop capture"),
            KpiKey.FIRST_CONTACT_RESOLUTION: _l("First-contact resolution"),
            KpiKey.SATISFACTION: _l("Customer satisfaction"),
            KpiKey.CROSS_SELL_WIN_RATE: _l("Cross-sell and up-sell win rate"),
            KpiKey.RETENTION: _l("Retention"),
            KpiKey.DATA_QUALITY: _l("Data quality"),
        }[self]

    @property
    def is_ratio(self) -> bool:
        return self is not KpiKey.SATISFACTION


def kpi_choices():
    from planner.forms import choices

    return choices((key.value, key.label) for key in KpiKey)
