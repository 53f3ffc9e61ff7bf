"""Destructive actions ask in the app's own dialog (never the browser's window.confirm), in the
reader's language, and the dialog works with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.extensions import db
from planner.projects.models import ProjectMember
from tests.key_pages import WIDTHS

TEXTS = {
    "en": {"title": "Please confirm", "question": "Remove 王芳 from the project?", "cancel": "Cancel",
           "accept": "Remove"},
    "zh": {"title": "请确认", "question": "确定将 王芳 移出项目吗？", "cancel": "取消", "accept": "移除"},
}


def _members(project):
    db.session.expire_all()
    return db.session.query(ProjectMember).filter_by(project_id=project.id).count()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_removing_a_member_asks_in_the_apps_own_dialog(page, live_server, make_user, make_project, add_member,
                                                        browser_login, screenshot, language, width):
    texts = TEXTS[language]
    manager = make_user(role=GlobalRole.MANAGER, name="李经理", language=language)
    project = make_project(manager=manager)
    add_member(project, make_user(name="王芳"))
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    page.set_viewport_size(WIDTHS[width])
    browser_login(page, manager, language=language)
    page.goto(f"{live_server}/projects/{project.id}/members")
    remove = page.locator(".member-list li", has_text="王芳").locator("form[data-confirm] button[type=submit]")
    dialog = page.locator("#confirm-modal")

    # Keyboard only: focus the button, press Enter; the dialog opens with the safe choice focused.
    remove.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(texts["title"])
    expect(dialog.locator("#confirm-modal-question")).to_have_text(texts["question"])
    expect(dialog.locator("[data-confirm-cancel]")).to_be_focused()
    expect(dialog.locator("[data-confirm-accept]")).to_have_text(texts["accept"])
    expect(dialog.locator("[data-confirm-accept]")).to_have_class("btn btn-danger")
    screenshot(page, f"confirm-dialog-{language}-{width}")

    # Escape cancels: nothing removed, the focus goes back to the button that asked.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    assert _members(project) == 2

    # Enter again, Tab to the action, Enter: the member is removed.
    page.keyboard.press("Enter")
    expect(dialog.locator("[data-confirm-cancel]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.locator("[data-confirm-accept]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    assert _members(project) == 1
    assert native == [], "the browser's own dialog was used"


@pytest.mark.no_app
def test_no_template_or_script_uses_the_browsers_confirm():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [*root.joinpath("static").rglob("*.js"), *root.joinpath("templates").rglob("*.html")]:
        if "vendor" in path.parts:
            continue
        assert "window.confirm" not in path.read_text(encoding="utf-8"), path
