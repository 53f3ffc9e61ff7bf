"""Responses are compressed for browsers and clients that accept it (planner.compression): pages and
JSON with Brotli or gzip, CSV exports too; tiny answers, streamed downloads and clients that ask for
nothing are left alone; and the API's ETags still do their work when a response was compressed (If-Match)."""

import gzip
import zlib

import brotli
import pytest

from planner.auth import tokens
from planner.auth.models import TokenScope
from planner.crm.models import Account
from planner.crm.services import prepare
from planner.extensions import db
from tests.change_factories import make_task
from tests.helpers import login


@pytest.fixture
def world(make_user, make_project):
    manager = make_user(name="经理", language="zh")
    project = make_project(manager=manager, name="压缩项目")
    secret = tokens.create(manager, "测试", TokenScope.WRITE, 30)[1]
    # Long enough a representation to be worth compressing (Flask-Compress leaves bodies under 500 bytes).
    account = Account(project_id=project.id, name="华南区域重点客户" * 20, external_id="A-1", segment="零售" * 30,
                      industry="家电" * 30, country="中国", city="广州" * 30, captured_by_id=manager.id)
    prepare(account)
    db.session.add(account)
    db.session.commit()
    return {"manager": manager, "project": project, "secret": secret, "account": account}


def decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


@pytest.mark.parametrize(("accepted", "expected"), [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("identity", None), ("", None)])
def test_pages_are_compressed_with_what_the_browser_accepts(client, world, accepted, expected):
    login(client, world["manager"])
    headers = {"Accept-Encoding": accepted} if accepted else {}
    response = client.get(f"/projects/{world['project'].id}", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.headers["Vary"]
    html = decoded(response).decode()
    assert "压缩项目" in html and html.rstrip().endswith("</html>")
    if expected:
        plain = client.get(f"/projects/{world['project'].id}")
        assert int(response.headers["Content-Length"]) < len(plain.get_data()) / 3
    assert response.headers["Cache-Control"] == "no-store"  # the security headers are still there


def test_json_and_csv_exports_are_compressed_but_tiny_answers_are_not(client, world):
    headers = {"Authorization": f"Bearer {world['secret']}", "Accept-Encoding": "gzip"}
    listing = client.get(f"/api/v1/projects/{world['project'].id}/crm/accounts", headers=headers)
    assert listing.status_code == 200 and listing.headers["Content-Encoding"] == "gzip"
    assert b"A-1" in decoded(listing)
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers
    login(client, world["manager"])
    for n in range(12):
        make_task(world["project"], title=f"培训第{n}组客服人员使用新系统")
    export = client.get(f"/projects/{world['project'].id}/exports/tasks.csv", headers={"Accept-Encoding": "br"})
    assert export.status_code == 200 and export.headers["Content-Encoding"] == "br"
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = decoded(export).decode("utf-8")
    assert table == client.get(f"/projects/{world['project'].id}/exports/tasks.csv").get_data(as_text=True)
    assert "培训第11组客服人员使用新系统" in table
    # A streamed download (the record list's CSV, written row by row) goes out as it is written.
    streamed = client.get(f"/projects/{world['project'].id}/crm/accounts.csv", headers={"Accept-Encoding": "br"})
    assert streamed.status_code == 200 and streamed.is_streamed and "Content-Encoding" not in streamed.headers
    assert "华南区域重点客户".encode() in streamed.get_data()


def test_an_etag_of_a_compressed_response_still_satisfies_if_match(client, world):
    url = f"/api/v1/projects/{world['project'].id}/crm/accounts/{world['account'].id}"
    auth = {"Authorization": f"Bearer {world['secret']}"}
    plain = client.get(url, headers=auth)
    compressed = client.get(url, headers={**auth, "Accept-Encoding": "br"})
    assert compressed.headers["Content-Encoding"] == "br"
    assert compressed.headers["ETag"] == plain.headers["ETag"][:-1] + ':br"'
    # The compressed response's ETag, and the weak form a compressing proxy would make of it, both work.
    first = client.patch(url, json={"city": "深圳"}, headers={**auth, "If-Match": compressed.headers["ETag"]})
    assert first.status_code == 200, first.get_json()
    weak = "W/" + client.get(url, headers={**auth, "Accept-Encoding": "gzip"}).headers["ETag"]
    second = client.patch(url, json={"city": "佛山"}, headers={**auth, "If-Match": weak})
    assert second.status_code == 200, second.get_json()
    # A version that is no longer current is still refused, compressed or not.
    stale = client.patch(url, json={"city": "东莞"}, headers={**auth, "If-Match": compressed.headers["ETag"]})
    assert stale.status_code == 412
    db.session.expire_all()
    assert db.session.get(Account, world["account"].id).city == "佛山"
    # A conditional GET with the compressed ETag is answered 304 Not Modified.
    current = client.get(url, headers={**auth, "Accept-Encoding": "br"}).headers["ETag"]
    again = client.get(url, headers={**auth, "Accept-Encoding": "br", "If-None-Match": current})
    assert again.status_code == 304
