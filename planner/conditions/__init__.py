"""Conditions that are followed up: each condition of a sign-off "approved with conditions" becomes an
item with an owner and a due date (``models``, ``services``), listed on the next stage's gate, the
project overview, the conditions page and its owner's "My work", closable with a note; by project
setting, the next stage's sign-off waits for them (``listeners`` hears the rollout's signals).
Notifications hear ``signals``."""
