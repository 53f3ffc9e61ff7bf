"""What the CRM tells other features, without knowing them (blinker signals).

``records_changed``: CRM records of one kind were written in bulk, past the ORM (an import, the
duplicate flags), so the session hooks that watch single records did not see them. Sent inside
the transaction that made the change, with the project id as sender::

    records_changed.send(project_id, kind=RecordKind.CONTACTS, since=date(2026, 3, 1))

``since`` is the earliest day a changed record is dated (UTC), or None when any day may be
affected. The KPI cache listens (``planner.kpis.cache``) and forgets its values from that day on.

``import_finished``: a file's records were imported (the page's job or ``flask crm import``), sent
inside the import's transaction after its audit event, with the project id as sender::

    import_finished.send(project_id, kind=RecordKind.ACCOUNTS, job_id=7, filename="accounts.csv",
                         rows=120, inserted=100, updated=15, unchanged=5, actor=user)

Webhooks listen (``planner.webhooks.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

records_changed = _signals.signal("crm-records-changed")
import_finished = _signals.signal("crm-import-finished")
