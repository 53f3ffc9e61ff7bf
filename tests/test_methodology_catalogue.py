"""The methodology catalogue: every file loads, matches the sources' counts, is complete in three
languages through the gettext catalogues, is picked up by the Babel extractor, and a malformed
file fails with a message that names the file and the entry."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from planner.methodology.catalogue import (
    BUILTIN_DIR,
    CONTEXT,
    CatalogueError,
    Text,
    catalogue_files,
    load_catalogue,
    load_file,
)
from planner.methodology.extract import extract_catalogue

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()
ALL_TEXTS = [(m.key, where, text) for m in CATALOGUE for where, text in m.texts()]


def po(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.no_app
def test_every_built_in_methodology_loads():
    assert [m.key for m in CATALOGUE] == ["twelve_steps", "people_first", "seven_sins", "five_principles",
                                          "focus_cycle", "core_competencies"]
    assert len(catalogue_files(BUILTIN_DIR)) == len(CATALOGUE)
    assert {m.kind for m in CATALOGUE} == {"checklist", "assessment", "reference"}
    assert [m.key for m in CATALOGUE.adoptable] == ["twelve_steps", "people_first", "five_principles", "focus_cycle"]


@pytest.mark.no_app
def test_the_counts_match_the_sources():
    assert len(CATALOGUE.get("twelve_steps").items) == 12
    people = CATALOGUE.get("people_first")
    assert len(people.section("steps").items) == 8
    assert len(people.section("change_requirements").items) == 6
    assert len(CATALOGUE.get("seven_sins").items) == 7
    assert len(CATALOGUE.get("five_principles").items) == 5
    cycle = CATALOGUE.get("focus_cycle")
    assert len(cycle.section("cycle").items) == 4
    assert [i.key for i in cycle.section("balance").items] == ["people", "customers", "processes", "technology",
                                                               "project"]
    assert len(CATALOGUE.get("core_competencies").items) == 5


@pytest.mark.no_app
def test_sins_four_to_seven_are_marked_as_our_completion_and_all_have_warning_signs():
    sins = CATALOGUE.get("seven_sins")
    assert [sin.completion for sin in sins.items] == [False, False, False, True, True, True, True]
    assert sins.completion_note is not None
    for sin in sins.items:
        assert len(sin.warning_signs) >= 2 and sin.remedy is not None


@pytest.mark.no_app
def test_every_checklist_step_says_what_to_answer_and_what_closes_it():
    for methodology in CATALOGUE.adoptable:
        for item in methodology.items:
            assert item.evidence is not None, f"{methodology.key}.{item.key} has no evidence"
            assert item.questions or item.practices, f"{methodology.key}.{item.key} has no questions"


@pytest.mark.no_app
@pytest.mark.parametrize("language", ["es", "zh"])
def test_every_catalogue_text_is_translated_in_the_gettext_catalogue(language):
    translated = {m.id: m for m in po(language) if m.context == CONTEXT}
    problems = []
    for _key, where, text in ALL_TEXTS:
        if text.translations:
            if not text.translations.get(language):
                problems.append(f"{where}: no inline {language} text")
            continue
        message = translated.get(text.source)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"{where}: {text.source[:60]!r}")
        elif language == "zh" and not re.search(r"[\u4e00-\u9fff]", message.string):
            problems.append(f"{where}: the Chinese text has no Chinese characters")
    assert not problems, f"{len(problems)} texts need a {language} translation:\n" + "\n".join(problems[:30])


def test_texts_are_shown_in_the_readers_language(app):
    step = CATALOGUE.get("twelve_steps").item("business_case")
    assert step.title.in_language("en") == "Build the business case"
    assert step.title.in_language("es") == "Preparar el caso de negocio"
    assert step.title.in_language("zh") == "建立业务论证"
    with app.test_request_context("/?lang=zh"):
        assert str(step.title) == "建立业务论证"
    for _key, where, text in ALL_TEXTS:  # every text really comes out translated at display time
        assert text.in_language("es") != text.source, where
        assert re.search(r"[\u4e00-\u9fff]", text.in_language("zh")), where


@pytest.mark.no_app
@pytest.mark.parametrize("path", catalogue_files(BUILTIN_DIR), ids=lambda p: p.name)
def test_the_extractor_yields_every_text_of_a_file(path):
    with open(path, "rb") as handle:
        extracted = list(extract_catalogue(handle, [], [], {}))
    assert all(funcname == "pgettext" and context == CONTEXT for _line, funcname, (context, _t), _c in extracted)
    texts = {text for _line, _f, (_c, text), _comments in extracted}
    expected = {text.source for _where, text in load_file(path).texts() if not text.translations}
    assert texts == expected


@pytest.mark.no_app
def test_babel_cfg_routes_the_catalogue_files_to_the_extractor():
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    yaml_map = [(pattern, method) for pattern, method in method_map if pattern.endswith(".yaml")]
    assert yaml_map == [("planner/methodology/catalogues/**.yaml", "planner.methodology.extract:extract_catalogue")]
    found = {(context, message) for _file, _line, message, _comments, context in
             extract_from_dir(str(ROOT), yaml_map, options_map)}
    assert (CONTEXT, "Twelve steps to building CRM infrastructure") in found
    assert (CONTEXT, "No visible executive backing") in found
    assert len(found) == len({(CONTEXT, t.source) for _k, _w, t in ALL_TEXTS})


# --------------------------------------------------------------------------- malformed files

GOOD = """
key: acme_onboarding
kind: checklist
title: Acme onboarding
summary: How Acme rolls out a CRM.
sections:
  - key: steps
    items:
      - key: kickoff
        title: Kick-off
        summary: Meet the team.
