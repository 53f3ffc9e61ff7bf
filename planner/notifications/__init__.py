"""Notifications: what happened that concerns a person, in the app (the bell) and by e-mail.

Other features send blinker signals (``planner.rollout.signals``…); ``listeners`` turns them into
``Notification`` rows, one per recipient, storing the kind of event and its parameters (names,
ids), never a translated sentence: each is written in its reader's language when shown or mailed
(``kinds``). Each person chooses per kind: in the app only, an e-mail at once, or the daily digest
(``preferences``). Mail goes through the outbox (``OutboxMail``, one row per message, rendered in
the recipient's language and time zone), sent by the worker with retries (``tasks``); without
``MAIL_SERVER`` it stays in the outbox, where an administrator reads it.
"""
