"""Change management's job: telling the listeners (webhooks) of tasks that have just become overdue."""

from planner import jobs
from planner.change import services
from planner.dates import utc_today
from planner.extensions import db


@jobs.periodic(hour="*", minute=20)
def signal_overdue() -> int:
    """Every hour: open tasks whose due date passed (UTC calendar) are announced once per due date."""
    count = services.signal_overdue_tasks(utc_today())
    db.session.commit()
    return count
