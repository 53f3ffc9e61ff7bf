"""Access rules for "My work": every signed-in person sees their own page (nothing of anyone else's)."""

from tests.access.matrix import SIGNED_IN, Rule

RULES = [
    Rule("home.mine", "/my-work", SIGNED_IN),
]
