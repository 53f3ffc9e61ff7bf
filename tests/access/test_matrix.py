"""Walks the permission matrix (see matrix.py) and checks that it covers every route."""

import pytest

from tests.access.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    UNAUTHORIZED,
    all_rules,
    build_world,
)
from tests.helpers import empty_tables, login

RULES = all_rules()
IGNORED_ENDPOINTS = {"static", "bootstrap.static"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _outcome(response) -> object:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return LOGIN if "/login" in response.headers.get("Location", "") else OK
    if 200 <= status < 300:
        return OK
    return status


def _role_order(rule):
    # Refusals first: they must change nothing; successful writes come last.
    return sorted(ROLES, key=lambda role: rule.expect[role] == OK)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.method} {r.path}")
def test_route_access(rule, app, db):
    world, dirty = None, True
    for role in _role_order(rule):
        if dirty:
            empty_tables(db)
            world, dirty = build_world(), False
        client = app.test_client()
        user = world.users[role]
        if user is not None:
            login(client, user)
        response = client.open(rule.url(world), method=rule.method, data=dict(rule.data or {}))
        got = _outcome(response)
        assert got == rule.expect[role], (
            f"{rule.method} {rule.url(world)} as {role}: expected {rule.expect[role]}, got {got} "
            f"({response.status_code} {response.headers.get('Location', '')})"
        )
        if rule.method in WRITE_METHODS and got == OK:
            dirty = True


def test_every_route_has_an_access_rule(app):
    covered = {(rule.endpoint, rule.method) for rule in RULES}
    missing = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint in IGNORED_ENDPOINTS:
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            if (url_rule.endpoint, method) not in covered:
                missing.append(f"{method} {url_rule.rule} ({url_rule.endpoint})")
    assert not missing, "Routes without a rule in tests/access/rules_*.py:\n" + "\n".join(missing)


def test_every_rule_names_a_real_route(app):
    endpoints = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods}
    stale = [f"{rule.method} {rule.endpoint}" for rule in RULES if (rule.endpoint, rule.method) not in endpoints]
    assert not stale, f"Rules for routes that do not exist: {stale}"
    for rule in RULES:
        assert set(rule.expect) == set(ROLES), f"{rule.endpoint}: every role needs an expectation"
        assert all(v in (OK, LOGIN, UNAUTHORIZED, FORBIDDEN, NOT_FOUND) for v in rule.expect.values())


WRITE_RULES = [r for r in RULES if r.method in WRITE_METHODS and not r.path.startswith("/api/")
               and any(r.expect[role] == OK for role in ROLES if role != "anonymous")]


@pytest.mark.parametrize("rule", WRITE_RULES, ids=lambda r: f"{r.method} {r.path}")
def test_writes_without_csrf_token_are_refused(rule, app, db):
    empty_tables(db)
    world = build_world()
    role = next(role for role in ("manager", "sponsor", "staff", "admin", "outsider")
                if rule.expect[role] == OK)
    client = app.test_client()
    login(client, world.users[role])
    response = client.open(rule.url(world), method=rule.method, data=dict(rule.data or {}), csrf=False)
    assert response.status_code == 400, f"{rule.endpoint} accepted a write without a CSRF token"
