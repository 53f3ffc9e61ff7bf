"""The import's check and import as background jobs: state on the job, "already running", claims,
a worker killed mid-import, retries, upload storage (database or UPLOAD_DIR), the KPI recomputation."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from planner.crm.imports import jobs as job_state
from planner.crm.models import Account, ImportJob, ImportStatus, JobState
from planner.crm.tasks import check_import, run_import
from planner.db import utcnow
from planner.kpis.models import KpiSnapshot
from planner.uploads.models import Upload, UploadChunk
from tests.helpers import login

# Job state is written on connections of its own, committed at once (planner.crm.imports.jobs), and a
# worker process reads it: these tests commit for real.
pytestmark = pytest.mark.real_db

ROOT = Path(__file__).resolve().parent.parent
CSV = "Id,Name,City\nA-1,Peñalver,Logroño\nA-2,华信家电,上海\n"


@pytest.fixture
def setup(make_user, make_project, client):
    manager = make_user(email="pm@example.com", name="经理")
    project = make_project(manager=manager)
    login(client, manager)
    return project, manager


def upload(client, project, content: str, name="a.csv"):
    response = client.post(f"/projects/{project.id}/crm/import",
                           data={"kind": "accounts", "file": (io.BytesIO(content.encode()), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def latest(db) -> ImportJob:
    db.session.expire_all()
    return db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()


def check(client, project, job):
    data = {f"col_{name}": str(index) for name, index in job.mapping.items() if not name.startswith("_")}
    data.update(day_first="1", decimal_comma="0")
    return client.post(f"/projects/{project.id}/crm/import/{job.id}", data=data)


def accounts(db, project) -> int:
    return db.session.scalar(select(func.count()).select_from(Account).where(Account.project_id == project.id))


def set_state(db, job, **values):
    db.session.execute(update(ImportJob).where(ImportJob.id == job.id).values(**values))
    db.session.commit()


def test_a_second_start_while_one_runs_answers_already_running(client, db, setup):
    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    check(client, project, job)
    job = latest(db)
    assert job.status is ImportStatus.CHECKED and job.state is JobState.IDLE
    set_state(db, job, state=JobState.RUNNING, work="import", claim="x" * 32, heartbeat_at=utcnow())
    for response in (client.post(f"/projects/{project.id}/crm/import/{job.id}/run", follow_redirects=True),
                     check(client, project, job),
                     client.post(f"/projects/{project.id}/crm/import/{job.id}/discard", follow_redirects=True)):
        assert response.status_code in (200, 302)
    page = client.get(f"/projects/{project.id}/crm/import/{job.id}").get_data(as_text=True)
    assert "Importing the file" in page and "you can leave this page" in page
    response = client.post(f"/projects/{project.id}/crm/import/{job.id}/run", follow_redirects=True)
    assert "already being checked or imported" in response.get_data(as_text=True)
    assert accounts(db, project) == 0 and latest(db).claim == "x" * 32  # nothing ran, nothing was taken over


def test_two_workers_never_run_the_same_job(client, db, setup):
    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    set_state(db, job, state=JobState.QUEUED, work="check")
    first, second = job_state.claim(job.id, "check"), job_state.claim(job.id, "check")
    assert first and second is None
    set_state(db, job, state=JobState.QUEUED, work="import", status=ImportStatus.CHECKED, claim=None)
    run_import(job.id)
    run_import(job.id)  # the same message delivered twice: the second finds the job taken or done
    assert accounts(db, project) == 2 and latest(db).status is ImportStatus.IMPORTED
    check_import(job.id)  # a stale message for a finished job does nothing either
    assert latest(db).status is ImportStatus.IMPORTED


def test_a_lost_worker_marks_the_job_failed_in_the_readers_language_and_it_can_be_retried(client, db, setup, app,
                                                                                         monkeypatch):
    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    check(client, project, job)
    set_state(db, job, state=JobState.RUNNING, work="import", claim="y" * 32,
              heartbeat_at=utcnow() - timedelta(minutes=10))
    page = client.get(f"/projects/{project.id}/crm/import/{job.id}?lang=es").get_data(as_text=True)
    assert "El proceso que ejecutaba esto se detuvo" in page
    assert latest(db).state is JobState.FAILED and latest(db).error == "worker_lost"
    client.post(f"/projects/{project.id}/crm/import/{job.id}/run")
    assert accounts(db, project) == 2 and latest(db).status is ImportStatus.IMPORTED


def test_a_failing_check_is_marked_failed_and_not_retried_by_the_queue(client, db, setup, monkeypatch):
    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("planner.crm.imports.service.check", broken)
    response = check(client, project, job)
    assert response.status_code == 302
    job = latest(db)
    assert (job.state, job.error, len(calls)) == (JobState.FAILED, "failed", 1)
    page = client.get(f"/projects/{project.id}/crm/import/{job.id}").get_data(as_text=True)
    assert "Something went wrong while this ran" in page
    monkeypatch.undo()
    check(client, project, job)
    assert latest(db).status is ImportStatus.CHECKED and latest(db).state is JobState.IDLE


def test_uploads_live_in_the_database_and_go_with_the_job(client, db, setup):
    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    assert db.session.scalar(select(Upload.backend).where(Upload.key == job.stored_name)) == "db"
    assert db.session.scalar(select(func.count()).select_from(UploadChunk)) == 1
    assert job.preview == [["A-1", "Peñalver", "Logroño"], ["A-2", "华信家电", "上海"]]
    client.post(f"/projects/{project.id}/crm/import/{job.id}/discard")
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert db.session.scalar(select(func.count()).select_from(UploadChunk)) == 0


def test_uploads_in_a_shared_folder_leave_nothing_when_storing_fails(client, db, setup, app, tmp_path, monkeypatch):
    project, _manager = setup
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "shared"))
    upload(client, project, CSV)
    job = latest(db)
    assert (tmp_path / "shared" / job.stored_name).read_text(encoding="utf-8") == CSV
    check(client, project, job)
    client.post(f"/projects/{project.id}/crm/import/{job.id}/run")
    assert accounts(db, project) == 2 and list((tmp_path / "shared").iterdir()) == []

    def broken_rename(*args):
        raise OSError("the share went away")

    monkeypatch.setattr("planner.uploads.storage.os.replace", broken_rename)
    with pytest.raises(OSError):
        upload(client, project, CSV)
    assert list((tmp_path / "shared").iterdir()) == []
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 1


def test_the_nightly_purge_removes_old_uploads(client, db, setup, app):
    from planner.jobs.tasks import daily_purge

    project, _manager = setup
    upload(client, project, CSV, "old.csv")
    upload(client, project, CSV, "new.csv")
    old = db.session.scalars(select(ImportJob).where(ImportJob.filename == "old.csv")).one()
    db.session.execute(update(Upload).where(Upload.key == old.stored_name)
                       .values(created_at=utcnow() - timedelta(hours=app.config["UPLOAD_MAX_AGE_HOURS"] + 1)))
    db.session.commit()
    daily_purge()
    assert list(db.session.scalars(select(Upload.key))) == [latest(db).stored_name]
    page = client.get(f"/projects/{project.id}/crm/import/{old.id}").get_data(as_text=True)
    assert "no longer available" in page


def test_an_import_has_the_kpis_recomputed_by_a_job(client, db, setup):
    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    check(client, project, job)
    assert db.session.scalar(select(func.count()).select_from(KpiSnapshot)) == 0
    client.post(f"/projects/{project.id}/crm/import/{job.id}/run")
    assert db.session.scalar(select(func.count()).select_from(KpiSnapshot)
                             .where(KpiSnapshot.project_id == project.id)) > 0


def test_a_worker_killed_mid_import_leaves_nothing_written(client, db, setup, app, tmp_path):
    """A real worker process imports a large file and is killed (SIGKILL) half-way: no record is left,
    the job is found lost, and a second run imports everything."""
    from planner import create_app

    project, _manager = setup
    rows = 150_000
    content = "Id,Name,City\n" + "".join(f"K-{n},Cuenta número {n},Logroño\n" for n in range(rows))
    upload(client, project, content)
    job = latest(db)
    check(client, project, job)
    assert latest(db).status is ImportStatus.CHECKED
    env = {**os.environ, "PLANNER_ENV": "testing", "JOBS_IMMEDIATE": "0", "FLASK_APP": "wsgi.py",
           "PLANNER_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "--workers", "1"], cwd=ROOT, env=env,
                              stdout=open(tmp_path / "worker.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
    try:
        web = create_app({"PLANNER_ENV": "testing", "JOBS_IMMEDIATE": False,
                          "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        with web.app_context():
            from planner.extensions import db as web_db

            queued = web_db.session.get(ImportJob, job.id)
            assert job_state.queue(queued, job_state.IMPORT)
            run_import.enqueue(job.id)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                web_db.session.expire_all()
                current = web_db.session.get(ImportJob, job.id)
                if current.state is JobState.RUNNING and job_state.progress(current)["rows"] > 0:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the worker never started the import: " + (tmp_path / "worker.log").read_text())
            web_db.session.remove()
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    db.session.expire_all()
    assert accounts(db, project) == 0
    app.config["JOBS_STALE_SECONDS"] = 0
    try:
        page = client.get(f"/projects/{project.id}/crm/import/{job.id}").get_data(as_text=True)
    finally:
        app.config["JOBS_STALE_SECONDS"] = 120
    assert "stopped before it finished" in page and latest(db).state is JobState.FAILED
    response = client.post(f"/projects/{project.id}/crm/import/{job.id}/run", follow_redirects=True)
    assert f"Import finished: {rows:,} added" in response.get_data(as_text=True)
    assert accounts(db, project) == rows


def test_polling_the_progress_writes_nothing(client, db, setup):
    """On SQLite a running import holds the only write lock: the page's polls must not need it."""
    from planner.auth.models import UserSession

    project, _manager = setup
    upload(client, project, CSV)
    job = latest(db)
    earlier = utcnow() - timedelta(minutes=5)
    db.session.execute(update(UserSession).values(last_seen_at=earlier))
    db.session.commit()
    assert client.get(f"/projects/{project.id}/crm/import/{job.id}/progress").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at)) == earlier
    client.get(f"/projects/{project.id}/crm/import/{job.id}")
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.last_seen_at)) > earlier
