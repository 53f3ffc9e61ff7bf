"""Our own words: no catalogue text, in any language, repeats a run of 9 words or 14 Chinese
characters from the source documents. The seeds live outside the repository; set SEEDS_DIR or keep
them in ../shared/seeds (or ../../shared/seeds from a worktree)."""

import os
import re
from pathlib import Path

import pytest

from planner.methodology.catalogue import LANGUAGES, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [Path(os.environ["SEEDS_DIR"])] if os.environ.get("SEEDS_DIR") else [
    ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds"]
SEEDS = next((path for path in CANDIDATES if path.is_dir()), None)
CJK = r"[\u4e00-\u9fff]"


def latin_words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿñ0-9]+", text.lower())


def runs(items: list, size: int) -> set[tuple]:
    return {tuple(items[i:i + size]) for i in range(len(items) - size + 1)}


@pytest.mark.skipif(SEEDS is None, reason="the seed documents are not next to this checkout (set SEEDS_DIR)")
def test_no_catalogue_text_copies_a_seed_sentence(app):
    seeds = [path.read_text(encoding="utf-8") for path in SEEDS.iterdir() if path.is_file()]
    word_runs = set().union(*(runs(latin_words(seed), 9) for seed in seeds))
    cjk_runs = set().union(*(runs(list(chunk), 14) for seed in seeds for chunk in re.findall(CJK + "+", seed)))
    copied = []
    for methodology in load_catalogue():
        for where, text in methodology.texts():
            for language in LANGUAGES:
                shown = text.in_language(language)
                if runs(latin_words(shown), 9) & word_runs:
                    copied.append(f"{where} ({language}): {shown[:80]}")
                if any(runs(list(chunk), 14) & cjk_runs for chunk in re.findall(CJK + "+", shown)):
                    copied.append(f"{where} ({language}): {shown[:40]}")
    assert not copied, "sentences taken from a seed:\n" + "\n".join(copied)
