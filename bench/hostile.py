"""How fast and how cheaply the import refuses hostile files, in a process of its own (so its memory is
its own):

    python -m bench.hostile

For each file (a workbook unpacking to a gigabyte, one with 16,384 columns, a CSV of 200,000 columns, a
cell of 200 KB, a header-only file, repeated column names) it runs what an upload runs (format, encoding,
header, the first rows, the date order) and reports the seconds and the peak of traced memory until the
refusal. Prints JSON; ``make bench`` checks each against ``TARGET_SECONDS`` and ``TARGET_MB``.
"""

import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

TARGET_SECONDS = 1.0
TARGET_MB = 48


def files() -> dict[str, bytes]:
    import io

    from openpyxl import Workbook

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.test_crm_import_hostile import bomb

    wide = Workbook()
    wide.active.append([f"c{n}" for n in range(16_384)])
    wide.active.append(["x"])
    buffer = io.BytesIO()
    wide.save(buffer)
    return {
        "xlsx unpacking to 1 GB": bomb(1024),
        "xlsx with 16,384 columns (Excel's most)": buffer.getvalue(),
        "csv with 200,000 columns": (",".join(f"c{n}" for n in range(200_000)) + "\nx\n").encode(),
        "csv cell of 200 KB": ("Id,Name\nA-1,\"" + "x" * 200_000 + "\"\n").encode(),
        "csv header only": b"Id,Name,City\r\n",
        "csv with a column name twice": b"Id,Name,name\nA-1,x,y\n",
    }


def measure() -> list[dict]:
    os.environ.setdefault("SECRET_KEY", "bench")
    from planner import create_app
    from planner.crm.imports.reading import FileRefused, detect_reading, inspect_file, preview
    from planner.errors import DomainError

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    results = []
    with app.test_request_context(), tempfile.TemporaryDirectory() as folder:
        for label, data in files().items():
            path = Path(folder) / ("file.xlsx" if label.startswith("xlsx") else "file.csv")
            path.write_bytes(data)
            del data
            tracemalloc.start()
            started = time.perf_counter()
            outcome = "accepted"
            try:
                info = inspect_file(path)
                if not preview(path, info):
                    outcome = "refused: no rows"
                else:
                    detect_reading(path, info)
            except (DomainError, FileRefused) as refused:
                outcome = "refused: " + str(getattr(refused, "message", refused.__class__.__name__))[:60]
            seconds = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results.append({"file": label, "disk_kb": round(path.stat().st_size / 1024), "outcome": outcome,
                            "seconds": round(seconds, 3), "peak_traced_mb": round(peak / 1e6, 1)})
    return results


if __name__ == "__main__":
    print(json.dumps(measure(), ensure_ascii=False))
