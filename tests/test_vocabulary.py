"""The catalogues read like one product: valid for msgfmt, 您 in Chinese, one tense in the audit
log, and the wrong renderings a review found stay fixed."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("es", "zh")


def catalogue(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def find(language, msgid, context=None):
    for message in catalogue(language):
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        if ids[0] == msgid and message.context == context:
            return message
    raise AssertionError(f"{msgid!r} is not in the {language} catalogue")


@pytest.mark.no_app
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_passes_msgfmt_check(language):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("msgfmt (Debian package gettext) is missing")
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    po = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr


@pytest.mark.no_app
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_names_the_translators(language):
    header = dict(catalogue(language).mime_headers)
    for field in ("Last-Translator", "Language-Team"):
        assert "EMAIL@ADDRESS" not in header[field] and "LL@li.org" not in header[field]
        assert "FULL NAME" not in header[field]


@pytest.mark.no_app
def test_chinese_addresses_the_reader_as_nin():
    offenders = [m.id for m in catalogue("zh") if m.id and any("你" in s for s in strings(m))]
    assert not offenders, f"use 您, not 你: {offenders[:10]}"


VOSOTROS = re.compile(r"\b(vosotr[oa]s|vuestr[oa]s?|os|\w+[áé]is|sois)\b|\b(acordad|haced|mirad|revisad|decidid)\b",
                      re.IGNORECASE)


@pytest.mark.no_app
def test_spanish_speaks_to_one_person_as_tu_never_vosotros():
    offenders = [(m.id, s) for m in catalogue("es") if m.id for s in strings(m) if VOSOTROS.search(s)]
    assert not offenders, offenders[:10]


@pytest.mark.no_app
@pytest.mark.parametrize("language, msgid, context, wrong, right", [
    ("zh", "Direct marketing and campaigns", "methodology", "直销", "直复营销"),
    ("zh", "Big bang, no adoption", "methodology", "一刀切", "一次性上线"),
    ("zh", "%(ratio)s spent on them for each unit spent on licences", None, "元", "倍"),
    ("zh", "by %(amount)s", None, "超出", "%(amount)s"),
    ("es", "Improvement in year 1 (points)", None, "Mejora el año", "Mejora en el año"),
])
def test_strings_a_review_found_wrong_stay_fixed(language, msgid, context, wrong, right):
    text = strings(find(language, msgid, context))[0]
    assert wrong not in text and right in text, text


@pytest.mark.no_app
def test_staff_in_scope_is_not_the_payroll():
    """在册员工 means everyone on the payroll; the KPI counts the members in the rollout's scope."""
    offenders = [m.id for m in catalogue("zh") if m.id and any("在册" in s for s in strings(m))]
    assert not offenders


def audit_texts(language) -> list[str]:
    """Every message the audit log can show, as registered by the features, in ``language``; a
    message with a count is shown for one and for several."""
    from collections import defaultdict
    from inspect import isfunction

    from flask_babel import force_locale

    from planner.audit import services

    texts = []
    with force_locale(language):
        for message in services._ACTIONS.values():
            if isfunction(message):
                texts += [message(defaultdict(str, count=n)) for n in (1, 2)]
            else:
                texts.append(str(message))
    return texts


def test_the_audit_log_keeps_one_tense_in_spanish(app):
    """Preterite throughout ("Añadió", "Aprobó"), never the present perfect ("Ha añadido")."""
    with app.test_request_context():
        texts = audit_texts("es")
    assert len(texts) > 50
    offenders = [text for text in texts if re.match(r"(Ha|Han|He)\s", text)]
    assert not offenders, offenders


def test_the_audit_log_reads_as_done_in_chinese(app):
    """Each entry states something done: with 了, or begun with 已."""
    with app.test_request_context():
        texts = audit_texts("zh")
    offenders = [text for text in texts if "了" not in text and not text.startswith("已")]
    assert not offenders, offenders
