"""The main flows with the keyboard alone, as someone who cannot use a mouse would do them: skip to
the content, sign in, open a project, answer the self-assessment and save a draft, confirm a removal;
every focused control shows where the focus is."""

import pytest
from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from tests.factories import PASSWORD
from tests.key_pages import WIDTHS

FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
}"""


def tab_to(page, selector: str, limit: int = 80, backwards: bool = False):
    """Presses Tab until the focused element matches ``selector``; fails if it never does. Checks on
    the way that every focused element shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_RING), f"no visible focus on {selector}"
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_sign_in_open_a_project_and_assess_with_the_keyboard_only(page, live_server, make_user, make_project,
                                                                  screenshot, language, width):
    manager = make_user(email="kb@example.com", role=GlobalRole.MANAGER, language=language)
    project = make_project(manager=manager, name="键盘项目")
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server}/login?lang={language}")

    # The first Tab reveals the skip link; Enter moves the focus past the navigation.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    tab_to(page, "input[name=email]")
    page.keyboard.type("kb@example.com")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    # Open the project from the list.
    page.goto(f"{live_server}/projects")
    tab_to(page, f"main a[href='/projects/{project.id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/projects/{project.id}")

    # The self-assessment: arrows choose an answer, Tab moves on, the section buttons work with Enter.
    page.goto(f"{live_server}/projects/{project.id}/risk/new")
    first_section = page.locator(".sin-section").nth(0)
    for question in range(3):
        tab_to(page, f".sin-section.current fieldset:nth-of-type({question + 1}) input[type=radio]")
        page.keyboard.press("Space")  # the first option: yes
        page.keyboard.press("ArrowRight")  # partly
    expect(first_section.locator("input:checked")).to_have_count(3)
    expect(first_section.locator("input[value=partly]:checked")).to_have_count(3)
    tab_to(page, ".sin-section.current [data-step-go='1']")
    page.keyboard.press("Enter")
    expect(page.locator(".sin-section").nth(1)).to_be_visible()
    expect(page.locator(".sin-section").nth(1).locator("h2")).to_be_focused()
    tab_to(page, "#save_draft")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#assessment-progress")).to_have_attribute("aria-valuenow", "3")

    # Discarding the draft asks first, in the app's dialog, which the keyboard can answer.
    page.locator("#draft-notice button[type=submit]").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#confirm-modal")
    expect(dialog.locator("[data-confirm-cancel]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.locator("[data-confirm-accept]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#draft-notice")).to_have_count(0)
    screenshot(page, f"keyboard-assessment-{language}-{width}")
