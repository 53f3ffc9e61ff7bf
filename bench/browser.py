"""Key pages in Chromium: largest contentful paint and bytes transferred.

The demo data (``planner.demo``) in a database of its own (``bench/data/browser.db``), served by the
app in this process; Debian's Chromium through Playwright opens every key page of
``tests/key_pages.py`` in English, Spanish and Chinese, on a 1366-px screen and a 390-px phone,
first with an empty cache (cold) then again (warm). LCP is the browser's own
``largest-contentful-paint`` entry; bytes are the resource timing entries' ``transferSize``.

Target: LCP ≤ 1.0 s on every key page (the median of the samples, cold and warm).
"""

import json
import os
import statistics
import threading
import time
from pathlib import Path

TARGET_LCP_MS = 1000
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en", "es", "zh")
CHROMIUM = "/usr/bin/chromium"

LCP = """() => new Promise(resolve => {
  new PerformanceObserver(list => { const e = list.getEntries(); resolve(e[e.length - 1].startTime); })
    .observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(null), 3000);
})"""
BYTES = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .reduce((sum, e) => sum + e.transferSize, 0)"""


def _serve(data: Path):
    import flask_migrate
    from werkzeug.serving import make_server

    from planner import ROOT, create_app
    from planner import demo as demo_data
    from planner.extensions import db
    from tests import key_pages

    path = data / "browser.db"
    path.unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        ctx = demo_data.load()
        pages = {language: key_pages.pages(ctx, language) for language in LANGUAGES}
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", pages


def measure(data: Path, samples: int = 3) -> dict:
    import logging

    from playwright.sync_api import sync_playwright

    from tests import key_pages

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server, base, pages = _serve(data)
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run"])
            for language in LANGUAGES:
                for width, size in WIDTHS.items():
                    context = browser.new_context(viewport=size)
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    signed_in = "-"
                    for key_page in pages[language]:
                        if key_page.user != signed_in:
                            context.clear_cookies()
                            if key_page.user:
                                key_pages.sign_in(page, base, key_page.user, language)
                            signed_in = key_page.user
                        url = f"{base}{key_page.path}?lang={language}"
                        cold, warm, sizes = [], [], []
                        for _ in range(samples):
                            cdp.send("Network.clearBrowserCache")
                            page.goto(url, wait_until="load")
                            cold.append(page.evaluate(LCP))
                            sizes.append(page.evaluate(BYTES))
                            page.goto(url, wait_until="load")
                            warm.append(page.evaluate(LCP))
                        entry = results.setdefault(key_page.name, {})
                        entry[f"{language} {width}"] = {
                            "lcp_cold_ms": round(statistics.median(v for v in cold if v is not None)),
                            "lcp_warm_ms": round(statistics.median(v for v in warm if v is not None)),
                            "kb_cold": round(statistics.median(sizes) / 1024),
                        }
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return results


def report(results: dict) -> list[str]:
    lines = ["", "Key pages in Chromium (median LCP ms cold / warm, KB transferred cold; worst of en/es/zh)",
             f"{'page':<22} {'desktop cold':>12} {'warm':>6} {'KB':>5}   {'phone cold':>10} {'warm':>6} {'KB':>5}"]
    for name, runs in results.items():
        row = f"{name:<22}"
        for width in WIDTHS:
            mine = [run for key, run in runs.items() if key.endswith(width)]
            row += (f" {max(r['lcp_cold_ms'] for r in mine):>12} {max(r['lcp_warm_ms'] for r in mine):>6}"
                    f" {max(r['kb_cold'] for r in mine):>5}  ")
        lines.append(row)
    return lines


def targets(results: dict) -> list[tuple]:
    worst_name, worst = None, 0
    for name, runs in results.items():
        for key, run in runs.items():
            value = max(run["lcp_cold_ms"], run["lcp_warm_ms"])
            if value > worst:
                worst_name, worst = f"{name} ({key})", value
    return [(f"LCP ≤ {TARGET_LCP_MS} ms on every key page (Chromium, cold and warm)", worst <= TARGET_LCP_MS,
             f"slowest: {worst_name} at {worst} ms")]


def main(data: Path) -> dict:
    started = time.perf_counter()
    results = measure(data)
    lines = report(results)
    for name, ok, detail in targets(results):
        lines.append(f"  [{'PASS' if ok else 'MISS'}] {name}: {detail}")
    print("\n".join(lines), flush=True)
    out = {"pages": results, "targets": targets(results), "seconds": round(time.perf_counter() - started, 1)}
    (data.parent / "results-browser.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    return out


if __name__ == "__main__":
    os.environ.setdefault("PLANNER_INSTANCE_PATH", str(Path(__file__).resolve().parent / "data" / "instance"))
    main(Path(__file__).resolve().parent / "data")
