"""Walks the permission matrix (see matrix.py) and checks that it covers every route.

One world is built for the module (``matrix_world``); each role's request runs in a savepoint on it
that is rolled back afterwards, so every request starts from the same world. A refused request
must leave the database exactly as it was; a write a role may make must succeed (a redirect that
is not to the sign-in page, no error flashed), not merely answer with a form showing errors."""

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event

from tests.access.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    UNAUTHORIZED,
    all_rules,
)
from tests.helpers import changes, database_state
from tests.transactions import savepoint

RULES = all_rules()
IGNORED_ENDPOINTS = {"static", "bootstrap.static"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
REDIRECTS = (301, 302, 303, 307, 308)
# A refusal may be counted, on purpose: failed sign-ins and unknown tokens are rate-limited.
REFUSALS_COUNTED = {"rate_counters"}


def _outcome(response) -> object:
    status = response.status_code
    if status in REDIRECTS:
        return LOGIN if "/login" in response.headers.get("Location", "") else OK
    if 200 <= status < 300:
        return OK
    return status


def _error_flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for category, message in session.get("_flashes", []) if category == "danger"]


def _write_failed(rule, world, client, response) -> str | None:
    """Why an allowed write did not succeed, or None when it did."""
    if isinstance(rule.success, int):
        if response.status_code != rule.success:
            return f"answered {response.status_code}, not {rule.success}"
        return None
    if response.status_code not in REDIRECTS:
        return (f"answered {response.status_code} instead of redirecting: give the rule real form data "
                f"(data=...) so the write succeeds, or success=<status> if it answers with a page")
    errors = _error_flashes(client)
    if errors:
        return f"redirected with an error: {errors}"
    expected = rule.success_url(world)
    location = response.headers.get("Location", "")
    if expected is not None and not _same_page(urlsplit(location).path, urlsplit(expected).path):
        return f"redirected to {location}, not {expected}"
    return None


def _same_page(path: str, expected: str) -> bool:
    return path.startswith(expected) if expected.endswith("/") else path == expected


# Statements that change nothing: reads, and a signed-in session noting its last activity.
READS = re.compile(r"\s*(SELECT|PRAGMA|SHOW)\b|\s*UPDATE user_sessions SET last_seen_at=[^,]* WHERE", re.I)


@contextmanager
def _writes(db):
    """Collects the statements that might write, sent while the block runs."""
    found = []

    def note(_conn, _cursor, statement, *_args):
        if not READS.match(statement) and not any(table in statement for table in REFUSALS_COUNTED):
            found.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _check(rule, world, app, db, role, csrf=True) -> str | None:
    """Sends the rule's request as ``role`` in a savepoint; what went wrong, or None."""
    url = rule.url(world)
    with savepoint(db):
        api = rule.path.startswith("/api/")
        client = world.api_client(app, role) if api else world.client(app, role)
        headers = rule.header_values(world) if api else {}
        with _writes(db) as writes:
            if api:
                body = rule.form(world) if rule.method in WRITE_METHODS else None
                response = client.open(url, method=rule.method, json=body, headers=headers, csrf=False)
            else:
                response = client.open(url, method=rule.method, data=rule.form(world), csrf=csrf)
        got = _outcome(response)
        expected = rule.expect[role] if csrf else 400
        if not csrf:
            got = response.status_code
        if got != expected:
            return (f"as {role}: expected {expected}, got {got} "
                    f"({response.status_code} {response.headers.get('Location', '')})")
        signed_out = got == LOGIN and rule.success_url(world) == "/login"  # the write is signing out
        if (got == OK or signed_out) and rule.method in WRITE_METHODS and not rule.path.startswith("/api/"):
            problem = _write_failed(rule, world, client, response)
            return f"as {role}: an allowed write {problem}" if problem else None
        if got != OK and not signed_out and writes:
            # Something was sent that could write: compare every table with the world as built.
            changed = [change for change in changes(world.state, database_state(db))
                       if change.split(":")[0] not in REFUSALS_COUNTED]
            if changed:
                return f"as {role}: refused ({got}) but changed the database: {', '.join(changed)}"
    return None


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.method} {r.path}")
def test_route_access(rule, matrix_world, app, db):
    problems = [problem for role in ROLES if (problem := _check(rule, matrix_world, app, db, role))]
    assert not problems, f"{rule.method} {rule.url(matrix_world)}:\n" + "\n".join(problems)


def test_every_route_has_an_access_rule(app, matrix_world):
    covered = {(rule.endpoint, rule.method) for rule in RULES}
    missing = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint in IGNORED_ENDPOINTS:
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            if (url_rule.endpoint, method) not in covered:
                missing.append(f"{method} {url_rule.rule} ({url_rule.endpoint})")
    assert not missing, "Routes without a rule in tests/access/rules_*.py:\n" + "\n".join(missing)


def test_every_rule_names_a_real_route(app, matrix_world):
    endpoints = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods}
    stale = [f"{rule.method} {rule.endpoint}" for rule in RULES if (rule.endpoint, rule.method) not in endpoints]
    assert not stale, f"Rules for routes that do not exist: {stale}"
    for rule in RULES:
        assert set(rule.expect) == set(ROLES), f"{rule.endpoint}: every role needs an expectation"
        assert all(v in (OK, LOGIN, UNAUTHORIZED, FORBIDDEN, NOT_FOUND) for v in rule.expect.values())


def test_a_refused_request_that_changes_something_is_caught(app, db, matrix_world):
    """The check itself can fail: a write is noticed, and a changed row is seen as a change."""
    from planner.projects.models import Project

    with savepoint(db):
        with _writes(db) as writes:
            db.session.get(Project, matrix_world.ids["project"]).name = "改过的名字"
            db.session.commit()
        assert [statement.split()[0] for statement in writes] == ["UPDATE"]
        assert changes(matrix_world.state, database_state(db)) == ["projects: rows changed"]
    assert changes(matrix_world.state, database_state(db)) == []
    with _writes(db) as writes:
        assert matrix_world.client(app, "staff").get("/projects").status_code == 200
    assert writes == []


WRITE_RULES = [r for r in RULES if r.method in WRITE_METHODS and not r.path.startswith("/api/")
               and any(r.expect[role] == OK for role in ROLES if role != "anonymous")]


@pytest.mark.parametrize("rule", WRITE_RULES, ids=lambda r: f"{r.method} {r.path}")
def test_writes_without_csrf_token_are_refused(rule, app, db, matrix_world):
    role = next(role for role in ("manager", "sponsor", "staff", "admin", "outsider")
                if rule.expect[role] == OK)
    problem = _check(rule, matrix_world, app, db, role, csrf=False)
    assert problem is None, f"{rule.endpoint} without a CSRF token {problem}"
