"""Demo baselines and targets for the three demo projects (after the CRM records: ORDER 50).

Baselines are computed from the records as they stood the day before the go-live where the demo
history allows it, and entered by hand otherwise (retention needs 180 days of history)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from planner.crm.demo import LIVE_WEEKS
from planner.db import utcnow
from planner.errors import DomainError
from planner.extensions import db
from planner.kpis import services
from planner.kpis.definitions import KpiKey
from planner.kpis.models import BaselineSource, KpiSetting

ORDER = 50

# key → (target, baseline entered by hand when it cannot be computed)
TARGETS = {
    KpiKey.ADOPTION: (Decimal("0.90"), Decimal("0.00")),
    KpiKey.CLOSED_LOOP: (Decimal("0.90"), Decimal("0.30")),
    KpiKey.FIRST_CONTACT_RESOLUTION: (Decimal("0.75"), Decimal("0.45")),
    KpiKey.SATISFACTION: (Decimal("4.20"), Decimal("3.20")),
    KpiKey.CROSS_SELL_WIN_RATE: (Decimal("0.45"), Decimal("0.30")),
    KpiKey.RETENTION: (Decimal("0.85"), Decimal("0.72")),
    KpiKey.DATA_QUALITY: (Decimal("0.98"), Decimal("0.80")),
}

# A project whose customers were already loyal before go-live: a higher retention baseline, so its retention
# benefit is measured against more. (The demo's CRM sample is small: its measured KPIs, and so the KPI-derived
# forecasts, move with the day the demo is loaded; the overspend and the savings entered by hand do not.)
BASELINES = {"es": {KpiKey.RETENTION: Decimal("0.83")}}


def load(ctx) -> None:
    baseline_day = utcnow().date() - timedelta(weeks=LIVE_WEEKS, days=1)
    for key, project in sorted(ctx.projects.items()):
        if db.session.scalar(select(KpiSetting.id).where(KpiSetting.project_id == project.id).limit(1)):
            continue
        for kpi, (target, manual) in TARGETS.items():
            if kpi in BASELINES.get(key, {}):
                services.save_setting(project, kpi, target=target, baseline_source=BaselineSource.MANUAL,
                                      baseline_value=BASELINES[key][kpi], baseline_as_of=baseline_day)
                continue
            try:
                with db.session.begin_nested():
                    services.save_setting(project, kpi, target=target, baseline_source=BaselineSource.COMPUTED,
                                          baseline_value=None, baseline_as_of=baseline_day)
            except DomainError:
                services.save_setting(project, kpi, target=target, baseline_source=BaselineSource.MANUAL,
                                      baseline_value=manual, baseline_as_of=baseline_day)
        ctx.note(f"KPI targets {key}")
