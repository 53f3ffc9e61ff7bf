"""The suite's own isolation (tests/transactions.py): a test and its requests share one transaction
that is never committed; ``real_db`` tests commit for real."""

import pytest
from sqlalchemy import event, func, select

from planner.auth.models import User, UserSession
from tests.helpers import login
from tests.transactions import savepoint


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def commits(db):
    seen = []
    listener = lambda _connection: seen.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    yield seen
    event.remove(db.engine, "commit", listener)


def test_requests_see_the_tests_data_and_the_test_sees_theirs_without_a_commit(client, db, make_user, commits):
    user = make_user(email="li@example.com")
    login(client, user)  # the request reads the user and commits a new session row
    assert _count(db, UserSession) == 1
    assert client.get("/account").status_code == 200
    assert commits == []  # every commit was a SAVEPOINT release


def test_a_savepoint_undoes_what_happens_inside_it(db, make_user):
    make_user(email="kept@example.com")
    with savepoint(db):
        make_user(email="gone@example.com")
        assert _count(db, User) == 2
    assert db.session.scalars(select(User.email)).all() == ["kept@example.com"]


def test_a_connection_of_its_own_is_the_tests_connection(db, make_user, commits):
    with db.engine.begin() as connection:  # as code that commits "on a connection of its own" does
        connection.execute(User.__table__.insert().values(email="own@example.com", name="自己", password_hash="x",
                                                          role="user", active=True, timezone="UTC"))
    assert db.session.scalars(select(User.email)).all() == ["own@example.com"]
    with db.engine.connect() as connection:
        connection.begin()
        connection.execute(User.__table__.delete())
    assert _count(db, User) == 1  # closed without a commit: undone
    assert commits == []


def test_another_thread_asking_for_a_connection_is_refused_with_the_way_out(db):
    import threading

    failures, engine = [], db.engine
    thread = threading.Thread(target=lambda: failures.append(_try_connect(engine)))
    thread.start()
    thread.join(30)
    assert failures and "real_db" in failures[0]


def _try_connect(engine) -> str:
    try:
        engine.connect()
    except RuntimeError as error:
        return str(error)
    return ""


@pytest.mark.real_db
def test_a_real_db_test_commits_and_may_open_other_connections(db, make_user, commits):
    make_user(email="real@example.com")
    assert commits
    with db.engine.connect() as other:
        assert other.scalar(select(func.count()).select_from(User)) == 1
