"""Access rules for the setup checklist: only the project's managers put it away (the page refuses
while a step is open, which is still an OK redirect for them)."""

from tests.access.matrix import MANAGERS, Rule

RULES = [
    Rule("guide.dismiss", "/projects/{project}/setup/dismiss", MANAGERS, method="POST"),
]
