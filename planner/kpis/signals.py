"""What the KPIs tell other features, without knowing them (blinker signals), sent inside the
transaction that noted it:

- ``target_crossed.send(setting, actor=None, value=Decimal, as_of=date, reached=bool)``: the KPI's value,
  as the worker computed it (after an import, every night), went from below its target to at or above
  it (``reached``), or back below it. The first value seen after a target is set is not a crossing.

Webhooks listen (``planner.webhooks.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

target_crossed = _signals.signal("kpis-target-crossed")
