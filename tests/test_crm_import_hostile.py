"""Hostile files are refused cheaply, each with a translated message naming the limit: a workbook that
unpacks to a gigabyte, a CSV with 200,000 columns or a cell over the size limit, a header-only file,
two columns with the same name; the job page stays small whatever the file.

The memory bound stated and checked here: refusing any of these files allocates at most
``MEMORY_BOUND`` (tracemalloc's peak over the whole upload request, the file itself included). The time
each refusal takes is measured by ``make bench`` (bench/hostile.py: each under a second)."""

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from planner.crm.imports.reading import MAX_CELL_CHARS, MAX_COLUMNS, MAX_NAME_CHARS, XLSX_MAX_RATIO
from planner.crm.models import ImportJob, ImportProblem, ImportStatus
from planner.uploads.models import Upload
from tests.helpers import login

pytestmark = pytest.mark.real_db

MEMORY_BOUND = 48 * 1024 * 1024


@pytest.fixture
def setup(make_user, make_project, client):
    manager = make_user(email="pm@example.com", name="Marta")
    project = make_project(manager=manager)
    login(client, manager)
    return project


def post(client, project, data: bytes, filename: str, kind="accounts", lang=None):
    if lang:
        client.get(f"/account?lang={lang}")
    return client.post(f"/projects/{project.id}/crm/import", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=True)


def refused(client, db, project, data: bytes, filename: str, lang=None) -> str:
    """Uploads the file, checks it was refused with nothing kept, and that the request stayed under the bound."""
    tracemalloc.start()
    try:
        response = post(client, project, data, filename, lang=lang)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert peak < MEMORY_BOUND, peak
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    return response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")


def bomb(unpacked_mb: int) -> bytes:
    """A workbook whose one sheet unpacks to ``unpacked_mb`` MB of rows (a few hundred KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            for _ in range(unpacked_mb * 1024 * 1024 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    return bomb(1024)


def test_a_workbook_that_unpacks_to_a_gigabyte_is_refused_before_it_is_opened(client, db, setup, gigabyte_bomb):
    assert len(gigabyte_bomb) < 5 * 1024 * 1024
    text = refused(client, db, setup, gigabyte_bomb, "bomb.xlsx")
    assert f"packed more than {XLSX_MAX_RATIO} times tighter than a spreadsheet can be" in text
    text = refused(client, db, setup, gigabyte_bomb, "bomb.xlsx", lang="es")
    assert f"comprimido más de {XLSX_MAX_RATIO} veces" in text


def test_a_workbook_beyond_the_column_limit_is_refused(client, db, setup):
    workbook = Workbook()
    workbook.active.append([f"c{n}" for n in range(MAX_COLUMNS + 10)])
    workbook.active.append(["x"] * 3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    text = refused(client, db, setup, buffer.getvalue(), "wide.xlsx")
    assert f"more than {MAX_COLUMNS} columns" in text


def test_a_csv_with_200000_columns_is_refused_at_once(client, db, setup):
    header = ",".join(f"c{n}" for n in range(200_000))
    text = refused(client, db, setup, (header + "\n" + "x," * 10 + "\n").encode(), "wide.csv", lang="zh")
    assert f"文件超过 {MAX_COLUMNS} 列" in text


def test_a_column_name_beyond_the_limit_is_refused(client, db, setup):
    text = refused(client, db, setup, ("Id," + "N" * (MAX_NAME_CHARS + 1) + "\nA-1,x\n").encode(), "long.csv")
    assert f"Column 2 has a name longer than {MAX_NAME_CHARS} characters" in text


def test_a_header_only_file_and_repeated_column_names_are_refused_before_any_check(client, db, setup):
    text = refused(client, db, setup, b"Id,Name,City\r\n", "empty.csv")
    assert "The file holds the column names but no rows" in text
    text = refused(client, db, setup, b"Id,Name,City,name\nA-1,Uno,Lugo,Otro\n", "twice.csv", lang="es")
    assert "Dos columnas se llaman «name» (las columnas 2 y 4)" in text


def test_a_cell_over_the_limit_in_the_first_rows_is_refused_on_upload(client, db, setup):
    data = ("Id,Name\nA-1,\"" + "x" * (MAX_CELL_CHARS + 1) + "\"\n").encode()
    text = refused(client, db, setup, data, "big-cell.csv")
    assert f"Line 2: A cell starting on this line is longer than {MAX_CELL_CHARS:,} characters" in text


def test_a_cell_over_the_limit_further_down_is_a_problem_and_the_job_page_stays_small(client, db, setup):
    project = setup
    rows = "".join(f"A-{n},Cuenta {n}\n" for n in range(1, 20))
    data = ("Id,Name\n" + rows + "A-99,\"" + "y" * 200_000 + "\"\nA-100,Fin\n").encode()
    response = post(client, project, data, "later.csv")
    assert response.status_code == 200
    job = db.session.scalars(select(ImportJob)).one()
    page = client.post(f"/projects/{project.id}/crm/import/{job.id}",
                       data={"col_external_id": "0", "col_name": "1", "day_first": "1", "decimal_comma": "0"},
                       follow_redirects=True)
    text = page.get_data(as_text=True)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status is ImportStatus.PROBLEMS
    problem = db.session.scalars(select(ImportProblem).where(ImportProblem.job_id == job.id)).one()
    assert (problem.line, problem.code) == (21, "cell_too_large")
    assert "longer than 32,000 characters, the most a cell may hold" in text
    for _ in range(2):  # every later view of the job works, and is small
        again = client.get(f"/projects/{project.id}/crm/import/{job.id}")
        assert again.status_code == 200 and len(again.data) < 200_000


def test_the_job_page_is_bounded_at_the_limits(client, db, setup):
    """The widest file accepted: MAX_COLUMNS columns with the longest names and cells as long as allowed."""
    project = setup
    headers = [f"{n:03d}" + "n" * (MAX_NAME_CHARS - 3) for n in range(MAX_COLUMNS)]
    headers[0], headers[1] = "Id", "Name"
    row = ["A-1", "Uno"] + ["z" * 1000] * (MAX_COLUMNS - 2)
    data = (",".join(headers) + "\n" + ",".join(row) + "\n").encode()
    response = post(client, project, data, "widest.csv", kind="contacts")
    assert response.status_code == 200
    assert len(response.data) < 2_000_000, len(response.data)
