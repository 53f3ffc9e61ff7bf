"""One vocabulary: every catalogue entry (interface and methodology texts) renders each product
term the way translations/glossary.yaml says, and no translation uses a word the glossary avoids.

A justified departure is declared under `exceptions` in the glossary, with its reason.
"""

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "translations" / "glossary.yaml"
LANGUAGES = ("es", "zh")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w*\}")

# The terms the issue asked for, each of which the glossary must define.
REQUIRED = {
    "stage", "gate", "sign-off", "sponsor", "quick win", "KPI", "baseline", "target", "adoption", "rollout",
    "go-live", "TCO", "ROI", "NPV", "payback", "exit criterion", "self-assessment", "key problem", "condition",
    "staff", "survey", "dashboard", "CRM", "rigid use", "optimise", "solidify",
}

pytestmark = pytest.mark.no_app


def load_glossary() -> dict:
    return yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))


def catalogue(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def english_of(message) -> str:
    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    return PLACEHOLDER.sub(" ", " ".join(ids))


def translations_of(message) -> list[str]:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return [PLACEHOLDER.sub(" ", s) for s in strings if s]


def msgid_of(message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def exception_keys(glossary) -> set:
    return {(e["msgid"], e.get("context"), e["term"], e["language"]) for e in glossary.get("exceptions") or []}


def test_the_glossary_defines_every_product_term_once_with_a_note():
    glossary = load_glossary()
    names = [t["term"] for t in glossary["terms"]]
    assert len(names) == len(set(names)), "a term is defined twice"
    assert set(names) >= REQUIRED, REQUIRED - set(names)
    for term in glossary["terms"]:
        assert term["es"] and term["zh"] and term["note"], term["term"]
        for language in LANGUAGES:
            forms = term.get(f"{language}_forms") or [re.escape(term[language])]
            assert any(re.search(form, term[language], re.IGNORECASE) for form in forms), (
                f"{term['term']}: the {language} rendering matches none of its own forms")
    for exception in glossary.get("exceptions") or []:
        assert exception.get("reason"), exception
        assert exception["term"] in names, exception


def test_the_adoption_cycle_uses_the_standard_chinese_terms():
    terms = {t["term"]: t for t in load_glossary()["terms"]}
    assert [terms[name]["zh"] for name in ("rigid use", "optimise", "solidify")] == ["僵化", "优化", "固化"]


def matches(term, english: str) -> bool:
    flags = 0 if term.get("case_sensitive") else re.IGNORECASE
    return any(re.search(pattern, english, flags) for pattern in term["en"])


def glossary_problems(language: str) -> list[str]:
    glossary = load_glossary()
    excepted = exception_keys(glossary)
    used = set()
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        english = english_of(message)
        translated = translations_of(message)
        for term in glossary["terms"]:
            if not matches(term, english):
                continue
            forms = term.get(f"{language}_forms") or [re.escape(term[language])]
            missing = [s for s in translated if not any(re.search(f, s, re.IGNORECASE) for f in forms)]
            key = (msgid_of(message), message.context, term["term"], language)
            if missing and key not in excepted:
                problems.append(f"[{term['term']} → {term[language]}] {msgid_of(message)!r}\n      {missing[0]!r}")
            if missing and key in excepted:
                used.add(key)
        avoided = [(term["term"], word) for term in glossary["terms"] if matches(term, english)
                   for word in (term.get("avoid") or {}).get(language, [])]
        avoided += [("anywhere", word) for word in (glossary.get("avoid_anywhere") or {}).get(language, [])]
        for name, word in avoided:
            for text in translated:
                if re.search(word, text, re.IGNORECASE):
                    key = (msgid_of(message), message.context, name, language)
                    if key in excepted:
                        used.add(key)
                    else:
                        problems.append(f"[{name}: avoid {word}] {msgid_of(message)!r}\n      {text!r}")
    stale = {key for key in excepted if key[3] == language} - used
    problems += [f"exception no longer needed: {key}" for key in sorted(stale, key=str)]
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_follows_the_glossary(language):
    problems = glossary_problems(language)
    assert not problems, f"{language}: {len(problems)} entries depart from translations/glossary.yaml:\n" + \
        "\n".join(problems[:60])
