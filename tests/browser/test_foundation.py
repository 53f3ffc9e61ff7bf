"""In Chromium: sign in, switch language, and see real Chinese glyphs."""

import re

import pytest
from playwright.sync_api import expect

from planner.auth.models import GlobalRole


def test_sign_in_and_switch_to_spanish_and_chinese(page, live_server, make_user, make_project, screenshot):
    user = make_user(email="ana@example.com", name="Ana", role=GlobalRole.MANAGER)
    make_project(manager=user, name="华信家电 CRM")
    page.goto(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Implementation projects")).to_be_visible()

    page.locator("#language-menu").click()
    page.locator("a[data-lang=es]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Proyectos de implementación")).to_be_visible()

    page.locator("#language-menu").click()
    page.locator("a[data-lang=zh]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(page.get_by_role("heading", name="实施项目")).to_be_visible()
    # The page is drawn with a CJK font, not boxes: the font is installed and used.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '实施项目')")
    width = page.evaluate("""() => {
        const probe = document.createElement('span');
        probe.style.fontFamily = '"Noto Sans CJK SC"'; probe.style.fontSize = '40px';
        probe.textContent = '实施项目'; document.body.appendChild(probe);
        const w = probe.getBoundingClientRect().width; probe.remove(); return w; }""")
    assert width > 120  # four full-width glyphs at 40px
    path = screenshot(page, "foundation-projects-zh")
    assert path.stat().st_size > 10_000

    # The choice sticks: it is now the user's preference.
    page.goto(f"{live_server}/account")
    expect(page.locator("html")).to_have_attribute("lang", "zh")


def test_the_layout_works_on_a_phone(page, live_server, make_user, browser_login, screenshot):
    user = make_user(email="ana@example.com", name="Ana")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, user, language="es")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.locator("#language-menu")).to_be_visible()
    screenshot(page, "foundation-phone-es")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, "the page scrolls sideways on a phone"


def test_a_wrong_password_shows_the_error_next_to_the_field(page, live_server, make_user):
    make_user(email="ana@example.com")
    page.goto(f"{live_server}/login?lang=zh")
    page.fill("input[name=email]", "ana@example.com")
    page.fill("input[name=password]", "not the right one")
    page.locator("form button[type=submit]").click()
    error = page.locator("#password-error")
    expect(error).to_have_text(re.compile("电子邮件地址或密码错误"))
    expect(page.locator("input[name=password]")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("language", ["es", "zh"])
def test_the_top_menu_keeps_one_row_on_a_laptop_and_folds_below(page, live_server, make_user, make_project,
                                                                 add_member, browser_login, screenshot, language):
    """Every entry an administrator who manages and sponsors projects can see, with a long name: one row at
    1366 px (the bell shows its icon and count, its name stays for screen readers), the menu folded at 1024."""
    user = make_user(email="carmen@example.com", name="María del Carmen Fernández-Villaverde", role="admin")
    make_project(manager=user)
    add_member(make_project(), user, sponsor=True)
    page.set_viewport_size({"width": 1366, "height": 800})
    browser_login(page, user, language=language)
    screenshot(page, f"top-menu-{language}-1366")
    navbar = page.locator(".app-navbar")
    assert navbar.bounding_box()["height"] < 64, "the top menu wraps"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    for link in page.locator(".app-navbar .nav-link").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366 and box["height"] < 48, link.inner_text()
    bell = page.get_by_role("link", name={"es": "Notificaciones", "zh": "通知"}[language])
    expect(bell).to_be_visible()
    assert bell.locator(".nav-label").bounding_box()["width"] <= 1  # only its icon is seen
    page.set_viewport_size({"width": 1024, "height": 800})
    expect(page.locator(".navbar-toggler")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
