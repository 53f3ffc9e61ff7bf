"""The password policy: long enough, not a known common password, not the e-mail address."""

import gzip
import re
from functools import cache
from pathlib import Path

from planner.i18n import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128

# The 20,000 most common passwords (the list Django ships, BSD licence).
_COMMON_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def _common() -> frozenset[str]:
    with gzip.open(_COMMON_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _core(password: str) -> str:
    """The password without decoration: trailing digits and symbols removed, lower case."""
    return re.sub(r"[\d\W_]+$", "", password.lower())


def problems(password: str, email: str = "") -> list:
    """The reasons the password is refused, as translatable messages; empty when it is fine."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
        return found
    if len(password) > MAX_LENGTH:
        found.append(_l("Use at most %(count)d characters.", count=MAX_LENGTH))
        return found
    lowered = password.lower()
    core = _core(password)
    if lowered in _common() or (len(core) >= 4 and core in _common()) or len(set(lowered)) <= 3:
        found.append(_l("This password is too common or too easy to guess. Choose another."))
    local_part = email.split("@", 1)[0].lower() if email else ""
    if local_part and len(local_part) >= 4 and local_part in lowered:
        found.append(_l("The password must not contain your e-mail address."))
    return found
