"""One import measurement in a process of its own (so its peak memory is its own).

    python -m bench.import_worker DATABASE_URL ROWS [--kind interactions]

In transactions that are rolled back (the benchmark database is left as it was): creates a project
with 20,000 accounts next to the large one, writes a CSV of ROWS interactions referring to them
(accent and Chinese text, mixed channel names), times the dry run and the import (the better of two
runs, the machine being shared), then runs the import once more under tracemalloc for its peak
memory. Prints JSON.
"""

import csv
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from bench.generator import Sizes, generate_project

ACCOUNTS = 20_000
CHANNELS = ("Phone", "E-mail", "Teléfono", "电话", "微信", "web", "Visita", "chat")
PURPOSES = ("Consulta de pedido", "售后报修", "Delivery delay", "Presupuesto", "发票问题")
OUTCOMES = ("Resuelto", "已处理", "Sent the quote", "")


def write_csv(path: Path, rows: int, seed: int, staff: list[str]) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Interaction ID", "Account ID", "Date", "Channel", "Subject", "Outcome", "Created by"])
        for n in range(rows):
            writer.writerow([f"IMP-{n:08d}", f"S{seed}-A{rng.randrange(ACCOUNTS):07d}",
                             f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:"
                             f"{rng.randrange(60):02d}", rng.choice(CHANNELS), rng.choice(PURPOSES),
                             rng.choice(OUTCOMES), rng.choice(staff)])


def main() -> None:
    database_url, rows = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("SECRET_KEY", "bench")
    from planner import create_app
    from planner.crm import imports as importer
    from planner.crm.fields import propose_mapping
    from planner.crm.models import RecordKind
    from planner.extensions import db
    from planner.projects.models import Project

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    folder = Path(__file__).resolve().parent / "data"
    path = folder / f"import-{rows}.csv"
    seed = 900 + rows % 97
    staff = [f"bench-staff-s{seed}-{n}@example.com" for n in range(10)]
    write_csv(path, rows, seed, staff)
    file_mb = round(path.stat().st_size / 1e6, 1)
    with app.app_context():

        def project():
            pid = generate_project(f"Import benchmark {rows}", Sizes(ACCOUNTS, 0, 0, 0, 0, staff=10), seed=seed)
            return db.session.get(Project, pid)

        info = importer.inspect_file(path)
        mapping = propose_mapping(RecordKind.INTERACTIONS, info.headers)
        assert len(mapping) == 7, mapping

        def run(target, write: bool):
            problems = []
            started = time.perf_counter()
            outcome = importer.Importer(target, RecordKind.INTERACTIONS, path, info, mapping, checked=write,
                                        on_problem=problems.append).run(write=write)
            elapsed = time.perf_counter() - started
            assert not problems and outcome.rows == rows, (problems[:3], outcome)
            return elapsed, outcome

        target = project()
        dry_seconds, _ = run(target, write=False)
        import_seconds = []
        for _attempt in range(2):  # the machine is shared: the better of two runs
            write_seconds, outcome = run(target, write=True)
            assert outcome.inserted == rows
            import_seconds.append(write_seconds)
            db.session.rollback()
            target = project()
        write_seconds = min(import_seconds)
        tracemalloc.start()
        run(target, write=True)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.rollback()
    path.unlink(missing_ok=True)
    print(json.dumps({
        "rows": rows, "file_mb": file_mb,
        "dry_run_seconds": round(dry_seconds, 3), "dry_run_rows_per_second": round(rows / dry_seconds),
        "import_seconds": round(write_seconds, 3), "import_rows_per_second": round(rows / write_seconds),
        "import_rows_per_second_each_run": [round(rows / seconds) for seconds in import_seconds],
        "peak_traced_mb": round(peak / 1e6, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
