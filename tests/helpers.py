"""Helpers shared by tests (import them; fixtures live in conftest.py)."""

import re

from sqlalchemy import text

from tests.factories import PASSWORD


def empty_tables(db) -> None:
    tables = list(db.metadata.sorted_tables)
    db.session.rollback()
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
    db.session.expire_all()


def login(client, user, password=PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def visible_text(html: str) -> str:
    """The text a reader sees: scripts, styles and tags removed, entities left as they are."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).strip()
