"""The catalogue check: complete, not fuzzy, same placeholders, and up to date with the code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("es", "zh")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]|\{(\w*)\}")

pytestmark = pytest.mark.no_app


def catalogue(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def key(message) -> tuple:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text or ""))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{language}: {len(problems)} entries need work:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_same_placeholders(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        expected = placeholders(ids[-1])
        for translated in strings:
            found = placeholders(translated)
            # Plural forms may drop the count (e.g. "one item"), never add or rename one.
            plural_drop = len(ids) > 1 and set(found) <= set(expected)
            if translated and found != expected and not plural_drop:
                problems.append(f"{message.id!r}: {expected} vs {found} in {translated!r}")
    assert not problems, "\n".join(problems[:40])


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    """Fails when a string was added to the code without `make i18n` and a translation."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-k", "N_", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as handle:
        wanted = {key(m) for m in read_po(handle) if m.id}
    for language in LANGUAGES:
        have = {key(m) for m in catalogue(language) if m.id}
        missing = sorted(wanted - have)
        assert not missing, f"{language}: run `make i18n` and translate: {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_current(language):
    po = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run `make setup` (pybabel compile)"


def test_no_gettext_call_takes_an_f_string_or_a_concatenation():
    """pybabel cannot extract `_(f"…")` or `_("a" + b)`: such text would stay English forever."""
    pattern = re.compile(r"\b(?:_|_l|gettext|lazy_gettext|ngettext)\(\s*(?:f[\"']|[\"'][^\"']*[\"']\s*\+)")
    offenders = []
    for path in (ROOT / "planner").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
