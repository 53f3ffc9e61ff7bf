"""What projects tell other features, without knowing them (blinker signals), sent inside the
transaction that made the change, after a flush:

- ``member_added.send(member, actor=user)``: someone joined a project.
- ``member_roles_changed.send(member, actor=user)``: a member's roles changed (manager, sponsor).

Notifications listen (``planner.notifications.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

member_added = _signals.signal("projects-member-added")
member_roles_changed = _signals.signal("projects-member-roles-changed")
