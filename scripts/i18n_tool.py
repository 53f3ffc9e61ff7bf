#!/usr/bin/env python3
"""Translation workflow helper (for developers; run with the project's virtualenv).

  scripts/i18n_tool.py missing [--lang es] > todo.json
      Lists entries that are untranslated or fuzzy, as JSON {msgid: {"es": "", "zh": ""}}.
      Plural entries appear as "singular||plural" with a list per language.
  scripts/i18n_tool.py apply todo.json
      Writes the translations from the JSON into the catalogues (clearing fuzzy flags),
      then run `make i18n` (or pybabel compile) to compile them.
  scripts/i18n_tool.py merge OTHER.po --lang es
      Fills untranslated entries from another catalogue of the same language (after a merge).
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("es", "zh")


def path_for(language: str) -> Path:
    return ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"


def load(language: str):
    with open(path_for(language), "rb") as handle:
        return read_po(handle, locale=language)


def save(language: str, catalog) -> None:
    with open(path_for(language), "wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=True, no_location=True,
                 ignore_obsolete=True)


def key_of(message) -> str:
    """The JSON key: the msgid (plurals joined by "||"), prefixed by "[context] " if it has one."""
    text = "||".join(message.id) if isinstance(message.id, (list, tuple)) else message.id
    return f"[{message.context}] {text}" if message.context else text


def needs_work(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return message.fuzzy or not all(strings)


def missing(languages) -> dict:
    todo: dict = {}
    for language in languages:
        for message in load(language):
            if message.id and needs_work(message):
                plural = isinstance(message.id, (list, tuple))
                todo.setdefault(key_of(message), {})[language] = [] if plural else ""
    return todo


def apply(source: Path) -> int:
    data = json.loads(source.read_text(encoding="utf-8"))
    changed = 0
    for language in LANGUAGES:
        catalog = load(language)
        for message in catalog:
            if not message.id:
                continue
            entry = data.get(key_of(message), {})
            value = entry.get(language)
            if not value:
                continue
            message.string = tuple(value) if isinstance(message.id, (list, tuple)) else value
            message.flags.discard("fuzzy")
            changed += 1
        save(language, catalog)
    return changed


def merge(other: Path, language: str) -> int:
    with open(other, "rb") as handle:
        donor = {key_of(m): m for m in read_po(handle, locale=language) if m.id}
    catalog = load(language)
    filled = 0
    for message in catalog:
        if message.id and needs_work(message) and key_of(message) in donor:
            found = donor[key_of(message)]
            if not needs_work(found):
                message.string = found.string
                message.flags.discard("fuzzy")
                filled += 1
    save(language, catalog)
    return filled


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command = argv[0]
    if command == "missing":
        languages = [argv[argv.index("--lang") + 1]] if "--lang" in argv else list(LANGUAGES)
        json.dump(missing(languages), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if command == "apply":
        print(f"applied {apply(Path(argv[1]))} translations", file=sys.stderr)
        return 0
    if command == "merge":
        language = argv[argv.index("--lang") + 1]
        print(f"filled {merge(Path(argv[1]), language)} entries", file=sys.stderr)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
