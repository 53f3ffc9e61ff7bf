"""What the follow-up of conditions tells other features (blinker signals), sent inside the
transaction that made the change, after a flush. Notifications listen.

- ``condition_assigned.send(condition, actor=user)``: the condition has a (new) owner.
- ``condition_closed.send(condition, actor=user)``: the condition is closed with a note.
"""

from blinker import Namespace

_signals = Namespace()

condition_assigned = _signals.signal("conditions-assigned")
condition_closed = _signals.signal("conditions-closed")
