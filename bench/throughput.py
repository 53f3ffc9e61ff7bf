"""Throughput under load: the app and two references under gunicorn, driven by ``wrk``, in one run.

Every contender is served the way ``make run`` serves the app (gunicorn with ``gunicorn.conf.py``:
``WORKERS`` sync workers, the access log on), except that workers are not recycled during the
measurement (``--max-requests 0``: a worker restart would weigh on the fastest contender most), on
127.0.0.1 only, and loaded by the same client for the same bounded time (``wrk -t2 -c4 --latency``)
after a short warm-up:

- the ceiling: a bare Flask route rendering a 20-row Jinja table (``bench.reference``);
- the peer: Flask-Admin's list view of the same ``crm_accounts`` table (``bench.reference``);
- our pages, signed in: the accounts and interactions lists and the KPI page of the large project
  (1M interactions), its overview, and the executive dashboard of 50 projects.

The references are measured before and after our pages; each page is compared with their mean, so
a change in the machine's load during the run shows as a spread between the two passes. Absolute
figures depend on what else the machine runs (its load average is recorded); ratios much less.

``wrk`` comes from Debian (``apt-get install -y wrk``); without it this section stops the benchmark
with that instruction (``--no-throughput`` skips it).
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2  # as `make run` (Makefile: WORKERS ?= 2)
CONNECTIONS = 4
THREADS = 2
TARGET_PEER_RATIO = 2.0
TARGET_DASHBOARD_RPS = 100
TARGET_P99_MS = 100
PEER_RATIO_PAGES = ("accounts list", "interactions list")


class MissingTool(RuntimeError):
    pass


def require_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise MissingTool("The throughput section of `make bench` needs wrk: `apt-get install -y wrk` "
                          "(Debian), or run `python -m bench --no-throughput`.")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn`` serving ``target`` on a free loopback port, as ``make run`` does."""

    def __init__(self, target: str, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{self.port}", "--max-requests", "0", target],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str = "/", seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {self.process.stderr.read().decode()[-2000:]}")
            try:
                get(self.port, path)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(port: int, path: str, cookie: str = "") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = re.search(r"^\s*(\d+) requests in ([\d.]+\w+)", output, re.MULTILINE)
    errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": round(_ms(latency["50"]), 2), "p99_ms": round(_ms(latency["99"]), 2),
            "requests": int(requests.group(1)), "socket_errors": errors.group(1) if errors else "",
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0}


def load(wrk: str, url: str, cookie: str, seconds: float) -> dict:
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", "--timeout", "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return parse_wrk(output)


def session_cookie(app, email: str) -> str:
    """A signed-in session (a real server-side session record) as a Cookie header value."""
    from bench.__main__ import login
    from bench.generator import PASSWORD

    client = app.test_client()
    login(client, email, PASSWORD)
    cookie = client.get_cookie("session")
    return f"session={cookie.value}"


