"""The JSON API at size, through the Flask test client with a real personal access token (the whole
WSGI stack, token check and rate limit included; no network):

- **keyset pages** of the large project's accounts and interactions (``limit=100``): every page of
  the first 50 and a page 60 % deep; median and p95 per page, SQL statements per request;
- **``updated_since``**: a nightly export's delta (1 % of the accounts and 0.1 % of the interactions
  changed a moment ago) read page by page to its end; a moment before the data was made (every record
  matches: the first page); a moment after the last change (nothing matches);
- **bulk upsert**: 10,000 accounts in one call into a project of their own (made for the run and
  deleted after it), first added, then the same 10,000 sent again with a changed field (updated):
  seconds per call and records per second.

The rate limit is raised for the run (it would answer 429 after 300 calls a minute): what is measured
is the API, the limiter's own bookkeeping included.
"""

import statistics
import time
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import event

PAGE = 100
WALK = 50  # pages read in a row from the start
BULK = 10_000
TARGET_PAGE_P95_MS = 100
TARGET_BULK_SECONDS = 10
MAX_STATEMENTS = 10
LONG_AGO = quote("2000-01-01T00:00:00+00:00")  # before any record: every one matches


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


class _Calls:
    """Times API calls and counts their SQL statements."""

    def __init__(self, client, engine, secret):
        self.client, self.engine = client, engine
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.count = 0

    def _counted(self, *_args):
        self.count += 1

    def call(self, method: str, path: str, **kwargs):
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._counted)
        started = time.perf_counter()
        try:
            response = self.client.open(path, method=method, headers=self.headers, **kwargs)
            body = response.get_json()
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            event.remove(self.engine, "before_cursor_execute", self._counted)
        assert response.status_code < 300, (path, response.status_code, str(body)[:500])
        return body, elapsed, self.count