"""


def write(tmp_path, text, name="acme.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BROKEN = [
    ("missing item title", GOOD.replace("        title: Kick-off\n", ""), ["item 'kickoff'", "title"]),
    ("unknown field", GOOD.replace("summary: Meet the team.", "summary: Meet the team.\n        colour: red"),
     ["item 'kickoff'", "colour"]),
    ("wrong kind", GOOD.replace("kind: checklist", "kind: poster"), ["methodology 'acme_onboarding'", "kind"]),
    ("bad key", GOOD.replace("key: kickoff", "key: Kick Off"), ["items[1]", "key"]),
    ("duplicate item", GOOD + "      - key: kickoff\n        title: Again\n        summary: Twice.\n",
     ["item 'kickoff'", "used twice"]),
    ("assessment without signs", GOOD.replace("kind: checklist", "kind: assessment"),
     ["item 'kickoff'", "warning_signs"]),
    ("inline text without English", GOOD.replace("title: Kick-off", "title: {es: Arranque, zh: 启动}"),
     ["item 'kickoff'", "title", "English"]),
    ("unknown link", GOOD.replace("summary: Meet the team.", "summary: Meet the team.\n        links: [payroll]"),
     ["item 'kickoff'", "links"]),
    ("empty text", GOOD.replace("summary: Meet the team.", "summary: ''"), ["item 'kickoff'", "summary"]),
    ("not YAML", GOOD.replace("title: Kick-off", "title: [Kick-off"), ["line"]),
    ("no sections", GOOD.split("sections:")[0], ["methodology 'acme_onboarding'", "sections"]),
]


@pytest.mark.no_app
@pytest.mark.parametrize("label, text, expected", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_malformed_file_names_the_file_and_the_entry(tmp_path, label, text, expected):
    write(tmp_path, text)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue([tmp_path])
    message = str(raised.value)
    assert "acme.yaml" in message
    for part in expected:
        assert part in message, f"{label}: {part!r} not in {message!r}"


@pytest.mark.no_app
def test_a_company_file_cannot_reuse_a_built_in_key(tmp_path):
    write(tmp_path, GOOD.replace("key: acme_onboarding", "key: twelve_steps"))
    with pytest.raises(CatalogueError, match=r"acme\.yaml.*'twelve_steps'.*already used by .*twelve_steps\.yaml"):
        load_catalogue([tmp_path])


@pytest.mark.no_app
def test_a_missing_company_folder_is_reported(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue([tmp_path / "nowhere"])


@pytest.mark.no_app
def test_a_company_methodology_with_inline_translations_is_added(tmp_path):
    write(tmp_path, GOOD.replace("title: Kick-off", "title: {en: Kick-off, es: Arranque, zh: 启动会}"))
    catalogue = load_catalogue([tmp_path])
    acme = catalogue.get("acme_onboarding")
    assert acme is not None and not acme.builtin and acme.adoptable
    title = acme.item("kickoff").title
    assert isinstance(title, Text)
    assert (title.in_language("en"), title.in_language("es"), title.in_language("zh")) == (
        "Kick-off", "Arranque", "启动会")
    assert len(catalogue) == len(CATALOGUE) + 1


def test_the_check_command_lists_texts_missing_a_language(app, tmp_path, monkeypatch):
    from planner.methodology.catalogue import init_app

    runner = app.test_cli_runner()
    result = runner.invoke(args=["methodology", "check"])
    assert result.exit_code == 0, result.output
    assert "twelve_steps: 12 entries" in result.output

    write(tmp_path, GOOD.replace("title: Kick-off", "title: {en: Kick-off, es: Arranque}"))
    monkeypatch.setitem(app.config, "METHODOLOGY_DIR", str(tmp_path))
    monkeypatch.setitem(app.extensions, "methodology_catalogue", None)
    init_app(app)
    result = runner.invoke(args=["methodology", "check"])
    assert result.exit_code == 1
    assert "missing zh: acme_onboarding.steps.kickoff.title" in result.output
    assert "missing es: acme_onboarding.summary" in result.output  # a plain English text, not in our catalogue
