"""The job queue: immediate mode in tests, a real worker process, periodic jobs, the storage choice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from planner import jobs
from planner.jobs import registry
from planner.jobs.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


def test_jobs_run_at_once_in_tests_inside_an_app_context(app, make_user):
    make_user(email="ana@example.com")
    from planner.extensions import db

    db.session.commit()
    assert jobs.huey_of(app).immediate
    result = ping.enqueue("hola")
    assert result.get() == {"marker": "hola", "users": 1, "database": db.engine.dialect.name}


def test_the_queue_is_sqlite_in_the_instance_folder_unless_redis_is_configured(app, tmp_path):
    from planner import create_app
    from planner.jobs.queue import make_huey

    default = create_app({"PLANNER_ENV": "testing", "JOBS_IMMEDIATE": False,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    huey = jobs.huey_of(default)
    assert isinstance(huey, SqliteHuey) and not huey.immediate
    assert huey.storage.filename == str(Path(default.instance_path) / "jobs.sqlite3")
    default.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    assert isinstance(make_huey(default), RedisHuey)  # nothing is contacted until a job is queued


def test_periodic_jobs_declare_a_time_of_day():
    periodic = [job for job in registry.declared() if job.schedule]
    assert periodic, "the maintenance jobs are periodic"
    for job in periodic:  # a fixed time of day, or every hour (or minute) where the job says so
        assert all(job.schedule[key].isdigit() or job.schedule[key] == "*" for key in ("hour", "minute")), job.name
    schedules = {job.name: (job.schedule["hour"], job.schedule["minute"]) for job in periodic}
    assert schedules["jobs.daily_purge"] == ("3", "0")
    assert schedules["notifications.hourly"] == ("*", "5") and schedules["notifications.send_due_mail"] == ("*", "*")


@pytest.mark.real_db  # the worker process reads the users from the database
def test_a_worker_process_runs_queued_jobs(app, db, make_user, tmp_path):
    """`flask worker` as its own process, on the same database and queue file as a second app."""
    from planner import create_app

    make_user(email="li@example.com")
    make_user(email="marta@example.com")
    db.session.commit()
    queue_file = tmp_path / "jobs.sqlite3"
    env = {**os.environ, "PLANNER_ENV": "testing", "JOBS_IMMEDIATE": "0", "FLASK_APP": "wsgi.py",
           "PLANNER_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker", "--workers", "1"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        web = create_app({"PLANNER_ENV": "testing", "JOBS_IMMEDIATE": False, "JOBS_SQLITE_PATH": str(queue_file),
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
        with web.app_context():
            result = ping.enqueue("desde la web")
            value = result.get(blocking=True, timeout=30)
        assert value["marker"] == "desde la web" and value["users"] == 2
    finally:
        worker.send_signal(signal.SIGINT)  # graceful: finishes the running job, then exits
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "worker.start" in output and "job.done" in output and "jobs.ping" in output, output


def test_the_worker_refuses_to_start_in_immediate_mode(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0 and "JOBS_IMMEDIATE" in result.output


@pytest.mark.no_app
def test_declaring_a_job_names_it_after_its_feature():
    def tidy():
        return "tidied"

    tidy.__module__ = "planner.example.tasks"
    job = jobs.task(retries=2, retry_delay=30)(tidy)
    try:
        assert (job.name, job.retries, job.retry_delay, job.schedule) == ("example.tidy", 2, 30, None)
        assert job() == "tidied"
    finally:
        registry._JOBS.pop(job.name)
    time.sleep(0)


def test_the_nightly_purge_removes_expired_sessions_and_counters_only(app, db, make_user):
    from datetime import timedelta

    from sqlalchemy import select

    from planner.auth.models import UserSession
    from planner.db import utcnow
    from planner.jobs.tasks import daily_purge
    from planner.ratelimit import RateCounter

    user = make_user(email="zhang@example.com")
    now = utcnow()
    db.session.add_all([
        UserSession(id="a" * 64, user_id=user.id, created_at=now, last_seen_at=now),
        UserSession(id="b" * 64, user_id=user.id, created_at=now - timedelta(hours=2),
                    last_seen_at=now - timedelta(hours=2)),  # idle longer than SESSION_IDLE_MINUTES
        UserSession(id="c" * 64, user_id=user.id, created_at=now - timedelta(days=2), last_seen_at=now),
        RateCounter(key="login:fresh", window_start=now, count=3),
        RateCounter(key="login:old", window_start=now - timedelta(days=2), count=9),
    ])
    db.session.commit()
    daily_purge.enqueue()
    db.session.expire_all()
    assert list(db.session.scalars(select(UserSession.id))) == ["a" * 64]
    assert list(db.session.scalars(select(RateCounter.key))) == ["login:fresh"]


def test_the_nightly_snapshot_stores_kpi_values_of_active_projects(app, db, make_project):
    from sqlalchemy import func, select

    from planner.db import utcnow
    from planner.kpis.models import KpiSnapshot
    from planner.kpis.tasks import daily_snapshot

    active, archived = make_project(name="活跃项目"), make_project(name="已归档")
    archived.archived_at = utcnow()
    db.session.commit()
    daily_snapshot.enqueue()
    rows = db.session.execute(select(KpiSnapshot.project_id, func.count()).group_by(KpiSnapshot.project_id))
    counts = dict(rows.all())
    assert counts.get(active.id, 0) > 0 and archived.id not in counts
