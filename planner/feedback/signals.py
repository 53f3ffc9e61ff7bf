"""What the adoption survey tells other features, without knowing them (blinker signals), sent inside
the transaction that made the change, after a flush:

- ``survey_opened.send(link, actor=user)``: a survey link is created for a stage (or the whole project).

Notifications listen (``planner.notifications.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

survey_opened = _signals.signal("feedback-survey-opened")
