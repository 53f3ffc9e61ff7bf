"""The rollout's signals, heard by the follow-up of conditions (the rollout does not know this module):
a decision "approved with conditions" records its conditions; a sign-off about to be requested is
refused while the project's setting waits for the conditions of earlier stages."""

from planner.conditions import services
from planner.rollout import signals as rollout


@rollout.signoff_decided.connect
def signoff_decided(decision, actor=None, **_):
    services.record_conditions(decision, actor)


@rollout.signoff_requesting.connect
def signoff_requesting(stage, actor=None, **_):
    services.check_request(stage)
