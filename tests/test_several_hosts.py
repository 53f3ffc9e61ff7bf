"""The scaled-out shape, for real: PostgreSQL and Redis (throwaway servers from Debian's packages), two
web processes (gunicorn, each with its own instance folder) and one worker. A file uploaded through one
web process is checked and imported through the other; both show the same progress and result.

Needs PostgreSQL and redis-server: skipped without them, a failure under CI=true."""

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

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "Varios-servidores-2026"
ROWS = 20_000
TIMEOUT = 30  # seconds for one request on a busy test machine (bench measures speed, not this)

pytestmark = [pytest.mark.no_app, pytest.mark.several_hosts]


def _missing(what: str) -> None:
    message = f"{what} is not installed (apt-get install {what}); the several-hosts test needs it"
    if IN_CI:
        pytest.fail(message + " (CI=true: this is a failure)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(port: int, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"process on port {port} exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"nothing answers on {port}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def servers():
    """A PostgreSQL cluster and a Redis server, both thrown away afterwards."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                          if x.isdigit()])
    if not bins:
        _missing("postgresql")
    redis = shutil.which("redis-server")
    if redis is None:
        _missing("redis-server")
    pgbin = bins[-1]
    base = Path(tempfile.mkdtemp(prefix="rollout-hosts-"))
    as_pg = []
    if os.getuid() == 0:
        shutil.chown(base, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    pg_port, redis_port = _free_port(), _free_port()
    subprocess.run([*as_pg, str(pgbin / "initdb"), "-D", str(base / "data"), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "pg.log"), "-w", "-o",
                    f"-p {pg_port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
                    "start"], check=True, capture_output=True)
    redis_dir = Path(tempfile.mkdtemp(prefix="rollout-redis-"))
    redis_process = subprocess.Popen([redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--dir",
                                      str(redis_dir), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield {"DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/postgres",
               "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    finally:
        redis_process.terminate()
        redis_process.wait(10)
        subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)


SETUP = """
from planner import create_app
from planner.auth.models import User, GlobalRole
from planner.extensions import db
from planner.projects.services import create_project
app = create_app()
with app.app_context():
    user = User(email="pm@example.com", name="Jefa de proyecto", role=GlobalRole.MANAGER, timezone="UTC")
    user.set_password({password!r})
    db.session.add(user)
    db.session.flush()
    project = create_project(user, name="Implantación 多主机", currency="EUR")
    db.session.commit()
    print(project.id)
"""


class Browser:
    """One person's browser (requests keeps the cookies) talking to whichever host it is given."""

    def __init__(self):
        import requests

        self.session = requests.Session()

    def token(self, url: str) -> str:
        page = self.session.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, (url, page.status_code)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    def post(self, url: str, data: dict, files=None, token_from: str | None = None):
        data = {**data, "csrf_token": self.token(token_from or url)}
        return self.session.post(url, data=data, files=files, allow_redirects=False, timeout=TIMEOUT)


def test_two_web_processes_and_a_worker_share_an_import(servers, tmp_path):
    env = {**os.environ, **servers, "PLANNER_ENV": "production", "SECRET_KEY": "several-hosts-test-key",
           "FLASK_APP": "wsgi.py", "JOBS_STALE_SECONDS": "120"}
    env.pop("JOBS_IMMEDIATE", None)
    run = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 120}
    upgrade = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"],
                             env={**env, "PLANNER_INSTANCE_PATH": str(tmp_path / "setup")}, **run)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    made = subprocess.run([sys.executable, "-c", SETUP.format(password=PASSWORD)],
                          env={**env, "PLANNER_INSTANCE_PATH": str(tmp_path / "setup")}, **run)
    assert made.returncode == 0, made.stderr[-3000:]
    project_id = int(made.stdout.strip().splitlines()[-1])

    processes, logs = [], {}
    ports = {"a": _free_port(), "b": _free_port()}
    try:
        for name in ("a", "b", "worker"):
            instance = tmp_path / f"instance-{name}"
            instance.mkdir()
            logs[name] = tmp_path / f"{name}.log"
            command = ([sys.executable, "-m", "flask", "worker", "--workers", "1"] if name == "worker" else
                       [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "1",
                        "wsgi:app"])
            with open(logs[name], "w") as log:
                processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={
                    **env, "PLANNER_INSTANCE_PATH": str(instance), "PORT": str(ports.get(name, 0)),
                    "HOST": "127.0.0.1"}))
        for name, process in zip(("a", "b"), processes, strict=False):
            _wait_ready(ports[name], process, logs[name])
        a, b = (f"http://127.0.0.1:{ports[name]}" for name in ("a", "b"))

        browser = Browser()
        signed_in = browser.post(f"{a}/login", {"email": "pm@example.com", "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.text[-1000:]
        content = "Id,Name,City\n" + "".join(f"H-{n},Cuenta {n},Logroño\n" for n in range(ROWS))
        uploaded = browser.post(f"{a}/projects/{project_id}/crm/import", {"kind": "accounts"},
                                files={"file": ("cuentas.csv", content.encode(), "text/csv")})
        assert uploaded.status_code == 302, uploaded.text[-2000:]
        job_path = re.search(r"/projects/\d+/crm/import/\d+", uploaded.headers["Location"]).group(0)

        page = browser.session.get(b + job_path, timeout=TIMEOUT)  # the other host sees the upload (and its preview)
        assert page.status_code == 200 and "Cuenta 0" in page.text and "no longer available" not in page.text
        checked = browser.post(b + job_path, {"col_external_id": "0", "col_name": "1", "col_city": "2",
                                              "day_first": "1", "decimal_comma": "0"})
        assert checked.status_code == 302, checked.text[-2000:]

        def follow(host: str) -> dict:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                progress = browser.session.get(f"{host}{job_path}/progress", timeout=TIMEOUT)
                assert progress.headers["Cache-Control"] == "no-store"
                state = progress.json()
                if state["state"] not in ("queued", "running"):
                    return state
                time.sleep(0.2)
            pytest.fail("the job did not finish:\n" + logs["worker"].read_text()[-3000:])

        state = follow(a)
        assert state["status"] == "checked" and state["rows"] == ROWS, state
        assert follow(b) == state  # both hosts read the same job
        started = browser.post(f"{b}{job_path}/run", {}, token_from=b + job_path)
        assert started.status_code == 302
        seen = browser.session.get(f"{a}{job_path}/progress", timeout=TIMEOUT).json()
        assert seen["work"] == "import"
        state = follow(a)
        assert state["status"] == "imported" and state["state"] == "idle", state
        assert follow(b) == state
        for host in (a, b):
            done = browser.session.get(host + job_path, timeout=TIMEOUT).text
            assert f"Import finished: {ROWS:,} added, 0 updated, 0 unchanged." in done
        listed = browser.session.get(f"{b}/projects/{project_id}/crm/accounts?q=Cuenta%2019999", timeout=TIMEOUT).text
        assert "Cuenta 19999" in listed
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT if process.args[2] == "flask" else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
    worker_log = logs["worker"].read_text()
    assert "storage=RedisHuey" in worker_log
    assert "crm.check_import" in worker_log and "crm.run_import" in worker_log
    assert "crm.import.end" in worker_log and f"rows={ROWS}" in worker_log
