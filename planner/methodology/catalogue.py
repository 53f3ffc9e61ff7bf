"""The methodology catalogue: YAML files loaded, validated and translated at display time.

Files live in ``planner/methodology/catalogues/`` (built in) and, optionally, in a folder named
by the ``METHODOLOGY_DIR`` setting (a company's own methodologies). Every file describes one
methodology::

    key: twelve_steps             # lowercase letters, digits and underscores; unique
    kind: checklist               # checklist (can be adopted), assessment or reference
    order: 10                     # position in lists (optional)
    title: …                      # texts: see below
    summary: …
    completion_note: …            # optional: what in this methodology is our own completion
    sections:
      - key: steps
        title: …                  # optional
        intro: …                  # optional
        items:
          - key: vision
            title: …
            short_title: …        # optional: for charts
            summary: …
            questions: [ …, … ]   # optional: what the team should answer
            practices: [ …, … ]   # optional
            evidence: …           # optional: what closes the step
            remedy: …             # optional: what to do instead (assessment items)
            warning_signs:        # assessment items: yes / partly / no questions
              - {key: unclear, text: …}
            links: [tco, kpis]    # optional: where the work happens (see LINKS)
            completion: true      # optional: not in the source, our own completion

A text is either an English string, translated through our gettext catalogue (the Babel
extractor in ``extract.py`` collects them, context ``methodology``), or, for company files that
are not in our catalogue, a mapping of inline translations ``{en: …, es: …, zh: …}`` (English
required). Any mistake raises ``CatalogueError`` naming the file and the entry.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markupsafe import Markup, escape

BUILTIN_DIR = Path(__file__).resolve().parent / "catalogues"
CONTEXT = "methodology"
LANGUAGES = ("en", "es", "zh")
KINDS = ("checklist", "assessment", "reference")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# Where the work happens: link name → (endpoint, label). Labels are looked up in ``links.py``;
# the names are listed here so that the loader can refuse unknown ones without Flask.
LINK_NAMES = ("tco", "quick_wins", "stages", "kpis", "interactions", "change_tasks", "feedback", "members",
              "key_problems", "risk")


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Text:
    """A catalogue text, shown in the reader's language when turned into a string."""

    source: str
    translations: Mapping[str, str] | None = None

    def in_language(self, language: str) -> str:
        if self.translations:
            return self.translations.get(language) or self.translations["en"]
        if language == "en":
            return self.source
        from flask_babel import force_locale, pgettext

        with force_locale(language):
            return pgettext(CONTEXT, self.source)

    def __str__(self) -> str:
        if self.translations:
            from planner.i18n import current_language

            return self.in_language(current_language())
        from flask_babel import pgettext

        return pgettext(CONTEXT, self.source)

    def __html__(self) -> Markup:
        return escape(str(self))

    def all_languages(self) -> dict[str, str]:
        return {language: self.in_language(language) for language in LANGUAGES}


@dataclass(frozen=True)
class WarningSign:
    key: str
    text: Text


@dataclass(frozen=True)
class Item:
    key: str
    title: Text
    summary: Text
    short_title: Text | None = None
    questions: tuple[Text, ...] = ()
    practices: tuple[Text, ...] = ()
    evidence: Text | None = None
    remedy: Text | None = None
    warning_signs: tuple[WarningSign, ...] = ()
    links: tuple[str, ...] = ()
    completion: bool = False
    section_key: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    items: tuple[Item, ...]
    title: Text | None = None
    intro: Text | None = None


@dataclass(frozen=True)
class Methodology:
    key: str
    kind: str
    title: Text
    summary: Text
    sections: tuple[Section, ...]
    order: int = 100
    completion_note: Text | None = None
    path: Path | None = None
    builtin: bool = True
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def adoptable(self) -> bool:
        return self.kind == "checklist"

    def item(self, key: str) -> Item | None:
        return self._index.get(key)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def position(self, key: str) -> int | None:
        """1-based position of an item in the walk-through, or None."""
        for number, item in enumerate(self.items, start=1):
            if item.key == key:
                return number
        return None

    def texts(self) -> Iterator[tuple[str, Text]]:
        """Every text of the methodology, with where it is (for checks and translators)."""
        yield f"{self.key}.title", self.title
        yield f"{self.key}.summary", self.summary
        if self.completion_note:
            yield f"{self.key}.completion_note", self.completion_note
        for section in self.sections:
            where = f"{self.key}.{section.key}"
            if section.title:
                yield f"{where}.title", section.title
            if section.intro:
                yield f"{where}.intro", section.intro
            for item in section.items:
                at = f"{where}.{item.key}"
                yield f"{at}.title", item.title
                if item.short_title:
                    yield f"{at}.short_title", item.short_title
                yield f"{at}.summary", item.summary
                for n, text in enumerate(item.questions, start=1):
                    yield f"{at}.questions[{n}]", text
                for n, text in enumerate(item.practices, start=1):
                    yield f"{at}.practices[{n}]", text
                for name in ("evidence", "remedy"):
                    if getattr(item, name):
                        yield f"{at}.{name}", getattr(item, name)
                for sign in item.warning_signs:
                    yield f"{at}.warning_signs.{sign.key}", sign.text


