"""In Chromium, in Spanish: the project manager asks for the sign-off of the pilot; the executive
sponsor finds it in the inbox, reviews the evidence, and approves it with conditions. Then the
timeline is drawn, and the pages fit a phone."""

from datetime import date, timedelta

from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.change.models import TaskStatus
from planner.kpis.definitions import KpiKey
from planner.rollout.models import StageStatus
from tests import rollout_factories as r

TODAY = date.today()


def test_a_sign_off_from_request_to_decision_in_spanish(page, browser, live_server, make_user, make_project,
                                                         add_member, browser_login, screenshot):
    manager = make_user(email="pm@example.com", name="Lucía Fernández", role=GlobalRole.MANAGER, language="es")
    sponsor = make_user(email="sponsor@example.com", name="Samuel Ortiz", language="es")
    project = make_project(manager=manager, name="Distribuciones Alba", currency="EUR")
    add_member(project, sponsor, sponsor=True)
    pilot = r.stage(project, name="Piloto — delegación de Madrid", status=StageStatus.ACTIVE,
                    started=TODAY - timedelta(days=40), planned_start=TODAY - timedelta(days=40),
                    planned_end=TODAY + timedelta(days=5), business_areas=["service"], users_in_scope=18)
    r.stage(project, name="Oleada 1 — Valencia", planned_start=TODAY + timedelta(days=6),
            planned_end=TODAY + timedelta(days=60))
    r.kpi_criterion(pilot, KpiKey.ADOPTION, "0.80", weeks=2)
    r.tasks_criterion(pilot, [r.task(project, title="Formación práctica en Madrid", status=TaskStatus.DONE),
                              r.task(project, title="Formación del turno de tarde")])

    browser_login(page, manager, language="es")
    page.goto(f"{live_server}/projects/{project.id}")
    page.get_by_role("link", name="Despliegue", exact=True).click()  # the section opens on its stages
    expect(page.get_by_role("heading", name="Etapas del despliegue")).to_be_visible()
    expect(page.locator("#rollout-timeline")).to_have_attribute("data-rendered", "true", timeout=15_000)
    screenshot(page, "rollout-stages-es")
    page.get_by_role("link", name="Piloto — delegación de Madrid").click()
    expect(page.locator(".gate-no-go")).to_have_text("No avanzar")
    expect(page.get_by_text("Formación del turno de tarde")).to_be_visible()
    page.get_by_label("Nota para los patrocinadores").fill("La formación de tarde termina el viernes.")
    page.get_by_role("button", name="Solicitar la aprobación").click()
    expect(page.get_by_text("Aprobación solicitada.")).to_be_visible()
    expect(page.locator(".stage-status").first).to_have_text("Pendiente de aprobación")

    page = browser.new_page(viewport={"width": 1280, "height": 900})  # the sponsor, in another browser
    browser_login(page, sponsor, language="es")
    inbox = page.get_by_role("link", name="Aprobaciones")
    expect(inbox.locator(".badge")).to_have_text("1")
    inbox.click()
    expect(page.get_by_role("heading", name="Aprobaciones pendientes de ti")).to_be_visible()
    expect(page.get_by_text("La formación de tarde termina el viernes.")).to_be_visible()
    page.get_by_role("link", name="Revisar los datos").click()
    expect(page.get_by_text("1 de 2 tareas hechas")).to_be_visible()
    page.get_by_label("Aprobar con condiciones").check()
    page.get_by_role("button", name="Registrar la decisión").click()
    expect(page.get_by_text("Escribe un comentario: las condiciones o los motivos del rechazo.").first).to_be_visible()
    page.get_by_label("Comentario").fill("Termina la formación de tarde antes de arrancar en Valencia.")
    screenshot(page, "rollout-gate-sponsor-es")
    page.get_by_role("button", name="Registrar la decisión").click()
    expect(page.get_by_text("Tu decisión ha quedado registrada: Aprobada con condiciones.")).to_be_visible()
    expect(page.locator(".stage-status").first).to_have_text("Aprobada con condiciones")
    expect(inbox.locator(".badge")).to_have_count(0)
    page.get_by_role("link", name="Los datos en el momento de decidir").click()
    expect(page.get_by_text("Termina la formación de tarde antes de arrancar en Valencia.")).to_be_visible()
    expect(page.locator("#main dd", has_text="Samuel Ortiz")).to_be_visible()
    screenshot(page, "rollout-decision-es")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/projects/{project.id}/rollout/stages/{pilot.id}")
    screenshot(page, "rollout-gate-phone-es")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the gate scrolls sideways on a phone"
    page.goto(f"{live_server}/projects/{project.id}/rollout")
    expect(page.locator("#rollout-timeline")).to_have_attribute("data-rendered", "true", timeout=15_000)
    expect(page.locator("#rollout-timeline .ytick text").first).to_have_text("1")  # numbers, not names
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the stages scroll sideways on a phone"
    screenshot(page, "rollout-stages-phone-es")
