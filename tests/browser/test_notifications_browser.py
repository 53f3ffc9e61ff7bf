"""In Chromium, in Chinese: a project manager asks for a sign-off; the sponsor gets the e-mail (through a
real SMTP server), follows its link, signs in, approves, and the manager is told by e-mail in English.
Then the bell shows the sponsor's notification as read."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from planner.rollout.models import StageStatus
from tests import rollout_factories as r
from tests.mail_server import smtp_server

TODAY = date.today()


def test_a_sponsor_approves_from_the_link_in_the_email_in_chinese(page, browser, app, monkeypatch, live_server,
                                                                 make_user, make_project, add_member,
                                                                 browser_login, screenshot):
    manager = make_user(email="pm@example.com", name="Priya Menon", role=GlobalRole.MANAGER, language="en")
    sponsor = make_user(email="wang.fang@example.com", name="王芳", language="zh", timezone="Asia/Shanghai")
    project = make_project(manager=manager, name="华信家电")
    add_member(project, sponsor, sponsor=True)
    stage = r.stage(project, name="试点：上海客服中心", status=StageStatus.ACTIVE,
                    started=TODAY - timedelta(days=30))
    with smtp_server() as (port, received):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "BASE_URL", live_server)

        browser_login(page, manager, language="en")
        page.goto(f"{live_server}/projects/{project.id}/rollout/stages/{stage.id}")
        page.get_by_role("button", name="Request sign-off").click()
        expect(page.get_by_text("Sign-off is requested.")).to_be_visible()
        [mail] = [m for m in received if m.to == ["wang.fang@example.com"]]
        assert "Priya Menon 请您审批项目“华信家电”的阶段“试点：上海客服中心”" in mail.subject
        link = re.search(re.escape(live_server) + r"/projects/\d+/rollout/stages/\d+", mail.text).group(0)
        assert link == f"{live_server}/projects/{project.id}/rollout/stages/{stage.id}"

        sponsor_page = browser.new_page(viewport={"width": 1280, "height": 900})
        sponsor_page.set_content(mail.html)  # the mail as a mail program shows it
        screenshot(sponsor_page, "notification-mail-zh")
        sponsor_page.get_by_role("link", name="在 Rollout 中打开").click()
        sponsor_page.wait_for_url(lambda url: "/login" in url)
        assert link.removeprefix(live_server) in sponsor_page.url.replace("%2F", "/")
        sponsor_page.fill("input[name=email]", sponsor.email)
        sponsor_page.fill("input[name=password]", "correct horse battery staple")
        sponsor_page.click("form button[type=submit]")
        sponsor_page.wait_for_url(link)
        sponsor_page.get_by_label("批准", exact=True).check()
        screenshot(sponsor_page, "notification-gate-zh")
        sponsor_page.get_by_role("button", name="记录决定").click()
        expect(sponsor_page.get_by_text("您的决定已记录：已批准。")).to_be_visible()

        told = [m for m in received if m.to == ["pm@example.com"]]
        assert len(told) == 1
        assert told[0].subject == "王芳 decided on the stage “试点：上海客服中心” of 华信家电: Approved."

        bell = sponsor_page.get_by_role("link", name="通知")
        bell.click()
        expect(sponsor_page.get_by_role("heading", name="通知")).to_be_visible()
        expect(sponsor_page.get_by_text("Priya Menon 请您审批项目“华信家电”的阶段“试点：上海客服中心”。")
               ).to_be_visible()
        screenshot(sponsor_page, "notifications-zh")
