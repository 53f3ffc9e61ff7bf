"""Importing CSV and XLSX exports: encodings, separators, column mapping, the dry run and its
reasons, all-or-nothing, idempotent re-imports, the size limit, the CLI. The files are built here."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from planner.audit.models import AuditEvent
from planner.crm import imports as importer
from planner.crm.fields import propose_mapping
from planner.crm.models import (
    Account,
    Channel,
    Contact,
    ImportJob,
    ImportMapping,
    ImportProblem,
    ImportStatus,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    RecordKind,
    ServiceCase,
)
from planner.kpis import services as kpis
from planner.kpis.definitions import KpiKey
from planner.uploads.models import Upload
from tests import crm_factories as f
from tests.helpers import login

# The check and the import run as jobs that keep their state on a connection of their own (the import
# job row, progress, the upload): the test reads what they committed, so it needs real commits.
pytestmark = pytest.mark.real_db

ACCOUNTS_CSV = (
    "External id,Name,Segment,Country,City\n"
    "A-1,Distribuciones Peñalver,Mayorista,España,Logroño\n"
    "A-2,华信家电,大客户,中国,上海\n"
    "A-3,\"Muñoz, Ibáñez y Cía\",Minorista,México,Mérida\n"
)


@pytest.fixture
def setup(make_user, make_project, add_member, client):
    manager = make_user(email="pm@example.com", name="经理")
    project = make_project(manager=manager, currency="EUR")
    staff = make_user(email="lucia@example.com", name="Lucía")
    add_member(project, staff)
    login(client, manager)
    return project, manager, staff


def count(db, model, project) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.project_id == project.id))


def upload(client, project, kind, data: bytes, filename: str, follow=False):
    return client.post(f"/projects/{project.id}/crm/import", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=follow)


def job_of(db) -> ImportJob:
    db.session.expire_all()
    return db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()


def check(client, project, job, mapping=None, day_first="1", decimal_comma=None):
    """Posts the mapping form (the proposed one unless given) and returns the page after the dry run."""
    mapping = job.mapping if mapping is None else mapping
    data = {f"col_{name}": str(index) for name, index in mapping.items() if not name.startswith("_")}
    data["day_first"] = day_first
    data["decimal_comma"] = decimal_comma if decimal_comma is not None else job.mapping.get("_decimal_comma", "0")
    return client.post(f"/projects/{project.id}/crm/import/{job.id}", data=data, follow_redirects=True)


def run(client, project, job, follow=True):
    return client.post(f"/projects/{project.id}/crm/import/{job.id}/run", follow_redirects=follow)


def import_file(client, db, project, kind, data, filename, **options):
    response = upload(client, project, kind, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    job = job_of(db)
    page = check(client, project, job, **options)
    job = job_of(db)
    return job, page


# --------------------------------------------------------------------------- encodings and formats


def test_a_utf8_csv_goes_through_upload_check_and_import(client, db, setup):
    project, manager, _staff = setup
    job, page = import_file(client, db, project, "accounts", ACCOUNTS_CSV.encode("utf-8"), "accounts.csv")
    text = page.get_data(as_text=True)
    assert job.encoding == "utf-8" and job.delimiter == ","
    assert job.status is ImportStatus.CHECKED and (job.rows_total, job.inserted) == (3, 3)
    assert "3 to add, 0 to update, 0 unchanged" in text
    assert count(db, Account, project) == 0  # the check writes nothing
    response = run(client, project, job)
    assert "Import finished: 3 added, 0 updated, 0 unchanged." in response.get_data(as_text=True)
    names = set(db.session.scalars(select(Account.name).where(Account.project_id == project.id)))
    assert names == {"Distribuciones Peñalver", "华信家电", "Muñoz, Ibáñez y Cía"}
    account = db.session.scalar(select(Account).where(Account.external_id == "A-1"))
    assert (account.segment, account.country, account.city, account.captured_by_id) == (
        "Mayorista", "España", "Logroño", None)
    assert account.name_key == "distribuciones penalver"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "crm.accounts.imported"))
    assert job_of(db).status is ImportStatus.IMPORTED
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0  # the upload went with the job


def test_utf8_with_a_byte_order_mark(client, db, setup):
    project, *_ = setup
    job, _page = import_file(client, db, project, "accounts", ACCOUNTS_CSV.encode("utf-8-sig"), "bom.csv")
    assert job.encoding == "utf-8-sig"
    assert job.headers[0] == "External id"  # the mark is not part of the first column's name
    assert job.status is ImportStatus.CHECKED
    run(client, project, job)
    assert db.session.scalar(select(Account.name).where(Account.external_id == "A-2")) == "华信家电"


def test_gb18030_from_chinese_excel_with_chinese_headers(client, db, setup):
    project, *_ = setup
    content = "客户编号,客户名称,细分,城市\nC-01,上海华信家电有限公司,大客户,上海\nC-02,广州美的电器,中小企业,广州\n"
    job, _page = import_file(client, db, project, "accounts", content.encode("gb18030"), "客户.csv")
    assert job.encoding == "gb18030"
    assert {name: job.headers[index] for name, index in job.mapping.items() if not name.startswith("_")} == {
        "external_id": "客户编号", "name": "客户名称", "segment": "细分", "city": "城市"}
    run(client, project, job)
    assert db.session.scalar(select(Account.city).where(Account.external_id == "C-02")) == "广州"


def test_windows_1252_from_spanish_excel_with_semicolons_and_decimal_commas(client, db, setup):
    project, *_ = setup
    f.account(project, name="Peñalver", external_id="A-1")
    content = ("Identificador;Cuenta;Nombre de la oportunidad;Tipo;Importe;Etapa;Fecha de apertura;Fecha de cierre\n"
               "O-1;A-1;Renovación de almacén;Venta cruzada;1.234,50;Ganada;05/03/2026;28/04/2026\n"
               "O-2;A-1;Ampliación logística;Nuevo negocio;€ 980;Propuesta;12/04/2026;\n")
    job, page = import_file(client, db, project, "opportunities", content.encode("cp1252"), "oportunidades.csv")
    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    assert job.mapping["_decimal_comma"] == "1"  # proposed from the semicolons
    assert job.status is ImportStatus.CHECKED, page.get_data(as_text=True)[-3000:]
    run(client, project, job)
    won = db.session.scalar(select(Opportunity).where(Opportunity.external_id == "O-1"))
    assert (won.name, won.opportunity_kind, won.amount, won.stage, won.opened_on, won.closed_on) == (
        "Renovación de almacén", OpportunityKind.CROSS_SELL, Decimal("1234.50"), OpportunityStage.WON,
        date(2026, 3, 5), date(2026, 4, 28))
    assert db.session.scalar(select(Opportunity.amount).where(Opportunity.external_id == "O-2")) == Decimal("980.00")


def test_an_xlsx_workbook_with_dates_numbers_and_booleans(client, db, setup):
    project, manager, staff = setup
    f.account(project, name="华信", external_id="A-1")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Case id", "Account", "Subject", "Opened", "Closed", "FCR", "CSAT", "Created by"])
    sheet.append(["K-1", "A-1", "冰箱不制冷", datetime(2026, 9, 1, 9, 30), datetime(2026, 9, 1, 10, 0), True, 5,
                  "lucia@example.com"])
    sheet.append(["K-2", "A-1", "Pedido incompleto", datetime(2026, 9, 2, 15, 0), None, "no", 3.0, ""])
    sheet.append([None, None, None, None, None, None, None, None])  # empty rows at the end are skipped
    buffer = io.BytesIO()
    workbook.save(buffer)
    job, page = import_file(client, db, project, "cases", buffer.getvalue(), "cases.xlsx")
    assert job.file_format == "xlsx"
    assert job.status is ImportStatus.CHECKED, page.get_data(as_text=True)[-3000:]
    assert job.rows_total == 2
    run(client, project, job)
    first = db.session.scalar(select(ServiceCase).where(ServiceCase.external_id == "K-1"))
    assert (first.opened_at, first.closed_at, first.resolved_first_contact, first.satisfaction,
            first.captured_by_id) == (datetime(2026, 9, 1, 9, 30, tzinfo=UTC), datetime(2026, 9, 1, 10, tzinfo=UTC),
                                      True, 5, staff.id)
    second = db.session.scalar(select(ServiceCase).where(ServiceCase.external_id == "K-2"))
    assert (second.closed_at, second.resolved_first_contact, second.satisfaction) == (None, False, 3)


def test_times_without_a_zone_are_read_in_the_importing_users_zone(make_client, db, setup, make_user, add_member):
    project, *_ = setup
    shanghai = make_user(email="wang@example.com", timezone="Asia/Shanghai")
    add_member(project, shanghai, manager=True)
    client = make_client()
    login(client, shanghai)
    f.account(project, external_id="A-1")
    content = ("编号,客户,日期,渠道,目的,结果\n"
               "I-1,A-1,2026/9/1 09:30,电话,询价,已报价\nI-2,A-1,2026-09-01T09:30:00Z,微信,投诉,\n")
    job, _page = import_file(client, db, project, "interactions", content.encode("utf-8"), "互动.csv")
    run(client, project, job)
    rows = dict(db.session.execute(select(Interaction.external_id, Interaction.occurred_at)).all())
    assert rows["I-1"] == datetime(2026, 9, 1, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    assert rows["I-2"] == datetime(2026, 9, 1, 9, 30, tzinfo=UTC)  # an explicit zone wins
    assert db.session.scalar(select(Interaction.channel).where(Interaction.external_id == "I-2")) == Channel.CHAT


def test_imported_times_compare_exactly_like_captured_ones(client, db, setup):
    """Midnight, to the microsecond: a KPI window starting at 00:00 includes a record imported at 00:00."""
    project, *_ = setup
    f.account(project, external_id="A-1")
    content = "Id,Account,Date,Channel,Outcome\nI-1,A-1,2026-09-07 00:00,phone,Hecho\nI-2,A-1,2026-09-06 23:59,phone,\n"
    job, _page = import_file(client, db, project, "interactions", content.encode(), "i.csv")
    run(client, project, job)
    midnight = datetime(2026, 9, 7, tzinfo=UTC)
    assert db.session.scalars(select(Interaction.external_id).where(Interaction.occurred_at >= midnight)).all() == [
        "I-1"]
    assert db.session.scalar(select(Interaction.external_id).where(Interaction.occurred_at == midnight)) == "I-1"
    # 28 days ending on 4 October start on 7 September at 00:00: only I-1 is in the window.
    assert kpis.kpi_result(project, KpiKey.CLOSED_LOOP, date(2026, 10, 4)).denominator == 1


@pytest.mark.no_app
def test_encoding_detection_tells_spanish_from_chinese(tmp_path):
    samples = {
        "utf-8": ("Nombre,Ciudad\nJosé Núñez,Logroño\n", "utf-8"),
        "utf-8-sig": ("名称\n华信\n", "utf-8-sig"),
        "gb18030": ("名称,城市\n华信家电,上海\n美的,广州\n", "gb18030"),
        "cp1252": ("Nombre;Población\nPeñalver;Logroño\nMaría Ibáñez;Cádiz\n", "cp1252"),
    }
    for expected, (content, encoding) in samples.items():
        path = tmp_path / f"{expected}.csv"
        path.write_bytes(content.encode(encoding))
        assert importer.detect_encoding(path) == expected, expected


# --------------------------------------------------------------------------- the column mapping


def test_the_mapping_is_proposed_from_headers_in_each_language_and_remembered(client, db, setup):
    project, *_ = setup
    english = ["Account ID", "Account Name", "Industry", "Billing Country", "Ignored"]
    spanish = ["Código", "Razón social", "Sector", "País", "Población"]
    chinese = ["客户编号", "客户名称", "所属行业", "国家", "城市"]
    for headers in (english, spanish, chinese):
        proposed = propose_mapping(RecordKind.ACCOUNTS, headers)
        assert proposed["external_id"] == 0 and proposed["name"] == 1 and proposed["industry"] == 2
        assert proposed["country"] == 3
    # An unusual header is mapped by hand once, then proposed again for the next file.
    content = "Ref,Nombre comercial,Zona\nA-9,Ferretería Gómez,Norte\n"
    upload(client, project, "accounts", content.encode("utf-8"), "a.csv")
    job = job_of(db)
    assert "name" not in job.mapping
    check(client, project, job, mapping={"external_id": 0, "name": 1, "segment": 2})
    saved = db.session.scalar(select(ImportMapping.mapping))
    assert saved == {"external_id": "Ref", "name": "Nombre comercial", "segment": "Zona"}
    upload(client, project, "accounts", b"Zona,Ref,Nombre comercial\nSur,A-10,Bar Pepe\n", "b.csv")
    assert {k: v for k, v in job_of(db).mapping.items() if not k.startswith("_")} == {
        "external_id": 1, "name": 2, "segment": 0}


def test_a_required_field_without_a_column_and_a_column_used_twice_are_refused(client, db, setup):
    project, *_ = setup
    upload(client, project, "accounts", ACCOUNTS_CSV.encode(), "a.csv")
    job = job_of(db)
    page = check(client, project, job, mapping={"external_id": 0, "name": ""}).get_data(as_text=True)
    assert "Choose the column that holds this required field." in page
    page = check(client, project, job, mapping={"external_id": 0, "name": 0}).get_data(as_text=True)
    assert "Each column of the file can feed only one field." in page
    assert job_of(db).status is ImportStatus.UPLOADED


# --------------------------------------------------------------------------- bad rows


def problems_by_line(db, job) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in db.session.scalars(select(ImportProblem).where(ImportProblem.job_id == job.id)):
        found.setdefault(problem.line, []).append(problem.code)
    return found


def test_the_dry_run_lists_every_bad_row_with_its_line_and_a_translated_reason(client, db, setup):
    project, manager, staff = setup
    f.account(project, external_id="A-1")
    f.contact(project, external_id="P-1")
    long_purpose = "x" * 201
    content = "\n".join([
        "Id,Account,Contact,Date,Channel,Purpose,Outcome,Captured by",
        "I-1,A-1,P-1,2026-09-01 10:00,phone,Pedido,Servido,pm@example.com",  # 2: fine
        ",A-1,,2026-09-01,phone,,,",  # 3: no external id
        "I-3,A-1,,31/02/2026,phone,,,",  # 4: no 31 February
        "I-4,A-9,,2026-09-01,phone,,,",  # 5: unknown account
        "I-5,A-1,P-9,2026-09-01,phone,,,",  # 6: unknown contact
        "I-6,A-1,,2026-09-01,pigeon,,,",  # 7: unknown channel
        "I-7,A-1,,2026-09-01,phone,,,nobody@example.com",  # 8: not a member
        "I-1,A-1,,2026-09-02,email,,,",  # 9: the id of line 2 again
        f"I-9,A-1,,2026-09-01,phone,{long_purpose},,",  # 10: too long
        "I-10,A-1,,2026-09-01,phone,,,,,extra",  # 11: too many cells
        "I-11,A-1,,,,,,",  # 12: no date and no channel
        "",  # a blank line is not a row
        "I-12,A-1,,2026-09-03,Teléfono,Reclamación,Resuelta,lucia@example.com",  # 14: fine
    ]) + "\n"
    client.get("/account?lang=es")  # read the reasons in Spanish
    job, page = import_file(client, db, project, "interactions", content.encode("utf-8"), "interacciones.csv")
    assert job.status is ImportStatus.PROBLEMS
    assert (job.rows_total, job.rows_bad) == (12, 10)
    assert problems_by_line(db, job) == {
        3: ["missing"], 4: ["no_such_day"], 5: ["unknown_account"], 6: ["unknown_contact"], 7: ["bad_choice"],
        8: ["unknown_user"], 9: ["duplicate_id"], 10: ["too_long"], 11: ["columns"], 12: ["missing", "missing"]}
    text = page.get_data(as_text=True)
    assert "10 filas tienen problemas" in text
    for reason in ("Id. externo es obligatorio", "«31/02/2026» en Fecha y hora no es una fecha",
                   "Ninguna cuenta de este proyecto tiene el id. externo ni el nombre «A-9»",
                   "Ningún contacto de este proyecto tiene el id. externo «P-9»",
                   "«pigeon» no es un valor válido de Canal", "nobody@example.com",
                   "El id. externo «I-1» ya aparece en la línea 2 del archivo",
                   "Propósito tiene más de 200 caracteres", "tiene 10 celdas en lugar de 8"):
        assert reason in text, reason
    # The import is refused while the file has problems, and nothing was written.
    response = run(client, project, job)
    assert "Primero comprueba el archivo" in response.get_data(as_text=True)
    assert count(db, Interaction, project) == 0


def test_bad_values_of_every_type_are_reported(client, db, setup):
    project, *_ = setup
    f.account(project, external_id="A-1")
    content = "\n".join([
        "Id,Account,Name,Type,Amount,Stage,Opened on,Closed on",
        "O-1,A-1,Uno,cross-sell,12x,won,2026-01-01,2026-02-01",  # bad number
        "O-2,A-1,Dos,cross-sell,-5,won,2026-01-01,2026-02-01",  # negative
        "O-3,A-1,Tres,cross-sell,5,won,2026-01-01,",  # won without a closing date
        "O-4,A-1,Cuatro,cross-sell,5,proposal,2026-01-01,2026-02-01",  # open: the date is its forecast
        "O-5,A-1,Cinco,cross-sell,5,lost,2026-03-01,2026-02-01",  # closed before opened
        "O-6,A-1,Seis,swap,5,maybe,2026-03-01,",  # two unknown choices
    ]) + "\n"
    job, _page = import_file(client, db, project, "opportunities", content.encode(), "o.csv", decimal_comma="0")
    assert problems_by_line(db, job) == {2: ["bad_number"], 3: ["negative"], 4: ["closed_needs_date"],
                                         6: ["closed_before_opened"],
                                         7: ["bad_choice", "bad_choice"]}
    cases = "\n".join(["Id,Account,Subject,Opened,Closed,FCR,Satisfaction",
                       "K-1,A-1,Uno,2026-01-05,2026-01-04,yes,4",  # closed before opened
                       "K-2,A-1,Dos,2026-01-05,,perhaps,4",  # neither yes nor no
                       "K-3,A-1,Tres,2026-01-05,,sí,6",  # score out of range
                       "K-4,A-1,Cuatro,2026-01-05,,是,4.5"]) + "\n"  # not a whole number
    job, _page = import_file(client, db, project, "cases", cases.encode(), "c.csv")
    assert problems_by_line(db, job) == {2: ["closed_before_opened"], 3: ["bad_bool"], 4: ["bad_score"],
                                         5: ["bad_score"]}


def test_an_open_deals_close_date_is_kept_as_its_expected_date(client, db, setup):
    """CRM exports fill "Close Date" on open deals with the forecast: nothing of it is lost, and a file
    that brings both dates for an open deal is told that only a won or lost one has a closing date."""
    project, *_ = setup
    f.account(project, external_id="A-1")
    content = "\n".join([
        "Id,Account,Name,Type,Amount,Stage,Opened on,Close Date",
        "O-1,A-1,Uno,cross-sell,5,proposal,2026-01-01,2026-02-15",
        "O-2,A-1,Dos,cross-sell,5,won,2026-01-01,2026-02-01",
    ]) + "\n"
    job, _page = import_file(client, db, project, "opportunities", content.encode(), "o.csv", decimal_comma="0")
    assert job.mapping["closed_on"] == 7 and problems_by_line(db, job) == {}
    assert "Import finished: 2 added" in run(client, project, job).get_data(as_text=True)
    db.session.expire_all()
    dates = {o.external_id: (o.closed_on, o.expected_close_on)
             for o in db.session.scalars(select(Opportunity).where(Opportunity.project_id == project.id))}
    assert dates == {"O-1": (None, date(2026, 2, 15)), "O-2": (date(2026, 2, 1), None)}
    page = client.get(f"/projects/{project.id}/crm/opportunities").get_data(as_text=True)
    assert "expected Feb 15, 2026" in page

    both = "\n".join(["Id,Account,Name,Type,Amount,Stage,Opened on,Close Date,Expected close date",
                       "O-3,A-1,Tres,cross-sell,5,proposal,2026-01-01,2026-02-01,2026-03-01"]) + "\n"
    job, _page = import_file(client, db, project, "opportunities", both.encode(), "o2.csv", decimal_comma="0")
    assert job.mapping["expected_close_on"] == 8
    assert problems_by_line(db, job) == {2: ["open_has_date"]}


def test_a_long_list_of_problems_is_paged_by_line(client, db, setup):
    project, *_ = setup
    content = "Id,Name\n" + "".join(f"A-{n},\n" for n in range(450)) + "A-ok,Bien\n"
    job, page = import_file(client, db, project, "accounts", content.encode(), "a.csv")
    assert job.rows_bad == 450
    text = page.get_data(as_text=True).split('id="result"')[1]
    assert text.count("<tr><td") == 200
    next_link = re.search(r'href="([^"]*after_line=[^"]*)"', text).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True).split('id="result"')[1]
    # The first page held lines 2 to 201; the second starts at 202.
    assert ">202<" in second and ">201<" not in second and second.count("<tr><td") == 200


# --------------------------------------------------------------------------- all or nothing, and twice


def test_a_failed_import_writes_nothing(client, db, setup):
    """The data changed between the check and the import: the import stops and rolls everything back."""
    project, *_ = setup
    account = f.account(project, external_id="A-1")
    content = "".join(["Id,Account,Date,Channel\n"] + [f"I-{n},A-1,2026-09-01,phone\n" for n in range(2500)])
    content += "I-last,A-2,2026-09-01,phone\n"
    f.account(project, external_id="A-2")
    job, _page = import_file(client, db, project, "interactions", content.encode(), "i.csv")
    assert job.status is ImportStatus.CHECKED and job.inserted == 2501
    db.session.delete(db.session.scalar(select(Account).where(Account.external_id == "A-2")))
    db.session.commit()
    response = run(client, project, job)
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert count(db, Interaction, project) == 0  # the first 2,500 rows were rolled back too
    assert job_of(db).status is ImportStatus.PROBLEMS
    assert problems_by_line(db, job) == {2502: ["unknown_account"]}
    assert account.id


def test_importing_the_same_file_twice_changes_nothing(client, db, setup):
    project, *_ = setup
    f.account(project, external_id="A-1")
    content = ("Id,Account,Name,E-mail,Phone,Job title\n"
               "P-1,A-1,José Núñez,jose@example.com,+34 600 000 000,Gerente\n"
               "P-2,A-1,李伟,,138 0000 0000,采购\n"
               "P-3,,María,,,\n")
    job, _page = import_file(client, db, project, "contacts", content.encode(), "contactos.csv")
    run(client, project, job)
    before = {c.external_id: (c.name, c.email, c.phone, c.reachable, c.is_duplicate, c.updated_at)
              for c in db.session.scalars(select(Contact))}
    assert before["P-3"][3] is False and before["P-1"][3] is True
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    job, page = import_file(client, db, project, "contacts", content.encode(), "contactos.csv")
    assert "0 to add, 0 to update, 3 unchanged" in page.get_data(as_text=True)
    run(client, project, job)
    db.session.expire_all()
    after = {c.external_id: (c.name, c.email, c.phone, c.reachable, c.is_duplicate, c.updated_at)
             for c in db.session.scalars(select(Contact))}
    assert after == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before + 1  # the import itself
    # A changed file updates only what changed.
    changed = content.replace("Gerente", "Director")
    job, page = import_file(client, db, project, "contacts", changed.encode(), "contactos.csv")
    assert "0 to add, 1 to update, 2 unchanged" in page.get_data(as_text=True)
    run(client, project, job)
    assert db.session.scalar(select(Contact.job_title).where(Contact.external_id == "P-1")) == "Director"
    assert count(db, Contact, project) == 3


def test_an_import_refreshes_the_kpis_it_feeds(client, db, setup):
    project, manager, staff = setup
    f.account(project, external_id="A-1")
    today = date.today()
    assert kpis.kpi_value(project, KpiKey.CLOSED_LOOP, today) is None
    db.session.commit()
    content = f"Id,Account,Date,Channel,Outcome\nI-1,A-1,{today.isoformat()},phone,Resuelto\nI-2,A-1,{today},chat,\n"
    job, _page = import_file(client, db, project, "interactions", content.encode(), "i.csv")
    run(client, project, job)
    assert kpis.kpi_value(project, KpiKey.CLOSED_LOOP, today) == Decimal("0.5000")


# --------------------------------------------------------------------------- limits and access


def test_a_file_over_the_limit_gets_a_clear_translated_error(client, db, setup, app, monkeypatch):
    project, *_ = setup
    monkeypatch.setitem(app.config, "CRM_IMPORT_MAX_MB", 1)
    big = ("Id,Name\n" + "A-1,Nombre largo de una empresa cualquiera\n" * 30000).encode()
    assert len(big) > 1024 * 1024
    client.get("/account?lang=es")
    folder = Path(app.instance_path) / "tmp"
    stored_before = set(folder.glob("*")) if folder.exists() else set()
    response = upload(client, project, "accounts", big, "grande.csv")
    assert response.status_code == 200
    assert "el límite es de 1 MB" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert set(folder.glob("*")) == stored_before  # the partial upload was removed


def test_files_that_are_not_csv_or_xlsx_are_refused(client, db, setup):
    project, *_ = setup
    for content, message in ((b"", "The file is empty."), (b"\x00\x01\x02binary\x00", "not a CSV file"),
                             (b"\n\n", "must hold the column names")):
        response = upload(client, project, "accounts", content, "x.csv")
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_staff_cannot_import_and_nothing_is_stored(make_client, db, setup):
    project, manager, staff = setup
    client = make_client()
    login(client, staff)
    assert upload(client, project, "accounts", ACCOUNTS_CSV.encode(), "a.csv").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_job_of_another_project_is_not_found(client, db, setup, make_project):
    project, manager, _staff = setup
    upload(client, project, "accounts", ACCOUNTS_CSV.encode(), "a.csv")
    job = job_of(db)
    other = make_project(manager=manager)
    assert client.get(f"/projects/{other.id}/crm/import/{job.id}").status_code == 404
    assert run(client, other, job, follow=False).status_code == 404
    assert count(db, Account, project) == 0


def test_progress_is_reported_while_a_file_is_read(client, db, setup):
    project, *_ = setup
    job, _page = import_file(client, db, project, "accounts", ACCOUNTS_CSV.encode(), "a.csv")
    response = client.get(f"/projects/{project.id}/crm/import/{job.id}/progress")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"state": "idle", "work": "check", "fraction": 1.0, "rows": 3, "status": "checked",
                                   "error": ""}


# --------------------------------------------------------------------------- the command line


def test_the_cli_imports_and_dry_runs(app, db, setup, tmp_path):
    project, *_ = setup
    path = tmp_path / "accounts.csv"
    path.write_text("Id;Nombre;Ciudad\nA-1;Peñalver;Logroño\nA-2;Ibáñez;Cádiz\nA-3;Muñoz;Mérida\n", encoding="cp1252")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "import", str(project.id), "accounts", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: the 3 rows are fine (3 to add" in result.output
    db.session.expire_all()
    assert count(db, Account, project) == 0
    result = runner.invoke(args=["crm", "import", str(project.id), "accounts", str(path)])
    assert result.exit_code == 0 and "3 added" in result.output, result.output
    assert count(db, Account, project) == 3
    result = runner.invoke(args=["crm", "import", str(project.id), "accounts", str(path)])
    assert "0 added, 0 updated, 3 unchanged" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,Name\nA-1,\n", encoding="utf-8")
    result = runner.invoke(args=["crm", "import", str(project.id), "accounts", str(bad)])
    assert result.exit_code == 1
    assert "Line 2: Name is required but the cell is empty." in result.output
    assert "1 of 1 rows have problems; nothing was imported." in result.output