def _summary(timings, statements, **extra) -> dict:
    return {"pages": len(timings), "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 0.95), 1), "statements": sorted(set(statements)), **extra}


def _walk(calls, path: str, pages: int | None, after: int = 0, query: str = "") -> dict:
    """Reads ``pages`` pages (None: to the end) from ``after``, following ``next_after``."""
    timings, statements, items = [], [], 0
    while True:
        body, ms, count = calls.call("GET", f"{path}?limit={PAGE}&after={after}{query}")
        timings.append(ms)
        statements.append(count)
        items += len(body["items"])
        after = body["next_after"]
        if after is None or (pages is not None and len(timings) >= pages):
            break
    return _summary(timings, statements, items=items)


def _token(app, email: str):
    from planner.auth import tokens
    from planner.auth.models import TokenScope, User
    from planner.extensions import db

    with app.test_request_context():
        user = User.by_email(email)
        token, secret = tokens.create(user, "bench", TokenScope.WRITE, 1)
        db.session.commit()
        return token.id, secret


def _revoke(app, token_id: int) -> None:
    from planner.auth import tokens
    from planner.auth.models import ApiToken
    from planner.extensions import db

    with app.test_request_context():
        tokens.revoke(db.session.get(ApiToken, token_id))
        db.session.commit()


def _touch(app, model, pid: int, share: int) -> tuple[int, str, str]:
    """Marks every ``share``-th record of the project as changed now, as a nightly sync would find them;
    returns how many, a moment just before and a moment just after."""
    from sqlalchemy import func, select, update

    from planner.db import utcnow
    from planner.extensions import db

    with app.app_context():
        before = utcnow() - timedelta(milliseconds=1)
        db.session.execute(update(model).where(model.project_id == pid, model.id % share == 0)
                           .values(updated_at=utcnow()))
        db.session.commit()
        changed = db.session.scalar(select(func.count()).select_from(model).where(
            model.project_id == pid, model.updated_at >= before))
        after = utcnow() + timedelta(seconds=1)
    return changed, quote(before.isoformat()), quote(after.isoformat())


def _bulk_project(app, email: str) -> int:
    from planner.auth.models import User
    from planner.extensions import db
    from planner.projects.models import Project, ProjectMember

    with app.app_context():
        user = User.by_email(email)
        project = Project(name="Benchmark — API bulk", description="", vision="", business_areas=["sales"],
                          currency="EUR", created_by_id=user.id)
        db.session.add(project)
        db.session.flush()
        db.session.add(ProjectMember(project_id=project.id, user_id=user.id, is_manager=True))
        db.session.commit()
        return project.id


def _drop_project(app, pid: int) -> None:
    from sqlalchemy import delete

    from planner.crm.models import Account
    from planner.extensions import db
    from planner.projects.models import Project, ProjectMember

    with app.app_context():
        db.session.execute(delete(Account).where(Account.project_id == pid))
        db.session.execute(delete(ProjectMember).where(ProjectMember.project_id == pid))
        db.session.execute(delete(Project).where(Project.id == pid))
        db.session.commit()


def measure(app, meta: dict, samples: int, log=print) -> dict:
    from sqlalchemy import func, select

    from planner.crm.models import Account, Interaction
    from planner.extensions import db

    email = "bench-manager-0@example.com"
    app.config["API_RATE_LIMIT"] = 10**9
    with app.app_context():
        engine = db.engine
    token_id, secret = _token(app, email)
    calls = _Calls(app.test_client(), engine, secret)
    pid = meta["large"]
    base = f"/api/v1/projects/{pid}/crm"
    results = {}
    try:
        for _ in range(3):  # warm up: the token, the project, the OpenAPI schemas
            calls.call("GET", f"{base}/accounts?limit={PAGE}")
        log(f"  keyset pages ({WALK} in a row, then 60 % deep) …")
        with app.app_context():
            deep = {}
            for model in (Account, Interaction):
                count = db.session.scalar(select(func.count()).select_from(model).where(model.project_id == pid))
                deep[model] = db.session.scalar(select(model.id).where(model.project_id == pid)
                                                .order_by(model.id).offset(count * 6 // 10).limit(1))
        for name, model in (("accounts", Account), ("interactions", Interaction)):
            results[f"{name} · first {WALK} pages"] = _walk(calls, f"{base}/{name}", WALK)
            timings, statements = [], []
            for _ in range(samples):
                _body, ms, count = calls.call("GET", f"{base}/{name}?limit={PAGE}&after={deep[model]}")
                timings.append(ms)
                statements.append(count)
            results[f"{name} · a page 60 % deep"] = _summary(timings, statements)
        log("  updated_since: a nightly delta, everything, nothing …")
        for name, model, share in (("accounts", Account, 100), ("interactions", Interaction, 1000)):
            changed, since, later = _touch(app, model, pid, share)
            delta = _walk(calls, f"{base}/{name}", None, query=f"&updated_since={since}")
            assert delta["items"] == changed, (delta["items"], changed)
            results[f"{name} · updated_since: {changed:,} changed"] = delta
            timings, statements = [], []
            for _ in range(samples):
                _body, ms, count = calls.call("GET", f"{base}/{name}?limit={PAGE}&updated_since={LONG_AGO}")
                timings.append(ms)
                statements.append(count)
            results[f"{name} · updated_since: all match (first page)"] = _summary(timings, statements)
            timings, statements = [], []
            for _ in range(samples):
                body, ms, count = calls.call("GET", f"{base}/{name}?limit={PAGE}&updated_since={later}")
                assert body["items"] == []
                timings.append(ms)
                statements.append(count)
            results[f"{name} · updated_since: none match"] = _summary(timings, statements)
        log(f"  bulk upsert of {BULK:,} accounts, added then updated …")
        bulk_pid = _bulk_project(app, email)
        try:
            bulk = {}
            for step, city in (("added", "Leeds"), ("updated", "London")):
                records = [{"external_id": f"API-{n:05d}", "name": f"Bench API account {n}", "segment": "Partner",
                            "country": "United Kingdom", "city": city} for n in range(BULK)]
                body, ms, count = calls.call("POST", f"/api/v1/projects/{bulk_pid}/crm/accounts/bulk",
                                             json={"records": records})
                assert body[{"added": "inserted", "updated": "updated"}[step]] == BULK, body
                bulk[step] = {"records": BULK, "seconds": round(ms / 1000, 2),
                              "records_per_second": round(BULK / (ms / 1000)), "statements": count}
            results["bulk"] = bulk
        finally:
            _drop_project(app, bulk_pid)
    finally:
        _revoke(app, token_id)
        with app.app_context():
            db.session.remove()
    return results


def report(results: dict) -> list[str]:
    lines = ["", f"API through the app with a token (large project; {PAGE} items a page; median / p95 ms per page; "
                 "SQL statements per request)",
             f"{'request':<52} {'pages':>5} {'med':>7} {'p95':>7} {'SQL':>5}"]
    for label, value in results.items():
        if label == "bulk":
            continue
        lines.append(f"{label:<52} {value['pages']:>5} {value['median_ms']:>7.1f} {value['p95_ms']:>7.1f} "
                     f"{','.join(map(str, value['statements'])):>5}")
    for step, value in results["bulk"].items():
        lines.append(f"  bulk upsert of {value['records']:,} accounts, {step}: {value['seconds']} s "
                     f"({value['records_per_second']:,} records/s, {value['statements']} SQL statements)")
    return lines


def targets(results: dict) -> list[tuple]:
    pages = {label: value for label, value in results.items() if label != "bulk"}
    worst = max(pages.items(), key=lambda item: item[1]["p95_ms"])
    slowest = max(results["bulk"].values(), key=lambda value: value["seconds"])
    return [
        (f"every API page p95 < {TARGET_PAGE_P95_MS} ms (keyset and updated_since)",
         worst[1]["p95_ms"] < TARGET_PAGE_P95_MS, f"slowest: {worst[0]} at {worst[1]['p95_ms']} ms"),
        # The token, its rate limit, the project and the membership, the page; one more for updated_since
        # (how many changed) and, once a minute, the token's last use: never more with depth or size.
        (f"at most {MAX_STATEMENTS} SQL statements per API page", all(
            n <= MAX_STATEMENTS for v in pages.values() for n in v["statements"]),
         "statements: " + ",".join(map(str, sorted({n for v in pages.values() for n in v["statements"]})))),
        (f"bulk upsert of {BULK:,} records < {TARGET_BULK_SECONDS} s", slowest["seconds"] < TARGET_BULK_SECONDS,
         f"slowest: {slowest['seconds']} s ({slowest['records_per_second']:,} records/s)"),
    ]
