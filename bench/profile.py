"""Where a page spends its time: cProfile over many requests through the test client, on the
benchmark data (``make bench`` generates it first).

    .venv/bin/python -m bench.profile accounts [--requests 200] [--sort tottime] [--lines 40]

Pages: accounts, interactions, kpis, overview (the large project), dashboard (50 projects).
"""

import argparse
import cProfile
import json
import os
import pstats
import time

from bench.__main__ import DATA, login
from bench.generator import PASSWORD


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=["accounts", "interactions", "kpis", "overview", "dashboard"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--language", default="en", help="the reader's language (en, es, zh)")
    args = parser.parse_args()
    os.environ.setdefault("PLANNER_INSTANCE_PATH", str(DATA / "instance"))
    os.environ.setdefault("SECRET_KEY", "bench")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DATA / 'bench.db'}"
    from planner import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    pid = json.loads((DATA / "meta.json").read_text())["large"]
    path, email = {"accounts": (f"/projects/{pid}/crm/accounts", "bench-manager-0@example.com"),
                   "interactions": (f"/projects/{pid}/crm/interactions", "bench-manager-0@example.com"),
                   "kpis": (f"/projects/{pid}/kpis", "bench-manager-0@example.com"),
                   "overview": (f"/projects/{pid}", "bench-manager-0@example.com"),
                   "dashboard": ("/dashboard", "bench-sponsor-all-0@example.com")}[args.page]
    client = app.test_client()
    login(client, email, PASSWORD)
    client.get(f"{path}?lang={args.language}")
    for _ in range(5):
        assert client.get(path).status_code == 200
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.requests):
        client.get(path).get_data()
    profile.disable()
    elapsed = (time.perf_counter() - started) / args.requests * 1000
    print(f"{path}: {elapsed:.2f} ms per request under the profiler ({args.requests} requests)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
