"""Page weight from the browser's own resource timing: every key page, opened with an empty cache,
transfers at most 300 KB; pages with charts at most their own budget (the Plotly bundle is about
400 KB compressed). Static files arrive compressed, with content-hashed names cached for a year,
and Plotly is fetched only where a chart is on screen."""

import pytest
from playwright.sync_api import expect

from tests import key_pages
from tests.key_pages import WIDTHS

TRANSFERRED = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.map(e => ({name: e.name, bytes: e.transferSize, decoded: e.decodedBodySize,
                            encoding: e.contentEncoding || ''}));
}"""


@pytest.fixture
def demo(db):
    from planner import demo as demo_data

    return demo_data.load()


def cold_visit(page, url):
    """Opens ``url`` with an empty HTTP cache and waits until its charts (if any, in view) are drawn."""
    session = page.context.new_cdp_session(page)
    session.send("Network.clearBrowserCache")
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => [...document.querySelectorAll('.plotly-chart[data-rendered]')].every("
                           "el => ['true', 'error'].includes(el.getAttribute('data-rendered')))", timeout=20000)
    return page.evaluate(TRANSFERRED)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_key_page_stays_within_its_byte_budget_on_a_cold_cache(page, live_server, demo, language):
    over = []
    for key_page, width in key_pages.visits(page, live_server, demo, language):
        entries = cold_visit(page, f"{live_server}{key_page.path}?lang={language}")
        total = sum(entry["bytes"] for entry in entries)
        budget = key_pages.CHART_PAGE_BUDGET if key_page.has_charts else key_pages.PAGE_BUDGET
        if total > budget:
            biggest = sorted(entries, key=lambda e: -e["bytes"])[:4]
            over.append(f"{key_page.name} {width}: {total // 1024} KB > {budget // 1024} KB ("
                        + ", ".join(f"{e['name'].rsplit('/', 1)[-1][:40]} {e['bytes'] // 1024} KB" for e in biggest)
                        + ")")
        # Plotly is fetched only on pages with a chart.
        plotly = [e for e in entries if "/vendor/plotly/" in e["name"]]
        if plotly and not page.locator(".plotly-chart").count():
            over.append(f"{key_page.name} {width}: Plotly loaded without a chart")
    assert not over, "\n".join(over)


def test_static_files_are_compressed_and_cached_for_good(page, live_server, make_user, browser_login):
    browser_login(page, make_user())
    entries = cold_visit(page, f"{live_server}/projects")
    static = [e for e in entries if "/static/" in e["name"] or "/bootstrap/static/" in e["name"]]
    assert static, entries
    for entry in static:
        name = entry["name"].rsplit("/", 1)[-1]
        assert len(name.split(".")) >= 3, f"{name} has no content hash in its name"
        if not name.endswith((".woff2", ".woff")) and entry["decoded"] > 1024:
            assert entry["encoding"] in {"gzip", "br"}, f"{name} arrived uncompressed"
    # A second visit takes every static file from the browser's cache: nothing is transferred again.
    page.goto(f"{live_server}/projects")
    page.wait_for_load_state("networkidle")
    again = [e for e in page.evaluate(TRANSFERRED) if "/static/" in e["name"]]
    assert again and all(e["bytes"] == 0 for e in again), again


def test_plotly_waits_until_a_chart_comes_into_view(page, live_server, demo):
    project = demo.projects["zh"]
    page.set_viewport_size(WIDTHS["phone"])
    key_pages.sign_in(page, live_server, key_pages.MANAGER, "zh")
    page.goto(f"{live_server}/projects/{project.id}/kpis?lang=zh")
    page.wait_for_load_state("networkidle")
    charts = page.locator(".plotly-chart")
    assert charts.count() > 1
    # Only the charts near the screen are drawn; the Plotly bundle came once.
    drawn = page.locator(".plotly-chart[data-rendered=true]")
    expect(drawn.first).to_be_visible(timeout=20000)
    assert drawn.count() < charts.count()
    charts.last.scroll_into_view_if_needed()
    expect(charts.last).to_have_attribute("data-rendered", "true", timeout=20000)
    names = [e["name"] for e in page.evaluate(TRANSFERRED)]
    assert sum("/vendor/plotly/" in name for name in names) == 1
    # Plotly's own strings are in Chinese, and its toolbar is not shown.
    assert page.evaluate("window.PlotlyLocales.zh.dictionary['Autoscale']") == "适应数据"
    assert page.locator(".modebar").count() == 0