@dataclass(frozen=True)
class Catalogue:
    methodologies: tuple[Methodology, ...]

    def get(self, key: str) -> Methodology | None:
        return next((m for m in self.methodologies if m.key == key), None)

    def of_kind(self, kind: str) -> list[Methodology]:
        return [m for m in self.methodologies if m.kind == kind]

    @property
    def adoptable(self) -> list[Methodology]:
        return self.of_kind("checklist")

    def __iter__(self):
        return iter(self.methodologies)

    def __len__(self) -> int:
        return len(self.methodologies)


# --------------------------------------------------------------------------- loading


class _Where:
    """Builds the 'file, entry' part of an error message."""

    def __init__(self, path: Path, trail: tuple[str, ...] = ()):
        self.path, self.trail = path, trail

    def at(self, *parts: str) -> "_Where":
        return _Where(self.path, self.trail + tuple(parts))

    def error(self, problem: str) -> CatalogueError:
        entry = " › ".join(self.trail) if self.trail else "(top level)"
        return CatalogueError(f"{self.path}: entry {entry}: {problem}")


def _mapping(value, where: _Where, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise where.error("expected a mapping of fields")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise where.error(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(value))
    if missing:
        raise where.error(f"missing field(s) {', '.join(missing)}")
    return value


def _key(value, where: _Where) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise where.error(f"the key {value!r} must be lowercase letters, digits or underscores, starting with a letter")
    return value


def _text(value, where: _Where) -> Text:
    if isinstance(value, str):
        if not value.strip():
            raise where.error("the text is empty")
        return Text(" ".join(value.split()))
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in LANGUAGES)
        if unknown:
            raise where.error(f"unknown language(s) {', '.join(unknown)}; use {', '.join(LANGUAGES)}")
        if not isinstance(value.get("en"), str) or not value["en"].strip():
            raise where.error("inline translations need at least the English text (en)")
        translations = {}
        for language, text in value.items():
            if not isinstance(text, str) or not text.strip():
                raise where.error(f"the {language} text is empty")
            translations[language] = " ".join(text.split())
        return Text(translations["en"], translations)
    raise where.error("expected a text, or inline translations such as {en: …, es: …, zh: …}")


def _texts(value, where: _Where) -> tuple[Text, ...]:
    if not isinstance(value, list) or not value:
        raise where.error("expected a non-empty list of texts")
    return tuple(_text(text, where.at(f"[{n}]")) for n, text in enumerate(value, start=1))


ITEM_FIELDS = {"key", "title", "short_title", "summary", "questions", "practices", "evidence", "remedy",
               "warning_signs", "links", "completion"}


def _named(raw, where: _Where, label: str) -> _Where:
    """Names the entry by its key as soon as it has one, so every later message can say which."""
    if isinstance(raw, dict) and isinstance(raw.get("key"), str) and KEY.match(raw["key"]):
        return where.at(f"{label} '{raw['key']}'")
    return where


def _item(raw, where: _Where, kind: str, section_key: str) -> Item:
    where = _named(raw, where, "item")
    raw = _mapping(raw, where, ITEM_FIELDS, {"key", "title", "summary"})
    key = _key(raw["key"], where.at("key"))
    fields = {"key": key, "section_key": section_key, "title": _text(raw["title"], where.at("title")),
              "summary": _text(raw["summary"], where.at("summary"))}
    for name in ("questions", "practices"):
        if name in raw:
            fields[name] = _texts(raw[name], where.at(name))
    for name in ("short_title", "evidence", "remedy"):
        if name in raw:
            fields[name] = _text(raw[name], where.at(name))
    if "links" in raw:
        links = raw["links"]
        if not isinstance(links, list) or any(link not in LINK_NAMES for link in links):
            raise where.at("links").error(f"expected a list of link names among: {', '.join(LINK_NAMES)}")
        fields["links"] = tuple(links)
    if "completion" in raw:
        if not isinstance(raw["completion"], bool):
            raise where.at("completion").error("expected true or false")
        fields["completion"] = raw["completion"]
    if "warning_signs" in raw:
        signs_where = where.at("warning_signs")
        if kind != "assessment":
            raise signs_where.error("only assessment methodologies have warning signs")
        if not isinstance(raw["warning_signs"], list) or not raw["warning_signs"]:
            raise signs_where.error("expected a non-empty list of {key, text}")
        signs, seen = [], set()
        for n, sign in enumerate(raw["warning_signs"], start=1):
            sign_where = signs_where.at(f"[{n}]")
            sign = _mapping(sign, sign_where, {"key", "text"}, {"key", "text"})
            sign_key = _key(sign["key"], sign_where.at("key"))
            if sign_key in seen:
                raise sign_where.error(f"the warning sign key '{sign_key}' is used twice")
            seen.add(sign_key)
            signs.append(WarningSign(sign_key, _text(sign["text"], sign_where.at(f"sign '{sign_key}'"))))
        fields["warning_signs"] = tuple(signs)
    elif kind == "assessment":
        raise where.error("assessment items need warning_signs")
    return Item(**fields)


