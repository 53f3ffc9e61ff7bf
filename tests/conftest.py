"""Shared fixtures.

The suite runs on a real database: SQLite by default, PostgreSQL when DATABASE_URL is set
(``make test`` does both, each with pytest-xdist: one database per worker). The schema is built
once per worker by the Alembic migrations. Each test runs inside a transaction that is rolled back
afterwards (commits become SAVEPOINT releases, see tests/transactions.py); tests marked ``real_db``
(and the browser tests, automatically) commit for real, and the tables are emptied after them.

Fixtures:
- ``app``: the application (session-wide), ``client``: a test client that adds a valid CSRF
  token to every form POST (pass ``csrf=False`` to leave it out), ``db``: the SQLAlchemy handle.
- ``make_user``, ``make_project``, ``add_member``: factories (see tests/factories.py);
  ``login(client, user)`` signs in through the real form.
- ``live_server``: the app served on a free port for the browser tests (mark them ``browser``).
- ``matrix_world``: the access matrix's world, built once per module (each test in a savepoint on it).
"""

import contextlib
import contextvars
import hashlib
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.engine import make_url

from tests import factories, transactions
from tests.helpers import login as login_helper

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


# --------------------------------------------------------------------------- database


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("db") / f"planner-{_worker()}.db"
        yield f"sqlite:///{path}"
        return
    import psycopg

    if base.startswith("postgresql://"):
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    url = make_url(base)
    name = f"rollout_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    import flask_migrate

    from planner import create_app
    from planner.extensions import db

    os.environ.setdefault("PLANNER_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    application = create_app({
        "PLANNER_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}} if database_url.startswith("sqlite") else {},
    })
    application.test_client_class = CSRFClient
    with application.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        transactions.install(db)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _needs_real_database(node) -> bool:
    return node.get_closest_marker("real_db") is not None


@pytest.fixture(autouse=True)
def _database(request):
    """Runs each test inside an app context on a clean database (tests marked ``no_app`` get neither).

    Most tests run inside a transaction that is rolled back afterwards (see tests/transactions.py);
    tests marked ``real_db`` commit for real, and the tables are emptied before the next test."""
    if request.node.get_closest_marker("no_app") is not None:
        yield
        return
    app = request.getfixturevalue("app")
    from planner.extensions import db

    real = _needs_real_database(request.node)
    if real and transactions.shared_connection() is not None:
        pytest.fail("a real_db test cannot use a fixture that shares one transaction (such as matrix_world)")
    ctx = app.app_context()
    ctx.push()
    try:
        transactions.empty_if_committed(db)
        with contextlib.nullcontext() if real else transactions.rolled_back(db):
            try:
                yield
            finally:
                db.session.remove()
    finally:
        ctx.pop()


@pytest.fixture(scope="module")
def matrix_world(app):
    """The access matrix's world (tests/access/matrix.py), built once for a whole test module and
    every role signed in once: each test runs in a savepoint on it, so it always starts from this
    world unchanged. Only for modules whose every test uses it (the transaction stays open until the
    module ends). ``world.state`` is the database as built (see tests/helpers.database_state)."""
    from planner.extensions import db as database
    from tests.access.matrix import build_world
    from tests.helpers import database_state

    ctx = app.app_context()
    ctx.push()
    try:
        with transactions.shared(database):
            world = build_world()
            database.session.commit()
            world.sign_in_once(app)
            for obj in [*world.users.values(), world.project, world.other_project]:
                if obj is not None:
                    database.session.refresh(obj)  # loaded, so that they can be read after the session closes
            world.state = database_state(database)
            database.session.close()
            yield world
    finally:
        ctx.pop()


@pytest.fixture
def db(app):
    from planner.extensions import db as database

    return database


# --------------------------------------------------------------------------- clients


class CSRFClient(FlaskClient):
    """A test client that behaves like a separate browser.

    - Adds a valid CSRF token to form posts, like a browser that loaded the form first
      (``csrf=False`` leaves it out).
    - Runs each request in its own, empty context: the test's app context (and its ``g`` and
      database session) is never shared with the request.
    - Commits the test's session before the request and expires it after, so each side sees
      what the other wrote.
    """

    def open(self, *args, **kwargs):
        add_token = kwargs.pop("csrf", True)
        method = (kwargs.get("method") or "GET").upper()
        if add_token and method in {"POST", "PUT", "PATCH", "DELETE"} and "json" not in kwargs:
            data = kwargs.get("data")
            if data is None:
                data = {}
            if isinstance(data, dict) and "csrf_token" not in data:
                data = {**data, "csrf_token": self.csrf_token()}
                kwargs["data"] = data
        outer = _outer_session()
        if outer is not None:
            outer.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if outer is not None:
            outer.expire_all()
        return response

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if not raw:
                raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - same as Flask-WTF
                session["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


def _outer_session():
    from flask import has_app_context

    if not has_app_context():
        return None
    from planner.extensions import db

    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    return app.test_client


# --------------------------------------------------------------------------- factories


@pytest.fixture
def make_user(app):
    return factories.make_user


@pytest.fixture
def make_project(app):
    return factories.make_project


@pytest.fixture
def add_member(app):
    return factories.add_member


@pytest.fixture
def login():
    return login_helper


# --------------------------------------------------------------------------- browser


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "page" in fixtures and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        # The live server answers from other threads, on connections of its own: real commits.
        if ("page" in fixtures or "live_server" in fixtures) and item.get_closest_marker("real_db") is None:
            item.add_marker(pytest.mark.real_db)


@pytest.fixture(autouse=True)
def _require_chromium(request):
    if request.node.get_closest_marker("browser") is None:
        return
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        message = ("Chromium is missing at /usr/bin/chromium: "
                   "apt-get install chromium fonts-noto-cjk to run the browser tests")
        if IN_CI:
            pytest.fail(message + " (CI=true: this is a failure)")
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def live_server(app):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser_login(live_server):
    """Signs a user in through the sign-in page of the live server, optionally in a language."""

    def sign_in(page, user, language=None, password=factories.PASSWORD):
        suffix = f"?lang={language}" if language else ""
        page.goto(f"{live_server}/login{suffix}")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    return sign_in


@pytest.fixture
def screenshot():
    """Saves a full-page screenshot under test-artifacts/ (look at them)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
