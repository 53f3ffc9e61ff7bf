"""Each test's writes are undone by rolling back one transaction, not by emptying every table.

How it works: the test opens one connection and begins a transaction on it; ``db.session`` (the
test's, and every request's, since each request has its own app context) is bound to that
connection with ``join_transaction_mode="create_savepoint"``, so a ``commit()`` in a view or in a
test releases a SAVEPOINT instead of committing. Requests see what the test wrote and the test
sees what requests wrote (one connection); afterwards the outer transaction is rolled back.

Tests whose data must really be committed (another connection or thread reads it: the browser
tests' live server, concurrent requests, worker processes, database triggers that must refuse
a statement) are marked ``real_db``: they commit for real, and the tables are emptied before the
next test. Inside a rolled-back test, ``db.engine.connect()``/``begin()`` (code that writes "on a
connection of its own") gets the test's connection, where ``begin()`` is a SAVEPOINT; another thread
asking for a connection fails at once with a message saying to mark the test.

``shared(db)`` (used by module-scoped fixtures such as the access matrix's world) keeps one
connection and its transaction open across tests; each test then runs in a SAVEPOINT on it, so
the world is built once and every test starts from it unchanged.
"""

import contextlib
import threading

from sqlalchemy.engine import Engine

from planner.db import delete_all_rows


class _State:
    connection = None  # the connection every session is bound to, while a test runs on one
    shared = None  # the connection a module-scoped fixture keeps open across its tests
    opening = False  # our own connect() calls
    thread = None  # the thread the test runs in
    dirty = True  # something was committed for real: empty the tables before the next test
    engine_connect = None


def install(db) -> None:
    """Called once, when the app is built: notes real commits and guards ``engine.connect``."""
    from sqlalchemy import event

    engine = db.engine
    event.listen(engine, "commit", lambda _conn: setattr(_State, "dirty", True))
    original = type(engine).connect

    def connect(self=engine):
        if _State.connection is not None and not _State.opening:
            if threading.current_thread() is not _State.thread:
                raise RuntimeError(
                    "Another thread opened a database connection while the test runs inside a transaction "
                    "that will be rolled back: it cannot see the test's data (and waits on SQLite's lock). "
                    "Mark the test @pytest.mark.real_db.")
            return _Borrowed(_State.connection)
        return original(self)

    engine.connect = connect
    _State.engine_connect = original
    _quiet_savepoints(engine.dialect)


class _Borrowed:
    """What ``db.engine.connect()`` gives inside a rolled-back test: the test's own connection, on
    which ``begin()`` is a SAVEPOINT (released when the block ends, like a commit) and ``close()``
    leaves the connection open. Code that writes "on a connection of its own, committed at once"
    thus writes into the test's transaction, seen at once by the test and undone with it."""

    def __init__(self, connection):
        self._connection = connection
        self._transactions = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def begin(self):
        transaction = self._connection.begin_nested()
        self._transactions.append(transaction)
        return transaction

    def commit(self):
        for transaction in reversed(self._transactions):
            if transaction.is_active:
                transaction.commit()

    def rollback(self):
        for transaction in reversed(self._transactions):
            if transaction.is_active:
                transaction.rollback()

    def close(self):
        self.rollback()  # what was not committed, as closing a connection does

    def __getattr__(self, name):
        return getattr(self._connection, name)


def _quiet_savepoints(dialect) -> None:
    """SAVEPOINT statements go straight to the driver, like BEGIN and COMMIT do: the tests that count
    the statements a page sends (``before_cursor_execute``) see the same ones in both modes."""
    quote = dialect.identifier_preparer.quote

    def send(connection, sql):
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    dialect.do_savepoint = lambda connection, name: send(connection, f"SAVEPOINT {quote(name)}")
    dialect.do_rollback_to_savepoint = lambda connection, name: send(connection, f"ROLLBACK TO SAVEPOINT {quote(name)}")
    dialect.do_release_savepoint = lambda connection, name: send(connection, f"RELEASE SAVEPOINT {quote(name)}")