def measure(app, meta: dict, portfolio: dict, database_url: str, seconds: float, warmup: float, log) -> dict:
    wrk = require_wrk()
    pid = meta["large"]
    manager = session_cookie(app, "bench-manager-0@example.com")
    sponsor = session_cookie(app, "bench-sponsor-all-0@example.com")
    base = dict(os.environ)
    app_env = base | {"PLANNER_ENV": "production", "SECRET_KEY": app.config["SECRET_KEY"],
                      "DATABASE_URL": database_url}
    reference_env = base | {"BENCH_REFERENCE_DATABASE_URL": database_url, "BENCH_REFERENCE_PROJECT": str(pid),
                            "SECRET_KEY": "bench"}
    pages = [
        ("accounts list", f"/projects/{pid}/crm/accounts", manager, "crm-table"),
        ("interactions list", f"/projects/{pid}/crm/interactions", manager, "crm-table"),
        ("KPI page", f"/projects/{pid}/kpis", manager, "</main>"),
        ("project overview", f"/projects/{pid}", manager, "</main>"),
        ("dashboard, 50 projects", "/dashboard", sponsor, "dash-card "),
    ]
    references = [("ceiling: bare Flask, 20-row table", "/ceiling", "", "<table"),
                  ("peer: Flask-Admin list view", "/admin/account/", "", "<table")]
    servers = {"app": Server("wsgi:app", app_env), "reference": Server("bench.reference:app", reference_env)}
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        servers["app"].wait("/healthz")
        servers["reference"].wait("/ceiling")

        def run(label, server, path, cookie, marker):
            status, body = get(server.port, path, cookie)
            if status != 200 or marker not in body:
                raise RuntimeError(f"{label}: {path} answered {status} without {marker!r}")
            if label.startswith("dashboard"):
                assert body.count("dash-card ") == len(portfolio["ids"]), "the dashboard misses projects"
            if warmup:
                load(wrk, server.url(path), cookie, warmup)
            result = load(wrk, server.url(path), cookie, seconds)
            status, _body = get(server.port, path, cookie)  # still signed in: no redirect counted as served
            if status != 200 or result["non_2xx"] or result["socket_errors"]:
                raise RuntimeError(f"{label}: {status}, {result}")
            log(f"  {label:<36} {result['requests_per_second']:>8.1f} requests/s   p50 {result['p50_ms']:>7.2f} ms"
                f"   p99 {result['p99_ms']:>7.2f} ms")
            return result

        passes = {label: [run(label, servers["reference"], *rest)] for label, *rest in references}
        measured = {label: run(label, servers["app"], path, cookie, marker) | {"path": path}
                    for label, path, cookie, marker in pages}
        for label, *rest in references:
            passes[label].append(run(label, servers["reference"], *rest))
    finally:
        for server in servers.values():
            server.stop()
    load_after = os.getloadavg()
    refs = {}
    for label, (first, second) in passes.items():
        rps = (first["requests_per_second"] + second["requests_per_second"]) / 2
        refs[label] = {"requests_per_second": round(rps, 1),
                       "p50_ms": round((first["p50_ms"] + second["p50_ms"]) / 2, 2),
                       "p99_ms": round(max(first["p99_ms"], second["p99_ms"]), 2),
                       "passes": [first, second]}
    ceiling, peer = (refs[label]["requests_per_second"] for label, *_rest in references)
    for result in measured.values():
        result["vs_ceiling"] = round(result["requests_per_second"] / ceiling, 3)
        result["vs_peer"] = round(result["requests_per_second"] / peer, 2)
    return {"settings": {"server": f"gunicorn -c gunicorn.conf.py, {WORKERS} sync workers, not recycled, 127.0.0.1",
                         "client": f"wrk -t{THREADS} -c{CONNECTIONS} -d{seconds:g}s --latency, "
                                   f"after {warmup:g} s of warm-up",
                         "cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                         "load_average_after": [round(x, 2) for x in load_after],
                         "seconds": round(time.perf_counter() - started, 1)},
            "references": refs, "pages": measured,
            "ceiling_label": references[0][0], "peer_label": references[1][0]}


def report(results: dict) -> list[str]:
    settings = results["settings"]
    before, after = settings["load_average_before"][0], settings["load_average_after"][0]
    lines = ["", f"Throughput under load ({settings['server']}; {settings['client']}; {settings['cpus']} CPUs, "
                 f"load average {before} before, {after} after)",
             f"{'':<36} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'× ceiling':>10} {'× peer':>8}"]
    for label, item in results["references"].items():
        spread = " / ".join(f"{p['requests_per_second']:.0f}" for p in item["passes"])
        lines.append(f"{label:<36} {item['requests_per_second']:>10.1f} {item['p50_ms']:>8.2f} {item['p99_ms']:>8.2f}"
                     f"   (before / after our pages: {spread})")
    for label, item in results["pages"].items():
        lines.append(f"{label:<36} {item['requests_per_second']:>10.1f} {item['p50_ms']:>8.2f} {item['p99_ms']:>8.2f}"
                     f" {item['vs_ceiling']:>10.3f} {item['vs_peer']:>8.2f}")
    return lines


def targets(results: dict) -> list:
    pages = results["pages"]
    found = []
    for label in PEER_RATIO_PAGES:
        item = pages[label]
        found.append((f"{label} ≥ {TARGET_PEER_RATIO:g}× Flask-Admin's requests/s",
                      item["vs_peer"] >= TARGET_PEER_RATIO,
                      f"{item['vs_peer']}× ({item['requests_per_second']:.0f} requests/s)"))
    dashboard = pages["dashboard, 50 projects"]
    found.append((f"dashboard of 50 projects ≥ {TARGET_DASHBOARD_RPS} requests/s on {WORKERS} workers",
                  dashboard["requests_per_second"] >= TARGET_DASHBOARD_RPS,
                  f"{dashboard['requests_per_second']:.0f} requests/s"))
    worst = max(pages.items(), key=lambda entry: entry[1]["p99_ms"])
    found.append((f"p99 under load ≤ {TARGET_P99_MS} ms on every measured page", worst[1]["p99_ms"] <= TARGET_P99_MS,
                  f"slowest: {worst[0]} at {worst[1]['p99_ms']} ms"))
    return found
