"""Files from Salesforce, HubSpot, Dynamics 365 and Spanish and Chinese Excel users (tests/crm_sources.py),
through the import page and through ``flask crm import``: the mapping proposed from their own header
names, every problem of each bad row reported on its physical line with its reason, nothing written by the
check or by a refused import, the fixed file imported with every character of every column (mapped ones
in their fields, the others as other fields), and a second import changing nothing."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from planner.crm.fields import STORED
from planner.crm.imports.reading import cell_text
from planner.crm.models import Account, ImportJob, ImportProblem, ImportStatus, RecordKind
from tests import crm_factories as f
from tests.crm_sources import ACCOUNTS, SOURCES
from tests.helpers import login

pytestmark = pytest.mark.real_db  # the check and the import commit on connections of their own


@pytest.fixture
def setup(make_user, make_project, add_member, client):
    manager = make_user(email="pm@example.com", name="Marta", timezone="Europe/Madrid")
    project = make_project(manager=manager, currency="EUR")
    accounts = {external_id: f.account(project, external_id=external_id, name=name)
                for external_id, name in ACCOUNTS}
    login(client, manager)
    return project, manager, accounts


def model_of(source):
    return RecordKind(source.kind).model


def count(db, source, project) -> int:
    model = model_of(source)
    return db.session.scalar(select(func.count()).select_from(model).where(model.project_id == project.id))


def latest_job(db) -> ImportJob:
    db.session.expire_all()
    return db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()


def upload(client, db, project, source, data: bytes):
    response = client.post(f"/projects/{project.id}/crm/import",
                           data={"kind": source.kind, "file": (io.BytesIO(data), source.filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return latest_job(db)


def check(client, db, project, job):
    """Posts the proposed mapping (every other column kept) and returns the page after the check."""
    data = {f"col_{name}": str(index) for name, index in job.mapping.items() if not name.startswith("_")}
    data.update(day_first=job.mapping["_day_first"], decimal_comma=job.mapping["_decimal_comma"])
    used = {int(index) for name, index in job.mapping.items() if not name.startswith("_")}
    others = [str(index) for index in range(len(job.headers)) if index not in used]
    data.update(shown=others, keep=others)
    page = client.post(f"/projects/{project.id}/crm/import/{job.id}", data=data, follow_redirects=True)
    assert page.status_code == 200
    return latest_job(db), page.get_data(as_text=True)


def run(client, project, job) -> str:
    return client.post(f"/projects/{project.id}/crm/import/{job.id}/run", follow_redirects=True).get_data(as_text=True)


def problems_by_line(db, job) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in db.session.scalars(select(ImportProblem).where(ImportProblem.job_id == job.id)
                                      .order_by(ImportProblem.line, ImportProblem.id)):
        found.setdefault(problem.line, []).append(problem.code)
    return found


def assert_every_character(db, project, source, accounts):
    """Each row of the fixed file, in the database: its text fields to the character, its name from its
    parts, its account, and every other column in other_fields."""
    model = model_of(source)
    headers = source.headers
    index = {header: position for position, header in enumerate(headers)}
    stored_fields = {spec.name: spec for spec in STORED[RecordKind(source.kind)]}
    by_name = {name: [acc for acc in accounts.values() if acc.name == name] for _id, name in ACCOUNTS}
    for row in source.good_rows():
        external_id = cell_text(row[index[source.mapped["external_id"]]])
        record = db.session.scalar(select(model).where(model.project_id == project.id,
                                                       model.external_id == external_id))
        assert record is not None, external_id
        for name, header in source.mapped.items():
            cell = cell_text(row[index[header]])
            spec = stored_fields.get(name)
            if name == "account":
                target = accounts.get(cell) or by_name[cell][0]
                assert record.account_id == target.id, (external_id, cell)
            elif spec is not None and spec.type in ("text", "email", "phone"):
                assert getattr(record, name) == cell, (external_id, name)
        if "first_name" in source.mapped:
            first = cell_text(row[index[source.mapped["first_name"]]])
            last = cell_text(row[index[source.mapped["last_name"]]])
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in first + last)
            expected = (last + first if chinese else f"{first} {last}") if first and last else first or last
            assert record.name == expected
        others = {header: cell_text(row[index[header]]) for header in source.others if cell_text(row[index[header]])}
        assert (record.other_fields or {}) == others, external_id


# --------------------------------------------------------------------------- the import page


@pytest.mark.parametrize("source", SOURCES, ids=[source.name for source in SOURCES])
def test_a_real_export_is_checked_refused_fixed_and_imported_once(client, db, setup, source):
    project, manager, accounts = setup
    job = upload(client, db, project, source, source.file())
    proposed = {name: job.headers[index] for name, index in job.mapping.items() if not name.startswith("_")}
    assert proposed == source.mapped
    page = client.get(f"/projects/{project.id}/crm/import/{job.id}").get_data(as_text=True)
    assert "Columns that feed no field" in page
    for header in source.others:
        assert f'translate="no">{header}</label>'.replace("&", "&amp;") in page.replace("&#34;", '"'), header

    job, page = check(client, db, project, job)
    assert job.status is ImportStatus.PROBLEMS
    assert problems_by_line(db, job) == source.problems
    for reason in source.reasons:
        assert reason in page.replace("&#34;", '"').replace("&#39;", "'"), reason
    assert count(db, source, project) == 0  # the check writes nothing
    refused = run(client, project, job)
    assert "Check the file first" in refused
    assert count(db, source, project) == 0  # nor does a refused import

    job = upload(client, db, project, source, source.file(fixed=True))
    job, page = check(client, db, project, job)
    assert job.status is ImportStatus.CHECKED, page[-3000:]
    rows = len(source.rows)
    assert (job.rows_total, job.inserted) == (rows, rows)
    done = run(client, project, job)
    assert f"Import finished: {rows} added, 0 updated, 0 unchanged." in done
    db.session.expire_all()
    assert count(db, source, project) == rows
    assert_every_character(db, project, source, accounts)

    job = upload(client, db, project, source, source.file(fixed=True))
    job, page = check(client, db, project, job)
    assert (job.inserted, job.updated, job.unchanged) == (0, 0, rows)


def test_times_are_read_in_the_importers_zone_and_amounts_with_the_files_decimal_mark(client, db, setup):
    from tests.crm_sources import DYNAMICS, HUBSPOT, SPANISH

    project, _manager, _accounts = setup
    for source in (DYNAMICS, HUBSPOT, SPANISH):
        job = upload(client, db, project, source, source.file(fixed=True))
        job, _page = check(client, db, project, job)
        run(client, project, job)
    db.session.expire_all()
    from planner.crm.models import Opportunity, ServiceCase

    case = db.session.scalar(select(ServiceCase).where(ServiceCase.external_id.like("%1a01")))
    assert case.opened_at == datetime(2026, 3, 1, 7, 5, 30, tzinfo=UTC)  # 08:05:30 in Madrid
    spanish = db.session.scalar(select(Opportunity).where(Opportunity.external_id == "OP-001"))
    assert (spanish.amount, spanish.opened_on, spanish.closed_on) == (Decimal("94930.76"), date(2026, 1, 5),
                                                                       date(2026, 3, 20))
    assert db.session.scalar(select(Opportunity.amount).where(Opportunity.external_id == "OP-002")) == Decimal("1250")
    hubspot = db.session.scalar(select(Opportunity).where(Opportunity.external_id == "18467193021"))
    assert (hubspot.amount, hubspot.closed_on) == (Decimal("12500.50"), date(2026, 3, 20))
    open_deal = db.session.scalar(select(Opportunity).where(Opportunity.external_id == "18467193024"))
    assert (open_deal.closed_on, open_deal.expected_close_on) == (None, date(2026, 4, 30))


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("source", SOURCES, ids=[source.name for source in SOURCES])
def test_the_same_files_through_the_command_line(app, db, setup, source, tmp_path):
    project, manager, accounts = setup
    runner = app.test_cli_runner()
    path = tmp_path / source.filename
    path.write_bytes(source.file())
    args = ["crm", "import", str(project.id), source.kind, str(path), "--user", manager.email]
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Line ")]
    assert [int(line.split(":")[0].split()[1]) for line in lines] == [
        line for line, codes in source.problems.items() for _code in codes]  # in line order, each problem
    for reason in source.reasons:
        assert reason in result.output, reason
    assert "Times without a time zone are read in Europe/Madrid." in result.output
    db.session.expire_all()
    assert count(db, source, project) == 0

    path.write_bytes(source.file(fixed=True))
    result = runner.invoke(args=args + ["--dry-run"])
    assert result.exit_code == 0 and "Nothing was written." in result.output, result.output
    db.session.expire_all()
    assert count(db, source, project) == 0
    result = runner.invoke(args=args)
    rows = len(source.rows)
    assert f"{rows} added, 0 updated, 0 unchanged" in result.output, result.output
    db.session.expire_all()
    assert_every_character(db, project, source, accounts)
    result = runner.invoke(args=args)
    assert f"0 added, 0 updated, {rows} unchanged" in result.output, result.output


def test_the_command_line_speaks_the_language_asked_for(app, db, setup, tmp_path):
    from tests.crm_sources import SPANISH

    project, manager, _accounts = setup
    path = tmp_path / SPANISH.filename
    path.write_bytes(SPANISH.file())
    runner = app.test_cli_runner()
    spanish = runner.invoke(args=["crm", "import", str(project.id), "opportunities", str(path), "--lang", "es"])
    assert "Línea 5: «31/02/2026» en Abierta el no es una fecha: febrero no tiene día 31." in spanish.output \
        or "Línea 5: «31/02/2026»" in spanish.output, spanish.output
    assert "Las fechas se leen con el día primero" in spanish.output
    assert "Los importes se leen con coma decimal" in spanish.output
    chinese = runner.invoke(args=["crm", "import", str(project.id), "opportunities", str(path), "--lang", "zh"])
    assert "第 5 行：" in chinese.output and "二月没有 31 日" in chinese.output, chinese.output


def test_accounts_are_found_by_exact_name_only(client, db, setup):
    project, _manager, accounts = setup
    content = ("Id,Name,Account\n"
               "P-1,Uno,Contoso Ltd\n"
               "P-2,Dos,contoso ltd\n"  # not the exact name
               "P-3,Tres,Acme\n")  # two accounts have it
    from tests.crm_sources import Source

    source = Source("plain", "contacts", "c.csv", [], [], None, {}, {}, [])
    job = upload(client, db, project, source, content.encode())
    job, _page = check(client, db, project, job)
    assert problems_by_line(db, job) == {3: ["unknown_account"], 4: ["ambiguous_account"]}
    assert db.session.scalar(select(func.count()).select_from(Account).where(Account.project_id == project.id)) == 6
