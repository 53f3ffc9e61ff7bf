"""In Chromium: a personal access token made on the account page, shown once, used, then revoked."""

import requests
from playwright.sync_api import expect


def test_a_token_is_made_shown_once_used_and_revoked(page, live_server, make_user, browser_login, screenshot):
    user = make_user(email="ana@example.com", name="Ana")
    browser_login(page, user, language="es")
    page.goto(f"{live_server}/account")
    expect(page.get_by_text("No tienes tokens activos.")).to_be_visible()
    page.get_by_label("Nombre del token").fill("Exportación nocturna")
    page.get_by_label("Acceso").select_option("read")
    page.get_by_role("button", name="Crear token").click()
    secret = page.locator("[data-token-secret]").inner_text().strip()
    assert secret.startswith("rol_")
    screenshot(page, "api-token-created-es")
    answer = requests.get(f"{live_server}/api/v1/projects", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200

    page.goto(f"{live_server}/account")
    expect(page.locator("[data-token-secret]")).to_have_count(0)  # never shown again
    expect(page.get_by_role("cell", name="Exportación nocturna")).to_be_visible()
    page.get_by_role("button", name="Revocar").click()
    dialog = page.locator("#confirm-modal")  # the app's own dialog
    expect(dialog).to_be_visible()
    expect(dialog.locator("#confirm-modal-question")).to_contain_text("¿Revocar este token?")
    with page.expect_navigation():
        dialog.locator("[data-confirm-accept]").click()
    expect(page.get_by_text("No tienes tokens activos.")).to_be_visible()
    answer = requests.get(f"{live_server}/api/v1/projects", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 401
