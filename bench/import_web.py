"""The import through its job path and through the web flow, each against DATABASE_URL:

    python -m bench.import_web DATABASE_URL ROWS

1. Job path: a project with 20,000 accounts is created next to whatever the database holds, a CSV of
   ROWS interactions is uploaded into upload storage, checked and imported by calling the two jobs
   (``crm.check_import``, ``crm.run_import``) as the worker does: claim, copy out of storage, state and
   progress on the job, the import, the audit event. Rows per second of each job.
2. Web flow: gunicorn (``gunicorn.conf.py``, 2 workers) and ``flask worker`` are started on the same
   database; a manager signs in, uploads the file, posts the column mapping, follows the progress until
   the check is done, starts the import and follows it to the end. The end-to-end time, the time of each
   step, and the slowest single web request on the way (uploads, posts, progress polls, pages).

The projects are deleted afterwards. Prints JSON.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generator import PASSWORD, Sizes, generate_project
from bench.import_worker import ACCOUNTS, write_csv

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mapping(job) -> dict:
    from planner.crm.fields import propose_mapping

    return {name: str(index) for name, index in propose_mapping(job.kind, job.headers).items()}


def job_path(app, path: Path, rows: int, seed: int) -> dict:
    from sqlalchemy import delete

    from planner.auth.models import User
    from planner.crm.imports import jobs as job_state
    from planner.crm.imports import uploads
    from planner.crm.models import ImportJob, ImportStatus, RecordKind
    from planner.crm.tasks import check_import, run_import
    from planner.extensions import db
    from planner.projects.models import Project

    with app.app_context():
        pid = generate_project(f"Import job path {rows}", Sizes(ACCOUNTS, 0, 0, 0, 0, staff=10), seed=seed)
        db.session.commit()
        try:
            project = db.session.get(Project, pid)
            manager = db.session.scalar(db.select(User).where(User.email == "bench-manager-0@example.com"))
            started = time.perf_counter()
            with open(path, "rb") as stream:
                job = uploads.accept(project, RecordKind.INTERACTIONS, stream, path.name, manager, 40)
            job.mapping = {**{k: int(v) for k, v in _mapping(job).items()}, "_day_first": "1", "_decimal_comma": "0"}
            db.session.commit()
            upload_seconds = time.perf_counter() - started
            job_state.queue(job, job_state.CHECK)
            started = time.perf_counter()
            check_import(job.id)  # as the worker runs it (its own claim, state and commits)
            check_seconds = time.perf_counter() - started
            db.session.expire_all()
            job = db.session.get(ImportJob, job.id)
            assert job.status is ImportStatus.CHECKED and job.rows_total == rows, (job.status, job.rows_bad)
            job_state.queue(job, job_state.IMPORT)
            started = time.perf_counter()
            run_import(job.id)
            import_seconds = time.perf_counter() - started
            db.session.expire_all()
            job = db.session.get(ImportJob, job.id)
            assert job.status is ImportStatus.IMPORTED and job.inserted == rows, (job.status, job.error)
        finally:
            db.session.rollback()
            db.session.execute(delete(Project).where(Project.id == pid))
            db.session.commit()
    return {"upload_seconds": round(upload_seconds, 3), "check_seconds": round(check_seconds, 3),
            "check_rows_per_second": round(rows / check_seconds), "import_seconds": round(import_seconds, 3),
            "import_rows_per_second": round(rows / import_seconds)}


def web_flow(app, database_url: str, path: Path, rows: int, seed: int) -> dict:
    import requests
    from sqlalchemy import delete

    from planner.extensions import db
    from planner.projects.models import Project

    with app.app_context():
        pid = generate_project(f"Import web flow {rows}", Sizes(ACCOUNTS, 0, 0, 0, 0, staff=10), seed=seed)
        db.session.commit()
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_ENV": "production", "SECRET_KEY": "bench",
           "FLASK_APP": "wsgi.py", "PLANNER_INSTANCE_PATH": str(folder), "PORT": str(port), "HOST": "127.0.0.1",
           "GUNICORN_ACCESS_LOG": str(folder / "access.log")}
    env.pop("JOBS_IMMEDIATE", None)
    processes = [subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                 subprocess.Popen([sys.executable, "-m", "flask", "worker", "--workers", "1"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    base = f"http://127.0.0.1:{port}"
    slowest: dict[str, float] = {}
    session = requests.Session()

    def timed(label, method, url, **kwargs):
        started = time.perf_counter()
        response = session.request(method, base + url, timeout=60, allow_redirects=False, **kwargs)
        elapsed = time.perf_counter() - started
        slowest[label] = max(slowest.get(label, 0.0), elapsed)
        return response

    def token(url):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(base + url, timeout=60).text).group(1)

    def follow(job_url, label):
        while True:
            state = timed(label, "GET", job_url + "/progress").json()
            if state["state"] not in ("queued", "running"):
                return state
            time.sleep(0.25)

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if session.get(base + "/healthz", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        session.get(base + "/login", timeout=60)  # both web workers have loaded the app
        timed("sign in", "POST", "/login", data={"email": "bench-manager-0@example.com", "password": PASSWORD,
                                                 "csrf_token": token("/login")})
        upload_url = f"/projects/{pid}/crm/import"
        form_token = token(upload_url)
        started = time.perf_counter()
        with open(path, "rb") as handle:
            response = timed("upload", "POST", upload_url, data={"kind": "interactions", "csrf_token": form_token},
                             files={"file": (path.name, handle, "text/csv")})
        job_url = re.search(r"/projects/\d+/crm/import/\d+", response.headers["Location"]).group(0)
        timed("job page", "GET", job_url)
        with app.app_context():
            from planner.crm.models import ImportJob

            job = db.session.get(ImportJob, int(job_url.rsplit("/", 1)[1]))
            mapping = {f"col_{name}": value for name, value in _mapping(job).items()}
        timed("post mapping (queue the check)", "POST", job_url,
              data={**mapping, "day_first": "1", "decimal_comma": "0", "csrf_token": token(job_url)})
        checked = follow(job_url, "progress poll")
        check_done = time.perf_counter()
        assert checked["status"] == "checked", checked
        timed("job page", "GET", job_url)
        timed("start the import", "POST", job_url + "/run", data={"csrf_token": token(job_url)})
        imported = follow(job_url, "progress poll")
        assert imported["status"] == "imported", imported
        done = time.perf_counter()
        timed("result page", "GET", job_url)
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT if "flask" in process.args else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
        with app.app_context():
            db.session.execute(delete(Project).where(Project.id == pid))
            db.session.commit()
    return {"end_to_end_seconds": round(done - started, 2), "check_seconds": round(check_done - started, 2),
            "import_seconds": round(done - check_done, 2),
            "slowest_request_ms": {label: round(seconds * 1000) for label, seconds in slowest.items()},
            "slowest_import_path_request_ms": round(max(v for k, v in slowest.items() if k != "sign in") * 1000)}


def main() -> None:
    database_url, rows = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("SECRET_KEY", "bench")
    from planner import create_app

    folder = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "JOBS_IMMEDIATE": False,
                      "JOBS_SQLITE_PATH": str(folder / "jobs.sqlite3")})
    path = Path(__file__).resolve().parent / "data" / f"import-web-{rows}.csv"
    path.parent.mkdir(exist_ok=True)
    seed = 700 + rows % 89
    write_csv(path, rows, seed, [f"bench-staff-s{seed}-{n}@example.com" for n in range(10)])
    try:
        result = {"rows": rows, "file_mb": round(path.stat().st_size / 1e6, 1)}
        result["job_path"] = job_path(app, path, rows, seed)
        print(json.dumps(result["job_path"]), file=sys.stderr, flush=True)
        result["web_flow"] = web_flow(app, database_url, path, rows, seed)
    finally:
        path.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
