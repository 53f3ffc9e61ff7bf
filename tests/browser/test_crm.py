"""In Chromium: capture an interaction with name suggestions, import a file, read the KPI charts,
and use the lists on a phone."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from planner.crm.models import Account, Interaction
from tests import crm_factories as f
from tests.crm_factories import at


def _team(make_user, make_project, add_member):
    manager = make_user(email="pm@example.com", name="王经理", language="zh")
    project = make_project(manager=manager, name="华信家电 CRM")
    staff = make_user(email="lucia@example.com", name="Lucía", language="es")
    add_member(project, staff)
    return project, manager, staff


def test_staff_capture_an_interaction_picking_the_account_from_suggestions(
        page, live_server, make_user, make_project, add_member, browser_login, screenshot, db):
    project, _manager, staff = _team(make_user, make_project, add_member)
    f.account(project, name="Distribuciones Peñalver", external_id="A-1")
    f.account(project, name="Distribuciones Ibáñez", external_id="A-2")
    browser_login(page, staff, language="es")
    page.goto(f"{live_server}/projects/{project.id}/crm/interactions/new")
    expect(page.get_by_role("heading", name="Registrar una interacción")).to_be_visible()
    page.get_by_label("Cuenta").fill("distribuciones pe")
    option = page.locator("#accounts-suggestions option")
    expect(option).to_have_count(1)
    value = option.first.get_attribute("value")
    assert value.startswith("Distribuciones Peñalver (#")
    page.get_by_label("Cuenta").fill(value)
    page.get_by_label("Fecha y hora").fill("2026-09-01T10:30")
    page.get_by_label("Canal").select_option("in_person")
    page.get_by_label("Propósito").fill("Visita comercial")
    page.get_by_label("Resultado").fill("Pide presupuesto para la tienda de Logroño")
    screenshot(page, "crm-interaction-form-es")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".alert-success")).to_contain_text("Guardado.")
    expect(page.locator("table")).to_contain_text("Distribuciones Peñalver")
    db.session.expire_all()
    saved = db.session.scalar(select(Interaction))
    assert saved.account_id == db.session.scalar(select(Account.id).where(Account.external_id == "A-1"))
    assert saved.captured_by_id == staff.id
    screenshot(page, "crm-interactions-es")


def test_a_manager_imports_a_file_and_sees_the_kpis(page, live_server, make_user, make_project, add_member,
                                                   browser_login, screenshot, db, tmp_path):
    project, manager, staff = _team(make_user, make_project, add_member)
    for week in range(8):
        account = f.account(project, name=f"客户{week}")
        f.interaction(project, account, at(2026, 11, 1 + week * 3), by=staff,
                      outcome="" if week % 3 == 0 else "已处理")
    csv_file = tmp_path / "客户.csv"
    csv_file.write_bytes("客户编号,客户名称,城市\nC-1,上海华信家电有限公司,上海\nC-2,苏州恒达电器商行,苏州\n"
                         .encode("gb18030"))
    browser_login(page, manager, language="zh")
    page.goto(f"{live_server}/projects/{project.id}/crm/import")
    page.get_by_label("文件内容").select_option("accounts")
    page.get_by_label("CSV 或 xlsx 文件").set_input_files(str(csv_file))
    page.get_by_role("button", name="上传").click()
    expect(page.locator("body")).to_contain_text("GB18030")
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#result")).to_contain_text("未发现问题")
    screenshot(page, "crm-import-checked-zh")
    page.get_by_role("button", name="立即导入").click()
    expect(page.locator(".alert-success")).to_contain_text("新增 2 条")
    db.session.expire_all()
    assert set(db.session.scalars(select(Account.external_id).where(Account.external_id.is_not(None)))) == {
        "C-1", "C-2"}
    page.goto(f"{live_server}/projects/{project.id}/kpis")
    expect(page.locator("#chart-closed_loop[data-rendered=true]")).to_be_visible(timeout=15000)
    # Adoption and closed-loop capture have data; the other five say there is nothing to draw yet.
    expect(page.locator(".plotly-chart[data-rendered=true]")).to_have_count(2, timeout=15000)
    expect(page.locator(".kpi-no-trend")).to_have_count(5)
    expect(page.get_by_role("heading", name="各项 KPI 的计算方法")).to_be_visible()
    screenshot(page, "kpis-zh")


def test_the_record_lists_and_kpis_work_on_a_phone(page, live_server, make_user, make_project, add_member,
                                                   browser_login, screenshot):
    manager = make_user(email="marta@example.com", name="Marta Iglesias", language="es")
    project = make_project(manager=manager, name="Distribuciones Alba — implantación del CRM", currency="EUR")
    staff = make_user(email="lucia@example.com", name="Lucía", language="es")
    add_member(project, staff)
    for n in range(12):
        account = f.account(project, name=f"Supermercados Levante {n}", segment="Cuenta clave", country="España",
                            city="Valencia")
        f.contact(project, account, name=f"María José Núñez {n}", email=f"mj{n}@example.es")
        f.interaction(project, account, at(2026, 11, 2), by=staff)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, manager, language="es")
    for path, name in (("crm/accounts", "crm-accounts-phone-es"), ("crm/interactions", "crm-interactions-phone-es"),
                       ("kpis", "kpis-phone-es"), ("crm/import", "crm-import-phone-es")):
        page.goto(f"{live_server}/projects/{project.id}/{path}")
        if path == "kpis":  # adoption, closed-loop capture and data quality have data
            for n in range(page.locator(".plotly-chart").count()):  # charts are drawn as they come into view
                page.locator(".plotly-chart").nth(n).scroll_into_view_if_needed()
            expect(page.locator(".plotly-chart[data-rendered=true]")).to_have_count(3, timeout=15000)
            page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    page.goto(f"{live_server}/projects/{project.id}/crm/accounts")
    page.get_by_label("El nombre empieza por").fill("supermercados levante 1")
    page.get_by_role("button", name="Buscar").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)  # 1, 10 and 11
    expect(page).to_have_url(re.compile(r"q=supermercados"))


def test_the_import_page_follows_a_job_running_in_the_worker_and_can_be_reopened(
        page, live_server, make_user, make_project, browser_login, screenshot, db):
    """The check runs elsewhere: the page polls its progress, survives being left and reopened, and shows
    the result by itself when the job ends."""
    from sqlalchemy import update

    from planner.crm.models import ImportJob, ImportStatus, JobState
    from planner.db import utcnow

    manager = make_user(email="marta@example.com", name="Marta", language="es")
    project = make_project(manager=manager, currency="EUR")
    job = ImportJob(project_id=project.id, kind="accounts", filename="cuentas.csv", stored_name="gone.csv",
                    encoding="utf-8", size=2048, headers=["Id", "Nombre"], mapping={"external_id": 0, "name": 1},
                    preview=[["A-1", "Peñalver"]], created_by_id=manager.id, state=JobState.RUNNING, work="check",
                    claim="c" * 32, progress=420, progress_rows=42_000, heartbeat_at=utcnow())
    db.session.add(job)
    db.session.commit()
    browser_login(page, manager, language="es")
    url = f"{live_server}/projects/{project.id}/crm/import/{job.id}"
    page.goto(url)
    box = page.locator("[data-job-progress]")
    expect(box).to_contain_text("Comprobando el archivo")
    expect(box.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "42")
    expect(box).to_contain_text("42.000 filas leídas")
    expect(page.get_by_role("button", name="Comprobar el archivo")).to_be_disabled()
    screenshot(page, "crm-import-running-es")
    page.goto(f"{live_server}/projects/{project.id}/crm/accounts")  # leave, the job goes on
    db.session.execute(update(ImportJob).where(ImportJob.id == job.id).values(progress=800, progress_rows=80_000,
                                                                              heartbeat_at=utcnow()))
    db.session.commit()
    page.goto(url)
    expect(box).to_contain_text("80.000 filas leídas")
    db.session.execute(update(ImportJob).where(ImportJob.id == job.id).values(
        state=JobState.IDLE, claim=None, progress=1000, progress_rows=100_000, status=ImportStatus.CHECKED,
        rows_total=100_000, inserted=100_000))
    db.session.commit()
    # Nobody reloads: the page notices the end and shows the result (the file itself is gone meanwhile).
    expect(page.locator("body")).to_contain_text("ya no está disponible", timeout=10_000)


def test_a_salesforce_export_keeps_its_unmapped_columns_as_other_fields(page, live_server, make_user, make_project,
                                                                        browser_login, screenshot, db, tmp_path):
    """The mapping page lists the columns that feed no field (one is left out here); the contact's page
    shows the others as they were, the multi-line street included."""
    from planner.crm.models import Contact
    from tests.crm_sources import ACCOUNTS, SALESFORCE

    manager = make_user(email="pm@example.com", name="Marta", language="en", timezone="Europe/Madrid")
    project = make_project(manager=manager, name="Peñalver CRM")
    for external_id, name in ACCOUNTS:
        f.account(project, name=name, external_id=external_id)
    path = tmp_path / SALESFORCE.filename
    path.write_bytes(SALESFORCE.file(fixed=True))
    browser_login(page, manager, language="en")
    page.goto(f"{live_server}/projects/{project.id}/crm/import")
    page.get_by_label("What the file holds").select_option("contacts")
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    others = page.locator("fieldset.import-others")
    expect(others).to_contain_text("Columns that feed no field")
    expect(others.locator("input[type=checkbox]")).to_have_count(3)
    expect(page.get_by_label("First name")).to_have_value(re.compile(r"\d+"))
    others.get_by_label("Contact Owner").uncheck()
    screenshot(page, "crm-import-mapping-other-fields")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#result")).to_contain_text("No problem found")
    page.get_by_role("button", name="Import now").click()
    expect(page.locator(".alert-success")).to_contain_text("6 added")
    db.session.expire_all()
    contact = db.session.scalar(select(Contact).where(Contact.external_id == "0035g00000AbCdE2"))
    assert contact.name == "John O'Neil"
    assert contact.other_fields == {"Mailing Street": "1 Microsoft Way\nBuilding 92\nSuite 100",
                                    "Mailing City": "Redmond"}
    page.goto(f"{live_server}/projects/{project.id}/crm/contacts/{contact.id}/edit")
    fields = page.locator("dl.other-fields")
    expect(fields).to_contain_text("Mailing Street")
    expect(fields).to_contain_text("Building 92")
    expect(fields).not_to_contain_text("Contact Owner")
    screenshot(page, "crm-contact-other-fields")