def parse(raw, path: Path, builtin: bool = True) -> Methodology:
    where = _named(raw, _Where(path), "methodology")
    raw = _mapping(raw, where, {"key", "kind", "order", "title", "summary", "completion_note", "sections"},
                   {"key", "kind", "title", "summary", "sections"})
    key = _key(raw["key"], where.at("key"))
    kind = raw["kind"]
    if kind not in KINDS:
        raise where.at("kind").error(f"the kind {kind!r} is not one of {', '.join(KINDS)}")
    order = raw.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        raise where.at("order").error("expected a whole number")
    sections_raw = raw["sections"]
    if not isinstance(sections_raw, list) or not sections_raw:
        raise where.at("sections").error("expected a non-empty list of sections")
    sections, index = [], {}
    for n, section_raw in enumerate(sections_raw, start=1):
        section_where = _named(section_raw, where.at(f"sections[{n}]"), "section")
        section_raw = _mapping(section_raw, section_where, {"key", "title", "intro", "items"}, {"key", "items"})
        section_key = _key(section_raw["key"], section_where.at("key"))
        items_raw = section_raw["items"]
        if not isinstance(items_raw, list) or not items_raw:
            raise section_where.at("items").error("expected a non-empty list of items")
        items = []
        for m, item_raw in enumerate(items_raw, start=1):
            item = _item(item_raw, section_where.at(f"items[{m}]"), kind, section_key)
            if item.key in index:
                raise section_where.at(f"items[{m}]", f"item '{item.key}'").error(
                    f"the item key '{item.key}' is used twice in this methodology")
            index[item.key] = item
            items.append(item)
        sections.append(Section(
            key=section_key, items=tuple(items),
            title=_text(section_raw["title"], section_where.at("title")) if "title" in section_raw else None,
            intro=_text(section_raw["intro"], section_where.at("intro")) if "intro" in section_raw else None,
        ))
    if len({s.key for s in sections}) != len(sections):
        raise where.at("sections").error("two sections share a key")
    return Methodology(
        key=key, kind=kind, order=order, title=_text(raw["title"], where.at("title")),
        summary=_text(raw["summary"], where.at("summary")), sections=tuple(sections),
        completion_note=_text(raw["completion_note"], where.at("completion_note"))
        if "completion_note" in raw else None,
        path=path, builtin=builtin, _index=index,
    )


def load_file(path: Path, builtin: bool = True) -> Methodology:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}" if mark else "(unknown line)"
        raise CatalogueError(f"{path}: entry at {at}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{path}: entry (whole file): not UTF-8 text") from exc
    return parse(raw, path, builtin)


def catalogue_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_catalogue(extra_dirs: list[Path] | tuple[Path, ...] = (), builtin_dir: Path = BUILTIN_DIR) -> Catalogue:
    """Loads the built-in files and those of each extra folder; raises CatalogueError on any problem."""
    found: dict[str, Methodology] = {}
    sources = [(builtin_dir, True)] + [(Path(d), False) for d in extra_dirs]
    for directory, builtin in sources:
        if not directory.is_dir():
            raise CatalogueError(f"{directory}: entry (folder): the methodology folder does not exist")
        for path in catalogue_files(directory):
            methodology = load_file(path, builtin)
            if methodology.key in found:
                raise CatalogueError(
                    f"{path}: entry methodology '{methodology.key}': the key is already used by "
                    f"{found[methodology.key].path}")
            found[methodology.key] = methodology
    ordered = sorted(found.values(), key=lambda m: (m.order, m.key))
    return Catalogue(tuple(ordered))


def untranslated(catalogue: Catalogue) -> list[tuple[str, str]]:
    """``(where, language)`` for every text that would show in English to a Spanish or Chinese
    reader: an inline text without that language, or a plain text missing from our gettext
    catalogue (as a company file's plain texts are). Needs an application context."""
    missing = []
    for methodology in catalogue:
        for where, text in methodology.texts():
            for language in LANGUAGES[1:]:
                if text.translations:
                    if not text.translations.get(language):
                        missing.append((where, language))
                    continue
                shown = text.in_language(language)
                if shown == text.source or (language == "zh" and not re.search(r"[\u4e00-\u9fff]", shown)):
                    missing.append((where, language))
    return missing


def configured_dirs(app) -> list[Path]:
    import os

    value = app.config.get("METHODOLOGY_DIR") or os.environ.get("METHODOLOGY_DIR") or ""
    return [Path(part) for part in str(value).split(os.pathsep) if part.strip()]


def init_app(app) -> None:
    app.extensions["methodology_catalogue"] = load_catalogue(configured_dirs(app))


def get_catalogue() -> Catalogue:
    from flask import current_app

    catalogue = current_app.extensions.get("methodology_catalogue")
    if catalogue is None:
        init_app(current_app)
        catalogue = current_app.extensions["methodology_catalogue"]
    return catalogue
