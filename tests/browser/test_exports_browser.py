"""In Chromium: a member makes a calendar address on the Exports page, copies it, and a calendar
app (no session) reads the feed; an export downloads with its file name."""

from datetime import date

from playwright.sync_api import expect

from tests import rollout_factories as rf


def test_a_member_subscribes_to_the_calendar_and_downloads_an_export(
        page, live_server, make_user, make_project, add_member, browser_login, screenshot):
    manager = make_user(email="pm@example.com", name="王经理", language="zh")
    project = make_project(manager=manager, name="华信家电")
    staff = make_user(email="lucia@example.com", name="Lucía", language="es")
    add_member(project, staff)
    rf.stage(project, name="Piloto en Madrid", planned_start=date(2026, 4, 1), planned_end=date(2026, 4, 30))
    browser_login(page, staff, language="es")
    page.goto(f"{live_server}/projects/{project.id}/exports")
    expect(page.get_by_role("heading", name="Descarga los datos")).to_be_visible()
    page.get_by_role("button", name="Crear mi dirección de calendario").click()
    address = page.get_by_label("Tu dirección de calendario")
    expect(address).to_be_visible()
    url = address.input_value()
    assert url.startswith(live_server + "/calendar/") and url.endswith(".ics")
    page.get_by_role("button", name="Copiar").click()
    expect(page.get_by_role("button", name="Copiado")).to_be_visible()
    screenshot(page, "exports-calendar-es")

    calendar_app = page.context.browser.new_context()  # no cookies, no session
    feed = calendar_app.request.get(url)
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY;LANGUAGE=es:Etapa del despliegue: Piloto en Madrid" in feed.text()
    calendar_app.close()

    page.goto(f"{live_server}/projects/{project.id}/exports")
    with page.expect_download() as download:
        page.locator("#export-tasks").get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == f"华信家电-tasks-{date.today().isoformat()}.xlsx"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "exports-phone-es")
