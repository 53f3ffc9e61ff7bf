"""Sentences about the model shared by the pages and the exports, in the reader's language."""

from flask_babel import gettext as _

from planner.i18n import money, number


def derivation_text(line, currency: str) -> str:
    """How a KPI-derived benefit is computed, in the reader's number format."""
    values = {"kpi": line.kpi_key.label, "gains": " / ".join(number(g, 2) for g in line.gains),
              "volume": number(line.kpi_volume), "value": money(line.kpi_unit_value, currency)}
    if line.kpi_key.is_ratio:
        return _("Derived from the KPI “%(kpi)s”: improvement of %(gains)s percentage points × %(volume)s a "
                 "year × %(value)s each", **values)
    return _("Derived from the KPI “%(kpi)s”: improvement of %(gains)s points of the 1 to 5 score × "
             "%(volume)s a year × %(value)s each", **values)


def payback_text(month: int | None) -> str:
    if month is None:
        return _("Not within three years")
    return _("Month %(month)s (year %(year)s)", month=number(month), year=number((month - 1) // 12 + 1))