def shared_connection():
    return _State.shared


def empty_if_committed(db) -> None:
    if _State.dirty and _State.shared is None:
        empty_tables(db)
        _State.dirty = False


def empty_tables(db) -> None:
    """Deletes every row. Inside a rolled-back test this happens on the test's connection (and is
    undone with the rest); otherwise in a transaction of its own, committed."""
    tables = list(db.metadata.sorted_tables)
    db.session.rollback()
    if _State.connection is not None:
        delete_all_rows(db.session.connection(), tables)
        db.session.commit()
    else:
        with _connect(db.engine) as conn, conn.begin():
            delete_all_rows(conn, tables)
    db.session.expire_all()


class BoundSession:
    """Builds the session class lazily (Flask-SQLAlchemy's Session picks its engine itself and
    ignores ``bind``; this one uses the connection it is given)."""

    cls = None

    @classmethod
    def get(cls):
        if cls.cls is None:
            from flask_sqlalchemy.session import Session as FlaskSession

            class _Bound(FlaskSession):
                def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
                    return bind if bind is not None else self.bind

            cls.cls = _Bound
        return cls.cls


@contextlib.contextmanager
def _connect(engine: Engine):
    _State.opening = True
    try:
        conn = engine.connect()
    finally:
        _State.opening = False
    try:
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def _bound_sessions(db, conn):
    original, previous = db.session, _State.connection
    _State.thread = threading.current_thread()
    db.session = db._make_scoped_session(
        {"class_": BoundSession.get(), "bind": conn, "join_transaction_mode": "create_savepoint"})
    _State.connection = conn
    try:
        yield
    finally:
        bound = db.session
        db.session, _State.connection = original, previous
        for session in list(bound.registry.registry.values()):
            with contextlib.suppress(Exception):  # the connection is rolled back and closed next anyway
                session.close()  # the sessions of app contexts that were not torn down
        bound.registry.clear()


@contextlib.contextmanager
def _outer_transaction(db):
    """A new connection in a transaction that is rolled back at the end, with sessions bound to it."""
    with _connect(db.engine) as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        if sqlite:
            # pysqlite begins transactions itself, only before a write, and a RELEASE of the outermost
            # SAVEPOINT would then commit. Take over: autocommit mode, and an explicit BEGIN.
            legacy = raw.isolation_level
            raw.isolation_level = None
        try:
            trans = conn.begin()
            if sqlite:
                conn.exec_driver_sql("BEGIN")
            try:
                with _bound_sessions(db, conn):
                    yield conn
            finally:
                trans.rollback()
        finally:
            if sqlite:
                raw.isolation_level = legacy


@contextlib.contextmanager
def rolled_back(db):
    """The scope of one test: everything it (and its requests) write is rolled back afterwards."""
    if _State.shared is not None:
        with savepoint(db):
            yield
        return
    with _outer_transaction(db):
        yield


@contextlib.contextmanager
def savepoint(db):
    """Within a rolled-back test (or a shared transaction): undoes what happens inside, at the end."""
    conn = _State.connection
    if conn is None:
        raise RuntimeError("savepoint() needs a test that runs in a rolled-back transaction (not real_db)")
    db.session.commit()  # the test's own session must not straddle the savepoint
    trans = conn.begin_nested()
    try:
        yield
    finally:
        if db.session.registry.has():
            db.session.rollback()  # ends the session's own savepoint first; its objects reload afterwards
        if trans.is_active:
            trans.rollback()


@contextlib.contextmanager
def shared(db):
    """Keeps one transaction open across several tests (a module-scoped fixture): what is written
    inside stays until the end, and each test in between runs in a savepoint on it."""
    if _State.connection is not None:
        raise RuntimeError("shared() is for module- or session-scoped fixtures, outside any test")
    empty_if_committed(db)
    with _outer_transaction(db) as conn:
        _State.shared = conn
        try:
            yield conn
        finally:
            _State.shared = None
