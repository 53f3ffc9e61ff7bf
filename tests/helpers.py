"""Helpers shared by tests (import them; fixtures live in conftest.py)."""

import re

from tests.factories import PASSWORD
from tests.transactions import empty_tables  # noqa: F401 - shared with tests that start from nothing


def login(client, user, password=PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def visible_text(html: str) -> str:
    """The text a reader sees: scripts, styles and tags removed, entities left as they are."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).strip()


# Columns that any signed-in request may touch (a session's last activity): not a change.
# Columns that change without any data a user sees changing with them: a session's last visit, and the
# data stamp (planner.datastamp), renewed with whatever other table a commit changes.
VOLATILE = {"user_sessions": {"last_seen_at"}, "data_stamps": {"stamp"}}


def database_state(db) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows (ordered by primary key), to prove that a
    request changed nothing: compare the states before and after with ``changes()``."""
    import hashlib

    from sqlalchemy import select

    state = {}
    for table in db.metadata.sorted_tables:
        ignored = VOLATILE.get(table.name, set())
        columns = [c for c in table.columns if c.name not in ignored]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        state[table.name] = (len(rows), hashlib.sha1(repr(rows).encode(), usedforsecurity=False).hexdigest())
    return state


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two ``database_state`` results, readably: ``table: 3 → 4 rows``."""
    found = []
    for name in sorted(before.keys() | after.keys()):
        (count_before, digest_before), (count_after, digest_after) = before.get(name, (0, "")), after.get(name, (0, ""))
        if count_before != count_after:
            found.append(f"{name}: {count_before} → {count_after} rows")
        elif digest_before != digest_after:
            found.append(f"{name}: rows changed")
    return found
