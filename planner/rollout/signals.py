"""What the rollout tells other features, without knowing them (blinker signals).

Each is sent inside the transaction that made the change, after the change is flushed, so a
receiver adds its own rows to the same transaction (saved or rolled back with it):

- ``signoff_requesting.send(stage, actor=user)``: a sign-off is about to be requested; a receiver
  refuses it by raising ``DomainError`` (nothing is saved), e.g. while conditions are open.
- ``signoff_requested.send(request_, actor=user)``: a sign-off request is opened.
- ``signoff_decided.send(decision, actor=user)``: a sponsor decided (the request is closed).
- ``signoff_withdrawn.send(request_, actor=user)``: the request is withdrawn before a decision.
- ``stage_started.send(stage, actor=user)``: a planned stage started (with or without an override).
- ``stage_approved.send(stage, actor=user, decision=decision)``: a decision left the stage approved
  (with or without conditions).
- ``signoff_turn.send(request_, actor=user, recipients=[users])``: the request now waits for
  ``recipients`` (the next approver of a chain and their stand-ins, or a stand-in who starts while
  it waits for their sponsor); they are told as of a new request. ``signoff_decided`` is still sent
  once, when the request's approval rule is met.

``actor`` is the person who acted (None from a command). Notifications listen
(``planner.notifications.listeners``), and so does the follow-up of conditions
(``planner.conditions.listeners``); webhooks too (``planner.webhooks.listeners``).
"""

from blinker import Namespace

_signals = Namespace()

signoff_requesting = _signals.signal("rollout-signoff-requesting")
signoff_requested = _signals.signal("rollout-signoff-requested")
signoff_decided = _signals.signal("rollout-signoff-decided")
signoff_withdrawn = _signals.signal("rollout-signoff-withdrawn")
stage_started = _signals.signal("rollout-stage-started")
stage_approved = _signals.signal("rollout-stage-approved")
signoff_turn = _signals.signal("rollout-signoff-turn")
