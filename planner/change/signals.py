"""What change management tells other features, without knowing them (blinker signals), sent inside
the transaction that made the change, after a flush:

- ``task_assigned.send(task, actor=user)``: a task got an owner (new, or another one than before).
- ``quick_win_achieved.send(win, actor=user)``: a quick win became achieved.
- ``task_created.send(task, actor=user)``: a task was added (by hand, from the starter list, from feedback).
- ``task_changed.send(task, actor=user, fields=[...])``: a task's fields or status changed (the names).
- ``task_overdue.send(task, actor=None)``: a task's due date passed while it was still open; sent once
  per due date by the hourly sweep (``planner.change.tasks``), on the UTC calendar.

Notifications and webhooks listen (``planner.notifications.listeners``, ``planner.webhooks.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

task_assigned = _signals.signal("change-task-assigned")
quick_win_achieved = _signals.signal("change-quick-win-achieved")
task_created = _signals.signal("change-task-created")
task_changed = _signals.signal("change-task-changed")
task_overdue = _signals.signal("change-task-overdue")
