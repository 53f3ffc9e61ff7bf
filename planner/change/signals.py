"""What change management tells other features, without knowing them (blinker signals), sent inside
the transaction that made the change, after a flush:

- ``task_assigned.send(task, actor=user)``: a task got an owner (new, or another one than before).
- ``quick_win_achieved.send(win, actor=user)``: a quick win became achieved.

Notifications listen (``planner.notifications.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

task_assigned = _signals.signal("change-task-assigned")
quick_win_achieved = _signals.signal("change-quick-win-achieved")
