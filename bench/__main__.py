"""``make bench``: the CRM records, their KPIs and their import at realistic size.

1. Data: a large synthetic project (100k accounts, 200k contacts, 1M interactions, 100k cases,
   50k opportunities) and a small one (1 %), generated once by ``bench.generator`` into
   ``bench/data/bench.db`` (SQLite; ``BENCH_DATABASE_URL`` for PostgreSQL) and reused while the
   generator and sizes are unchanged (``--fresh`` regenerates).
2. KPIs: each KPI's SQL computation on the large project (no cache), the weekly trends of the
   KPI page from an empty cache.
3. Pages through the app (Flask test client, so the whole WSGI stack but no network): median and
   p95 latency and SQL statements per request, on the large and on the small project.
4. The JSON API (``bench.api``), through the app with a real token: keyset pages of accounts and
   interactions (p50/p95 per page, SQL statements), the ``updated_since`` filter (a nightly delta,
   everything, nothing) and a bulk upsert of 10,000 accounts (seconds, records per second).
5. The executive dashboard (``bench.dashboard``): 50 generated projects, opened by a sponsor of 5
   and by a sponsor of all 50: latency and SQL statements per request.
6. Throughput under load (``bench.throughput``): the accounts and interactions lists, the KPI page
   and the overview of the large project and the dashboard of 50 projects under gunicorn as
   ``make run`` serves them, loaded by ``wrk`` in the same run as two references served the same
   way: a bare Flask route rendering a 20-row table (the ceiling) and Flask-Admin's list view of
   the same accounts table (the peer). Requests per second, p50 and p99, and ratios to both.
7. Import: a CSV of interactions of 25k, 50k and 100k rows, each in a process of its own against
   the large database (rolled back): rows per second and peak memory. Then 100k rows through the
   jobs (``bench.import_web``): rows per second as the worker runs them, and the whole web flow with
   gunicorn and the worker running (end-to-end time, slowest request on the way). Then the hostile
   files of ``bench.hostile``: each refused in under a second and 48 MB of traced memory.
8. Key pages in Chromium (``bench.browser``): largest contentful paint, cold and warm, and bytes
   transferred, of every key page in the three languages at 1366 and 390 px (``--browser-only``
   alone, ``--no-browser`` to skip).

Prints a table and writes ``bench/results.json``. ``--quick`` takes fewer samples and loads each
page for less time; ``--only-throughput`` measures the throughput alone (for profiling rounds),
``--only-api`` the API alone (with ``--scale 0.01`` on a small dataset to try it).
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GENERATOR_VERSION = 3
TARGET_P95_MS = 100
TARGET_IMPORT_ROWS_PER_SECOND = 20_000
TARGET_KPI_COLD_MS = 1000
IMPORT_SIZES = (25_000, 50_000, 100_000)
WEB_IMPORT_ROWS = 100_000
TARGET_IMPORT_REQUEST_MS = 1000


def percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def log(message):
    print(message, flush=True)


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def data_url(url: str, data_dir) -> str:
    """``url`` as data files record it: the data folder's own SQLite file named relatively, so that
    a copy of the folder is reused rather than generated again."""
    return url.replace(f"sqlite:///{data_dir}/", "sqlite:///<data>/")


def same_data(meta: dict, wanted: dict, url: str) -> bool:
    """Whether the data ``meta`` describes is the ``wanted`` one (its database named either way)."""
    found = {key: meta.get(key) for key in wanted}
    if found.get("database") == url:
        found["database"] = wanted["database"]
    return found == wanted


def prepare(app, args):
    """Generates the data unless bench/data holds it already for this generator and these sizes."""
    from bench.generator import Sizes, analyze, generate_project
    from planner.extensions import db
    from planner.projects.models import Project

    meta_path = DATA / "meta.json"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    wanted = {"version": GENERATOR_VERSION, "scale": args.scale, "database": data_url(url, DATA)}
    if meta_path.exists() and not args.fresh:
        meta = json.loads(meta_path.read_text())
        if same_data(meta, wanted, url) and db.session.get(Project, meta["large"]) is not None:
            log(f"Reusing the data generated on {meta['generated_at']} (--fresh to regenerate).")
            return meta
    large_sizes = Sizes.LARGE.scaled(args.scale)
    small_sizes = Sizes.SMALL.scaled(args.scale)
    log(f"Generating the large project {large_sizes} … (once; a minute or two)")
    started = time.perf_counter()
    large = generate_project("Benchmark — large", large_sizes, seed=1)
    db.session.commit()
    small = generate_project("Benchmark — small", small_sizes, seed=2)
    db.session.commit()
    analyze()
    db.session.commit()
    seconds = time.perf_counter() - started
    log(f"  generated in {seconds:.0f} s")
    meta = wanted | {"large": large, "small": small, "generated_at": time.strftime("%Y-%m-%d %H:%M"),
                     "generation_seconds": round(seconds, 1), "sizes": {"large": large_sizes.__dict__,
                                                                        "small": small_sizes.__dict__}}
    meta_path.write_text(json.dumps(meta, indent=1))
    return meta


def measure_kpis(app, meta, samples):
    from planner.dates import utc_today
    from planner.extensions import db
    from planner.kpis import cache, engine, services
    from planner.kpis.definitions import KpiKey

    pid = meta["large"]
    today = utc_today()
    results = {}
    for key in KpiKey:
        timings = []
        for _ in range(samples):
            started = time.perf_counter()
            counts = engine.compute(key, [pid], today)
            timings.append((time.perf_counter() - started) * 1000)
        num, den = counts.get(pid, (0, 0))
        value = services.to_value(key, num, den)
        results[key.value] = {"median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1),
                              "value": str(value) if value is not None else None, "numerator": num,
                              "denominator": den}
    # The KPI page's values from an empty cache: 7 KPIs × (16 weeks + today), as the page computes them.
    cache.invalidate(pid)
    db.session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    services.kpi_page(pid, 16, today)
    db.session.commit()
    results["all_trends_cold"] = {"ms": round((time.perf_counter() - started) * 1000, 1), "values": len(KpiKey) * 17,
                                  "cpu_ms": round((time.process_time() - cpu) * 1000, 1)}
    # As-of baselines for stage gates: kpi_value on a past date, cold then cached.
    past = today - timedelta(days=200)
    started = time.perf_counter()
    services.kpi_value(pid, KpiKey.ADOPTION, past)
    cold = (time.perf_counter() - started) * 1000
    db.session.commit()
    started = time.perf_counter()
    services.kpi_value(pid, KpiKey.ADOPTION, past)
    results["kpi_value_as_of_past_date"] = {"cold_ms": round(cold, 1),
                                            "cached_ms": round((time.perf_counter() - started) * 1000, 2)}
    return results


def login(client, email, password):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code


def page_paths(app, pid):
    """The pages measured for a project, with realistic searches, filters and a deep keyset page."""
    from sqlalchemy import select

    from planner.crm import listing
    from planner.crm.models import Account, Interaction
    from planner.extensions import db

    base = f"/projects/{pid}"
    with app.app_context():
        accounts = db.session.scalar(select(Account.id).where(Account.project_id == pid).limit(1))
        count = db.session.scalar(select(db.func.count()).select_from(Account).where(Account.project_id == pid))
        deep = db.session.execute(select(Account.name_key, Account.id).where(Account.project_id == pid)
                                  .order_by(Account.name_key, Account.id).offset(count * 6 // 10).limit(1)).one()
        prefix = deep.name_key[:3]
        staff = db.session.scalar(select(Interaction.captured_by_id).where(Interaction.project_id == pid).limit(1))
        deep_interaction = db.session.execute(
            select(Interaction.occurred_at, Interaction.id).where(Interaction.project_id == pid)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).offset(count * 4).limit(1)).one()
        cursor = listing._encode(list(deep))
        interaction_cursor = listing._encode(list(deep_interaction))
    return [
        ("accounts", f"{base}/crm/accounts"),
        ("accounts · search", f"{base}/crm/accounts?q={prefix}"),
        ("accounts · segment", f"{base}/crm/accounts?segment=Partner"),
        ("accounts · newest", f"{base}/crm/accounts?sort=-created"),
        ("accounts · 60 % deep (keyset)", f"{base}/crm/accounts?after={cursor}"),
        ("account detail", f"{base}/crm/accounts/{accounts}"),
        ("contacts", f"{base}/crm/contacts"),
        ("contacts · unreachable", f"{base}/crm/contacts?quality=unreachable"),
        ("interactions", f"{base}/crm/interactions"),
        ("interactions · chat", f"{base}/crm/interactions?channel=chat"),
        ("interactions · one member", f"{base}/crm/interactions?captured_by={staff}"),
        ("interactions · outcome missing", f"{base}/crm/interactions?outcome=missing"),
        ("interactions · account search", f"{base}/crm/interactions?q={prefix}"),
        ("interactions · deep (keyset)", f"{base}/crm/interactions?after={interaction_cursor}"),
        ("cases", f"{base}/crm/cases"),
        ("cases · open", f"{base}/crm/cases?status=open"),
        ("opportunities", f"{base}/crm/opportunities"),
        ("opportunities · largest", f"{base}/crm/opportunities?sort=-amount"),
        ("opportunities · won", f"{base}/crm/opportunities?stage=won"),
        ("KPI page", f"{base}/kpis"),
        ("project overview (KPI card)", f"{base}"),
    ]


def measure_pages(app, meta, samples):
    from sqlalchemy import event

    from bench.generator import PASSWORD
    from planner.extensions import db

    results = {}
    client = app.test_client()
    login(client, "bench-manager-0@example.com", PASSWORD)
    with app.app_context():
        engine = db.engine
    for size in ("large", "small"):
        for label, path in page_paths(app, meta[size]):
            for _ in range(3):  # warm up: caches, the KPI snapshot, the session touch
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            timings, statements = [], set()
            for _ in range(samples):
                counter = Counter()
                event.listen(engine, "before_cursor_execute", counter)
                started = time.perf_counter()
                response = client.get(path)
                response.get_data()
                timings.append((time.perf_counter() - started) * 1000)
                event.remove(engine, "before_cursor_execute", counter)
                statements.add(counter.count)
            results.setdefault(label, {})[size] = {
                "median_ms": round(statistics.median(timings), 1), "p95_ms": round(percentile(timings, 0.95), 1),
                "statements": sorted(statements)}
    # The KPI page when its cached values were just thrown away (after a write touching every KPI).
    from planner.db import utcnow
    from planner.kpis import cache

    timings = []
    pid = meta["large"]
    for _ in range(max(3, samples // 10)):
        with app.app_context():
            cache.invalidate(pid, utcnow().date())
            db.session.commit()
        started = time.perf_counter()
        assert client.get(f"/projects/{pid}/kpis").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    results["KPI page · today's values recomputed"] = {"large": {
        "median_ms": round(statistics.median(timings), 1), "p95_ms": round(max(timings), 1), "statements": []}}
    return results


def measure_exports(app, meta):
    client = app.test_client()
    from bench.generator import PASSWORD

    login(client, "bench-manager-0@example.com", PASSWORD)
    started = time.perf_counter()
    response = client.get(f"/projects/{meta['large']}/crm/accounts.csv")
    size = sum(len(chunk) for chunk in response.response)
    seconds = time.perf_counter() - started
    rows = meta["sizes"]["large"]["accounts"]
    return {"accounts_csv": {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
                             "mb": round(size / 1e6, 1)}}


def measure_imports(database_url):
    results = []
    env = dict(os.environ)
    for rows in IMPORT_SIZES:
        log(f"  import of {rows:,} rows …")
        output = subprocess.run([sys.executable, "-m", "bench.import_worker", database_url, str(rows)],
                                capture_output=True, text=True, env=env, cwd=HERE.parent, check=False)
        if output.returncode != 0:
            raise RuntimeError(output.stderr[-3000:])
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return results


def measure_import_jobs(database_url):
    output = subprocess.run([sys.executable, "-m", "bench.import_web", database_url, str(WEB_IMPORT_ROWS)],
                            capture_output=True, text=True, env=dict(os.environ), cwd=HERE.parent, check=False)
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-3000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure_hostile():
    output = subprocess.run([sys.executable, "-m", "bench.hostile"], capture_output=True, text=True,
                            env=dict(os.environ), cwd=HERE.parent, check=False)
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-3000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def report(results):
    lines = ["", "Pages (through the app; median / p95 ms; SQL statements per request)",
             f"{'page':<40} {'large: med':>10} {'p95':>7} {'SQL':>5}   {'small: med':>10} {'p95':>7} {'SQL':>5}"]
    for label, sizes in results["pages"].items():
        large, small = sizes.get("large", {}), sizes.get("small")
        sql_large = ",".join(map(str, large.get("statements", []))) or "—"
        row = f"{label:<40} {large.get('median_ms', 0):>10.1f} {large.get('p95_ms', 0):>7.1f} {sql_large:>5}"
        if small:
            row += (f"   {small['median_ms']:>10.1f} {small['p95_ms']:>7.1f} "
                    f"{','.join(map(str, small['statements'])):>5}")
        lines.append(row)
    lines += ["", "KPI computations on the large project (SQL, no cache; median ms)"]
    for key, value in results["kpis"].items():
        if "median_ms" in value:
            lines.append(f"  {key:<28} {value['median_ms']:>8.1f} ms   value {value['value']} "
                         f"({value['numerator']:,} / {value['denominator']:,})")
    trends = results["kpis"]["all_trends_cold"]
    lines.append(f"  {'all KPIs, 17 dates, cold':<28} {trends['ms']:>8.1f} ms   ({trends['values']} values; "
                 f"{trends.get('cpu_ms', 0):.0f} ms of CPU in this process, SQLite's included)")
    as_of = results["kpis"]["kpi_value_as_of_past_date"]
    lines.append(f"  {'kpi_value as of 200 days ago':<28} {as_of['cold_ms']:>8.1f} ms cold, "
                 f"{as_of['cached_ms']:.2f} ms cached")
    lines += ["", "Import of interactions CSV (next to the large project, rolled back; import: better of two runs)",
              f"{'rows':>9} {'file MB':>8} {'dry run rows/s':>15} {'import rows/s':>14} {'peak traced MB':>15} "
              f"{'max RSS MB':>11}"]
    for item in results["imports"]:
        lines.append(f"{item['rows']:>9,} {item['file_mb']:>8} {item['dry_run_rows_per_second']:>15,} "
                     f"{item['import_rows_per_second']:>14,} {item['peak_traced_mb']:>15} {item['max_rss_mb']:>11}")
    jobs = results["import_jobs"]
    path, web = jobs["job_path"], jobs["web_flow"]
    lines += ["", f"Import of {jobs['rows']:,} interactions as jobs ({jobs['file_mb']} MB)",
              f"  job path (as the worker runs them): check {path['check_rows_per_second']:,} rows/s, "
              f"import {path['import_rows_per_second']:,} rows/s",
              f"  web flow with gunicorn + worker: {web['end_to_end_seconds']} s end to end "
              f"(upload and check {web['check_seconds']} s, import {web['import_seconds']} s); slowest request "
              f"on the way {web['slowest_import_path_request_ms']} ms"]
    lines += [f"    {label:<34} {ms:>6} ms" for label, ms in web["slowest_request_ms"].items()]
    lines += ["", "Hostile files refused by the upload's reading (seconds; peak traced MB)"]
    lines += [f"  {item['file']:<42} {item['seconds']:>6} s {item['peak_traced_mb']:>6} MB  {item['outcome'][:50]}"
              for item in results["hostile"]]
    from bench import api, dashboard

    lines += api.report(results["api"])
    lines += dashboard.report(results["dashboard"])
    if "throughput" in results:
        from bench import throughput

        lines += throughput.report(results["throughput"])
    if "browser" in results:
        from bench import browser

        lines += browser.report(results["browser"])
    export = results["exports"]["accounts_csv"]
    lines += ["", f"CSV export of {export['rows']:,} accounts: {export['seconds']} s "
                  f"({export['rows_per_second']:,} rows/s, {export['mb']} MB)", "", "Targets"]
    for name, ok, detail in results["targets"]:
        lines.append(f"  [{'PASS' if ok else 'MISS'}] {name}: {detail}")
    return "\n".join(lines)


def targets(results):
    from bench import hostile

    pages = {label: sizes["large"] for label, sizes in results["pages"].items() if "small" in sizes}
    worst = max(pages.items(), key=lambda item: item[1]["p95_ms"])
    same = [label for label, sizes in results["pages"].items()
            if "small" in sizes and sizes["large"]["statements"] != sizes["small"]["statements"]]
    imports = results["imports"]
    slowest = min(item["import_rows_per_second"] for item in imports)
    peaks = [item["peak_traced_mb"] for item in imports]
    flat = max(peaks) <= min(peaks) * 1.25 + 2
    sizes = " / ".join(f"{item['rows']:,}" for item in imports)
    cold_ms = results["kpis"]["all_trends_cold"]["ms"]
    return [
        (f"every page p95 < {TARGET_P95_MS} ms (warm)", worst[1]["p95_ms"] < TARGET_P95_MS,
         f"slowest: {worst[0]} at {worst[1]['p95_ms']} ms"),
        (f"all KPIs × 17 dates recomputed cold on the large project < {TARGET_KPI_COLD_MS:,} ms",
         cold_ms < TARGET_KPI_COLD_MS, f"{cold_ms} ms"),
        ("SQL statements per page independent of data size", not same,
         "same on the large and small project" if not same else f"differs: {same}"),
        (f"import ≥ {TARGET_IMPORT_ROWS_PER_SECOND:,} rows/s", slowest >= TARGET_IMPORT_ROWS_PER_SECOND,
         f"slowest: {slowest:,} rows/s"),
        (f"import ≥ {TARGET_IMPORT_ROWS_PER_SECOND:,} rows/s through the job path",
         results["import_jobs"]["job_path"]["import_rows_per_second"] >= TARGET_IMPORT_ROWS_PER_SECOND,
         f"{results['import_jobs']['job_path']['import_rows_per_second']:,} rows/s"),
        (f"no web request over {TARGET_IMPORT_REQUEST_MS} ms on the import path",
         results["import_jobs"]["web_flow"]["slowest_import_path_request_ms"] <= TARGET_IMPORT_REQUEST_MS,
         f"slowest: {results['import_jobs']['web_flow']['slowest_import_path_request_ms']} ms "
         f"({results['import_jobs']['rows']:,} rows, end to end "
         f"{results['import_jobs']['web_flow']['end_to_end_seconds']} s)"),
        (f"each hostile file refused in < {hostile.TARGET_SECONDS} s and < {hostile.TARGET_MB} MB",
         all(item["outcome"].startswith("refused") and item["seconds"] < hostile.TARGET_SECONDS
             and item["peak_traced_mb"] < hostile.TARGET_MB for item in results["hostile"]),
         "slowest: " + max(results["hostile"], key=lambda item: item["seconds"])["file"]
         + f" in {max(item['seconds'] for item in results['hostile'])} s"),
        ("import peak memory independent of file size", flat,
         " → ".join(f"{p} MB" for p in peaks) + f" for {sizes} rows"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="regenerate the data")
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--scale", type=float, default=1.0, help="data size relative to the issue's (1.0)")
    parser.add_argument("--generate-only", action="store_true", help="only make sure the data is there")
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput section (needs wrk)")
    parser.add_argument("--only-throughput", action="store_true", help="only the throughput section")
    parser.add_argument("--only-api", action="store_true", help="only the API section (bench/api.py)")
    parser.add_argument("--only-dashboard", action="store_true", help="only the executive dashboard (single requests)")
    parser.add_argument("--seconds", type=float, help="how long wrk loads each page (10, or 5 with --quick)")
    parser.add_argument("--browser-only", action="store_true",
                        help="only the key pages in Chromium (largest contentful paint, bytes; bench/browser.py)")
    parser.add_argument("--no-browser", action="store_true", help="skip the key pages in Chromium")
    args = parser.parse_args()
    if args.browser_only:
        from bench import browser

        DATA.mkdir(exist_ok=True)
        os.environ.setdefault("PLANNER_INSTANCE_PATH", str(DATA / "instance"))
        browser.main(DATA)
        return
    DATA.mkdir(exist_ok=True)
    os.environ.setdefault("PLANNER_INSTANCE_PATH", str(DATA / "instance"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DATA / 'bench.db'}"

    import flask_migrate

    from planner import ROOT, create_app
    from planner.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    samples = 10 if args.quick else 40
    seconds = args.seconds or (5 if args.quick else 10)
    from bench import dashboard, throughput

    if not (args.no_throughput or args.generate_only or args.only_api or args.only_dashboard):
        throughput.require_wrk()
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        meta = prepare(app, args)
        portfolio = None
        if not args.only_api:
            log("Preparing the executive dashboard's 50 projects (generated once) …")
            portfolio = dashboard.prepare(app, DATA, fresh=args.fresh)
        db.session.remove()
    if args.generate_only:
        return
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                           "database": database_url.split(":", 1)[0], "platform": platform.platform()},
               "data": meta}
    if args.only_api:
        from bench import api

        log("Measuring the API …")
        results["api"] = api.measure(app, meta, samples, log)
        results["targets"] = api.targets(results["api"])
        results["seconds"] = round(time.perf_counter() - started, 1)
        (HERE / "results-api.json").write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
        log("\n".join(api.report(results["api"]) + ["", "Targets"] + [
            f"  [{'PASS' if ok else 'MISS'}] {name}: {detail}" for name, ok, detail in results["targets"]]))
        log("\nWritten to bench/results-api.json.")
        return
    if args.only_dashboard:
        log("Measuring the executive dashboard …")
        found = dashboard.measure(app, samples)
        log("\n".join(dashboard.report(found) + ["", "Targets"] + [
            f"  [{'PASS' if ok else 'MISS'}] {name}: {detail}" for name, ok, detail in dashboard.targets(found)]))
        return
    if args.only_throughput:
        log("Measuring the throughput under load …")
        results["throughput"] = throughput.measure(app, meta, portfolio, database_url, seconds, 2, log)
        results["targets"] = throughput.targets(results["throughput"])
        results["seconds"] = round(time.perf_counter() - started, 1)
        (HERE / "results-throughput.json").write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
        log("\n".join(throughput.report(results["throughput"]) + ["", "Targets"] + [
            f"  [{'PASS' if ok else 'MISS'}] {name}: {detail}" for name, ok, detail in results["targets"]]))
        log("\nWritten to bench/results-throughput.json.")
        return
    with app.app_context():
        log("Measuring the KPI computations …")
        results["kpis"] = measure_kpis(app, meta, 3)
        db.session.remove()
    log("Measuring the pages …")
    results["pages"] = measure_pages(app, meta, samples)
    from bench import api

    log("Measuring the API …")
    results["api"] = api.measure(app, meta, samples, log)
    log("Measuring the executive dashboard …")
    results["dashboard"] = dashboard.measure(app, samples)
    if not args.no_throughput:
        log("Measuring the throughput under load …")
        results["throughput"] = throughput.measure(app, meta, portfolio, database_url, seconds, 2, log)
    log("Measuring the CSV export …")
    results["exports"] = measure_exports(app, meta)
    log("Measuring imports …")
    results["imports"] = measure_imports(database_url)
    log(f"  job path and web flow with the worker running, {WEB_IMPORT_ROWS:,} rows …")
    results["import_jobs"] = measure_import_jobs(database_url)
    log("  hostile files …")
    results["hostile"] = measure_hostile()
    if not args.no_browser:
        from bench import browser

        log("Measuring the key pages in Chromium (largest contentful paint, bytes) …")
        results["browser"] = browser.measure(DATA)
    results["targets"] = targets(results) + api.targets(results["api"]) + dashboard.targets(results["dashboard"])
    if "throughput" in results:
        results["targets"] += throughput.targets(results["throughput"])
    if "browser" in results:
        results["targets"] += browser.targets(results["browser"])
    results["seconds"] = round(time.perf_counter() - started, 1)
    (HERE / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    log(report(results))
    log(f"\nWritten to bench/results.json in {results['seconds']} s.")

if __name__ == "__main__":
    main()
